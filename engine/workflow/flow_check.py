"""Checking an administrator's BPMN upload: the one entry point.

``check_flow`` reads the bytes as hardened XML (``flow_xml``) and, if that succeeds, lints the flow
(``flow_lint``: SpiffWorkflow's parser, the graph, expressions, timers and the one-thing conventions). It
answers a ``FlowReport`` for any input whatsoever and never raises: a failure inside the checks themselves
becomes an ``unparseable`` error, so the administrator always gets an answer and the server never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import Any

from engine.domain.flow_problems import FlowProblem, FlowReport, FlowRule, ordered
from engine.workflow.flow_lint import lint_flow
from engine.workflow.flow_xml import MAX_FLOW_BYTES, read_flow_xml

_log = logging.getLogger(__name__)


def check_flow(xml: bytes, bundle: Mapping[str, Any] | None, departments: Collection[str], *,
               max_bytes: int = MAX_FLOW_BYTES, functions: Collection[str] = ()) -> FlowReport:
    """Everything that keeps ``xml`` from being deployed as the flow of ``bundle``.

    ``bundle``: the bundle definition (a dict as in ``bpmn/<code>/bundle.json``), or None to check the flow
    alone. ``departments``: the known department codes (``window`` is always known). ``max_bytes``: the size
    limit. ``functions``: names the run-time script engine adds to the safe evaluator's allow-list.
    """
    try:
        reading = read_flow_xml(xml, max_bytes=max_bytes)
        if reading.root is None:
            return FlowReport(ordered(reading.problems))
        return lint_flow(reading.root, bundle, departments, functions=functions, carried=reading.problems)
    except Exception as err:  # the contract is a report for every input; a bug here must not become a 500
        _log.exception("checking an uploaded flow failed")
        return FlowReport([FlowProblem.error(
            FlowRule.UNPARSEABLE, None, None, f"无法检查此文件（{type(err).__name__}）",
            f"the file could not be checked ({type(err).__name__})")])
