/* 预约 in 我的办件: book a half-hour slot at a service point for a bundle, see one's bookings with
   their codes (given at the hall's ticket machine) and cancel one before its slot. */
"use strict";
const MyBookings = (() => {
  const { api, h, fill, busy, flash } = OneThing;
  const quiet = { stayOnPage: true };
  const STATES = { booked: "已预约", cancelled: "已取消", arrived: "已取号", no_show: "未到（爽约）" };

  function when(iso) {
    return iso.slice(0, 16).replace("T", " ");
  }

  async function list() {
    const mine = (await api("GET", "/api/applicant/bookings", undefined, quiet)).bookings;
    fill("#my-bookings", mine.length ? h("ul", { class: "plain" }, mine.map((b) => h("li", { class: "card" },
      h("p", {}, h("strong", {}, `预约号 ${b.code}`), `　${STATES[b.state] || b.state}`),
      h("p", {}, `${when(b.starts_at)}　${b.point_name}`),
      b.state === "booked" ? h("button", { type: "button", onclick: (event) => busy(event.target, async () => {
        await api("DELETE", `/api/applicant/bookings/${b.id}`, undefined, quiet);
        flash("预约已取消");
        await list();
      }) }, "取消预约") : null))) : h("p", { class: "muted" }, "暂无预约。"));
  }

  async function render() {
    const form = document.getElementById("booking-form");
    if (form.dataset.ready) {  // signed in again: the form is set up already
      await list();
      return;
    }
    form.dataset.ready = "1";
    const [points, bundles] = await Promise.all([api("GET", "/api/hall/points", undefined, quiet),
      api("GET", "/api/public/bundles", undefined, quiet)]);
    fill(form.point, points.points.map((p) => h("option", { value: p.code }, `${p.name}（${p.level_name}）`)));
    const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
    form.day.value = form.day.value || tomorrow;
    const bundlesHere = () => {
      const here = points.points.find((p) => p.code === form.point.value);
      fill(form.bundle, bundles.filter((b) => !here || !here.bundles || here.bundles.includes(b.code))
        .map((b) => h("option", { value: b.code }, b.name)));
    };
    const slots = () => busy(null, async () => {
      if (!form.bundle.value || !form.day.value) return;
      const found = (await api("GET", `/api/hall/${encodeURIComponent(form.point.value)}/slots?bundle=${
        encodeURIComponent(form.bundle.value)}&day=${form.day.value}`, undefined, quiet)).slots;
      fill(form.slot, found.length ? found.map((s) => h("option", { value: s.starts_at, disabled: s.free < 1 },
        `${s.time}${s.free < 1 ? "（已约满）" : `（余 ${s.free}）`}`)) : h("option", { value: "" }, "当天不办公或无可约时段"));
    }, form);
    form.point.addEventListener("change", () => { bundlesHere(); slots(); });
    form.bundle.addEventListener("change", slots);
    form.day.addEventListener("change", slots);
    bundlesHere();
    await slots();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(form.querySelector("button[type=submit]"), async () => {
        OneThing.clearErrors(form);
        const made = await api("POST", "/api/applicant/bookings", { point: form.point.value, bundle: form.bundle.value,
          slot: form.slot.value, name: form.name.value.trim() }, quiet);
        flash(`预约成功，预约号 ${made.code}，请按时到大厅凭预约号取号`);
        await list();
        await slots();
      }, form);
    });
    await list();
  }

  return { render };
})();
