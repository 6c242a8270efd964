/* The BPMN modeler (bpmn-js): load a version of a bundle's flow, edit it, save it as a new version
   (the server checks it: errors refuse it, warnings do not), see the problems listed and marked on
   the diagram, and deploy the version for new cases. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, flash, param } = OneThing;
  const code = param("code");
  const select = document.getElementById("version");
  const saveButton = document.getElementById("save");
  const deployButton = document.getElementById("deploy");
  const elementForm = document.getElementById("element");
  if (typeof BpmnJS === "undefined") {
    select.disabled = true;
    return; // the page says how to build the modeler
  }

  const modeler = new BpmnJS({ container: "#canvas", additionalModules: [ModelerZh.module, ModelerModules.module] });
  window.onethingModeler = modeler; // for the browser tests and for the console
  const canvas = modeler.get("canvas");
  const overlays = modeler.get("overlays");
  const registry = modeler.get("elementRegistry");
  const modeling = modeler.get("modeling");
  const state = { versions: null, loaded: null, saved: null, marked: [], dirty: false, selected: null };
  const props = ModelerProps.attach(modeler, { api, h, fill, flash });

  async function loadVersions() {
    state.versions = await api("GET", `/api/flows/${encodeURIComponent(code)}/versions`);
    const bundles = await api("GET", "/api/bundles");
    const bundle = bundles.find((b) => b.code === code);
    if (!state.choicesSet) {
      const departments = await api("GET", "/api/flows/departments");
      props.setChoices({ items: bundle ? bundle.items : [], departments: departments.items });
      state.choicesSet = true;
    }
    fill("#modeler-title", `流程建模：${bundle ? bundle.name : code}`);
    document.title = `流程建模：${bundle ? bundle.name : code} · 一件事综合服务工作台`;
    fill(select, state.versions.versions.slice().reverse().map((v) => h("option", { value: v.version },
      `第 ${v.version} 版${v.current ? "（新办件使用中）" : ""}`)));
  }

  function versionInfo(number) {
    return state.versions.versions.find((v) => v.version === number);
  }

  function updateButtons() {
    const shown = versionInfo(state.loaded);
    deployButton.disabled = !shown || shown.current || state.dirty;
    deployButton.textContent = shown ? (shown.current ? `第 ${shown.version} 版已在使用` : `部署第 ${shown.version} 版`) : "部署";
    saveButton.disabled = state.loaded === null;
    fill("#version-note", state.dirty ? "有未保存的修改：保存后才能部署。" : shown && shown.current ? "此版本是新办件使用的版本。" : "");
  }

  async function openVersion(number) {
    const xml = await api("GET", `/api/flows/${encodeURIComponent(code)}/versions/${number}/xml`, undefined, { text: true });
    try {
      await modeler.importXML(xml);
    } catch (err) {
      throw new OneThing.ApiError(422, { message_zh: `第 ${number} 版流程图无法在建模器中显示：${err.message}` });
    }
    fitBesidePalette();
    state.loaded = number;
    state.dirty = false;
    select.value = String(number);
    clearProblems();
    fill("#problems", h("p", { class: "muted" }, "保存时检查流程：错误会阻止保存，提示不影响部署。"));
    showSelection(null);
    updateButtons();
  }

  /* Fits the diagram into the part of the canvas the palette leaves free (the palette floats over the
     canvas's left edge: a plain fit-viewport puts the first lanes under it). */
  function fitBesidePalette() {
    canvas.zoom("fit-viewport");
    const palette = document.querySelector("#canvas .djs-palette");
    const { inner, outer } = canvas.viewbox();
    if (!palette || !inner.width || !inner.height) return;
    const margin = 16;
    const left = palette.getBoundingClientRect().right - document.getElementById("canvas").getBoundingClientRect().left + margin;
    const scale = Math.min(1, (outer.width - left - margin) / inner.width, (outer.height - 2 * margin) / inner.height);
    if (scale <= 0) return;
    canvas.viewbox({ x: inner.x - left / scale, y: inner.y - (outer.height / scale - inner.height) / 2,
      width: outer.width / scale, height: outer.height / scale });
  }

  function labelOf(id) {
    const element = id && registry.get(id);
    const bo = element && element.businessObject;
    if (!bo) return id;
    if (element.type === "bpmn:Lane") return modeler.get("laneNames").nameOf(bo.name) || bo.name || "未命名泳道";
    return bo.name || ModelerZh.translate(typeName(element.type));
  }

  function clearProblems() {
    overlays.remove({ type: "lint" });
    for (const [id, marker] of state.marked) {
      if (registry.get(id)) canvas.removeMarker(id, marker);
    }
    state.marked = [];
  }

  /* Lists the problems and marks each element they name on the diagram. */
  function showProblems(problems) {
    clearProblems();
    if (!problems.length) {
      fill("#problems", h("p", { class: "notice ok" }, "检查通过，没有发现问题。"));
      return;
    }
    const counts = new Map();
    for (const p of problems) {
      if (!p.element_id || !registry.get(p.element_id)) continue;
      const marker = p.severity === "error" ? "lint-error" : "lint-warning";
      canvas.addMarker(p.element_id, marker);
      state.marked.push([p.element_id, marker]);
      counts.set(p.element_id, (counts.get(p.element_id) || []).concat(p));
    }
    for (const [id, found] of counts) {
      const errors = found.filter((p) => p.severity === "error").length;
      overlays.add(id, "lint", {
        position: { top: -12, right: 12 },
        html: h("span", { class: `lint-flag${errors ? "" : " warning"}`, title: found.map((p) => p.message_zh).join("\n"),
          dataset: { element: id } }, errors ? `${errors} 个错误` : `${found.length} 个提示`),
      });
    }
    fill("#problems", h("ul", {}, problems.map((p) => h("li", {
      class: `${p.severity === "error" ? "error" : "warning"}-item`, dataset: { element: p.element_id || "" },
      onclick: () => focusElement(p.element_id),
    }, p.severity === "error" ? "错误" : "提示", p.element_id ? `（${labelOf(p.element_id)}）` : "", `：${p.message_zh}`))));
  }

  function focusElement(id) {
    const element = id && registry.get(id);
    if (!element) return;
    modeler.get("selection").select(element);
    if (canvas.scrollToElement) canvas.scrollToElement(element);
  }

  function problemsOf(err) {
    if (err.body && Array.isArray(err.body.problems)) return err.body.problems;
    if (err.body && err.body.details && Array.isArray(err.body.details.problems)) return err.body.details.problems;
    return Object.entries(err.fieldErrors).filter(([k]) => k === "xml" || k.startsWith("xml.")).map(([k, text]) => ({
      element_id: k === "xml" ? null : k.slice(4), severity: "error", message_zh: text }));
  }

  function showSelection(element) {
    state.selected = element;
    // A click on an event's or a flow's own label selects the label: the panel shows what it labels.
    const target = element && element.type === "label" ? element.labelTarget : element;
    const chosen = target && target.businessObject ? target : null;
    const named = chosen && chosen.type !== "bpmn:Lane"; // a lane's name is its department, set in its own form
    document.getElementById("name-field").hidden = chosen && !named;
    document.getElementById("rename").hidden = chosen && !named;
    elementForm.name.disabled = !named;
    document.getElementById("rename").disabled = !named;
    elementForm.name.value = named ? chosen.businessObject.name || "" : "";
    const info = document.getElementById("element-info");
    fill(info, chosen ? `${ModelerZh.translate(typeName(chosen.type))}：${labelOf(chosen.id)}` : "在流程图中单击一个元素。");
    info.title = chosen ? `元素标识 ${chosen.id}` : "";
    props.show(chosen);
  }

  function typeName(type) {
    const plain = type.replace(/^bpmn:/, "").replace(/([a-z])([A-Z])/g, "$1 $2");
    return plain.charAt(0) + plain.slice(1).toLowerCase();
  }

  modeler.on("selection.changed", (event) => showSelection(event.newSelection.length === 1 ? event.newSelection[0] : null));
  modeler.on("commandStack.changed", (event) => {
    if (event.trigger === "clear") return; // a version was just opened
    state.dirty = true;
    updateButtons();
    // An undo or redo may have changed what the panel shows, or removed the element.
    showSelection(state.selected && registry.get(state.selected.id) ? registry.get(state.selected.id) : null);
  });
  modeler.on("onething.flowDrop.refused", (event) => {
    const flow = `连线“${labelOf(event.flow.id)}”`;
    flash((event.moved ? `元素已移动，但${flow}没有拆分：` : `不能把元素放在${flow}上：`) +
      "连线不会自动拆分（拆分会改变办件走的路径）。请把元素放在空白处，再用连线工具逐一连接。", event.moved ? "info" : "error");
  });
  modeler.on("onething.lane.edit", (event) => {
    modeler.get("selection").select(event.element);
    props.laneSelect.focus();
  });
  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) event.preventDefault();
  });

  elementForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!state.selected) return;
    modeling.updateLabel(state.selected, elementForm.name.value.trim());
    flash(`已将 ${state.selected.id} 改名为“${elementForm.name.value.trim()}”（尚未保存）。`, "info");
  });

  select.addEventListener("change", () => busy(select, async () => {
    if (state.dirty && !window.confirm("有未保存的修改，切换版本会丢失这些修改。继续吗？")) {
      select.value = String(state.loaded);
      return;
    }
    await openVersion(Number(select.value));
  }));

  // busy() enables its button again when done: the buttons' state is set after it.
  saveButton.addEventListener("click", () => busy(saveButton, async () => {
    OneThing.clearFlash();
    const { xml } = await modeler.saveXML({ format: true });
    let answer;
    try {
      answer = await api("POST", "/api/flows", { bundle: code, xml });
    } catch (err) {
      if (err.status === 422) showProblems(problemsOf(err));
      throw err;
    }
    state.dirty = false;
    await loadVersions();
    state.loaded = answer.version.version;
    select.value = String(state.loaded);
    showProblems(answer.report.problems);
    updateButtons();
    const warnings = answer.report.warning_count || 0;
    flash((answer.created ? `已保存为第 ${answer.version.version} 版（尚未部署）。` : `与第 ${answer.version.version} 版相同，未重复保存。`) +
      (warnings ? `检查发现 ${warnings} 个提示，不影响部署。` : "检查通过。"), "ok");
  }).then(updateButtons));

  deployButton.addEventListener("click", () => busy(deployButton, async () => {
    const number = state.loaded;
    await api("POST", `/api/flows/${encodeURIComponent(code)}/versions/${number}/deploy`);
    await loadVersions();
    select.value = String(number);
    updateButtons();
    flash(`已部署第 ${number} 版：新办件按此版本办理，在办办件仍按原版本办理。`, "ok");
  }).then(updateButtons));

  await loadVersions();
  const wanted = Number(new URLSearchParams(location.search).get("version"));
  const current = state.versions.versions.find((v) => v.current) || state.versions.versions[state.versions.versions.length - 1];
  await openVersion(versionInfo(wanted) ? wanted : current.version);
});
