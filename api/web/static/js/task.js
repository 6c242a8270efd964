/* A department's task: the case's form and materials for the item (with what it received from its
   prerequisites inside the case), then the decision (approve — with the number of the licence the
   item grants —, refuse with a reason, request a correction naming the materials), a special
   procedure that stops the clock, and a head's reassignment and extension (over anyone's claim in the
   department). The reviewer who claimed the task may release it (放弃认领). A site inspection (现场核查)
   records its result, day and findings; the decision after it shows what the inspectors found. */
"use strict";
OneThing.start(async (user) => {
  const { api, h, fill, busy, param, labels, flash, clockBadge, formatDateTime } = OneThing;
  const taskId = param("taskId");
  const decide = document.getElementById("decide");
  const inspect = document.getElementById("inspect");
  await CaseBits.loadCatalogue();
  for (const [code, name] of Object.entries(labels.procedure)) {
    document.getElementById("procedure").append(h("option", { value: code }, name));
  }
  let task = await api("GET", `/api/tasks/${encodeURIComponent(taskId)}`);
  const [guide, licences] = await Promise.all([
    api("GET", `/api/bundles/${encodeURIComponent(task.bundle)}/guide`),
    api("GET", "/api/catalogue/licences").catch(() => ({})),
  ]);
  const item = guide.items.find((i) => i.code === task.item)
    || { fields: [], materials: [], name: task.title, special_procedures: [], grants: null, uses: [] };
  /* The licence the approval grants; a business licence's number is the enterprise's unified social
     credit code (三证合一), which the licence catalogue says with number_format "credit_code". */
  const licence = (item.grants && licences[item.grants]) || {};
  const grant = item.grants ? { name: licence.name || item.grants,
    creditCode: licence.number_format === "credit_code" || item.grants === "business_licence" } : null;
  const licenceField = document.getElementById("licence-field");
  if (grant) {
    fill(licenceField.querySelector("label"), `${grant.name}编号*`);
    fill("#licence-hint", grant.creditCode
      ? `准予即核发“${grant.name}”：其编号即统一社会信用代码（18 位，末位为校验码），也是企业今后办事的统一代码。`
      : `准予即核发“${grant.name}”（入电子证照库），须填写其编号。`);
  }

  /* Each material a correction names may say what is wrong with it (补正要求, on the notice). */
  fill("#correct-materials", item.materials.map((m) => {
    const note = h("input", { type: "text", name: `note:${m.key}`, maxlength: 500, hidden: true,
      placeholder: "问题所在（如：未标注疏散通道）", "aria-label": `${m.name}：补正要求` });
    const box = h("input", { type: "checkbox", name: "materials", value: m.key,
      onchange: () => { note.hidden = !box.checked; } });
    return h("div", { class: "correct-material" }, h("label", {}, box, m.name), note);
  }));

  async function load() {
    task = await api("GET", `/api/tasks/${encodeURIComponent(taskId)}`);
    const c = await api("GET", `/api/cases/${encodeURIComponent(task.case_number)}`);
    render(c);
  }

  function render(c) {
    fill("#task-title", `${task.title || task.name}`);
    document.title = `${task.title || task.name} · 一件事综合服务工作台`;
    const open = task.state === "ready" || task.state === "claimed";
    fill("#task-summary", h("dl", { class: "summary" },
      h("div", {}, h("dt", {}, "办件编号"), h("dd", { class: "case-number" },
        h("a", { href: `/app/cases/${encodeURIComponent(c.number)}` }, c.number))),
      h("div", {}, h("dt", {}, "一件事"), h("dd", {}, c.bundle_name)),
      h("div", {}, h("dt", {}, "事项"), h("dd", {}, item.name)),
      h("div", {}, h("dt", {}, "任务状态"), h("dd", {}, labels.taskState[task.state] || task.state,
        task.assignee ? `（${task.assignee_name || CaseBits.personName(c, task.assignee)}）` : "", task.decision ? ` · ${labels.decision[task.decision] || task.decision}` : "")),
      h("div", {}, h("dt", {}, "时限"), h("dd", {}, clockBadge(task.clock))),
      h("div", {}, h("dt", {}, "申请人"), h("dd", {}, [c.applicant.entity_name, c.applicant.name, c.applicant.id_number]
        .filter(Boolean).join("　"))),
      h("div", {}, h("dt", {}, "到达时间"), h("dd", {}, formatDateTime(task.created_at))),
      item.special_procedures.length ? h("div", {}, h("dt", {}, "可能的特别环节"), h("dd", {},
        item.special_procedures.map((p) => `${p.name}（${p.pauses_clock ? "不计时" : "计入时限"}）`).join("、"))) : null));
    const worker = user.roles.some((r) => r === "reviewer" || r === "head") && user.department === task.department;
    const mineOrFree = !task.assignee || task.assignee === user.login;
    fill("#task-actions",
      open && worker && task.state === "ready" ? h("button", { type: "button", class: "primary", id: "claim", onclick: (e) => claim(e.target) }, "认领任务") : null,
      open && task.state === "claimed" && task.assignee === user.login
        ? h("button", { type: "button", id: "unclaim", onclick: (e) => unclaim(e.target) }, "放弃认领") : null,
      open && task.assignee && task.assignee !== user.login ? h("p", { class: "notice warn" }, `此任务已由 ${task.assignee_name || CaseBits.personName(c, task.assignee)} 认领办理。`) : null,
      !open ? h("p", { class: "notice info" }, `此任务${labels.taskState[task.state] || task.state}` +
        (task.completed_by ? `（${task.completed_by_name || CaseBits.personName(c, task.completed_by)}，${formatDateTime(task.completed_at)}）` : "") + "。") : null,
      h("a", { class: "button", href: "/app/inbox" }, "返回部门待办"));
    const canDecide = open && worker && mineOrFree && task.kind === "approval";
    document.getElementById("decision-section").hidden = !canDecide;
    document.getElementById("inspection-section").hidden = !(open && worker && mineOrFree && task.kind === "inspection");
    if (!inspect.inspected_on.value) {  // today in Shanghai, as YYYY-MM-DD
      inspect.inspected_on.value = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
    }
    fill("#inspection-result", inspected(c));
    document.getElementById("procedure-section").hidden = !canDecide;
    const paused = Boolean(task.clock && task.clock.paused);
    document.getElementById("pause").hidden = paused;
    document.getElementById("resume-box").hidden = !paused;
    document.getElementById("head-section").hidden = !(open && user.roles.includes("head") && user.department === task.department);
    const fields = item.fields.filter((k) => k in (c.form || {}));
    fill("#item-form", CaseBits.form(c, fields));
    fill("#full-form", CaseBits.form(c));
    const materials = item.materials.map((m) => m.key);
    fill("#item-materials", CaseBits.materials(c, materials));
    fill("#item-linked", linked(c));
    const names = Object.fromEntries(item.materials.map((m) => [m.key, m.name]));
    const asked = c.timeline.filter((e) => e.type === "CorrectionRequested" && e.data && e.data.item === task.item).pop();
    CaseFiles.render("#item-files", c.number, { keys: materials, names, notes: (asked && asked.data.notes) || {} })
      .catch((err) => fill("#item-files", h("p", { class: "notice error" }, `扫描件：${err.message}`)));
    fill("#case-items", CaseBits.items(c));
    fill("#case-timeline", CaseBits.timeline(c));
  }

  /* The item's latest site inspection, which the decision follows (a failed site is not approved). */
  function inspected(c) {
    const record = (c.items.find((i) => i.code === task.item) || {}).inspection;
    if (!record) return null;
    const failed = record.result === "failed";
    return h("p", { class: `notice ${failed ? "warn" : "ok"}` },
      `现场核查${labels.inspectionResult[record.result] || record.result}（${record.inspected_on}）`,
      record.findings ? `：${record.findings}` : "", failed ? "。不能准予许可，可要求整改（补正）后重新核查。" : "");
  }

  /* What the item received inside the case from its prerequisites (联动): the OutputsLinked event
     recorded when its task opened; before that, what it will receive. */
  function linked(c) {
    const event = c.timeline.filter((e) => e.type === "OutputsLinked" && e.data && e.data.item === task.item).pop();
    if (event) {
      return [h("h3", {}, "本件联动取得的材料（申请人无需提交）"), CaseBits.linkedMaterials(c, event.data.materials)];
    }
    if (!(item.uses || []).length) return null;
    return [h("h3", {}, "本件联动取得的材料"),
      h("p", { class: "muted" }, `${item.uses.map((u) => u.name).join("、")}：待前置事项核发后联动取得，申请人无需提交。`)];
  }

  /* After an action succeeded: the page as it now is, no error left from an earlier try (in any of
     its forms), and what was done. */
  async function done(message, kind = "ok") {
    await load();
    OneThing.clearErrors(document);
    flash(message, kind);
  }

  function claim(button) {
    busy(button, async () => {
      await api("POST", `/api/tasks/${encodeURIComponent(taskId)}/claim`);
      await done("已认领，请审查申请内容和材料后作出决定。");
    });
  }

  function unclaim(button) {
    busy(button, async () => {
      await api("POST", `/api/tasks/${encodeURIComponent(taskId)}/unclaim`);
      await done("已放弃认领，任务退回部门待办，本部门人员均可认领。");
    });
  }

  function showWhen() {
    const chosen = decide.decision.value;
    for (const part of decide.querySelectorAll("[data-when]")) part.hidden = !part.dataset.when.split(" ").includes(chosen);
    if (!grant) licenceField.hidden = true; // an item that grants nothing has no licence number to give
  }
  for (const radio of decide.querySelectorAll("input[name=decision]")) radio.addEventListener("change", showWhen);

  decide.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(document.getElementById("submit-decision"), async () => {
      OneThing.clearErrors(decide);
      const decision = decide.decision.value;
      if (!decision) throw new OneThing.ApiError(422, { message_zh: "请选择审批决定", errors: { decision: ["请选择"] } });
      const body = { decision };
      const reason = decide.reason.value.trim();
      if (decision === "approve" && grant) {
        const number = decide.licence_number.value.trim();
        if (!number) {
          throw new OneThing.ApiError(422, { message_zh: `准予即核发“${grant.name}”，请填写证照编号`,
            errors: { licence_number: ["必填"] } });
        }
        body.licence_number = number;
      } else if (decision !== "approve") {
        if (reason) body.reason = reason;
      }
      if (decision === "correct") {
        body.materials = [...decide.querySelectorAll("input[name=materials]:checked")].map((i) => i.value);
        const notes = Object.fromEntries(body.materials.map((k) => [k, decide.querySelector(`input[name="note:${CSS.escape(k)}"]`).value.trim()])
          .filter(([, text]) => text));
        if (Object.keys(notes).length) body.notes = notes;
      }
      await api("POST", `/api/tasks/${encodeURIComponent(taskId)}/complete`, body);
      const said = { approve: "已准予许可", reject: "已作出不予许可决定", correct: "已一次性告知补正，办件转综合窗口登记补正材料" }[decision];
      await done(`${said}。`);
    }, decide);
  });

  inspect.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(document.getElementById("submit-inspection"), async () => {
      OneThing.clearErrors(inspect);
      const result = inspect.result.value;
      if (!result) throw new OneThing.ApiError(422, { message_zh: "请选择核查结论", errors: { result: ["请选择合格或不合格"] } });
      const body = { result, findings: inspect.findings.value.trim() };
      if (inspect.inspected_on.value) body.inspected_on = inspect.inspected_on.value;
      await api("POST", `/api/tasks/${encodeURIComponent(taskId)}/complete`, body);
      await done(result === "passed" ? "已记录现场核查合格，办件转入审批决定。" : "已记录现场核查不合格，请在审批决定中不予许可或要求整改。");
    }, inspect);
  });

  const pause = document.getElementById("pause");
  pause.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(pause.querySelector("button"), async () => {
      OneThing.clearErrors(pause);
      if (!pause.procedure.value) {
        throw new OneThing.ApiError(422, { message_zh: "请选择特别程序", errors: { procedure: ["请选择"] } });
      }
      await api("POST", `/api/tasks/${encodeURIComponent(taskId)}/pause`, { procedure: pause.procedure.value, reason: pause.reason.value.trim() });
      await done(`特别程序（${labels.procedure[pause.procedure.value] || ""}）已开始，审批时限暂停计算。`);
    }, pause);
  });
  const resume = document.getElementById("resume");
  resume.addEventListener("click", () => busy(resume, async () => {
    await api("POST", `/api/tasks/${encodeURIComponent(taskId)}/resume`);
    await done("特别程序已结束，审批时限恢复计算，到期日相应顺延。");
  }));

  const assign = document.getElementById("assign");
  assign.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(assign.querySelector("button"), async () => {
      const answer = await api("POST", `/api/tasks/${encodeURIComponent(taskId)}/assign`, { assignee: assign.assignee.value.trim() });
      await done(`已改派给 ${answer.assignee_name || answer.assignee}。`);
    }, assign);
  });
  const extend = document.getElementById("extend");
  extend.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(extend.querySelector("button"), async () => {
      const days = Number.parseInt(extend.days.value, 10);
      const answer = await api("POST", `/api/tasks/${encodeURIComponent(taskId)}/extend`, { days: Number.isNaN(days) ? extend.days.value : days, reason: extend.reason.value.trim() });
      await done(`已延长 ${days} 个工作日，时限现为 ${answer.clock.limit_days} 个工作日，到期日 ${answer.clock.due_on}。`);
    }, extend);
  });

  await load();
});
