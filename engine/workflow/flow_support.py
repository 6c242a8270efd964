"""What the engine can run: BPMN elements it refuses or only partly supports, and SpiffWorkflow's own verdict.

The engine runs user tasks (the window and the departments), gateways, timers, safe scripts, subprocesses
and call activities inside the same file. It has no message broker, no service connectors and no decision
tables, and it offers people only *user* tasks: a flow that waits for any of those would leave a case stuck,
so they are errors. Elements that run but behave in ways an administrator may not expect are warnings.

``spiff_problems`` then gives the file to ``FlowParser`` (SpiffWorkflow's ``SpiffBpmnParser`` with our
parallel join) exactly as ``engine.workflow.specs`` does at deployment; whatever it raises becomes a
problem, never an exception.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection, Iterator
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.domain.flow_problems import FlowProblem, FlowRule, quoted, shortened
from engine.workflow.flow_model import FlowModel, Node, bpmn
from engine.workflow.spiff_messages import explain
from engine.workflow.spiff_parser import FlowParser

_UNSUPPORTED_TYPES = {
    "serviceTask": ("服务任务：引擎不调用外部服务", "service tasks: the engine calls no external services"),
    "businessRuleTask": ("业务规则任务：引擎不加载 DMN 决策表",
                         "business rule tasks: the engine loads no DMN decision tables"),
    "receiveTask": ("接收任务：没有任何消息会送达办件，办件会一直等待",
                    "receive tasks: no message ever reaches a case, so it would wait forever"),
    "manualTask": ("手工任务：待办列表只列用户任务（userTask），办件会停在这里，请改用用户任务",
                   "manual tasks: task lists only show user tasks, so a case would stop here; use a userTask"),
    "complexGateway": ("复杂网关：SpiffWorkflow 不支持", "complex gateways: SpiffWorkflow does not support them"),
}
_UNSUPPORTED_EVENTS = {
    "messageEventDefinition": ("消息事件：没有任何消息会送达办件，办件会一直等待",
                               "message events: no message ever reaches a case, so it would wait forever"),
    "linkEventDefinition": ("链接事件：SpiffWorkflow 不支持，分支会在这里中断",
                            "link events: SpiffWorkflow does not support them and the branch would end here"),
    "eventDefinitionRef": ("引用的事件定义（eventDefinitionRef）：SpiffWorkflow 会忽略",
                           "referenced event definitions (eventDefinitionRef): SpiffWorkflow ignores them"),
}
# A message that is sent goes nowhere (the engine has no message channel) and the flow goes on at once, as in
# SpiffWorkflow: send tasks, message end events and intermediate message throw events run. A message boundary
# event or an event subprocess's message start waits for a message that never comes, while the activity or
# the process goes on without it. Each is a warning; only what would wait for a message is an error.
_SENT = ("发送的消息不会送达任何地方（引擎没有消息通道），流程照常继续",
         "the message it sends goes nowhere (the engine has no message channel); the flow goes on at once")
_NEVER_FIRES = ("消息事件永远不会触发（没有任何消息会送达办件），流程照常继续，就像没有它一样",
                "the message event never fires (no message ever reaches a case); the flow goes on as if it were "
                "not there")
_THROWING = frozenset({"endEvent", "intermediateThrowEvent"})
_LIMITED_TYPES = {
    "sendTask": _SENT,
    "task": ("无类型任务在运行时直接通过，不等待任何人办理；需要人办理请改用用户任务",
             "an untyped task passes straight through at run time and waits for nobody; use a userTask for people"),
    "eventBasedGateway": ("事件网关：只有计时器会触发它", "event-based gateway: only timers can trigger it"),
    "adHocSubProcess": ("自由子流程：未经本引擎的办件测试",
                        "ad hoc subprocess: not exercised by the engine's case tests"),
    "transaction": ("事务子流程：未经本引擎的办件测试",
                    "transaction subprocess: not exercised by the engine's case tests"),
}
_LIMITED_EVENTS = {
    "signalEventDefinition": ("信号事件只在同一办件内传递", "signal events only travel inside the same case"),
    "escalationEventDefinition": ("升级事件只在同一办件内传递", "escalation events only travel inside the same case"),
    "conditionalEventDefinition": ("条件事件只在办件推进时重新判断",
                                   "conditional events are only re-checked when a case moves"),
    "compensateEventDefinition": ("补偿未经本引擎的办件测试",
                                  "compensation is not exercised by the engine's case tests"),
}
_LOOPS = {
    "standardLoopCharacteristics": ("循环任务", "loop task"),
    "multiInstanceLoopCharacteristics": ("多实例任务", "multi-instance task"),
}
_MAX_MESSAGE = 500


def called_processes(model: FlowModel, process_id: str) -> list[str]:
    """``process_id`` and the processes of the same file that its call activities call, transitively."""
    scope = [process_id]
    for current in scope:
        for node in model.nodes_of([current]):
            called = node.element.get("calledElement")
            if node.type == "callActivity" and called and called not in scope and model.process(called):
                scope.append(called)
    return scope


def support_problems(model: FlowModel, scope: Collection[str]) -> list[FlowProblem]:
    problems = [FlowProblem.error(FlowRule.UNSUPPORTED_ELEMENT, store_id, line,
                                  "不支持数据存储（dataStore）：引擎没有它的实现",
                                  "data stores are not supported: the engine has no implementation for them")
                for store_id, line in model.data_stores]
    for node in model.nodes_of(scope):
        problems.extend(_node_support(model, node))
    return problems


def _node_support(model: FlowModel, node: Node) -> Iterator[FlowProblem]:
    if node.type in _UNSUPPORTED_TYPES:
        zh, en = _UNSUPPORTED_TYPES[node.type]
        yield FlowProblem.error(FlowRule.UNSUPPORTED_ELEMENT, node.id, node.line, f"不支持{zh}", f"unsupported {en}")
    if node.type == "callActivity":
        called = node.element.get("calledElement")
        if not called:
            yield FlowProblem.error(
                FlowRule.UNSUPPORTED_ELEMENT, node.id, node.line,
                "调用活动没有指明所调用的流程（calledElement）：请填写同一文件中某个流程的 id",
                "the call activity names no process to call (calledElement); give the id of a process of this file")
        elif model.process(called) is None:
            yield FlowProblem.error(
                FlowRule.UNSUPPORTED_ELEMENT, node.id, node.line,
                f"调用活动所调用的流程 {quoted(called)} 不在本文件中：只能调用同一文件中的流程",
                f"the call activity calls {quoted(called)}, which is not a process in this file; only processes of "
                "the same file can be called")
    if node.type in _LIMITED_TYPES:
        zh, en = _LIMITED_TYPES[node.type]
        yield FlowProblem.warning(FlowRule.LIMITED_ELEMENT, node.id, node.line, zh, en)
    for event in node.events:
        if event == "messageEventDefinition" and _message_goes_on(model, node):
            zh, en = _SENT if node.type in _THROWING else _NEVER_FIRES
            yield FlowProblem.warning(FlowRule.LIMITED_ELEMENT, node.id, node.line, zh, en)
        elif event in _UNSUPPORTED_EVENTS:
            zh, en = _UNSUPPORTED_EVENTS[event]
            yield FlowProblem.error(FlowRule.UNSUPPORTED_ELEMENT, node.id, node.line, f"不支持{zh}",
                                    f"unsupported {en}")
        elif event in _LIMITED_EVENTS:
            zh, en = _LIMITED_EVENTS[event]
            yield FlowProblem.warning(FlowRule.LIMITED_ELEMENT, node.id, node.line, zh, en)
    for child in node.element:
        loop = _LOOPS.get(child.tag.rsplit("}", 1)[-1]) if isinstance(child.tag, str) else None
        if loop is not None:
            yield FlowProblem.warning(
                FlowRule.LIMITED_ELEMENT, node.id, node.line,
                f"{loop[0]}未经本引擎的办件测试：每一轮都会生成一个新的待办",
                f"{loop[1]}: not exercised by the engine's case tests; every round makes a new task")


def _message_goes_on(model: FlowModel, node: Node) -> bool:
    """Whether a message event lets the flow go on without any message: it throws one, it is a boundary event
    (the activity completes regardless), it starts an event subprocess (the process runs regardless), or it is
    one of the ways out of an event-based gateway that a timer can also take."""
    if node.type in _THROWING or node.type == "boundaryEvent":
        return True
    if node.type == "startEvent":
        container = model.nodes.get(node.container_id)
        return container is not None and container.element.get("triggeredByEvent") == "true"
    if node.type == "intermediateCatchEvent":
        gateways = [model.nodes.get(f.source) for f in model.incoming(node.id)]
        return any(g is not None and g.type == "eventBasedGateway" and any(
            "timerEventDefinition" in model.nodes[f.target].events
            for f in model.outgoing(g.id) if f.target in model.nodes) for g in gateways)
    return False


def spiff_problems(root: Any, process_id: str, lines: dict[str, int]) -> list[FlowProblem]:
    """Parse ``process_id`` and its subprocesses with SpiffWorkflow, as deployment will. Never raises.

    Every process of the file is marked executable for SpiffWorkflow first: that a process is not executable
    is our own check's to say (``process-not-executable``), and SpiffWorkflow would stop there, keeping its
    other complaints for a second round."""
    parser = FlowParser()
    try:
        tree = etree.ElementTree(copy.deepcopy(root))
        for process in tree.getroot().findall(bpmn("process")):
            process.set("isExecutable", "true")
        parser.add_bpmn_xml(tree, filename=f"{process_id}.bpmn")
        parser.get_spec(process_id)
        parser.get_subprocess_specs(process_id)
    except ValidationException as err:
        element_id = str(getattr(err, "id", "") or "") or None
        line = getattr(err, "line_number", None)
        line = line if isinstance(line, int) and line > 0 else lines.get(element_id or "")
        zh, en = explain(_clean(err), str(getattr(err, "tag", "") or "") or None, element_id,
                         str(getattr(err, "name", "") or "") or None)
        return [FlowProblem.error(FlowRule.SPIFF_REJECTED, element_id, line, f"SpiffWorkflow 拒绝此流程：{zh}",
                                  f"SpiffWorkflow refuses the flow: {en}")]
    except RecursionError:
        zh, en = explain("RecursionError", None, None, None)
        return [FlowProblem.error(FlowRule.UNPARSEABLE, None, None, zh,
                                  "SpiffWorkflow cannot parse the flow: its chain or nesting is too deep")]
    except Exception as err:  # anything else SpiffWorkflow lets escape is still only a verdict on this file
        message = f"{type(err).__name__}: {_clean(err)}"
        return [FlowProblem.error(FlowRule.UNPARSEABLE, None, None,
                                  f"SpiffWorkflow 解析此流程时出错（{type(err).__name__}，详见英文说明 message_en）",
                                  f"SpiffWorkflow cannot parse the flow ({message})")]
    return []


def _clean(err: BaseException) -> str:
    # Object reprs carry memory addresses; leave them out so that the same file gives the same report.
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", str(err)).strip() or type(err).__name__
    return shortened(text, _MAX_MESSAGE)
