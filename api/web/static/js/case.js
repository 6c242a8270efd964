/* A case: its progress for everyone who may read it; for the window clerk also the receipt, the
   correction materials to record, the tolerated materials supplied later, and the pickup. */
"use strict";
OneThing.start(async (user) => {
  const { api, h, fill, busy, param, labels, flash } = OneThing;
  const ref = param("ref");
  const clerk = user.roles.includes("clerk");
  await CaseBits.loadCatalogue();

  async function load() {
    const c = await api("GET", `/api/cases/${encodeURIComponent(ref)}`);
    render(c);
    CaseDiagram.show(ref); // not awaited: the diagram says its own errors in its own section
    return c;
  }

  function render(c) {
    fill("#case-title", `办件 ${c.number}`);
    document.title = `办件 ${c.number} · 一件事综合服务工作台`;
    fill("#case-summary", CaseBits.summary(c));
    renderIncidents(c);
    fill("#case-actions",
      h("a", { class: "button", href: `/app/cases/${encodeURIComponent(c.number)}/receipt` }, "受理回执"),
      clerk && c.status === "awaiting_pickup"
        ? h("a", { class: "button primary", href: `/app/cases/${encodeURIComponent(c.number)}/pickup` }, "统一出件") : null,
      notices(c));
    fill("#case-items", CaseBits.items(c));
    fill("#case-tasks", CaseBits.openTasks(c));
    fill("#case-form", CaseBits.form(c));
    fill("#case-materials", CaseBits.materials(c));
    fill("#case-timeline", CaseBits.timeline(c));
    const finished = c.status === "closed" || c.status === "awaiting_pickup";
    document.getElementById("case-results").hidden = !finished;
    if (finished) fill("#case-results-body", CaseBits.results(c));
    renderCorrections(c);
    renderTolerated(c);
    const names = Object.fromEntries(Object.keys(c.materials || {}).map((k) => [k, CaseBits.materialName(k)]));
    const notes = Object.assign({}, ...c.timeline.filter((e) => e.type === "CorrectionRequested" && e.data && e.data.notes)
      .map((e) => e.data.notes));
    const running = c.status !== "closed" && c.status !== "terminated";
    CaseFiles.render("#case-files", c.number, { names, notes, canUpload: clerk && running })
      .catch((err) => fill("#case-files", h("p", { class: "notice error" }, `扫描件：${err.message}`)));
  }

  /* The official notices the case holds something for, as printable PDFs. */
  function notices(c) {
    const status = (s) => c.items.some((i) => i.status === s);
    const shown = [["receipt", "打印受理回执", true], ["one_time", "一次性告知书", true],
      ["correction", "补正告知书", status("correction_requested")],
      ["tolerance", "容缺受理承诺书", Object.values(c.materials || {}).includes("tolerated")],
      ["refusal", "不予许可决定书", status("rejected")],
      ["handover", "统一出件清单", c.timeline.some((e) => e.type === "ResultsHandedOver")]];
    return shown.filter(([, , show]) => show).map(([kind, label]) => h("a", {
      class: "button", target: "_blank", rel: "noopener",
      href: `/api/cases/${encodeURIComponent(c.number)}/notices/${kind}.pdf` }, label));
  }

  /* 流程异常: an automatic step failed; what people decided is kept, the case waits for the administrator. */
  function renderIncidents(c) {
    const incidents = c.incidents || [];
    const banner = document.getElementById("case-incident");
    banner.hidden = !incidents.length;
    fill(banner, incidents.length ? [
      h("p", {}, h("strong", {}, "本办件流程运行异常，已暂停在出错的步骤"),
        "：已办理的审批结果均已保存，其他部门的并行审批可继续办理；系统管理员修正流程后将重试该步骤。"),
      h("ul", {}, ...incidents.map((i) => h("li", {},
        `${i.element_name || i.element_id || "自动步骤"}：${i.message_zh}（${OneThing.formatDateTime(i.opened_at)}）`))),
    ] : []);
  }

  /* The window's correction tasks: the materials each department asked for, ticked as supplied. */
  function renderCorrections(c) {
    const tasks = c.open_tasks.filter((t) => t.kind === "correction");
    const section = document.getElementById("correction");
    section.hidden = !tasks.length;
    fill("#correction-tasks", tasks.map((t) => {
      const item = c.items.find((i) => i.code === t.item) || { materials_requested: [], name: t.title };
      const formNode = h("form", { class: "card", dataset: { task: t.id }, novalidate: true },
        h("h3", {}, `${item.name}（${item.department_name || ""}）`),
        item.reason ? h("p", {}, `补正理由：${item.reason}`) : null,
        h("div", { class: "field" },
          h("span", { "data-label-for": "supplied" }, "申请人已补交的材料："),
          h("div", { class: "choices" }, item.materials_requested.map((m) => h("label", {},
            h("input", { type: "checkbox", name: "supplied", value: m, checked: true, disabled: !clerk }), CaseBits.materialName(m)))),
          h("span", { class: "error", "data-error-for": "supplied" })),
        clerk ? h("button", { type: "submit", class: "primary" }, "登记补正材料并退回部门审批") : h("p", { class: "muted" }, "由综合窗口登记"));
      formNode.addEventListener("submit", (event) => {
        event.preventDefault();
        const supplied = [...formNode.querySelectorAll("input[name=supplied]:checked")].map((i) => i.value);
        busy(formNode.querySelector("button"), async () => {
          if (!supplied.length) {
            throw new OneThing.ApiError(422, { message_zh: "请勾选申请人已补交的材料", errors: { supplied: ["至少勾选一项"] } });
          }
          await api("POST", `/api/tasks/${encodeURIComponent(t.id)}/complete`, { supplied });
          await load();
          flash(`已登记补正材料：${supplied.map(CaseBits.materialName).join("、")}，办件已退回部门审批。`);
        }, formNode);
      });
      return formNode;
    }));
    if (tasks.length && location.hash === "#correction") section.scrollIntoView();
  }

  /* Materials tolerated at acceptance (容缺) that the applicant brings later. */
  function renderTolerated(c) {
    const missing = Object.entries(c.materials || {}).filter(([, state]) => state === "tolerated").map(([k]) => k);
    const section = document.getElementById("tolerated");
    section.hidden = !missing.length || c.status === "terminated";
    if (section.hidden) return;
    const formNode = h("form", { novalidate: true },
      h("p", {}, `须于 ${OneThing.formatDateTime(c.materials_due)} 前补交，逾期办件终止。`),
      h("div", { class: "field" }, h("div", { class: "choices" }, missing.map((m) => h("label", {},
        h("input", { type: "checkbox", name: "supplied", value: m, disabled: !clerk }), CaseBits.materialName(m)))),
      h("span", { class: "error", "data-error-for": "supplied" })),
      clerk ? h("button", { type: "submit" }, "登记已补交") : null);
    formNode.addEventListener("submit", (event) => {
      event.preventDefault();
      const supplied = [...formNode.querySelectorAll("input[name=supplied]:checked")].map((i) => i.value);
      busy(formNode.querySelector("button"), async () => {
        if (!supplied.length) {
          throw new OneThing.ApiError(422, { message_zh: "请勾选申请人补交的材料", errors: { supplied: ["至少勾选一项"] } });
        }
        await api("POST", `/api/cases/${encodeURIComponent(c.number)}/materials`, { supplied });
        await load();
        flash(`已登记补交：${supplied.map(CaseBits.materialName).join("、")}`);
      }, formNode);
    });
    fill("#tolerated-body", formNode);
  }

  await load();
});
