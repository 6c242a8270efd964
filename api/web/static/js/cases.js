/* 办件查询: one box for a case number, an applicant's name, ID number or phone, plus status, bundle,
   department and acceptance dates, sorted by a column either way (a department finds only the cases
   it has items in; a supervisor searches only by number or date). The conditions and the page live
   in the address, so a link or a saved filter (常用查询) reopens the same list. Every answer ends in a
   list, "未找到符合条件的办件" or a Chinese error: never a lasting "正在加载…". */
"use strict";
OneThing.start(async (user) => {
  const { api, h, fill, labels, badge, formatDateTime, table, busy, clearFlash, clearErrors, ApiError } = OneThing;
  const form = document.getElementById("case-filter");
  const KEYS = ["q", "status", "bundle", "department", "from", "to", "sort", "order"];
  const DEFAULTS = { sort: "accepted_at", order: "desc" };
  // A department's list is its own cases already; the window and supervisors may pick any department.
  const anyDepartment = user.roles.includes("clerk") || user.roles.includes("supervisor");
  let names = {};
  let page = 1;

  function problem(err) {
    return err instanceof ApiError ? err.message : "查询未成功，请稍后重试";
  }

  const where = SavedFilters.address(form, KEYS, DEFAULTS);
  const conditions = where.conditions;

  function readAddress() {
    page = where.read();
    if (!anyDepartment) form.department.value = "";
  }

  function writeAddress(replace = false) {
    where.write(page, replace);
  }

  let latest = 0;  // a list asked for later wins over an earlier answer that arrives after it

  async function load() {
    const asked = ++latest;
    const query = new URLSearchParams({ ...DEFAULTS, ...conditions(), page, per_page: 50 });
    fill("#case-list", h("p", { class: "muted" }, "正在查询…"));
    fill("#pager");
    let answer;
    try {
      answer = await api("GET", `/api/cases?${query}`);
    } catch (err) {
      if (asked !== latest) return;  // a later list is on its way
      fill("#case-list", h("p", { class: "empty", id: "search-problem" }, problem(err)));
      throw err;
    }
    if (asked !== latest) return;
    clearFlash();
    clearErrors(form);
    // Past the count's cap the server says "more than": the pages go as far as the cap.
    const count = answer.total_exact === false ? `超过 ${answer.total} 件，按页只列出前 ${answer.total} 件，请缩小查询条件`
      : `共 ${answer.total} 件`;
    fill("#case-list", answer.total ? h("p", { class: "muted", id: "case-count" }, count) : null,
      table(["办件编号", "一件事", "申请人", "状态", "受理时间", "办结时间"], answer.items.map((c) => [
        h("a", { href: `/app/cases/${encodeURIComponent(c.number)}` }, c.number), names[c.bundle] || c.bundle,
        `${c.applicant_name} ${c.applicant_id_number}`, badge(labels.caseStatus[c.status] || c.status, c.status),
        formatDateTime(c.accepted_at), formatDateTime(c.closed_at),
      ]), "未找到符合条件的办件"));
    const pages = Math.max(1, Math.ceil(answer.total / answer.per_page));
    const turn = (by) => () => { page += by; writeAddress(); busy(null, load, form); };
    fill("#pager", page > 1 ? h("button", { type: "button", onclick: turn(-1) }, "上一页") : null,
      h("span", { class: "muted" }, `第 ${page} / ${pages} 页`),
      page < pages ? h("button", { type: "button", onclick: turn(1) }, "下一页") : null);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    page = 1;
    writeAddress();
    busy(form.querySelector("button[type=submit]"), load, form);
  });
  window.addEventListener("popstate", () => { readAddress(); busy(null, load, form); });
  document.getElementById("department-field").hidden = !anyDepartment;
  try {
    const bundles = await api("GET", "/api/bundles");
    names = Object.fromEntries(bundles.map((b) => [b.code, b.name]));
    for (const b of bundles) form.bundle.append(h("option", { value: b.code }, b.name));
    const departments = new Map(bundles.flatMap((b) => b.items.map((i) => [i.department, i.department_name])));
    for (const [code, name] of departments) form.department.append(h("option", { value: code }, name || code));
  } catch (err) {
    OneThing.showError(err);  // the list still loads; only the bundle and department filters are missing
  }
  readAddress();
  writeAddress(true);
  SavedFilters.mount("cases", form, conditions);
  await busy(null, load, form);
});
