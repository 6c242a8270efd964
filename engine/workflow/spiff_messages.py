"""SpiffWorkflow's parser messages, complete and in Chinese, for the administrator who uploaded the flow.

SpiffWorkflow speaks English and some of its messages end where the element's type should have been
("Multiple outgoing flows are not supported for tasks of type"). ``explain`` answers the Chinese and English
of a ``ValidationException``: the known messages translated, each naming the element (its tag, id and name,
bounded) that SpiffWorkflow points at; any other message gets a Chinese sentence that says where the problem
is and leaves SpiffWorkflow's own words to the English message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from engine.domain.flow_problems import quoted

Translation = Callable[[re.Match[str]], str]
_DATA_OBJECT = {"In": "输入", "Out": "输出"}
_EVENT_KINDS = {"Message": "消息", "Signal": "信号", "Error": "错误", "error": "错误", "Escalation": "升级"}
_IDENTIFIERS = {"Message": "消息", "Signal": "信号", "Error": "错误", "Escalation": "升级", "Correlation": "关联",
                "Data Store": "数据存储"}
# (SpiffWorkflow's message, as a regular expression matched at its start) -> the Chinese
_KNOWN: tuple[tuple[re.Pattern[str], Translation], ...] = tuple((re.compile(pattern), zh) for pattern, zh in (
    (r"Multiple outgoing flows are not supported for tasks of type",
     lambda m: "这类元素只能有一条出去的顺序流；需要分支时请在它后面加一个网关"),
    (r"Non-default exclusive outgoing sequence flow without condition",
     lambda m: "排他网关的这条出口顺序流既没有条件，也不是网关的默认流：请给它写条件，或把它设为默认流"),
    (r"Exactly one start event is required in a SubWorkflow Task; found (\d+)",
     lambda m: f"子流程须恰有一个开始事件，现有 {m.group(1)} 个"),
    (r"A SubWorkflow Must contain an End event", lambda m: "子流程须有结束事件"),
    (r"No start event found", lambda m: "流程没有开始事件"),
    (r"Process (.*) is not executable", lambda m: f"流程 {quoted(m.group(1))} 未标记为可执行"),
    (r"Data Store with name (.*) has no implementation",
     lambda m: f"数据存储 {quoted(m.group(1))} 没有实现：引擎不支持数据存储"),
    (r"Cannot resolve data(In|Out)putAssociation",
     lambda m: f"数据{_DATA_OBJECT[m.group(1)]}关联所引用的数据对象在流程中找不到"),
    (r"A loopMaximum or loopCondition must be specified for Loop Tasks",
     lambda m: "循环任务须给出最多循环次数（loopMaximum）或循环条件（loopCondition）"),
    (r"A multiinstance task must specify a cardinality or a collection",
     lambda m: "多实例任务须给出实例数量（loopCardinality）或所依据的集合"),
    (r"Expected an? (Message|Signal|Error|error|Escalation) node",
     lambda m: f"事件所引用的{_EVENT_KINDS[m.group(1)]}定义在文件中找不到"),
    (r"(Message|Signal|Error|Escalation|Correlation|Data Store) identifier is missing",
     lambda m: f"文件中的{_IDENTIFIERS[m.group(1)]}定义缺少 id"),
    (r"Data Store name is missing", lambda m: "文件中的数据存储定义缺少名称"),
    (r"Could not find messageRef from message event definition",
     lambda m: "消息事件所引用的消息（messageRef）在文件中找不到"),
    (r"Correlation is missing correlation property retrieval expressions",
     lambda m: "消息关联缺少关联属性的取值表达式"),
    (r"Message identifier is missing from correlation property", lambda m: "消息关联属性没有指明消息"),
    (r"Conditional event definition with missing condition", lambda m: "条件事件没有给出条件"),
    (r"Unknown Time Specification", lambda m: "计时器没有给出时间（timeDate、timeDuration 或 timeCycle）"),
    (r"Time Specification Error", lambda m: "计时器的时间设定无法识别"),
    (r"Duplicate process ID: (.*)", lambda m: f"流程 id {quoted(m.group(1))} 重复出现"),
    (r"There is no support implemented for this task type", lambda m: "SpiffWorkflow 不支持这类元素"),
    (r"Cancel Events may only be used with transactions", lambda m: "取消事件只能用在事务子流程中"),
    (r"Sequential ordering for ad hoc subprocesses not supported", lambda m: "自由子流程不支持顺序执行"),
    (r"Ad hoc subprocesses may not contain start or end events", lambda m: "自由子流程中不能有开始或结束事件"),
    (r"No \"calledElement\" attribute for Call Activity", lambda m: "调用活动没有指明所调用的流程（calledElement）"),
    (r"Invalid Script Task", lambda m: "脚本任务没有脚本"),
    (r"A Service Task must have an operator", lambda m: "服务任务须指明所调用的服务（operator）"),
    (r"The process '(.*)' was not found", lambda m: f"文件中没有流程 {quoted(m.group(1))}"),
    (r"RecursionError", lambda m: "流程的链条或嵌套过深，SpiffWorkflow 无法解析"),
))


def explain(message: str, tag: str | None, element_id: str | None, name: str | None) -> tuple[str, str]:
    """The Chinese and English of SpiffWorkflow's ``message`` about the element ``tag``/``element_id``/``name``
    (``tag`` as SpiffWorkflow shortens it, e.g. ``bpmn:task``). Both end with where the problem is."""
    message = message.strip().rstrip(".").strip() or "no reason given"
    where_zh, where_en = _where(tag, element_id, name)
    en = f"{message} {tag}" if message.endswith("of type") and tag else message
    for pattern, translate in _KNOWN:
        found = pattern.match(message)
        if found is not None:
            return f"{translate(found)}{where_zh}", f"{en}{where_en}"
    return (f"SpiffWorkflow 不接受{where_zh.strip('（）') or '此流程'}（原因见英文说明 message_en）",
            f"{en}{where_en}")


def _where(tag: str | None, element_id: str | None, name: str | None) -> tuple[str, str]:
    if not tag and not element_id:
        return "", ""
    parts = [p for p in (tag, None if element_id is None else f"id {quoted(element_id)}",
                         None if not name else f"name {quoted(name)}") if p]
    what = ", ".join(parts)
    return f"（元素 {what}）", f" (element {what})"
