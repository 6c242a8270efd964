/* 办件查询: one box for a case number, an applicant's name, ID number or phone, plus status, bundle and
   acceptance dates (a department finds only the cases it has items in; a supervisor only by number or
   date). Every answer ends in a list, "未找到符合条件的办件" or a Chinese error: never a lasting "正在加载…". */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, labels, badge, formatDateTime, table, busy, clearFlash, clearErrors, ApiError } = OneThing;
  const form = document.getElementById("case-filter");
  let names = {};
  let page = 1;

  function problem(err) {
    return err instanceof ApiError ? err.message : "查询未成功，请稍后重试";
  }

  async function load() {
    const query = new URLSearchParams({ page, per_page: 50 });
    for (const key of ["q", "status", "bundle", "from", "to"]) {
      const value = form[key].value.trim();
      if (value) query.set(key, value);
    }
    fill("#case-list", h("p", { class: "muted" }, "正在查询…"));
    fill("#pager");
    let answer;
    try {
      answer = await api("GET", `/api/cases?${query}`);
    } catch (err) {
      fill("#case-list", h("p", { class: "empty", id: "search-problem" }, problem(err)));
      throw err;
    }
    clearFlash();
    clearErrors(form);
    fill("#case-list", answer.total ? h("p", { class: "muted" }, `共 ${answer.total} 件`) : null,
      table(["办件编号", "一件事", "申请人", "状态", "受理时间", "办结时间"], answer.items.map((c) => [
        h("a", { href: `/app/cases/${encodeURIComponent(c.number)}` }, c.number), names[c.bundle] || c.bundle,
        `${c.applicant_name} ${c.applicant_id_number}`, badge(labels.caseStatus[c.status] || c.status, c.status),
        formatDateTime(c.accepted_at), formatDateTime(c.closed_at),
      ]), "未找到符合条件的办件"));
    const pages = Math.max(1, Math.ceil(answer.total / answer.per_page));
    fill("#pager", page > 1 ? h("button", { type: "button", onclick: () => { page -= 1; busy(null, load, form); } }, "上一页") : null,
      h("span", { class: "muted" }, `第 ${page} / ${pages} 页`),
      page < pages ? h("button", { type: "button", onclick: () => { page += 1; busy(null, load, form); } }, "下一页") : null);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    page = 1;
    busy(form.querySelector("button[type=submit]"), load, form);
  });
  try {
    const bundles = await api("GET", "/api/bundles");
    names = Object.fromEntries(bundles.map((b) => [b.code, b.name]));
    for (const b of bundles) form.bundle.append(h("option", { value: b.code }, b.name));
  } catch (err) {
    OneThing.showError(err);  // the list still loads; only the bundle filter is missing
  }
  await busy(null, load, form);
});
