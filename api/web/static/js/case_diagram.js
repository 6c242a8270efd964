/* The case on its flow's diagram (办件流程图): the flow version the case runs on, drawn read-only by
   bpmn-js's NavigatedViewer (copied by `make web`), each element marked completed / active / waiting
   / not reached, and each department's state and deadline colour on its lane; a legend in Chinese.
   A version without diagram interchange (DI), or a build without the viewer, is said so in words,
   with the same states listed. case.js calls CaseDiagram.show(ref) whenever it (re)loads the case. */
"use strict";
const CaseDiagram = (() => {
  const { api, h, fill, labels } = OneThing;

  const ELEMENT_STATES = {
    completed: "已完成",
    active: "办理中",
    waiting: "等待中",
    not_reached: "未到达",
  };
  const LANE_STATES = {
    todo: "待办",
    in_progress: "办理中",
    paused: "暂停（特别程序）",
    correcting: "补正中",
    not_started: "未开始（等待前置事项）",
    approved: "已通过",
    rejected: "不予许可",
    not_applicable: "不再办理",
    idle: "无待办",
    done: "已办结",
    terminated: "已终止",
  };
  const MARKER = (state) => `state-${state.replace("_", "-")}`;
  const PHONE = window.matchMedia("(max-width: 640px)");
  const BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL";
  /* Below this scale the labels are unreadable: the drawing is made larger than its box instead,
     and the box scrolls (by touch on a phone) while the page keeps its width. */
  const MIN_SCALE = 0.5;

  let viewer = null;
  let shownVersion = null;
  let pendingFit = false;

  function laneText(lane) {
    const state = LANE_STATES[lane.state] || "状态未知";
    const due = lane.due ? `，期限 ${OneThing.formatDate(lane.due)}（${labels.colour[lane.colour] || "正常"}）` : "";
    return `${lane.department_name}：${state}${due}`;
  }

  function legend() {
    return [
      h("ul", { class: "diagram-legend", "aria-label": "图例" },
        Object.entries(ELEMENT_STATES).map(([state, text]) =>
          h("li", {}, h("span", { class: `swatch ${MARKER(state)}` }), text)),
        h("li", {}, h("span", { class: "swatch flow-taken" }), "已经过的路径"),
        ["green", "yellow", "red"].map((colour) =>
          h("li", {}, h("span", { class: `swatch lane-${colour}` }), `部门期限：${labels.colour[colour]}`))),
      h("p", { class: "muted" }, "等待中：等待定时事件、等待汇合其他部门的结果，或特别程序暂停计时。可拖动流程图，用滚轮或“放大”“缩小”“全图”按钮缩放。"),
    ];
  }

  function laneList(diagram) {
    return h("ul", { class: "diagram-lanes", "aria-label": "各部门状态" }, diagram.lanes.map((lane) =>
      h("li", { class: lane.colour ? `lane-${lane.colour}` : "", dataset: { department: lane.department } },
        laneText(lane))));
  }

  /* Without a drawing: the elements the case has reached, in words. */
  function elementList(diagram) {
    const reached = diagram.elements.filter((e) => e.state !== "not_reached");
    return h("ul", { class: "diagram-elements" }, reached.map((e) =>
      h("li", {}, h("span", { class: `swatch ${MARKER(e.state)}` }), `${e.name || "未命名环节"}：${ELEMENT_STATES[e.state]}`)));
  }

  /* The lanes are named by department code in the file; the drawing shows the departments' names. */
  function withLaneNames(xml, lanes) {
    const doc = new DOMParser().parseFromString(xml, "application/xml");
    if (doc.getElementsByTagName("parsererror").length) return xml;
    const names = Object.fromEntries(lanes.map((lane) => [lane.id, lane.department_name]));
    for (const node of doc.getElementsByTagNameNS(BPMN_NS, "lane")) {
      const name = names[node.getAttribute("id")];
      if (name) node.setAttribute("name", name);
    }
    return new XMLSerializer().serializeToString(doc);
  }

  function fit() {
    const scroller = document.getElementById("diagram-scroll");
    const canvasNode = document.getElementById("diagram-canvas");
    if (!viewer || !scroller.offsetWidth) {
      pendingFit = true; // drawn while folded: fitted when opened
      return;
    }
    pendingFit = false;
    const canvas = viewer.get("canvas");
    canvasNode.style.width = "";
    canvasNode.style.height = "";
    canvas.resized();
    canvas.zoom("fit-viewport", "auto");
    const { inner, scale } = canvas.viewbox();
    if (scale < MIN_SCALE && inner.width > 0) {
      canvasNode.style.width = `${Math.ceil(inner.width * MIN_SCALE) + 40}px`;
      canvasNode.style.height = `${Math.ceil(inner.height * MIN_SCALE) + 40}px`;
      canvas.resized();
      canvas.zoom("fit-viewport", "auto");
    }
  }

  async function draw(diagram) {
    const canvasNode = document.getElementById("diagram-canvas");
    const scroller = document.getElementById("diagram-scroll");
    scroller.hidden = false;
    document.getElementById("diagram-zoom").hidden = false;
    if (!viewer) {
      viewer = new BpmnJS({ container: canvasNode });
      window.onethingDiagram = viewer; // for the browser tests and the console
    }
    if (shownVersion !== `${diagram.bundle}/${diagram.version}`) {
      try {
        await viewer.importXML(withLaneNames(diagram.xml, diagram.lanes));
      } catch (err) {
        scroller.hidden = true;
        document.getElementById("diagram-zoom").hidden = true;
        return `第 ${diagram.version} 版流程图无法绘制（${err.message}）；各环节状态见下。`;
      }
      shownVersion = `${diagram.bundle}/${diagram.version}`;
    }
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    const overlays = viewer.get("overlays");
    overlays.remove({ type: "lane-state" });
    for (const element of diagram.elements) {
      if (!registry.get(element.id)) continue;
      for (const state of Object.keys(ELEMENT_STATES)) canvas.removeMarker(element.id, MARKER(state));
      canvas.addMarker(element.id, MARKER(element.state));
    }
    // A sequence flow the case has gone along: from a completed element to one it has reached.
    const stateOf = Object.fromEntries(diagram.elements.map((e) => [e.id, e.state]));
    for (const flow of registry.filter((e) => e.type === "bpmn:SequenceFlow")) {
      const target = stateOf[flow.target && flow.target.id];
      canvas.removeMarker(flow.id, "flow-taken");
      if (stateOf[flow.source && flow.source.id] === "completed" && target && target !== "not_reached") {
        canvas.addMarker(flow.id, "flow-taken");
      }
    }
    for (const lane of diagram.lanes) {
      if (!registry.get(lane.id)) continue;
      overlays.add(lane.id, "lane-state", {
        position: { top: 6, left: 40 },
        html: h("div", { class: `lane-state lane-${lane.colour || "none"}`, dataset: { department: lane.department } },
          laneText(lane)),
      });
    }
    fit();
    return null;
  }

  async function show(ref) {
    const section = document.getElementById("case-diagram");
    const status = document.getElementById("diagram-status");
    let diagram;
    try {
      diagram = await api("GET", `/api/cases/${encodeURIComponent(ref)}/diagram`);
    } catch (err) {
      fill(status, h("span", { class: "error" }, `流程图加载失败：${err.message}`));
      return;
    }
    fill("#diagram-title", `流程图（第 ${diagram.version} 版）`);
    let notice = null;
    if (!diagram.has_di) {
      notice = `第 ${diagram.version} 版流程文件没有图形信息（DI），无法绘制流程图；各环节状态见下。`;
    } else if (typeof BpmnJS === "undefined") {
      notice = "流程图查看器的前端资源尚未构建（请系统管理员构建前端资源），无法绘制流程图；各环节状态见下。";
    } else {
      notice = await draw(diagram);
    }
    fill(status, notice ? h("p", { class: "notice warn" }, notice) : []);
    status.hidden = !notice;
    fill("#diagram-legend", notice ? [] : legend());
    fill("#diagram-lanes", laneList(diagram), notice ? elementList(diagram) : null);
    section.dataset.loaded = "true";
  }

  function install() {
    const section = document.getElementById("case-diagram");
    if (!section) return;
    // On a phone the diagram starts folded: the case's own facts come first.
    section.open = !PHONE.matches;
    section.addEventListener("toggle", () => { if (section.open && pendingFit) fit(); });
    const zoomBy = (factor) => {
      if (!viewer) return;
      const canvas = viewer.get("canvas");
      canvas.zoom(canvas.zoom() * factor);
    };
    document.getElementById("diagram-zoom-in").addEventListener("click", () => zoomBy(1.25));
    document.getElementById("diagram-zoom-out").addEventListener("click", () => zoomBy(0.8));
    document.getElementById("diagram-fit").addEventListener("click", () => fit());
    let resizing = null; // a phone turned, a window resized: fitted again once it settles
    window.addEventListener("resize", () => {
      clearTimeout(resizing);
      resizing = setTimeout(() => { if (section.open) fit(); }, 200);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", install);
  else install();

  return { show };
})();
