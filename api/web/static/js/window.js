/* The window clerk's desk: what waits at the window (corrections to record, results to hand
   over), the bundles to accept, and the latest cases. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, labels, formatDateTime, table, badge } = OneThing;

  document.getElementById("find-case").addEventListener("submit", (event) => {
    event.preventDefault();
    const ref = event.target.ref.value.trim();
    if (ref) location.assign(`/app/cases/${encodeURIComponent(ref)}`);
  });

  const [bundles, tasks, cases] = await Promise.all([
    api("GET", "/api/bundles"),
    api("GET", "/api/tasks?department=window&state=open&per_page=200"),
    api("GET", "/api/cases?per_page=20"),
  ]);

  fill("#bundles", bundles.map((b) => h("a", { class: "card link-card", href: `/app/window/new/${encodeURIComponent(b.code)}`,
    dataset: { bundle: b.code } },
  h("strong", {}, b.name),
  h("span", {}, `${b.items.length} 个事项：${[...new Set(b.items.map((i) => i.department_name))].join("、")}`),
  h("span", {}, "受理 →"))));

  const action = (t) => {
    const ref = encodeURIComponent(t.case_number);
    if (t.kind === "pickup") return h("a", { class: "button primary", href: `/app/cases/${ref}/pickup` }, "统一出件");
    if (t.kind === "correction") return h("a", { class: "button primary", href: `/app/cases/${ref}#correction` }, "登记补正材料");
    return h("a", { href: `/app/cases/${ref}` }, "查看");
  };
  fill("#window-tasks", table(["办件编号", "事项", "类型", "生成时间", ""], tasks.items.map((t) => [
    h("a", { href: `/app/cases/${encodeURIComponent(t.case_number)}` }, t.case_number),
    t.title || t.name, labels.taskKind[t.kind] || t.kind, formatDateTime(t.created_at), action(t),
  ]), "窗口暂无待办"));

  const names = Object.fromEntries(bundles.map((b) => [b.code, b.name]));
  fill("#recent-cases", table(["办件编号", "一件事", "申请人", "状态", "受理时间"], cases.items.map((c) => [
    h("a", { href: `/app/cases/${encodeURIComponent(c.number)}` }, c.number), names[c.bundle] || c.bundle,
    c.applicant_name, badge(labels.caseStatus[c.status] || c.status, c.status), formatDateTime(c.accepted_at),
  ]), "暂无办件"));
});
