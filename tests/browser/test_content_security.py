"""The workbench works under its Content-Security-Policy: what a page loads or applies against the
policy is reported by Chromium as a console error, which fails the desk (conftest.Desk)."""

from __future__ import annotations

from typing import Any

SELECT_TWO_TASKS = """() => { const m = window.onethingModeler;
  const tasks = m.get("elementRegistry").filter((e) => e.type === "bpmn:UserTask").slice(0, 2);
  m.get("selection").select(tasks); return tasks.length; }"""


def test_the_modelers_align_menu_draws_its_inline_styled_icons(desks: Any) -> None:
    """bpmn-js draws the align menu's icons as markup with style attributes: the modeler page's
    policy allows inline styles (the other pages' does not)."""
    admin = desks("admin")
    page = admin.open("/app/admin/flows/restaurant/modeler")
    page.wait_for_selector('#canvas [data-element-id="pickup"]')
    policy = page.evaluate("async () => (await fetch(location.href)).headers.get('content-security-policy')")
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self';" in policy
    assert page.evaluate(SELECT_TWO_TASKS) == 2
    page.locator('.djs-context-pad .entry[data-action="align-elements"]').click()
    page.wait_for_selector(".djs-popup .entry svg line", state="attached")
    # Applied, not merely present: without the style attribute an SVG line has no stroke.
    strokes = page.evaluate("""() => [...document.querySelectorAll('.djs-popup .entry svg line[style]')]
      .map((line) => getComputedStyle(line).stroke)""")
    assert strokes and "none" not in strokes, strokes
    admin.shot("modeler-align-menu")


def test_pages_refuse_an_inline_script(desks: Any) -> None:
    """The policy is in force: a script written into a page by markup does not run."""
    clerk = desks("clerk")
    page = clerk.open("/app/cases")
    ran = page.evaluate("""() => { window.injected = false; const div = document.createElement("div");
      div.innerHTML = '<img src="data:," onerror="window.injected = true">';
      document.body.appendChild(div); return new Promise((done) => setTimeout(() => done(window.injected), 300)); }""")
    assert ran is False
    clerk.page_errors[:] = [e for e in clerk.page_errors if "Content Security Policy" not in e]
