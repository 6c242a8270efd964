/* Additions to bpmn-js for the modeler page, as bpmn-js modules (the UMD build exposes only BpmnJS, so they
   are written against its event bus and services, not its classes):
   - laneNames: a lane is named by its department's code, because that is what the engine matches
     (SpiffWorkflow gives a task its lane's name; flow_lint refuses unknown codes). The diagram shows the
     department's Chinese name in its place; the file keeps the code;
   - flowDrops: dropping or moving a shape onto a sequence flow is refused with a Chinese notice instead of
     bpmn-js splitting the flow (see README: a split keeps the flow's condition on one half and leaves the new
     task without kind, item or checked lane, which silently changes which path a case takes). */
"use strict";
const ModelerModules = (() => {
  const HIGH = 1500;

  /* Department names by code, filled by the page before a diagram is imported. */
  function LaneNames(eventBus, bpmnRenderer, textRenderer, elementRegistry) {
    const names = new Map();
    this.set = (departments) => {
      names.clear();
      for (const d of departments) names.set(d.code, d.name);
    };
    this.nameOf = (code) => names.get(code);

    eventBus.on("render.shape", HIGH, (event, context) => {
      const element = context.element;
      if (element.type !== "bpmn:Lane") return undefined;
      const visual = bpmnRenderer.drawShape(context.gfx, element, context.attrs);
      relabel(context.gfx, element);
      return visual;
    });

    function relabel(gfx, element) {
      const code = element.businessObject.name;
      const old = gfx.querySelector(":scope > text.djs-label");
      if (!old) return;
      const name = names.get(code);
      if (!name || name === code) {
        old.setAttribute("data-department", code || "");
        return;
      }
      const turned = old.getAttribute("transform");
      const text = textRenderer.createText(name, {
        box: { height: 30, width: turned ? element.height : element.width },
        align: "center-middle",
        style: { fill: old.getAttribute("fill") || old.style.fill || "#000" },
      });
      text.classList.add("djs-label", "lane-department");
      if (turned) text.setAttribute("transform", turned);
      text.setAttribute("data-department", code);
      old.replaceWith(text);
    }

    // A lane's name is a code: typing over it on the diagram would show and invite codes. The panel edits it.
    eventBus.on("element.dblclick", HIGH, (event) => {
      if (event.element.type !== "bpmn:Lane") return undefined;
      eventBus.fire("onething.lane.edit", { element: event.element });
      return false;
    });

    /* Draws the lanes again, after the names changed. */
    this.redraw = () => {
      for (const lane of elementRegistry.filter((e) => e.type === "bpmn:Lane")) eventBus.fire("element.changed", { element: lane });
    };
  }
  LaneNames.$inject = ["eventBus", "bpmnRenderer", "textRenderer", "elementRegistry"];

  function FlowDrops(eventBus) {
    const onFlow = (target) => Boolean(target && target.waypoints && target.type === "bpmn:SequenceFlow");
    eventBus.on(["commandStack.shape.create.canExecute", "commandStack.elements.create.canExecute",
      "commandStack.elements.move.canExecute"], HIGH, (event) => (onFlow(event.context.target) ? false : undefined));
    // A move whose shape's centre lands on a flow while the pointer is elsewhere: keep the move, not the split
    // (bpmn-js's DropOnFlowBehavior picks the flow at the default priority, before this).
    eventBus.on("commandStack.elements.move.preExecute", 500, (event) => {
      const context = event.context;
      if (!context.targetFlow) return;
      const flow = context.targetFlow;
      delete context.targetFlow;
      delete context.position;
      eventBus.fire("onething.flowDrop.refused", { flow, moved: true });
    });
    eventBus.on(["create.end", "shape.move.end"], HIGH, (event) => {
      const target = event.context && event.context.target;
      if (onFlow(target)) eventBus.fire("onething.flowDrop.refused", { flow: target, moved: false });
    });
  }
  FlowDrops.$inject = ["eventBus"];

  return {
    module: {
      __init__: ["laneNames", "flowDrops"],
      laneNames: ["type", LaneNames],
      flowDrops: ["type", FlowDrops],
    },
  };
})();
