/* A department's inbox: its open tasks, sorted and filtered by the server (due day first by default;
   bundle, claim, colour, pause), with working days left and the yellow/red marks; claim a task or
   open it. The conditions and the page live in the address, so a link or a saved filter (常用查询)
   reopens the same list. */
"use strict";
OneThing.start(async (user) => {
  const { api, h, fill, busy, labels, formatDateTime, clockBadge, clearFlash, clearErrors } = OneThing;
  const form = document.getElementById("inbox-filter");
  const KEYS = ["bundle", "claim", "colour", "paused", "sort", "order"];
  const DEFAULTS = { claim: "all", sort: "due", order: "asc" };
  const PER_PAGE = 50;
  let page = 1;
  const bundles = await api("GET", "/api/bundles");
  const names = Object.fromEntries(bundles.map((b) => [b.code, b.name]));
  const departments = Object.assign({}, ...bundles.map((b) => Object.fromEntries(b.items.map((i) => [i.department, i.department_name]))));
  fill("#inbox-title", `部门待办：${departments[user.department] || user.department}`);
  for (const b of bundles) form.bundle.append(h("option", { value: b.code }, b.name));

  const where = SavedFilters.address(form, KEYS, DEFAULTS);
  const conditions = where.conditions;

  function readAddress() {
    page = where.read();
  }

  function writeAddress(replace = false) {
    where.write(page, replace);
  }

  let latest = 0;  // a list asked for later wins over an earlier answer that arrives after it

  async function load() {
    const asked = ++latest;
    const query = new URLSearchParams({ state: "open", ...DEFAULTS, ...conditions(), page, per_page: PER_PAGE });
    fill("#inbox", h("p", { class: "muted" }, "正在查询…"));
    fill("#pager");
    let answer;
    try {
      answer = await api("GET", `/api/tasks?${query}`);
    } catch (err) {
      if (asked !== latest) return;  // a later list is on its way
      fill("#inbox", h("p", { class: "empty" }, "待办任务未能加载，请稍后重试"));
      throw err;
    }
    if (asked !== latest) return;
    clearFlash();
    clearErrors(form);
    const rows = answer.items.map((t) => h("tr", { class: t.clock ? t.clock.colour : "", dataset: { task: t.id, case: t.case_number } },
      h("td", {}, h("a", { href: `/app/cases/${encodeURIComponent(t.case_number)}` }, t.case_number)),
      h("td", {}, names[t.bundle] || t.bundle),
      h("td", {}, t.title || t.name),
      h("td", {}, labels.taskState[t.state] || t.state, t.assignee ? `（${t.assignee_name || t.assignee}）` : ""),
      h("td", {}, formatDateTime(t.created_at)),
      h("td", {}, clockBadge(t.clock)),
      h("td", {}, t.state === "ready"
        ? h("button", { type: "button", class: "primary", onclick: (e) => claim(e.target, t) }, "认领")
        : null, " ", h("a", { class: "button", href: `/app/tasks/${encodeURIComponent(t.id)}` }, "办理"))));
    const headers = ["办件编号", "一件事", "任务", "状态", "到达时间", "时限", ""];
    // Each cell labelled with its heading for the stacked rows of a narrow screen.
    rows.forEach((row) => [...row.cells].forEach((cell, i) => cell.setAttribute("data-label", headers[i])));
    fill("#inbox", answer.total ? h("p", { class: "muted", id: "inbox-total" }, answer.total_exact === false
      ? `超过 ${answer.total} 项待办，请缩小筛选条件` : `共 ${answer.total} 项待办`) : null,
      rows.length ? h("table", {}, h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))), h("tbody", {}, rows))
        : h("p", { class: "empty" }, Object.keys(conditions()).length ? "没有符合条件的待办任务" : "暂无待办任务"));
    const pages = Math.max(1, Math.ceil(answer.total / PER_PAGE));
    const turn = (by) => () => { page += by; writeAddress(); busy(null, load, form); };
    fill("#pager", pages > 1 && page > 1 ? h("button", { type: "button", onclick: turn(-1) }, "上一页") : null,
      pages > 1 ? h("span", { class: "muted" }, `第 ${page} / ${pages} 页`) : null,
      page < pages ? h("button", { type: "button", onclick: turn(1) }, "下一页") : null);
  }

  function claim(button, t) {
    busy(button, async () => {
      await api("POST", `/api/tasks/${encodeURIComponent(t.id)}/claim`);
      location.assign(`/app/tasks/${encodeURIComponent(t.id)}`);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    page = 1;
    writeAddress();
    busy(form.querySelector("button[type=submit]"), load, form);
  });
  // A choice in a list applies at once: the inbox is re-read as it would be by 筛选.
  form.addEventListener("change", () => form.requestSubmit());
  window.addEventListener("popstate", () => { readAddress(); busy(null, load, form); });
  readAddress();
  writeAddress(true);
  SavedFilters.mount("inbox", form, conditions);
  await busy(null, load, form);
});
