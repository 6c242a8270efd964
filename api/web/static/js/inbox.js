/* A department's inbox: its open tasks, most urgent first, with working days left and the
   yellow/red marks; claim a task or open it. */
"use strict";
OneThing.start(async (user) => {
  const { api, h, fill, busy, labels, formatDateTime, clockBadge, flash } = OneThing;
  const mine = document.getElementById("mine");
  const bundles = await api("GET", "/api/bundles");
  const names = Object.fromEntries(bundles.map((b) => [b.code, b.name]));
  const departments = Object.assign({}, ...bundles.map((b) => Object.fromEntries(b.items.map((i) => [i.department, i.department_name]))));
  fill("#inbox-title", `部门待办：${departments[user.department] || user.department}`);

  function urgency(t) {
    return t.clock ? t.clock.remaining_days : Number.MAX_SAFE_INTEGER;
  }

  async function load() {
    const query = new URLSearchParams({ state: "open", per_page: 200 });
    if (mine.checked) query.set("assignee", user.login);
    const answer = await api("GET", `/api/tasks?${query}`);
    const tasks = answer.items.slice().sort((a, b) => urgency(a) - urgency(b));
    const rows = tasks.map((t) => h("tr", { class: t.clock ? t.clock.colour : "", dataset: { task: t.id, case: t.case_number } },
      h("td", {}, h("a", { href: `/app/cases/${encodeURIComponent(t.case_number)}` }, t.case_number)),
      h("td", {}, names[t.bundle] || t.bundle),
      h("td", {}, t.title || t.name),
      h("td", {}, labels.taskState[t.state] || t.state, t.assignee ? `（${t.assignee}）` : ""),
      h("td", {}, formatDateTime(t.created_at)),
      h("td", {}, clockBadge(t.clock)),
      h("td", {}, t.state === "ready"
        ? h("button", { type: "button", class: "primary", onclick: (e) => claim(e.target, t) }, "认领")
        : null, " ", h("a", { class: "button", href: `/app/tasks/${encodeURIComponent(t.id)}` }, "办理"))));
    const headers = ["办件编号", "一件事", "任务", "状态", "到达时间", "时限", ""];
    // Each cell labelled with its heading for the stacked rows of a narrow screen.
    rows.forEach((row) => [...row.cells].forEach((cell, i) => cell.setAttribute("data-label", headers[i])));
    fill("#inbox", rows.length ? h("table", {}, h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))),
      h("tbody", {}, rows))
      : h("p", { class: "empty" }, "暂无待办任务"));
    if (answer.total > answer.items.length) flash(`共 ${answer.total} 项待办，此处显示最早的 ${answer.items.length} 项。`, "info");
  }

  function claim(button, t) {
    busy(button, async () => {
      await api("POST", `/api/tasks/${encodeURIComponent(t.id)}/claim`);
      location.assign(`/app/tasks/${encodeURIComponent(t.id)}`);
    });
  }

  mine.addEventListener("change", () => busy(null, load));
  await load();
});
