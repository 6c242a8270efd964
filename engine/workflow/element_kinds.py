"""BPMN element kinds by their Chinese names, for the check's messages: the person reads 任务 or
排他网关, not the XML's ``task`` or ``exclusiveGateway``."""

from __future__ import annotations

ELEMENT_KINDS_ZH: dict[str, str] = {
    "task": "任务",
    "userTask": "用户任务",
    "manualTask": "手工任务",
    "serviceTask": "服务任务",
    "scriptTask": "脚本任务",
    "businessRuleTask": "业务规则任务",
    "sendTask": "发送任务",
    "receiveTask": "接收任务",
    "callActivity": "调用活动",
    "subProcess": "子流程",
    "transaction": "事务子流程",
    "adHocSubProcess": "自由子流程",
    "exclusiveGateway": "排他网关",
    "inclusiveGateway": "包容网关",
    "parallelGateway": "并行网关",
    "eventBasedGateway": "事件网关",
    "complexGateway": "复杂网关",
    "startEvent": "开始事件",
    "endEvent": "结束事件",
    "intermediateCatchEvent": "中间捕获事件",
    "intermediateThrowEvent": "中间抛出事件",
    "boundaryEvent": "边界事件",
    "sequenceFlow": "顺序流",
    "process": "流程",
    "participant": "参与者",
    "lane": "泳道",
    "dataObjectReference": "数据对象",
    "dataStoreReference": "数据存储",
    "textAnnotation": "文本注释",
}


def element_kind_zh(kind: str) -> str:
    """The Chinese name of a BPMN element kind; an unknown kind is named as an element (元素), never
    by its XML tag."""
    return ELEMENT_KINDS_ZH.get(kind, "元素")
