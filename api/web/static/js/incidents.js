/* Incidents (流程异常) for administrators: the cases halted at an automatic step that failed, where and
   why; move a case onto the bundle's deployed (fixed) flow version, then retry the step. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, flash, table, badge, formatDateTime } = OneThing;
  const statusFilter = document.getElementById("status-filter");
  const bundleFilter = document.getElementById("bundle-filter");
  const names = {};

  for (const b of await api("GET", "/api/bundles")) {
    names[b.code] = b.name;
    bundleFilter.append(h("option", { value: b.code }, b.name));
  }

  async function load() {
    const query = new URLSearchParams();
    if (statusFilter.value) query.set("status", statusFilter.value);
    if (bundleFilter.value) query.set("bundle", bundleFilter.value);
    const { incidents } = await api("GET", `/api/incidents?${query}`);
    fill("#incidents", table(["办件", "一件事", "出错步骤", "错误", "发生时间", "重试", "状态", ""], incidents.map((i) => [
      i.case_number, names[i.bundle_code] || i.bundle_code,
      h("span", {}, i.element_name || i.element_id || "—", h("br"), h("code", {}, i.element_id || "")),
      h("span", { title: i.message }, i.message_zh),
      formatDateTime(i.opened_at),
      i.attempts ? `${i.attempts} 次（最近 ${formatDateTime(i.last_attempt_at)}）` : "未重试",
      i.status === "open" ? badge("未处理", "red") : badge(`已处理（${i.resolved_by}）`, "green"),
      i.status === "open" ? h("span", {},
        h("button", { type: "button", class: "link", onclick: (e) => migrate(e.target, i) }, "迁移到最新部署版本"), "　",
        h("button", { type: "button", class: "link", onclick: (e) => retry(e.target, i) }, "重试")) : null,
    ]), "没有流程异常"));
  }

  function migrate(button, incident) {
    busy(button, async () => {
      const answer = await api("POST", `/api/flows/${encodeURIComponent(incident.bundle_code)}/migration`,
        { cases: [incident.case_number] });
      if (answer.moved.length) {
        flash(`办件 ${incident.case_number} 已迁移到第 ${answer.to} 版流程，请点击“重试”。`);
      } else {
        const refused = answer.refused[0];
        flash(refused ? `未迁移：${refused.reason_zh}` : `办件 ${incident.case_number} 已在第 ${answer.to} 版流程上。`,
          refused ? "error" : "ok");
      }
    });
  }

  function retry(button, incident) {
    busy(button, async () => {
      const answer = await api("POST", `/api/incidents/${incident.id}/retry`);
      if (answer.resolved) {
        flash(`重试成功：办件 ${incident.case_number} 已继续流转。` +
          (answer.opened.length ? `后续步骤又出错，已新开 ${answer.opened.length} 个异常。` : ""));
      } else {
        flash(`重试仍失败：${answer.incident.message_zh}`, "error");
      }
      await load();
    });
  }

  statusFilter.addEventListener("change", () => busy(null, load));
  bundleFilter.addEventListener("change", () => busy(null, load));
  await load();
});
