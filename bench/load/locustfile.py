"""A service hall's day for locust (issue 30): window clerks accept cases, record corrections and hand
results over; department reviewers read their inbox, claim, inspect sites and decide (approve, or ask
for a correction); an enquiry desk searches cases; supervisors watch the departments' clocks; leaders
read the reports. The load rises in steps (``StepLoad``) until the p95 of a decision passes
``LOAD_KNEE_MS``; each step's figures go to ``LOAD_RESULTS`` for ``bench/load/knee.py`` to print.

    locust -f bench/load/locustfile.py --headless --host http://127.0.0.1:8001

Environment (knee.py sets all of it):
  LOAD_SCENARIO          the data file ``bench/load/scenario_data.py`` writes, which also makes the staff's
                         logins: the step's clerks and reviewers must exist (required)
  LOAD_HOSTS             comma-separated base URLs; each simulated person is given the next (default --host)
  LOAD_STEPS             users per step, e.g. ``20,40,60,80`` (default 20,40,60,80,100,120,160,200)
  LOAD_HOLD_SECONDS      how long each step lasts (60); LOAD_SETTLE_SECONDS at its start are not measured (10)
  LOAD_SPAWN_RATE        users started per second (10)
  LOAD_KNEE_MS           stop after the step whose decision p95 passes this (200)
  LOAD_RESULTS           a JSON-lines file: one line per step
  LOAD_CORRECTION_SHARE  share of first decisions that ask for a correction (0.1)

Everything sent is valid: an answer other than the one expected is a failure in locust's statistics,
except 409 on a claim, the race two reviewers (or two clerks) run for one task, which is counted under
a row of its own (``…: 409, taken first``). Requests are named by their route
(``POST /api/tasks/[id]/complete``) so that locust groups them; that name is a department's decision
(``COMPLETE``, whose p95 finds the knee), while the site inspection and the window's record of a
correction, the same route, carry their kind in brackets.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import random
import sys
import time
from collections import deque
from datetime import date
from pathlib import Path
from typing import Any

from locust import FastHttpUser, LoadTestShape, between, task
from locust.stats import calculate_response_time_percentile, diff_response_time_dicts

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load.scenario_data import USER_WEIGHTS, Desks, clerk_login  # noqa: E402
from forms.identifiers import credit_code_check_char, resident_id_check_digit  # noqa: E402
from forms.subjects import subject_of  # noqa: E402

PASSWORD = "onething-demo-2026"  # noqa: S105 - the demo users' published password (engine.services.accounts)
COMPLETE = "POST /api/tasks/[id]/complete"
"""The request whose p95 finds the knee: a department's decision on an item."""
RACE = "RACE"
"""The request type of the pseudo-requests that count lost claim races (no request of their own)."""
CORRECTION_SHARE = float(os.environ.get("LOAD_CORRECTION_SHARE", "0.1"))

log = logging.getLogger("load")


def _load_scenario() -> dict[str, Any]:
    path = os.environ.get("LOAD_SCENARIO")
    if not path:
        raise SystemExit("LOAD_SCENARIO is not set: write it with bench/load/scenario_data.py (knee.py does)")
    return json.loads(Path(path).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


SCENARIO = _load_scenario()
ITEMS: dict[str, dict[str, Any]] = SCENARIO["items"]
BUNDLES = list(SCENARIO["bundles"])
BUNDLE_WEIGHTS = [SCENARIO["bundles"][code]["weight"] for code in BUNDLES]
HOSTS = itertools.cycle([h.strip().rstrip("/") for h in os.environ.get("LOAD_HOSTS", "").split(",") if h.strip()])
RECENT: deque[dict[str, str]] = deque(maxlen=1000)
"""Cases the window accepted in this process (number, applicant's name and phone): what the
enquiry desk is asked about."""
SERIALS = itertools.count(random.randrange(10**6) * 10)
"""Licence numbers and applicants, fresh in every run (a random start) and within it (a count)."""
DESKS = Desks(SCENARIO)
CLERKS = itertools.count(1)


def resident_id(serial: int) -> str:
    born = date.fromordinal(date(1960, 1, 1).toordinal() + serial % 15000)
    first17 = f"410702{born:%Y%m%d}{serial // 15000 % 1000:03d}"
    return first17 + resident_id_check_digit(first17)


def credit_code(serial: int) -> str:
    first17 = f"91410700MA{serial % 10**7:07d}"
    return first17 + credit_code_check_char(first17)


SURNAMES, GIVEN = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞"


def new_application() -> dict[str, Any]:
    """A complete application of a weighted bundle from a new applicant (valid ID number, credit code
    and mobile number), whose own data fill the form where it asks about them."""
    code = random.choices(BUNDLES, BUNDLE_WEIGHTS)[0]
    bundle = SCENARIO["bundles"][code]
    serial = next(SERIALS)
    name = random.choice(SURNAMES) + random.choice(GIVEN) + random.choice(GIVEN)
    everything = {"name": name, "id_number": resident_id(serial), "phone": f"139{serial % 10**8:08d}",
                  "address": f"河南省新乡市红旗区平原路 {serial % 399 + 1} 号", "entity_name": f"{name}面馆",
                  "credit_code": credit_code(serial), "relation": "母亲"}
    applicant = {k: v for k, v in everything.items() if k in bundle["applicant_keys"]}
    known = subject_of(bundle["subject"]).form_values(applicant)
    form = {key: known.get(key, value) for key, value in bundle["form"].items()}
    return {"bundle": code, "applicant": applicant, "form": form, "materials": bundle["materials"]}


def licence_number(item: dict[str, Any]) -> dict[str, str]:
    """What an approval of ``item`` carries: the number of the licence it issues, in its format."""
    fmt = item["licence_format"]
    if fmt is None:
        return {}
    serial = next(SERIALS)
    if fmt == "credit_code":
        return {"licence_number": credit_code(serial)}
    if fmt == "^JY[0-9]{14}$":
        return {"licence_number": f"JY1{serial % 10**13:013d}"}
    return {"licence_number": f"LOAD-2026-{serial:08d}"}


class Person(FastHttpUser):
    """Someone at a desk: logs in once, then works with the bearer token on one server group."""

    abstract = True
    login = ""

    def __init__(self, environment: Any) -> None:
        hosts_given = os.environ.get("LOAD_HOSTS")
        if hosts_given:
            self.host = next(HOSTS)
        super().__init__(environment)
        self.headers: dict[str, str] = {}

    def on_start(self) -> None:
        answer = self.call("POST", "/api/auth/login", "POST /api/auth/login",
                           {"login": self.login, "password": PASSWORD}, auth=False)
        if answer is None:
            raise RuntimeError(f"cannot log in as {self.login}")
        self.headers = {"Authorization": f"Bearer {answer['token']}"}

    def call(self, method: str, path: str, name: str, body: dict[str, Any] | None = None,
             ok: tuple[int, ...] = (200, 201), race: bool = False, auth: bool = True) -> dict[str, Any] | None:
        """The answer's JSON, or None: a failure in the statistics for any status outside ``ok``,
        except a 409 when ``race`` (someone else took the task first: expected, counted as a success)."""
        with self.client.request(method, path, name=name, json=body, headers=self.headers if auth else {},
                                 catch_response=True) as response:
            status = response.status_code
            if status in ok:
                response.success()
                return response.json()  # type: ignore[no-any-return]
            if race and status == 409:
                response.success()
                # Counted apart, so that each step shows how often the race was lost.
                self.environment.events.request.fire(
                    request_type=RACE, name=f"{name}: 409, taken first", response_time=0, response_length=0,
                    exception=None, context={})
                return None
            response.failure(f"{status} {(response.text or '')[:300]}")
            return None

    def get(self, path: str, name: str) -> dict[str, Any] | None:
        return self.call("GET", path, name)


class WindowClerk(Person):
    """综合窗口: accepts cases, records the materials a correction asked for, hands results over."""

    weight = USER_WEIGHTS["WindowClerk"]
    wait_time = between(1, 3)

    def __init__(self, environment: Any) -> None:
        self.login = clerk_login(next(CLERKS))
        super().__init__(environment)

    @task(4)
    def accept(self) -> None:
        body = new_application()
        applicant, code = body["applicant"], body["bundle"]
        # The intake page asks the registries about the applicant first (一次告知 and pre-filled form).
        ref = f"applicant={applicant.get('credit_code') or applicant['id_number']}"
        if "credit_code" in applicant:
            ref += f"&agent={applicant['id_number']}"
        if self.get(f"/api/bundles/{code}/form?{ref}", "GET /api/bundles/[code]/form") is None:
            return
        case = self.call("POST", "/api/cases", "POST /api/cases", body)
        if case is not None:
            RECENT.append({"number": case["number"], "name": applicant["name"], "phone": applicant["phone"],
                           "bundle": code})

    @task(6)
    def work_window_inbox(self) -> None:
        inbox = self.get("/api/tasks?state=ready&per_page=50", "GET /api/tasks (window)")
        if not inbox or not inbox["items"]:
            return
        chosen = random.choice(inbox["items"])
        if self.call("POST", f"/api/tasks/{chosen['id']}/claim", "POST /api/tasks/[id]/claim", race=True) is None:
            return
        case = self.get(f"/api/cases/{chosen['case_number']}", "GET /api/cases/[ref]")
        if case is None:
            return
        if chosen["kind"] == "correction":
            item = next(i for i in case["items"] if i["code"] == chosen["item"])
            self.call("POST", f"/api/tasks/{chosen['id']}/complete", "POST /api/tasks/[id]/complete (correction)",
                      {"supplied": item["materials_requested"] or [], "comment": "申请人已补正"})
        elif chosen["kind"] == "pickup":
            self.call("POST", f"/api/cases/{chosen['case_number']}/pickup", "POST /api/cases/[ref]/pickup",
                      {"delivery": "window", "recipient_name": case["applicant"]["name"],
                       "rating": random.choice((5, 5, 5, 4, 3))})


class Reviewer(Person):
    """部门审批: reads the department's inbox, claims a task, reads the case, inspects or decides."""

    weight = USER_WEIGHTS["Reviewer"]
    wait_time = between(1, 3)

    def __init__(self, environment: Any) -> None:
        self.department, self.login = DESKS.next()
        super().__init__(environment)

    @task
    def work_inbox(self) -> None:
        inbox = self.get("/api/tasks?claim=unclaimed&sort=due&per_page=20", "GET /api/tasks (inbox)")
        if not inbox or not inbox["items"]:
            return
        chosen = random.choice(inbox["items"])
        if self.call("POST", f"/api/tasks/{chosen['id']}/claim", "POST /api/tasks/[id]/claim", race=True) is None:
            return
        case = self.get(f"/api/cases/{chosen['case_number']}", "GET /api/cases/[ref]")
        if case is None:
            return
        path = f"/api/tasks/{chosen['id']}/complete"
        if chosen["kind"] == "inspection":
            self.call("POST", path, "POST /api/tasks/[id]/complete (inspection)",
                      {"result": "passed", "findings": "现场与申报一致"})
            return
        item = ITEMS[chosen["item"]]
        decided = next(i for i in case["items"] if i["code"] == chosen["item"])
        if item["materials"] and not decided["corrections"] and random.random() < CORRECTION_SHARE:
            material = random.choice(item["materials"])
            self.call("POST", path, COMPLETE, {"decision": "correct", "materials": [material],
                                               "reason": "材料内容不清晰，请补正", "notes": {material: "复印件模糊"}})
        else:
            self.call("POST", path, COMPLETE, {"decision": "approve", **licence_number(item)})


class EnquiryDesk(Person):
    """咨询台: finds cases by number, applicant's name or phone, status."""

    weight = USER_WEIGHTS["EnquiryDesk"]
    login = "clerk"  # reads only: the demo clerk's login, shared
    wait_time = between(1, 3)

    def _recent(self) -> dict[str, str] | None:
        return random.choice(RECENT) if RECENT else None

    @task(3)
    def by_number(self) -> None:
        if (case := self._recent()) is not None:
            self.get(f"/api/cases?q={case['number']}", "GET /api/cases?q=[number]")

    @task(2)
    def by_name(self) -> None:
        if (case := self._recent()) is not None:
            self.get(f"/api/cases?q={case['name']}", "GET /api/cases?q=[name]")

    @task(2)
    def by_phone(self) -> None:
        if (case := self._recent()) is not None:
            self.get(f"/api/cases?q={case['phone']}", "GET /api/cases?q=[phone]")

    @task(2)
    def by_status(self) -> None:
        status = random.choice(("in_review", "awaiting_pickup", "closed"))
        self.get(f"/api/cases?status={status}&bundle={random.choice(BUNDLES)}", "GET /api/cases?status=&bundle=")


class Supervisor(Person):
    """效能监督: the departments' clocks, the warnings, the overdue approvals."""

    weight = USER_WEIGHTS["Supervisor"]
    login = "supervisor"
    wait_time = between(2, 5)

    @task(3)
    def departments(self) -> None:
        self.get("/api/supervision/departments", "GET /api/supervision/departments")

    @task(2)
    def warnings(self) -> None:
        self.get("/api/supervision/warnings?open=true", "GET /api/supervision/warnings")

    @task(2)
    def overdue(self) -> None:
        self.get("/api/tasks?colour=red&state=open&sort=due", "GET /api/tasks?colour=red (overdue)")


class Leader(Person):
    """Reports: the savings (四减一优) and the leaders' dashboard, read now and then."""

    weight = USER_WEIGHTS["Leader"]
    login = "supervisor"
    wait_time = between(5, 15)

    @task(2)
    def savings(self) -> None:
        self.get("/api/reports/savings", "GET /api/reports/savings")

    @task(1)
    def savings_of_bundle(self) -> None:
        self.get(f"/api/reports/savings?bundle={random.choice(BUNDLES)}", "GET /api/reports/savings?bundle=")

    @task(2)
    def leaders(self) -> None:
        self.get("/api/reports/leaders", "GET /api/reports/leaders")


def _cpu_busy() -> tuple[float, float]:
    """The machine's busy and total CPU seconds since boot (Linux /proc/stat), to tell how loaded the
    shared cores were during a step."""
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


class StepLoad(LoadTestShape):
    """LOAD_STEPS users, each step held LOAD_HOLD_SECONDS; measured from LOAD_SETTLE_SECONDS into the
    step (and once every user of the step has started and logged in) to its end, from locust's own
    statistics: the response-time histograms and counts at the window's two ends, subtracted. Stops
    after the step whose decision p95 passes LOAD_KNEE_MS."""

    def __init__(self) -> None:
        super().__init__()
        self.steps = [int(s) for s in os.environ.get("LOAD_STEPS", "20,40,60,80,100,120,160,200").split(",")]
        self.hold = float(os.environ.get("LOAD_HOLD_SECONDS", "60"))
        self.settle = float(os.environ.get("LOAD_SETTLE_SECONDS", "10"))
        self.spawn_rate = float(os.environ.get("LOAD_SPAWN_RATE", "10"))
        self.knee_ms = float(os.environ.get("LOAD_KNEE_MS", "200"))
        self.results = os.environ.get("LOAD_RESULTS")
        self.index, self.window, self.over = -1, None, False

    def tick(self) -> tuple[int, float] | None:
        run_time = self.get_run_time()
        index = int(run_time // self.hold)
        if index != self.index:
            if self.index >= 0:
                self._close_step()
            self.index, self.window = index, None
        if self.over or index >= len(self.steps):
            return None
        users = self.steps[index]
        if self.window is None and run_time - index * self.hold >= self.settle \
                and self.get_current_user_count() >= users:
            self.window = (time.monotonic(), self._snapshot(), _cpu_busy())
        return users, self.spawn_rate

    def _snapshot(self) -> dict[tuple[str, str], tuple[int, int, dict[int, int]]]:
        return {key: (e.num_requests, e.num_failures, dict(e.response_times))
                for key, e in self.runner.stats.entries.items()}

    def _close_step(self) -> None:
        users = self.steps[self.index]
        if self.window is None:
            log.warning("step %d (%d users): never settled (users still starting); not measured", self.index + 1, users)
            return
        started, before, (busy0, total0) = self.window
        seconds = time.monotonic() - started
        busy1, total1 = _cpu_busy()
        groups: dict[str, dict[str, float]] = {}
        requests = 0
        for (name, method), (count, failures, times) in self._snapshot().items():
            count0, failures0, times0 = before.get((name, method), (0, 0, {}))
            n = count - count0
            if n <= 0:
                continue
            requests += 0 if method == RACE else n
            window = diff_response_time_dicts(times, times0)
            groups[name] = {"count": n, "failures": failures - failures0, "per_s": n / seconds,
                            "p50": calculate_response_time_percentile(window, n, 0.5),
                            "p95": calculate_response_time_percentile(window, n, 0.95),
                            "max": max(window) if window else 0}
        errors = {f"{e.name}: {e.error}": e.occurrences for e in self.runner.stats.errors.values()}
        decision = groups.get(COMPLETE, {})
        step = {"step": self.index + 1, "users": users, "seconds": round(seconds, 1),
                "requests_per_s": requests / seconds,
                "failures": sum(g["failures"] for g in groups.values()),
                "completions_per_s": decision.get("per_s", 0.0), "p50_complete_ms": decision.get("p50"),
                "p95_complete_ms": decision.get("p95"),
                "machine_cpu": (busy1 - busy0) / max(total1 - total0, 1e-9), "cpus": os.cpu_count(),
                "locust_cpu_percent": getattr(self.runner, "current_cpu_usage", None),
                "groups": groups, "errors_so_far": errors}
        log.warning("step %d: %d users, %.1f req/s, %.2f decisions/s, p95 decision %s ms, %d failures",
                    step["step"], users, step["requests_per_s"], step["completions_per_s"],
                    step["p95_complete_ms"], step["failures"])
        if self.results:
            with open(self.results, "a", encoding="utf-8") as out:
                out.write(json.dumps(step, ensure_ascii=False) + "\n")
        if decision and decision["p95"] > self.knee_ms:
            self.over = True
