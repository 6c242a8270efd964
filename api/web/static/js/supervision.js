/* Supervision (效能监督): each department's on-time rate and open approvals by colour, the
   overdue cases, and the warning board (红黄牌) with acknowledgement. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, labels, badge, formatDateTime, formatDate, percent, table, flash } = OneThing;
  const openOnly = document.getElementById("open-only");
  const colour = document.getElementById("colour");
  let page = 1;
  let names = {};

  async function loadDepartments() {
    let answer;
    try {
      answer = await api("GET", "/api/supervision/departments");
    } catch (err) {
      if (!OneThing.isMissingEndpoint(err)) throw err;
      fill("#departments", h("p", { class: "notice warn" }, "本系统版本尚未提供部门统计接口。"));
      return;
    }
    names = Object.fromEntries(answer.items.map((d) => [d.department, d.name]));
    fill("#replica", replicaText(answer.replica));
    fill("#departments", table(["部门", "在办", "正常", "黄牌", "红牌", "无时限", "暂停计时", "已完成", "按时完成", "按时办结率"],
      answer.items.map((d) => [d.name, d.open.total, d.open.green, d.open.yellow ? badge(String(d.open.yellow), "yellow") : "0",
        d.open.red ? badge(String(d.open.red), "red") : "0", d.open.no_limit || 0, d.paused, d.completed, d.on_time,
        h("strong", {}, percent(d.on_time_rate))]),
      "暂无审批数据"));
  }

  // Where these figures, the reports and case search are read from: the read replica, and how far behind it is.
  function replicaText(replica) {
    if (!replica || !replica.configured) return "未配置只读副本（报表直接读主库）";
    if (!replica.reachable) return "只读副本无法连接，报表改读主库";
    const lag = replica.lag_seconds === null ? "只读副本延迟未知" : `只读副本延迟 ${replica.lag_seconds.toFixed(1)} 秒`;
    const behind = replica.behind_bytes ? `，尚有 ${replica.behind_bytes} 字节日志未回放` : "";
    const paused = replica.replay_paused ? "，回放已暂停" : "";
    return `${lag}${behind}${paused}（部门统计、报表和办件查询读自只读副本）`;
  }

  async function loadOverdue() {
    const answer = await api("GET", "/api/tasks?state=open&colour=red&per_page=200");
    const byCase = new Map();
    for (const t of answer.items) {
      if (!byCase.has(t.case_number)) byCase.set(t.case_number, []);
      byCase.get(t.case_number).push(t);
    }
    fill("#overdue", table(["办件编号", "超期事项", "部门", "到期日", "超期"], [...byCase.entries()].flatMap(([number, tasks]) =>
      tasks.map((t) => [h("a", { href: `/app/cases/${encodeURIComponent(number)}` }, number), t.title || t.name,
        names[t.department] || t.department, t.clock ? formatDate(t.clock.due_on) : "—",
        t.clock ? `${-t.clock.remaining_days} 个工作日` : "—"])), "没有超期办件"));
  }

  async function loadWarnings() {
    const query = new URLSearchParams({ page, per_page: 50 });
    if (openOnly.checked) query.set("open", "true");
    if (colour.value) query.set("colour", colour.value);
    const answer = await api("GET", `/api/supervision/warnings?${query}`);
    fill("#warnings", table(["时间", "办件编号", "部门", "预警", "到期日", "剩余工作日", "处理"], answer.items.map((w) => [
      formatDateTime(w.raised_at), h("a", { href: `/app/cases/${encodeURIComponent(w.case_number)}` }, w.case_number),
      names[w.department] || w.department,
      [w.previous ? `${labels.colour[w.previous] || w.previous} → ` : "", badge(labels.colour[w.colour] || w.colour, w.colour),
        w.task_id ? "（单个环节）" : "（整个办件）"],
      formatDate(w.due_on), String(w.remaining_days),
      w.acknowledged_at ? `${w.acknowledged_by} 已处理（${formatDateTime(w.acknowledged_at)}）`
        : h("button", { type: "button", onclick: (e) => acknowledge(e.target, w) }, "标记已处理"),
    ]), "暂无预警"));
    const pages = Math.max(1, Math.ceil(answer.total / answer.per_page));
    fill("#warning-pager", page > 1 ? h("button", { type: "button", onclick: () => { page -= 1; busy(null, loadWarnings); } }, "上一页") : null,
      h("span", { class: "muted" }, `${answer.total_exact === false ? "超过" : "共"} ${answer.total} 条，第 ${page} / ${pages} 页`),
      page < pages ? h("button", { type: "button", onclick: () => { page += 1; busy(null, loadWarnings); } }, "下一页") : null);
  }

  // The list may come from the read replica, a few seconds behind: the acknowledged row is shown as
  // the acknowledgement answered (the primary's), not as a list read at once might still show it.
  function acknowledge(button, w) {
    busy(button, async () => {
      const done = await api("POST", `/api/supervision/warnings/${w.id}/acknowledge`);
      button.replaceWith(`${done.acknowledged_by} 已处理（${formatDateTime(done.acknowledged_at)}）`);
      flash(`已处理 ${w.case_number} 的预警。`);
    });
  }

  openOnly.addEventListener("change", () => { page = 1; busy(null, loadWarnings); });
  colour.addEventListener("change", () => { page = 1; busy(null, loadWarnings); });
  await loadDepartments();
  await Promise.all([loadOverdue(), loadWarnings()]);
});
