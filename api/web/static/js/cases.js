/* Case search: by status and bundle, newest first (a department sees the cases it has items in). */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, labels, badge, formatDateTime, table, busy } = OneThing;
  const form = document.getElementById("case-filter");
  const bundles = await api("GET", "/api/bundles");
  const names = Object.fromEntries(bundles.map((b) => [b.code, b.name]));
  for (const b of bundles) form.bundle.append(h("option", { value: b.code }, b.name));
  let page = 1;

  async function load() {
    const query = new URLSearchParams({ page, per_page: 50 });
    if (form.status.value) query.set("status", form.status.value);
    if (form.bundle.value) query.set("bundle", form.bundle.value);
    const answer = await api("GET", `/api/cases?${query}`);
    fill("#case-list", h("p", { class: "muted" }, `共 ${answer.total} 件`),
      table(["办件编号", "一件事", "申请人", "状态", "受理时间", "办结时间"], answer.items.map((c) => [
        h("a", { href: `/app/cases/${encodeURIComponent(c.number)}` }, c.number), names[c.bundle] || c.bundle,
        `${c.applicant_name} ${c.applicant_id_number}`, badge(labels.caseStatus[c.status] || c.status, c.status),
        formatDateTime(c.accepted_at), formatDateTime(c.closed_at),
      ]), "没有符合条件的办件"));
    const pages = Math.max(1, Math.ceil(answer.total / answer.per_page));
    fill("#pager", page > 1 ? h("button", { type: "button", onclick: () => { page -= 1; busy(null, load); } }, "上一页") : null,
      h("span", { class: "muted" }, `第 ${page} / ${pages} 页`),
      page < pages ? h("button", { type: "button", onclick: () => { page += 1; busy(null, load); } }, "下一页") : null);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const ref = form.ref.value.trim();
    if (ref) { location.assign(`/app/cases/${encodeURIComponent(ref)}`); return; }
    page = 1;
    busy(form.querySelector("button"), load);
  });
  await load();
});
