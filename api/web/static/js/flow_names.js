/* Flow elements as a person reads them: by name, Chinese kind and department, never by BPMN id
   (the diff and migration answers carry each element's type, name, lane, task kind and item). */
"use strict";
const FlowNames = (() => {
  const TYPE_ZH = {
    task: "任务", userTask: "人工任务", manualTask: "人工任务", scriptTask: "自动步骤（脚本）", serviceTask: "自动步骤（服务）",
    sendTask: "发送任务", receiveTask: "接收任务", businessRuleTask: "规则任务", callActivity: "调用子流程",
    subProcess: "子流程", transaction: "事务子流程", adHocSubProcess: "自由子流程",
    startEvent: "开始事件", endEvent: "结束事件", intermediateCatchEvent: "中间事件", intermediateThrowEvent: "中间事件",
    boundaryEvent: "边界事件", exclusiveGateway: "排他网关", parallelGateway: "并行网关", inclusiveGateway: "包容网关",
    eventBasedGateway: "事件网关", complexGateway: "复杂网关", sequenceFlow: "连线",
  };
  const KIND_ZH = { intake: "受理任务", approval: "审批任务", correction: "补正任务", pickup: "出件任务", inspection: "现场核查任务" };
  const ASPECT_ZH = {
    type: "类型", name: "名称", lane: "所属部门（泳道）", incoming: "流入连线", outgoing: "流出连线", condition: "条件",
    timer: "定时器", script: "脚本", properties: "任务属性", attached_to: "附着的活动", default: "默认连线",
  };

  /* Department codes and item codes to names, from a bundle of GET /api/bundles. */
  function namesOf(bundle) {
    const departments = {};
    const items = {};
    for (const i of bundle.items) {
      departments[i.department] = i.department_name;
      items[i.code] = i.name;
    }
    return { departments, items };
  }

  function kindOf(info) {
    if (!info) return "元素";
    return (info.kind && KIND_ZH[info.kind]) || TYPE_ZH[info.type] || "元素";
  }

  function department(info, names) {
    return info && info.lane ? OneThing.departmentName(info.lane, names.departments) : null;
  }

  /* "审批任务「户外招牌设施设置审批」" or, unnamed, "未命名审批任务（部门：消防）". */
  function label(id, elements, names) {
    const info = elements[id];
    if (!info) return "（已不存在的元素）";
    if (info.type === "sequenceFlow") {
      const ends = `${shortLabel(info.source, elements, names)} → ${shortLabel(info.target, elements, names)}`;
      return info.name ? `连线「${info.name}」（${ends}）` : `连线（${ends}）`;
    }
    const where = department(info, names);
    if (info.name) return `${kindOf(info)}「${info.name}」`;
    const item = info.item ? names.items[info.item] : null;
    const about = [where ? `部门：${where}` : null, item ? `事项：${item}` : null].filter(Boolean).join("，");
    return `未命名${kindOf(info)}${about ? `（${about}）` : ""}`;
  }

  function shortLabel(id, elements, names) {
    const info = elements[id];
    if (!info) return "其他元素";
    if (info.name) return `「${info.name}」`;
    const where = department(info, names);
    return `未命名${kindOf(info)}${where ? `（${where}）` : ""}`;
  }

  function labels(ids, elements, names) {
    return ids.map((id) => label(id, elements, names)).join("、");
  }

  /* What changed in one aspect, readable: names and departments before → after; others just named. */
  function aspectText(change, aspect, names) {
    const title = ASPECT_ZH[aspect] || "其他";
    const before = change.before[aspect];
    const after = change.after[aspect];
    if (aspect === "name") return `${title}：「${before || "未命名"}」→「${after || "未命名"}」`;
    if (aspect === "lane") {
      const dep = (code) => (code ? OneThing.departmentName(code, names.departments) : "无");
      return `${title}：${dep(before)} → ${dep(after)}`;
    }
    const type = (value) => TYPE_ZH[String(value).split(":")[0]] || "其他";
    if (aspect === "type") return `${title}：${type(before)} → ${type(after)}`;
    return title;
  }

  return { TYPE_ZH, KIND_ZH, ASPECT_ZH, namesOf, kindOf, label, labels, department, aspectText };
})();
