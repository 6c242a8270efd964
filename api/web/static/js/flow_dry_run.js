/* Dry-running a flow version (administrators): a decision per item (准予 / 不予许可 / 补正一次后准予),
   then the simulated tasks in order with their departments, and whether the case finished, waits or
   stopped, and why, in Chinese. Nothing is stored. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, table, badge, labels, departmentName } = OneThing;
  const code = OneThing.param("code");
  const bundle = (await api("GET", "/api/bundles")).find((b) => b.code === code);
  if (!bundle) throw new OneThing.ApiError(404, { message_zh: `没有编码为 ${code} 的一件事` });
  const DECISIONS = [["approve", "准予许可"], ["reject", "不予许可"], ["correct", "要求补正（补正一次后准予）"]];
  const STOPPED = {
    failed: "流程的自动步骤运行失败", stalled: "流程停住：没有可办理的任务，也未办结", "too-long": "步骤过多或耗时过长，已停止",
  };
  const form = document.getElementById("dry-run");
  const departments = {};
  const items = {};
  for (const i of bundle.items) {
    departments[i.department] = i.department_name;
    items[i.code] = i;
  }

  fill("#dry-run-title", `${bundle.name}：流程试运行`);
  const version = document.getElementById("version");
  for (const v of bundle.versions.slice().reverse()) {
    version.append(h("option", { value: v.version, selected: v.current }, `第 ${v.version} 版${v.current ? "（新办件使用中）" : ""}`));
  }
  fill("#decisions", bundle.items.map((i) => h("div", { class: "field" },
    h("label", { for: `decision-${i.code}`, "data-label-for": `decisions.${i.code}` }, `${i.name}（${i.department_name}）`),
    h("select", { id: `decision-${i.code}`, name: i.code, class: "decision" },
      DECISIONS.map(([value, text]) => h("option", { value }, text))),
    h("span", { class: "error", "data-error-for": `decisions.${i.code}` }))));

  function decisions() {
    // Only what differs from the default (approve): a version may not have every current item.
    return Object.fromEntries([...form.querySelectorAll("select.decision")].filter((s) => s.value !== "approve")
      .map((s) => [s.name, s.value]));
  }

  function itemName(code) {
    return code ? (items[code] ? items[code].name : "其他事项") : "—";
  }

  /* The failed step's title when the run got past it (the error names the step otherwise). */
  function stepName(run) {
    const step = run.steps.find((s) => s.task === run.failed_step);
    return step ? step.title : null;
  }

  function show(run) {
    document.getElementById("outcome").hidden = false;
    let state;
    if (run.finished) state = h("p", { class: "notice ok" }, badge("已办结", "green"), ` 第 ${run.version} 版流程按所选结论顺利办结，共 ${run.steps.length} 个人工步骤。`);
    else if (run.stopped) state = h("div", { class: "notice error" }, h("p", {}, badge("已停止", "red"), ` ${STOPPED[run.stopped] || "流程未能办结"}`),
      stepName(run) ? h("p", {}, `出错步骤：${stepName(run)}`) : null,
      run.error_zh ? h("p", {}, `原因：${run.error_zh}`) : null);
    else state = h("p", { class: "notice warn" }, badge("等待中", "yellow"), " 流程尚未办结，仍有任务等待办理。");
    fill("#outcome-summary", state,
      run.lanes.length ? h("p", {}, `参与部门：${run.lanes.map((l) => departmentName(l, departments)).join("、")}`) : null,
      run.waiting.length ? h("p", {}, `停止时等待办理的任务：${run.waiting.length} 个`) : null);
    fill("#outcome-steps", table(["序号", "步骤", "部门", "类别", "事项", "结论"], run.steps.map((s, n) => [
      String(n + 1), s.title, s.lane ? departmentName(s.lane, departments) : "—", labels.taskKind[s.kind] || "任务",
      itemName(s.item), s.decision ? (labels.decision[s.decision] || "其他") : "—",
    ]), "没有办理任何步骤"));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button[type=submit]"), async () => {
      OneThing.clearErrors(form);
      OneThing.clearFlash();
      const run = await api("POST", `/api/flows/${encodeURIComponent(code)}/versions/${Number(version.value)}/dry-run`,
        { decisions: decisions() });
      show(run);
    }, form);
  });
});
