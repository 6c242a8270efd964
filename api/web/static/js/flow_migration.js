/* Moving running cases onto another version of their flow (administrators): pick the target version,
   preview every running case on another version (can it move, and if not why, by element names),
   choose cases, confirm, run, and read what moved and what was refused. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, flash, table, badge, labels } = OneThing;
  const code = OneThing.param("code");
  const bundle = (await api("GET", "/api/bundles")).find((b) => b.code === code);
  if (!bundle) throw new OneThing.ApiError(404, { message_zh: `没有编码为 ${code} 的一件事` });
  const names = FlowNames.namesOf(bundle);
  const form = document.getElementById("preview");
  const target = document.getElementById("target");
  const choose = document.getElementById("choose");
  const confirmBox = document.getElementById("confirm");
  let report = null;
  let elements = {};

  fill("#migration-title", `${bundle.name}：在办办件迁移`);
  for (const v of bundle.versions.slice().reverse()) {
    target.append(h("option", { value: v.version, selected: v.current }, `第 ${v.version} 版${v.current ? "（新办件使用中）" : ""}`));
  }

  /* Element names of every version a listed case is on, as the diff to the target describes them. */
  async function loadElements(cases, to) {
    const found = {};
    const versions = [...new Set(cases.map((m) => m.from_version))];
    for (const from of versions) {
      const d = await api("GET", `/api/flows/${encodeURIComponent(code)}/diff?from=${from}&to=${to}`);
      Object.assign(found, d.elements || {});
    }
    return found;
  }

  /* The reason in Chinese with element names: the API's reason_zh names BPMN ids. */
  function reason(move) {
    if (move.can_move) return "可以迁移：已办理和正在办理的环节在目标版本中未改变";
    if (move.blockers.length) return `已办理或正在办理的环节在目标版本中被修改或删除：${FlowNames.labels(move.blockers, elements, names)}`;
    if (move.missing_tasks.length) return `目标版本缺少办件中已有的任务：${FlowNames.labels(move.missing_tasks, elements, names)}`;
    return move.reason_zh || "不能迁移";
  }

  function caseLink(move) {
    return h("a", { href: `/app/cases/${encodeURIComponent(move.case)}` }, move.case);
  }

  async function preview() {
    const to = Number(target.value);
    report = await api("GET", `/api/flows/${encodeURIComponent(code)}/migration?to=${to}`);
    elements = await loadElements(report.cases, report.to);
    fill("#cases", h("p", {}, `共有 ${report.cases.length} 件在办办件不在第 ${report.to} 版上，其中 ` +
      `${report.cases.filter((m) => m.can_move).length} 件可以迁移。`),
    table(["选择", "办件编号", "办件状态", "当前版本", "能否迁移", "说明"], report.cases.map((m) => [
      h("input", { type: "checkbox", class: "pick", value: m.case, disabled: !m.can_move, "aria-label": `选择办件 ${m.case}` }),
      caseLink(m), labels.caseStatus[m.status] || "其他", `第 ${m.from_version} 版`,
      m.can_move ? badge("可迁移", "green") : badge("不能迁移", "red"), reason(m),
    ]), `没有需要迁移到第 ${report.to} 版的在办办件`));
    choose.hidden = !report.cases.some((m) => m.can_move);
    confirmBox.hidden = true;
  }

  function picked() {
    return [...document.querySelectorAll("#cases input.pick:checked")].map((box) => box.value);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button"), preview, form);
  });
  document.getElementById("select-movable").addEventListener("click", () => {
    for (const box of document.querySelectorAll("#cases input.pick")) box.checked = !box.disabled;
  });
  document.getElementById("select-none").addEventListener("click", () => {
    for (const box of document.querySelectorAll("#cases input.pick")) box.checked = false;
  });
  document.getElementById("migrate").addEventListener("click", () => {
    const cases = picked();
    if (!cases.length) {
      flash("请先勾选要迁移的办件。", "error");
      return;
    }
    fill("#confirm-text", `将把 ${cases.length} 件办件（${cases.join("、")}）迁移到第 ${report.to} 版流程继续办理，迁移记入办件时间线和审计记录。确定迁移吗？`);
    confirmBox.hidden = false;
  });
  document.getElementById("confirm-no").addEventListener("click", () => { confirmBox.hidden = true; });
  const yes = document.getElementById("confirm-yes");
  yes.addEventListener("click", () => busy(yes, async () => {
    const result = await api("POST", `/api/flows/${encodeURIComponent(code)}/migration`, { to: report.to, cases: picked() });
    confirmBox.hidden = true;
    document.getElementById("results").hidden = false;
    fill("#results-body",
      h("h3", {}, `已迁移到第 ${result.to} 版：${result.moved.length} 件`),
      table(["办件编号", "原版本"], result.moved.map((m) => [caseLink(m), `第 ${m.from_version} 版`]), "没有办件被迁移"),
      h("h3", {}, `未迁移：${result.refused.length} 件`),
      table(["办件编号", "原版本", "原因"], result.refused.map((m) => [caseLink(m), `第 ${m.from_version} 版`, reason(m)]), "没有被拒绝的办件"));
    await preview();
    flash(`迁移完成：${result.moved.length} 件已迁移，${result.refused.length} 件未迁移。`);
  }));

  await preview();
});
