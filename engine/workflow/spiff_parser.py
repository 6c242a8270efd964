"""The SpiffWorkflow parser the engine reads flows with: SpiffWorkflow's own (``SpiffBpmnParser``,
which matches ``SPIFF_CONFIG``), with two task specs of ours: untyped tasks and parallel gateways.

An untyped ``<task>`` (what Camunda, Signavio and most modellers draw by default) is a manual task in
SpiffWorkflow: it waits for someone to complete it by hand. The engine offers people only user tasks, so
such a task stalled every case that reached it. ``PassThroughTask`` runs it as the upload check says and
as Camunda and Zeebe do with an undefined task: the token passes straight through (its pre- and
post-scripts still run). A loop made only of untyped tasks and gateways therefore spins, and the upload
check refuses it (``automatic-loop``).

SpiffWorkflow decides whether a parallel gateway may join by listing the gateway's instances with
``workflow.get_tasks(spec_name=...)``, a walk of the whole task tree, every time a task of the
workflow completes while a branch waits at the gateway: a visible share of a department's
completion in the restaurant flow. ``ParallelJoin`` finds the instances in the
workflow's task dictionary instead, and decides which instances lie below the waiting task with
one walk up to where their branches part, not a walk to the root and back for every instance; the
rule itself is the same (the commits that made each change quote what they measured).
"""

from __future__ import annotations

from typing import Any, ClassVar

from SpiffWorkflow.bpmn.parser.task_parsers import GatewayParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser
from SpiffWorkflow.spiff.specs.defaults import NoneTask
from SpiffWorkflow.util.task import TaskState


class PassThroughTask(NoneTask):  # type: ignore[misc]
    """A ``bpmn:task`` that the engine completes by itself, as it does a gateway."""

    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False  # TaskSpec's public flag: do_engine_steps runs what is not manual


class ParallelJoin(ParallelGateway):  # type: ignore[misc]
    def _check_threshold_unstructured(self, my_task: Any) -> bool:
        """Whether every incoming flow has brought its token to this instance of the gateway.

        An incoming flow's token is here when a completed task of its source is the parent of an
        instance of this gateway; instances above ``my_task`` are earlier rounds of a loop through
        the gateway and do not count. An instance below ``my_task`` (the gateway lies on a loop
        that ``my_task`` starts) will only be reached after this join: the first source met on the
        way up from it is not waited for."""
        pending = set(self.inputs)
        lineage = _ancestors(my_task)
        for task in my_task.workflow.tasks.values():
            if task.task_spec.name != self.name or task.id in lineage:
                continue  # another gateway, or an instance above ``my_task``: an earlier round
            if _descends_from(task, my_task, lineage):
                _release_nearest_source(task, pending)
            elif task.parent.state == TaskState.COMPLETED:
                pending.discard(task.parent.task_spec)
        return not pending


def _ancestors(task: Any) -> set[Any]:
    """The ids of ``task``'s ancestors (itself excluded)."""
    ids = set()
    task = task.parent
    while task is not None:
        ids.add(task.id)
        task = task.parent
    return ids


def _descends_from(task: Any, ancestor: Any, lineage: set[Any]) -> bool:
    """Whether ``ancestor`` lies above ``task``, given ``lineage`` (the ids of ``ancestor``'s own
    ancestors): the walk up from ``task`` stops where it meets ``ancestor``'s line, one walk up to
    where the branches part instead of SpiffWorkflow's ``is_descendant_of`` to the root."""
    task = task.parent
    while task is not None:
        if task is ancestor:
            return True
        if task.id in lineage:
            return False  # the branches part here, above ``ancestor``
        task = task.parent
    return False


def _release_nearest_source(task: Any, pending: set[Any]) -> None:
    """Stop waiting for the first of ``pending``'s specs among ``task``'s ancestors (itself included)."""
    while task is not None:
        if task.task_spec in pending:
            pending.discard(task.task_spec)
            return
        task = task.parent


class FlowParser(SpiffBpmnParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, tuple[type, type]]] = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("parallelGateway"): (GatewayParser, ParallelJoin),
        full_tag("task"): (SpiffTaskParser, PassThroughTask),
    }
