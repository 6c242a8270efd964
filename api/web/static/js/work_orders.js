/* 工单: the work orders one may see, newest first, with their clocks; opening one shows its timeline
   and what the viewer may do with it — the supervisors assign (分类交办), transfer (转办) and close after
   a callback (回访), the department responds and replies, the window and the supervisors register new
   ones (a complaint, 办不成事, a 12345 ticket), an outside supervisor an observation. */
"use strict";
OneThing.start(async (user) => {
  const { api, h, fill, busy, flash, table, badge, formatDateTime } = OneThing;
  const roles = user.roles || [];
  const supervisor = roles.includes("supervisor");
  const department = (roles.includes("reviewer") || roles.includes("head")) && !["window", "office"].includes(user.department);
  const COLOURS = { green: "正常", yellow: "黄牌", red: "红牌" };
  const KINDS = { complaint: "投诉", cannot_do: "办不成事", hotline: "12345 热线工单", observation: "监督员意见" };
  const mayRaise = roles.includes("clerk") ? ["complaint", "cannot_do"]
    : supervisor ? ["hotline", "complaint", "cannot_do"] : roles.includes("monitor") ? ["observation"] : [];
  const [bundles, points] = await Promise.all([api("GET", "/api/bundles"), api("GET", "/api/hall/points")]);
  const departments = {};
  for (const b of bundles) for (const i of b.items) departments[i.department] = i.department_name;
  OneThing.addUnits(departments, points.points);
  const departmentName = (code) => (code ? OneThing.departmentName(code, departments) : "待交办");

  const form = document.getElementById("raise-form");
  if (mayRaise.length) {
    document.getElementById("raise-section").hidden = false;
    fill(form.kind, mayRaise.map((k) => h("option", { value: k }, KINDS[k])));
    const external = () => { document.getElementById("external-box").hidden = form.kind.value !== "hotline"; };
    form.kind.addEventListener("change", external);
    external();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(document.getElementById("raise"), async () => {
        OneThing.clearErrors(form);
        const body = { kind: form.kind.value, title: form.title.value.trim(), description: form.description.value.trim() };
        for (const key of ["name", "phone", "case_number", "external_number"]) if (form[key].value.trim()) body[key] = form[key].value.trim();
        const made = await api("POST", "/api/work-orders", body);
        flash(`已登记工单 ${made.number}`);
        form.reset();
        external();
        await load();
        await open(made.number);
      }, form);
    });
  }

  async function load() {
    const state = document.getElementById("filter-state").value;
    const colour = document.getElementById("filter-colour").value;
    const q = new URLSearchParams({ per_page: "100" });
    if (state) q.set("state", state);
    if (colour) q.set("colour", colour);
    const page = await api("GET", `/api/work-orders?${q}`);
    fill("#orders", table(["工单编号", "类型", "标题", "承办部门", "状态", "时限", "登记时间"], page.items.map((o) => [
      h("button", { type: "button", class: "link", dataset: { order: o.number }, onclick: () => busy(null, () => open(o.number)) }, o.number),
      o.kind_name, o.title, departmentName(o.department), o.state_name,
      [badge(COLOURS[o.colour] || o.colour, o.colour), o.escalated_at ? ["　", badge("已督办", "red")] : null],
      formatDateTime(o.raised_at),
    ]), "暂无工单"));
  }

  function action(label, fields, send) {
    const box = h("form", { class: "row", novalidate: true }, fields, h("button", { type: "submit" }, label));
    box.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(box.querySelector("button"), async () => {
        OneThing.clearErrors(box);
        await send(box);
      }, box);
    });
    return box;
  }

  async function open(number) {
    const o = await api("GET", `/api/work-orders/${encodeURIComponent(number)}`);
    const section = document.getElementById("order");
    section.hidden = false;
    const done = async (message) => { flash(message); await load(); await open(number); };
    const actions = [];
    if (supervisor && o.state !== "closed") {
      const select = h("select", { name: "department", "aria-label": "承办部门" },
        Object.entries(departments).map(([code, name]) => h("option", { value: code }, name)));
      actions.push(action(o.department ? "转办" : "交办", [select,
        h("input", { name: "reason", placeholder: "转办理由", "aria-label": "转办理由", maxlength: 500 }),
        h("span", { class: "error", "data-error-for": "reason" })],
      async (box) => { await api("POST", `/api/work-orders/${encodeURIComponent(number)}/assign`,
        { department: box.department.value, reason: box.reason.value.trim() }); await done("已交办"); }));
    }
    if (department && o.department === user.department && o.state === "assigned") {
      actions.push(action("响应", [h("input", { name: "note", placeholder: "响应说明（可不填）", "aria-label": "响应说明", maxlength: 2000 })],
        async (box) => { await api("POST", `/api/work-orders/${encodeURIComponent(number)}/respond`, { note: box.note.value.trim() }); await done("已响应"); }));
    }
    if (department && o.department === user.department && ["assigned", "responded"].includes(o.state)) {
      actions.push(action("答复", [h("textarea", { name: "reply", placeholder: "书面答复", "aria-label": "书面答复", maxlength: 4000 }),
        h("span", { class: "error", "data-error-for": "reply" })],
      async (box) => { await api("POST", `/api/work-orders/${encodeURIComponent(number)}/reply`, { reply: box.reply.value.trim() }); await done("已答复"); }));
    }
    if (supervisor && o.state === "replied") {
      actions.push(action("回访并办结", [h("input", { name: "callback", placeholder: "回访情况", "aria-label": "回访情况", maxlength: 2000 }),
        h("span", { class: "error", "data-error-for": "callback" })],
      async (box) => { await api("POST", `/api/work-orders/${encodeURIComponent(number)}/callback`, { callback: box.callback.value.trim() }); await done("已办结"); }));
    }
    fill(section, h("h2", {}, `${o.kind_name} ${o.number}`),
      h("p", {}, o.title), h("p", { class: "muted" }, o.description),
      h("p", {}, `渠道：${o.channel_name}　承办部门：${departmentName(o.department)}　状态：${o.state_name}`,
        o.outcome_name ? `（${o.outcome_name}）` : ""),
      h("p", {}, `响应期限 ${o.clocks.response_due}，答复期限 ${o.clocks.reply_due}，办结期限 ${o.clocks.close_due}　`,
        badge(COLOURS[o.colour] || o.colour, o.colour)),
      o.case_number ? h("p", {}, "相关办件：", h("a", { href: `/app/cases/${encodeURIComponent(o.case_number)}` }, o.case_number)) : null,
      o.reply ? h("p", {}, `答复：${o.reply}`) : null,
      actions,
      h("h3", {}, "办理过程"),
      h("ul", { class: "plain" }, o.timeline.map((e) => h("li", {}, `${formatDateTime(e.at)}　${EVENTS[e.type] || e.type}`,
        e.data && (e.data.reason || e.data.reply || e.data.comment || e.data.callback || e.data.note)
          ? `：${e.data.reason || e.data.reply || e.data.comment || e.data.callback || e.data.note}` : ""))));
  }
  const EVENTS = { WorkOrderRaised: "登记", WorkOrderAssigned: "交办", WorkOrderTransferred: "转办", WorkOrderResponded: "响应",
    WorkOrderReplied: "答复", WorkOrderConfirmed: "申请人认可", WorkOrderDisputed: "申请人不认可", WorkOrderCalledBack: "回访办结",
    WorkOrderEscalated: "超时督办" };

  for (const id of ["filter-state", "filter-colour"]) document.getElementById(id).addEventListener("change", () => busy(null, load));
  await load();
});
