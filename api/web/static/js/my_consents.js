/* 授权帮办代办 in 我的办件: let the hall agents of one service point apply for one bundle on one's
   behalf (a week, one case), see those consents and withdraw one not yet used. */
"use strict";
const MyConsents = (() => {
  const { api, h, fill, busy, flash } = OneThing;
  const quiet = { stayOnPage: true };
  const STATES = { granted: "有效", used: "已用于办件", withdrawn: "已撤回" };

  async function list(names) {
    const mine = (await api("GET", "/api/applicant/agent-consents", undefined, quiet)).consents;
    fill("#my-consents", mine.length ? h("ul", { class: "plain" }, mine.map((c) => h("li", { class: "card" },
      h("p", {}, h("strong", {}, names[c.bundle] || c.bundle), `　${c.point_name}　${STATES[c.state] || c.state}`),
      h("p", { class: "muted" }, c.case_number ? `办件编号 ${c.case_number}` : `有效期至 ${OneThing.formatDateTime(c.expires_at)}`),
      c.state === "granted" ? h("button", { type: "button", onclick: (event) => busy(event.target, async () => {
        await api("DELETE", `/api/applicant/agent-consents/${c.id}`, undefined, quiet);
        flash("已撤回授权");
        await list(names);
      }) }, "撤回授权") : null))) : h("p", { class: "muted" }, "暂无授权。"));
  }

  async function render() {
    const form = document.getElementById("consent-form");
    const [points, bundles] = await Promise.all([api("GET", "/api/hall/points", undefined, quiet),
      api("GET", "/api/public/bundles", undefined, quiet)]);
    const names = Object.fromEntries(bundles.map((b) => [b.code, b.name]));
    if (form.dataset.ready) {  // signed in again: the form is set up already
      await list(names);
      return;
    }
    form.dataset.ready = "1";
    fill(form.point, points.points.map((p) => h("option", { value: p.code }, `${p.name}（${p.level_name}）`)));
    const bundlesHere = () => {
      const here = points.points.find((p) => p.code === form.point.value);
      fill(form.bundle, bundles.filter((b) => !here || !here.bundles || here.bundles.includes(b.code))
        .map((b) => h("option", { value: b.code }, b.name)));
    };
    form.point.addEventListener("change", bundlesHere);
    bundlesHere();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(form.querySelector("button[type=submit]"), async () => {
        OneThing.clearErrors(form);
        await api("POST", "/api/applicant/agent-consents", { point: form.point.value, bundle: form.bundle.value }, quiet);
        flash("已授权，该服务点的帮办代办员可在 7 天内代您申请一次");
        await list(names);
      }, form);
    });
    await list(names);
  }

  return { render };
})();
