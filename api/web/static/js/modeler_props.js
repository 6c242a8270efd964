/* The modeler's properties panel: for the selected element, what the engine reads from it.
   - a lane: its department (the lane's name is the department's code: SpiffWorkflow matches lanes by name);
   - a user task: its kind and the item (事项) it handles, as <spiff:property name="kind|item"> (engine/workflow/specs.py);
   - a sequence flow out of an exclusive or inclusive gateway: its condition in the safe expression language,
     checked live by the server (POST /api/flows/check-expression), saved only when the check passes;
   - a timer event: how long it waits: working_days(N) (a timeDate, counted on the working-day calendar) or a
     quoted ISO 8601 duration "PTnH" / "PnD" (a timeDuration).
   Every write is one bpmn-js modeling command, so Ctrl+Z undoes it. */
"use strict";
const ModelerProps = (() => {
  const GATEWAYS = ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway"];
  const ITEM_KINDS = ["approval", "correction", "inspection"];
  /* SpiffWorkflow's extensions are left to bpmn-js as generic elements (no moddle descriptor for them): a
     descriptor would have to know every spiff element, or bpmn-js drops the ones it does not know (a
     <spiff:preScript>, say) when the file is saved. */
  const SPIFF_URI = "http://spiffworkflow.org/bpmn/schema/1.0/core";
  const TIMER_UNITS = {
    working_days: { kind: "timeDate", write: (n) => `working_days(${n})`, read: /^working_days\(\s*(\d+)\s*\)$/ },
    hours: { kind: "timeDuration", write: (n) => `"PT${n}H"`, read: /^["']PT(\d+)H["']$/i },
    days: { kind: "timeDuration", write: (n) => `"P${n}D"`, read: /^["']P(\d+)D["']$/i },
  };

  function attach(modeler, { api, h, fill, flash }) {
    const modeling = modeler.get("modeling");
    const moddle = modeler.get("moddle");
    const laneNames = modeler.get("laneNames");
    const forms = {
      lane: document.getElementById("lane-props"),
      task: document.getElementById("task-props"),
      condition: document.getElementById("condition-props"),
      timer: document.getElementById("timer-props"),
    };
    const laneSelect = document.getElementById("lane-department");
    const kindSelect = document.getElementById("task-kind");
    const itemSelect = document.getElementById("task-item");
    const conditionInput = document.getElementById("condition");
    const defaultBox = document.getElementById("condition-default");
    const timerAmount = document.getElementById("timer-amount");
    const timerUnit = document.getElementById("timer-unit");
    const state = { element: null, items: [], departments: [], checkSeq: 0 };

    function setChoices({ items, departments }) {
      state.items = items;
      state.departments = departments;
      laneNames.set(departments);
    }

    /* -- which form an element gets -- */

    function timerOf(element) {
      const definitions = (element.businessObject && element.businessObject.eventDefinitions) || [];
      return definitions.find((d) => d.$type === "bpmn:TimerEventDefinition") || null;
    }

    function isGatewayFlow(element) {
      return element.type === "bpmn:SequenceFlow" && element.source && GATEWAYS.includes(element.source.type);
    }

    /* Shows the element's forms; ``element`` again (after a command): the last check's answer stays. */
    function show(element) {
      const again = Boolean(element) && state.element === element;
      state.element = element;
      forms.lane.hidden = !(element && element.type === "bpmn:Lane");
      forms.task.hidden = !(element && element.type === "bpmn:UserTask");
      forms.condition.hidden = !(element && isGatewayFlow(element));
      forms.timer.hidden = !(element && timerOf(element));
      if (!element) return;
      if (!forms.lane.hidden) showLane(element);
      if (!forms.task.hidden) showTask(element);
      if (!forms.condition.hidden) showCondition(element, again);
      if (!forms.timer.hidden) showTimer(element, again);
    }

    /* -- lanes -- */

    function showLane(lane) {
      const code = lane.businessObject.name || "";
      const known = state.departments.some((d) => d.code === code);
      fill(laneSelect,
        !code ? h("option", { value: "" }, "请选择部门") : null,
        code && !known ? h("option", { value: code }, `未登记的部门（${code}）`) : null,
        state.departments.map((d) => h("option", { value: d.code }, d.name)));
      laneSelect.value = code;
    }

    laneSelect.addEventListener("change", () => {
      const lane = state.element;
      if (!lane || !laneSelect.value) return;
      modeling.updateProperties(lane, { name: laneSelect.value });
      flash(`泳道已设为“${laneNames.nameOf(laneSelect.value) || laneSelect.value}”（尚未保存）。`, "info");
    });

    /* -- user tasks: kind and item, as <spiff:properties> -- */

    function isSpiff(element, local) {
      const ns = element && element.$descriptor && element.$descriptor.ns;
      return Boolean(ns) && ns.uri === SPIFF_URI && ns.localName === local;
    }

    function spiffHolder(task) {
      const extensions = task.businessObject.extensionElements;
      return extensions ? (extensions.values || []).find((v) => isSpiff(v, "properties")) || null : null;
    }

    function spiffProperties(task) {
      const holder = spiffHolder(task);
      return holder ? (holder.$children || []).filter((c) => isSpiff(c, "property")) : [];
    }

    function spiffValue(task, name) {
      const found = spiffProperties(task).find((p) => p.name === name);
      return found ? found.value || "" : "";
    }

    function showTask(task) {
      const kind = spiffValue(task, "kind");
      const item = spiffValue(task, "item");
      if (kind && !kindSelect.querySelector(`option[value="${CSS.escape(kind)}"]`)) {
        kindSelect.append(h("option", { value: kind }, `其他（${kind}）`));
      }
      kindSelect.value = kind;
      const known = state.items.some((i) => i.code === item);
      fill(itemSelect, h("option", { value: "" }, "（请选择事项）"),
        item && !known ? h("option", { value: item }, `不属于这件事的事项（${item}）`) : null,
        state.items.map((i) => h("option", { value: i.code }, `${i.name}（${i.department_name}）`)));
      itemSelect.value = item;
      document.getElementById("task-item-field").hidden = !ITEM_KINDS.includes(kind);
    }

    /* Writes kind and item in one command: a new <extensionElements> holding the other extensions as they
       were and a <spiff:properties> with its other children as they were. */
    function writeTaskProperties(task, wanted) {
      const old = task.businessObject.extensionElements;
      const oldHolder = spiffHolder(task);
      const others = old ? (old.values || []).filter((v) => v !== oldHolder) : [];
      const kept = oldHolder ? (oldHolder.$children || []).filter((c) => !(isSpiff(c, "property") && c.name in wanted)) : [];
      const added = Object.entries(wanted).filter(([, value]) => value)
        .map(([name, value]) => moddle.createAny("spiff:property", SPIFF_URI, { name, value }));
      const children = [...kept, ...added];
      const holder = children.length ? moddle.createAny("spiff:properties", SPIFF_URI, { $children: children }) : null;
      const values = [...others, ...(holder ? [holder] : [])];
      const extensions = values.length ? moddle.create("bpmn:ExtensionElements", { values }) : undefined;
      if (holder) holder.$parent = extensions;
      modeling.updateProperties(task, { extensionElements: extensions });
    }

    kindSelect.addEventListener("change", () => {
      const task = state.element;
      if (!task) return;
      const kind = kindSelect.value;
      const wanted = { kind };
      if (!ITEM_KINDS.includes(kind)) wanted.item = ""; // only approvals, corrections and inspections handle an item
      writeTaskProperties(task, wanted);
      flash(`任务类别已设为“${kindSelect.selectedOptions[0].textContent}”（尚未保存）。`, "info");
    });

    itemSelect.addEventListener("change", () => {
      const task = state.element;
      if (!task) return;
      writeTaskProperties(task, { item: itemSelect.value });
      const item = state.items.find((i) => i.code === itemSelect.value);
      flash(item ? `任务所办事项已设为“${item.name}”（尚未保存）。` : "已去掉任务的所办事项（尚未保存）。", "info");
    });

    /* -- conditions -- */

    function showCondition(flow, again) {
      const bo = flow.businessObject;
      const isDefault = flow.source.businessObject.default === bo;
      defaultBox.checked = isDefault;
      conditionInput.value = bo.conditionExpression ? bo.conditionExpression.body || "" : "";
      const example = state.items[0] ? `results['${state.items[0].code}']['decision'] == 'correct'` : "results['事项编码']['decision'] == 'correct'";
      fill("#condition-hint", isDefault ? "这是网关的默认出口：其他出口的条件都不满足时走这条，不需要条件（有条件也不起作用，可清空后保存）。"
        : `用安全表达式语言书写，例如 ${example}（审批结论：approve 通过、reject 不通过、correct 补正）。清空后保存即去掉条件。`);
      if (again) return;
      fill("#condition-check");
      if (conditionInput.value.trim()) scheduleCheck();
    }

    /* The server's verdict on an expression; a failed request is a refusal that says so (nothing is written). */
    async function verdict(kind, expression) {
      try {
        return await api("POST", "/api/flows/check-expression", { kind, expression });
      } catch (err) {
        return { ok: false, error_zh: `暂时无法检查：${err.message}` };
      }
    }

    function showVerdict(target, answer, okText) {
      const node = document.getElementById(target);
      node.classList.toggle("error", !answer.ok);
      node.classList.toggle("ok", answer.ok);
      fill(node, answer.ok ? okText : answer.error_zh);
    }

    let timer = null;
    function scheduleCheck() {
      clearTimeout(timer);
      timer = setTimeout(checkCondition, 250);
    }

    async function checkCondition() {
      const text = conditionInput.value;
      const seq = ++state.checkSeq;
      if (!text.trim()) {
        fill("#condition-check", "没有条件。");
        document.getElementById("condition-check").classList.remove("error", "ok");
        return null;
      }
      const answer = await verdict("condition", text);
      if (seq === state.checkSeq) showVerdict("condition-check", answer, "条件写法正确，可以保存。");
      return answer;
    }

    conditionInput.addEventListener("input", scheduleCheck);

    // The gateway's default flow: one per gateway, so choosing this one replaces the one before.
    defaultBox.addEventListener("change", () => {
      const flow = state.element;
      if (!flow) return;
      modeling.updateProperties(flow.source, { default: defaultBox.checked ? flow.businessObject : undefined });
      flash(defaultBox.checked ? "已设为网关的默认出口（尚未保存）。" : "已取消默认出口（尚未保存）。", "info");
    });

    forms.condition.addEventListener("submit", async (event) => {
      event.preventDefault();
      const flow = state.element;
      if (!flow) return;
      clearTimeout(timer);
      const text = conditionInput.value.trim();
      if (!text) {
        modeling.updateProperties(flow, { conditionExpression: undefined });
        flash("已去掉这条连线的条件（尚未保存）。", "info");
        return;
      }
      const answer = await checkCondition();
      if (!answer || !answer.ok) {
        flash("条件未保存：请先改正条件中的错误。", "error");
        return;
      }
      modeling.updateProperties(flow, { conditionExpression: moddle.create("bpmn:FormalExpression", { body: text }) });
      flash("条件已写入流程图（尚未保存为新版本）。", "info");
    });

    /* -- timers -- */

    function timerValue(definition) {
      for (const kind of ["timeDate", "timeDuration", "timeCycle"]) {
        if (definition[kind]) return { kind, body: (definition[kind].body || "").trim() };
      }
      return null;
    }

    function showTimer(element, again) {
      const value = timerValue(timerOf(element));
      const unit = value && Object.entries(TIMER_UNITS).find(([, u]) => u.kind === value.kind && u.read.test(value.body));
      timerUnit.value = unit ? unit[0] : "working_days";
      timerAmount.value = unit ? unit[1].read.exec(value.body)[1] : "";
      fill("#timer-current", value ? `引擎读取：${value.kind === "timeDate" ? "到期时间" : value.kind === "timeDuration" ? "等待时长" : "循环"} ${value.body}`
        : "尚未设置等待时间。");
      if (!again) fill("#timer-check");
    }

    function wantedTimer() {
      const n = timerAmount.value.trim();
      if (!/^\d+$/.test(n)) return null;
      const unit = TIMER_UNITS[timerUnit.value];
      return { kind: unit.kind, body: unit.write(Number(n)) };
    }

    forms.timer.addEventListener("submit", async (event) => {
      event.preventDefault();
      const element = state.element;
      const definition = element && timerOf(element);
      if (!definition) return;
      const wanted = wantedTimer();
      if (!wanted) {
        showVerdict("timer-check", { ok: false, error_zh: "请填写等待的数量（0 或正整数）。" });
        return;
      }
      const answer = await verdict(wanted.kind, wanted.body);
      showVerdict("timer-check", answer, `已按 ${wanted.body} 计时。`);
      if (!answer.ok) return;
      const changes = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      changes[wanted.kind] = moddle.create("bpmn:FormalExpression", { body: wanted.body });
      modeling.updateModdleProperties(element, definition, changes);
      flash(`计时已设为 ${timerAmount.value} ${timerUnit.selectedOptions[0].textContent}（尚未保存）。`, "info");
    });

    return { show, setChoices, refresh: () => show(state.element), laneSelect };
  }

  return { attach };
})();
