/* The hall's ticket machine (取号), touch first: choose what to do (or not), take a ticket, see its
   number and how many are ahead. */
"use strict";
(async () => {
  const { api, h, fill, busy } = OneThing;
  const point = document.body.dataset.point;
  const quiet = { stayOnPage: true };
  const DAYS = { mon: "周一", tue: "周二", wed: "周三", thu: "周四", fri: "周五", sat: "周六", sun: "周日" };
  try {
    const [points, bundles] = await Promise.all([api("GET", "/api/hall/points", undefined, quiet),
      api("GET", "/api/public/bundles", undefined, quiet)]);
    const here = points.points.find((p) => p.code === point);
    if (!here) {
      fill("#ticket-title", "没有这个服务点");
      return;
    }
    fill("#ticket-title", `${here.name} · 取号`);
    fill("#ticket-hours", `办公时间：${Object.entries(here.hours).filter(([, span]) => span)
      .map(([d, span]) => `${DAYS[d]} ${span.join("–")}`).join("，")}`);
    const offered = bundles.filter((b) => !here.bundles || here.bundles.includes(b.code));
    fill("#ticket-bundles", [h("label", {}, h("input", { type: "radio", name: "bundle", value: "", checked: true }), "咨询或其他事项"),
      offered.map((b) => h("label", {}, h("input", { type: "radio", name: "bundle", value: b.code }), b.name))]);
  } catch (err) {
    OneThing.showError(err);
    return;
  }
  function show(ticket) {
    const box = document.getElementById("ticket");
    box.hidden = false;
    fill(box, h("p", { class: "muted" }, "您的号码"), h("p", { class: "hall-number", id: "ticket-number" }, ticket.number),
      h("p", {}, ticket.ahead ? `前面还有 ${ticket.ahead} 人，请留意叫号屏` : "请留意叫号屏，即将叫到您"));
    box.scrollIntoView({ block: "start" });
  }
  document.getElementById("take-ticket").addEventListener("click", (event) => busy(event.target, async () => {
    const chosen = document.querySelector("input[name=bundle]:checked");
    show(await api("POST", `/api/hall/${encodeURIComponent(point)}/tickets`,
      { bundle: chosen && chosen.value ? chosen.value : null }, quiet));
  }));
  const booked = document.getElementById("booked-ticket");
  booked.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(document.getElementById("take-booked"), async () => {
      OneThing.clearErrors(booked);
      show(await api("POST", `/api/hall/${encodeURIComponent(point)}/tickets`,
        { booking: booked.booking.value.trim().toUpperCase() }, quiet));
    }, booked);
  });
})();
