"""BPMN timers: a reminder (催办) boundary timer counted in working days fires once when it is due,
through the ticker, however many tickers run at the same moment (PostgreSQL makes the race real).

SpiffWorkflow reads the wall clock for timers, so these tests move the wall clock (time-machine) and
build the engine on the real clock."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from lxml import etree

from engine.bootstrap import ROOT, OneThingEngine, Settings, build_engine
from engine.domain.model import Actor
from engine.services.cases import StartCase, start_case
from engine.services.catalogue import get_bundle_catalogue
from engine.services.timers import fire_due_timers, tick
from forms.samples import sample_values

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ACCEPTED = datetime(2026, 9, 24, 1, 30, tzinfo=UTC)  # Thursday 09:30 in Shanghai
CLERK = Actor("wang.window", "window", "clerk")
# The restaurant is a new enterprise: the applicant block declares its name (and has no credit code).
APPLICANT = {"name": "陈小明", "id_number": "11010519491231002X", "phone": "13800138000", "entity_name": "小明面馆"}
# The reminder hangs on the health certificate's approval, open from acceptance (the fire
# inspection's opens only once the business licence is approved).
REMINDED = "approve_jkz"


def with_reminder(xml: bytes, task: str, expression: str, kind: str = "timeDate") -> bytes:
    """The restaurant flow with a non-interrupting timer on ``task`` that ends in its own end event."""
    root = etree.fromstring(xml)
    process = root.find(f"{{{BPMN}}}process")
    assert process is not None
    q = f"{{{BPMN}}}"
    boundary = etree.SubElement(process, q + "boundaryEvent", id=f"remind_{task}", name="催办提醒",
                                attachedToRef=task, cancelActivity="false")
    etree.SubElement(boundary, q + "outgoing").text = f"f_remind_{task}"
    timer = etree.SubElement(boundary, q + "timerEventDefinition", id=f"timer_{task}")
    etree.SubElement(timer, q + kind).text = expression
    end = etree.SubElement(process, q + "endEvent", id=f"reminded_{task}", name="已催办")
    etree.SubElement(end, q + "incoming").text = f"f_remind_{task}"
    etree.SubElement(process, q + "sequenceFlow", id=f"f_remind_{task}", sourceRef=f"remind_{task}",
                     targetRef=f"reminded_{task}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.fixture
def timed_engine(db_url: str, tmp_path: Path) -> Iterator[OneThingEngine]:
    bpmn = tmp_path / "bpmn"
    shutil.copytree(ROOT / "bpmn" / "catalogue", bpmn / "catalogue")
    (bpmn / "restaurant").mkdir()
    shutil.copy(ROOT / "bpmn" / "restaurant" / "bundle.json", bpmn / "restaurant" / "bundle.json")
    flow = with_reminder((ROOT / "bpmn" / "restaurant" / "flow.bpmn").read_bytes(), REMINDED, "working_days(2)")
    (bpmn / "restaurant" / "flow.bpmn").write_bytes(flow)
    with time_machine.travel(ACCEPTED, tick=False):
        built = build_engine(Settings(database_url=db_url, bpmn_dir=bpmn, password_strength="fast"))
    yield built
    built.db.dispose()


def start(engine: OneThingEngine) -> str:
    catalogue = get_bundle_catalogue(engine.ctx, "restaurant")
    known = catalogue.subject.form_values(APPLICANT)
    applied = start_case(StartCase("restaurant", APPLICANT, CLERK, form=sample_values(catalogue.form(), known),
                                   materials={e.key: "submitted" for e in catalogue.checklist().entries}),
                         engine.ctx)
    with engine.ctx.uow(False) as uow:
        case = uow.cases.get(int(applied.resource_id))
        assert case is not None
        return case.number


def events(engine: OneThingEngine, number: str, kind: str) -> list[dict[str, Any]]:
    with engine.ctx.uow(False) as uow:
        case = uow.cases.get_by_number(number)
        assert case is not None
        return [e.data for e in uow.events.for_case(case.id) if e.type == kind]


def next_timer(engine: OneThingEngine, number: str) -> datetime | None:
    with engine.ctx.uow(False) as uow:
        case = uow.cases.get_by_number(number)
        assert case is not None
        return case.next_timer_at


def test_a_working_day_reminder_fires_once_when_due(timed_engine: OneThingEngine) -> None:
    with time_machine.travel(ACCEPTED, tick=False):
        number = start(timed_engine)
    # Two working days after Thursday 09-24 (Friday 09-25 is 中秋): Tuesday 09-29, same time of day.
    assert next_timer(timed_engine, number) == datetime(2026, 9, 29, 1, 30, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 9, 29, 1, 0, tzinfo=UTC), tick=False):
        assert fire_due_timers(timed_engine.ctx) == []
    with time_machine.travel(datetime(2026, 9, 29, 2, 0, tzinfo=UTC), tick=False):
        report = tick(timed_engine.ctx)
        assert report.timers == [f"{number}: 催办提醒"]
        assert tick(timed_engine.ctx).timers == []
    assert events(timed_engine, number, "TimerFired") == [{"timer": "催办提醒"}]
    assert next_timer(timed_engine, number) is None
    with timed_engine.ctx.uow(False) as uow:  # the reminder did not take the task away
        case = uow.cases.get_by_number(number)
        assert case is not None
        assert any(t.name == REMINDED for t in uow.tasks.open_for_case(case.id))


def test_two_tickers_fire_a_timer_once(timed_engine: OneThingEngine) -> None:
    with time_machine.travel(ACCEPTED, tick=False):
        numbers = [start(timed_engine) for _ in range(6)]
    fired: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def ticker() -> None:
        try:
            barrier.wait()
            fired.extend(fire_due_timers(timed_engine.ctx))
        except BaseException as err:
            errors.append(err)

    with time_machine.travel(datetime(2026, 9, 30, 2, 0, tzinfo=UTC), tick=False):
        threads = [threading.Thread(target=ticker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == []
    assert sorted(fired) == sorted(f"{n}: 催办提醒" for n in numbers)
    for number in numbers:
        assert len(events(timed_engine, number, "TimerFired")) == 1


def test_the_flow_check_accepts_the_working_day_helper() -> None:
    from engine.workflow.flow_check import check_flow

    xml = with_reminder((ROOT / "bpmn" / "restaurant" / "flow.bpmn").read_bytes(), REMINDED, "working_days(2)")
    bundle = json.loads((ROOT / "bpmn" / "restaurant" / "bundle.json").read_text(encoding="utf-8"))
    departments = {i["department"] for i in bundle["items"]}
    report = check_flow(xml, bundle, departments, functions={"working_days"})
    assert report.ok, [p.message_en for p in report.errors]


def test_two_ticker_processes_fire_each_timer_once(db_url: str, tmp_path: Path) -> None:
    """Two `onething tick` processes (say, cron on two machines) at the same moment."""
    import os
    import subprocess
    import sys
    import time

    bpmn = tmp_path / "bpmn"
    shutil.copytree(ROOT / "bpmn" / "catalogue", bpmn / "catalogue")
    (bpmn / "restaurant").mkdir()
    shutil.copy(ROOT / "bpmn" / "restaurant" / "bundle.json", bpmn / "restaurant" / "bundle.json")
    source = (ROOT / "bpmn" / "restaurant" / "flow.bpmn").read_bytes()
    (bpmn / "restaurant" / "flow.bpmn").write_bytes(with_reminder(source, REMINDED, '"PT1S"', "timeDuration"))
    engine = build_engine(Settings(database_url=db_url, bpmn_dir=bpmn, password_strength="fast"))
    try:
        numbers = [start(engine) for _ in range(8)]
        time.sleep(1.5)  # every reminder is now due
        env = {**os.environ, "DATABASE_URL": db_url, "ONETHING_BPMN_DIR": str(bpmn)}
        tickers = [subprocess.Popen([sys.executable, "-m", "api.cli", "tick"], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
        outputs = [p.communicate(timeout=120)[0].decode(errors="replace") for p in tickers]
        assert [p.returncode for p in tickers] == [0, 0], outputs
        fired = sum(out.count("timer fired:") for out in outputs)
        assert fired == len(numbers), outputs
        for number in numbers:
            assert events(engine, number, "TimerFired") == [{"timer": "催办提醒"}]
    finally:
        engine.db.dispose()
