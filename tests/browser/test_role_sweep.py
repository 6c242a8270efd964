"""The per-role sweep (issue 22, "Done when"): as each role — clerk, reviewer, head, supervisor,
admin — with real cases behind the pages (one in review with a claimed task, an approved item and a
correction asked for; one with every item approved, awaiting pickup), every page of
``api.web.PAGES`` the role may open, at 390 x 844 and at 1280 x 900, fails on

(a) an element that has the ``hidden`` attribute, or sits inside one, yet is visible by computed
    style (a box of some size, not ``visibility: hidden``);
(b) at 390 px, a page wider than the screen;
(c) a Latin-letter word in what the person reads (the body's text, and the placeholder, title,
    aria-label and value of the controls) that ALLOWED below does not name.

It also reads the pages after a refusal (an empty intake, an empty login, a date that does not
exist), since error texts are read too. Everything found is listed in the failure; a screenshot of
each page per role and width goes to tests/browser/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from api.web import PAGES
from tests.approvals import approval
from tests.browser.conftest import ARTIFACTS, LiveServer, assert_no_raw_error, sign_in
from tests.conftest import APPLICANT, application

VIEWPORTS = {"phone": (390, 844), "desk": (1280, 900)}
ROLES = {"clerk": "clerk", "reviewer": "scjg.reviewer", "head": "scjg.head", "supervisor": "supervisor",
         "admin": "admin", "agent": "agent", "monitor": "monitor"}

# What a Latin-letter token may be, each whole token (tokens are runs of letters, digits and
# - _ . / * : between other characters). Narrow on purpose: anything else fails the sweep.
ALLOWED: tuple[tuple[str, re.Pattern[str]], ...] = tuple((why, re.compile(pattern)) for why, pattern in (
    # Case numbers: the bundle's prefix, the day, the serial (CY-20261204-0001).
    ("case number", r"[A-Z]{2,8}-\d{8}-\d{4,6}"),
    # Unified social credit codes (GB 32100): 18 characters of digits and capitals, the business
    # licence's number among them; masked ones keep their ends.
    ("credit code", r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}"),
    ("masked credit code", r"[0-9A-Z]{4}\*{10}[0-9A-Z]{4}"),
    # Resident ID numbers (GB 11643) end in a check character that may be X; masked too.
    ("ID number", r"\d{17}[\dX]"),
    ("masked ID number", r"\d{4}\*{10}\d{3}[\dX]"),
    # Licence numbers as the reviewers typed them (tests/approvals.py writes JY…, and ITEM-2026-0001).
    ("food permit number", r"JY\d{14}"),
    ("licence number typed", r"[A-Z]{2,5}(\.[A-Z]{2,5})?-\d{4}-\d{4}"),
    # The check character of a resident ID number, as the intake's hint names it (末位可为 X).
    ("ID check character", r"X"),
    # Names of file formats and of the notation the modeler edits, which people use as they are.
    ("format name", r"BPMN|PDF|CSV|Excel|XLSX|SVG|JPEG|PNG"),
    # A file's size as the scanned materials list shows it (1.2MB, 380KB).
    ("file size", r"\d+(\.\d)?[KM]B"),
))
# What a page shows as a code (in a <code> element) may be a code the administrator types: a
# catalogue key, a bundle code, a login, a prefill source (person.address). Lower case only.
CODE = re.compile(r"[a-z][a-z0-9_]*(?:[.\-][a-z0-9_]+)*")
# Whole phrases taken out before the text is cut into tokens, each with why.
ALLOWED_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((why, re.compile(pattern)) for why, pattern in (
    # bpmn-js's licence requires its watermark, linked to bpmn.io, on every diagram it draws.
    ("bpmn-js watermark", r"Powered by bpmn\.io"),
    # Units of measurement in a field's label, as the catalogue writes them: 日用水量（m³）.
    ("unit in a label", r"（(?:m³/h|m³|mm|kVA|kWh|Mbps)）"),
))

# Pages whose role is not a reader of cases: what they are opened with.
CASE_PAGES = {"case", "receipt", "pickup"}


@dataclass(frozen=True)
class Refs:
    in_review: str
    awaiting_pickup: str
    task: str


@dataclass
class Finding:
    where: str
    hidden_shown: list[str]
    width: int | None
    latin: list[str]


def start_restaurant(server: LiveServer) -> dict[str, Any]:
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(server.engine)}
    return dict(server.call("POST", "/api/cases", body, login="clerk"))


def approve_everything(server: LiveServer, number: str) -> None:
    for _ in range(4):  # items open as their prerequisites are decided
        tasks = server.call("GET", f"/api/tasks?case={number}", login="supervisor")["items"]
        approvals = [t for t in tasks if t["kind"] == "approval"]
        if not approvals:
            return
        for task in approvals:
            server.call("POST", f"/api/tasks/{task['id']}/complete", approval(task),
                        login=f"{task['department']}.reviewer")


@pytest.fixture(scope="module")
def refs(live_server: LiveServer) -> Refs:
    """A case in review (the business licence approved, a correction asked by 消防, the food permit
    claimed by the 市场监管 reviewer) and one awaiting pickup."""
    server = live_server
    case = start_restaurant(server)
    number = case["number"]
    licence = next(t for t in case["open_tasks"] if t["item"] == "cy.yyzz")
    server.call("POST", f"/api/tasks/{licence['id']}/complete", approval(licence), login="scjg.reviewer")
    tasks = server.call("GET", f"/api/tasks?case={number}", login="supervisor")["items"]
    fire = next(t for t in tasks if t["item"] == "cy.xf" and t["kind"] == "approval")
    server.call("POST", f"/api/tasks/{fire['id']}/complete",
                {"decision": "correct", "materials": ["fire_safety_commitment"], "reason": "承诺书未签字"},
                login="xf.reviewer")
    permit = next(t for t in tasks if t["item"] == "cy.spjy" and t["kind"] == "approval")
    server.call("POST", f"/api/tasks/{permit['id']}/claim", login="scjg.reviewer")
    done = start_restaurant(server)
    approve_everything(server, done["number"])
    return Refs(number, done["number"], permit["id"])


def paths_for(role: str, refs: Refs) -> list[str]:
    """Every page of the workbench the role may open, its parameters filled with real references."""
    paths = []
    for page in PAGES:
        if page.name == "login" or (page.roles and role not in page.roles):
            continue
        if page.name in CASE_PAGES:
            refs_of_page = [refs.awaiting_pickup] if page.name == "pickup" else [refs.in_review, refs.awaiting_pickup]
            paths.extend("/app" + page.rule.replace("<string:ref>", ref) for ref in refs_of_page)
            continue
        rule = page.rule.replace("<string:code>", "restaurant").replace("<string:task_id>", refs.task)
        paths.append("/app" + rule)
    return paths


SWEEP_SCRIPT = """() => {
    const visible = (node) => {
        const style = getComputedStyle(node);
        const box = node.getBoundingClientRect();
        return style.display !== 'none' && style.visibility !== 'hidden' && box.width > 0 && box.height > 0;
    };
    const classes = (node) => typeof node.className === 'string' && node.className.trim()
        ? '.' + node.className.trim().replace(/\\s+/g, '.') : '';
    const describe = (node) => `${node.tagName.toLowerCase()}${node.id ? '#' + node.id : ''}${classes(node)}`;
    const hiddenShown = [...document.querySelectorAll('[hidden], [hidden] *')]
        .filter((node) => !['SCRIPT', 'STYLE', 'TEMPLATE', 'OPTION'].includes(node.tagName) && visible(node))
        .map((node) => `${describe(node)} «${(node.innerText || '').trim().slice(0, 60)}»`);
    const texts = [document.body.innerText];
    const labelled = '[placeholder], [title], [aria-label], input[type=button], input[type=submit]';
    for (const node of document.querySelectorAll(labelled)) {
        if (node.closest('[hidden]') || !visible(node)) continue;
        for (const name of ['placeholder', 'title', 'aria-label']) {
            if (node.getAttribute(name)) texts.push(node.getAttribute(name));
        }
        if (node.tagName === 'INPUT' && (node.type === 'button' || node.type === 'submit')) texts.push(node.value);
    }
    for (const select of document.querySelectorAll('select')) {
        if (!select.closest('[hidden]') && visible(select)) texts.push(...[...select.options].map((o) => o.text));
    }
    const codes = [...document.querySelectorAll('code')].filter((node) => visible(node)).map((node) => node.innerText);
    return {hiddenShown, text: texts.join('\\n'), codes, scrollWidth: document.documentElement.scrollWidth};
}"""

TOKEN = re.compile(r"[A-Za-z0-9_\-./*:]*[A-Za-z][A-Za-z0-9_\-./*:]*")


def latin_words(text: str, codes: Sequence[str] = ()) -> list[str]:
    """The tokens with a Latin letter that ALLOWED does not name, each with a little context;
    ``codes``: the texts of the page's <code> elements, taken out once each when they are codes."""
    found = []
    for code in codes:
        if CODE.fullmatch(code.strip()):
            text = text.replace(code.strip(), " ", 1)
    for _, phrase in ALLOWED_PHRASES:
        text = phrase.sub(" ", text)
    for match in TOKEN.finditer(text):
        token = match.group().strip(".:-/")
        if not re.search("[A-Za-z]", token) or any(pattern.fullmatch(token) for _, pattern in ALLOWED):
            continue
        context = text[max(0, match.start() - 20):match.end() + 20].replace("\n", "⏎")
        found.append(f"{token!r} in «{context}»")
    return found


@pytest.fixture
def screens(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """``screens(login, viewport)``: a page of that size, signed in through the login page (``None``:
    signed out); script errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_screen(login: str | None, viewport: str) -> Any:
        width, height = VIEWPORTS[viewport]
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport={"width": width, "height": height},
                                      is_mobile=viewport == "phone", has_touch=viewport == "phone")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(f"{page.url}: {err}"))
        if login is not None:
            sign_in(page, live_server, login)
            page.wait_for_load_state("networkidle")
        return page

    yield open_screen
    for context in contexts:
        context.close()
    assert not errors, errors


def read(page: Any, where: str, viewport: str) -> Finding:
    page.wait_for_load_state("networkidle")
    assert_no_raw_error(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"role_sweep-{where.replace('/', '_')}.png"), full_page=True)
    seen = page.evaluate(SWEEP_SCRIPT)
    width = VIEWPORTS[viewport][0]
    return Finding(where, list(seen["hiddenShown"]), seen["scrollWidth"] if viewport == "phone" and
                   seen["scrollWidth"] > width else None, latin_words(seen["text"], seen["codes"]))


def report(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        if f.hidden_shown:
            lines.append(f"{f.where}: shown though hidden: {f.hidden_shown[:8]}")
        if f.width is not None:
            lines.append(f"{f.where}: {f.width} px wide at 390")
        if f.latin:
            lines.append(f"{f.where}: Latin words: {f.latin[:40]}")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_the_role_is_chinese_fits_and_hides_what_it_hides(screens: Any, live_server: LiveServer,
                                                                       refs: Refs, role: str, viewport: str) -> None:
    page = screens(ROLES[role], viewport)
    paths = paths_for(role, refs)
    findings = []
    for path in paths:
        page.goto(live_server.url + path)
        findings.append(read(page, f"{role}-{viewport}{path.removeprefix('/app')}", viewport))
    print(f"{role} at {viewport}: {len(paths)} pages swept")
    assert len(paths) >= 5, paths
    problems = report(findings)
    (ARTIFACTS / f"role_sweep-{role}-{viewport}.txt").write_text(problems or "nothing found\n", encoding="utf-8")
    assert not problems, problems


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_refusals_read_in_chinese(screens: Any, live_server: LiveServer, viewport: str) -> None:
    """What the pages show after a 4xx or a check before sending: an empty login, an empty intake,
    a date that does not exist in the case search, the dashboard and the calendar."""
    findings = []
    visitor = screens(None, viewport)
    visitor.goto(live_server.url + "/app/login")
    visitor.click("#login-form button[type=submit]")
    visitor.wait_for_selector("#flash .notice.error")
    findings.append(read(visitor, f"anonymous-{viewport}/login-empty", viewport))
    visitor.goto(live_server.url + "/app/no-such-page")
    findings.append(read(visitor, f"anonymous-{viewport}/not-found", viewport))

    clerk = screens("clerk", viewport)
    clerk.goto(live_server.url + "/app/window/new/restaurant")
    clerk.wait_for_selector("#accept")
    clerk.wait_for_load_state("networkidle")
    clerk.click("#accept")
    clerk.wait_for_selector("#flash .notice.error")
    findings.append(read(clerk, f"clerk-{viewport}/intake-empty", viewport))
    clerk.goto(live_server.url + "/app/cases")
    clerk.wait_for_load_state("networkidle")  # the page's script holds the form before it is used
    clerk.fill("#from", "2026-02-30")
    clerk.click("#case-filter button[type=submit]")
    clerk.wait_for_selector("#flash .notice.error")
    assert "年-月-日" in clerk.inner_text("[data-error-for=from]")
    findings.append(read(clerk, f"clerk-{viewport}/cases-bad-date", viewport))

    admin = screens("admin", viewport)
    admin.goto(live_server.url + "/app/dashboard")
    admin.wait_for_load_state("networkidle")
    admin.fill("#from", "2026-12-31")
    admin.fill("#to", "2026-01-01")
    admin.click("#report-filter button[type=submit]")
    admin.wait_for_selector("#flash .notice.error")
    findings.append(read(admin, f"admin-{viewport}/dashboard-reversed", viewport))
    admin.goto(live_server.url + "/app/admin/calendar")
    admin.wait_for_load_state("networkidle")
    admin.click("#override button[type=submit]")
    admin.wait_for_selector("#flash .notice.error")
    findings.append(read(admin, f"admin-{viewport}/calendar-empty", viewport))
    problems = report(findings)
    assert not problems, problems


def test_the_sweep_sees_what_it_looks_for(screens: Any, live_server: LiveServer) -> None:
    """The three checks are not vacuous: a hidden element forced visible, a Latin word, a page too
    wide for the phone are each reported (the allowed tokens are not)."""
    page = screens(None, "phone")
    page.goto(live_server.url + "/app/login")
    page.wait_for_selector("#login-form")
    page.evaluate("""() => {
        const shown = document.createElement('p');
        shown.hidden = true;
        shown.id = 'forced';
        shown.style.setProperty('display', 'block', 'important');  // beats the style sheet's [hidden] rule
        shown.textContent = '已受理 CY-20261204-0001 Submitted';
        const wide = document.createElement('div');
        wide.style.width = '800px';
        wide.textContent = '宽';
        document.querySelector('main').append(shown, wide);
    }""")
    found = read(page, "anonymous-phone/self-check", "phone")
    assert any(item.startswith("p#forced") for item in found.hidden_shown), found
    assert found.width is not None and found.width >= 800, found
    assert [word.split(" in ")[0] for word in found.latin] == ["'Submitted'"], found.latin
