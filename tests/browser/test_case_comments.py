"""部门会商 at the desks: a 市场监管 reviewer writes a comment on the task page and asks 消防 to read
it; 消防's inbox marks the case, its reviewer reads the comment on their own task page and replies,
asking the window; the window's desk names the case, and the clerk sees both (the reply under the
comment) on the case page and in its timeline; a supervisor reads without a form; at 390 px the
section and the timeline fit the screen. Screenshots of each step."""

from __future__ import annotations

import re
from typing import Any

from tests.approvals import approval
from tests.browser.conftest import LiveServer
from tests.conftest import APPLICANT, application

QUESTION = "店面位于商业综合体二层，请消防确认疏散通道是否满足要求。"
ANSWER = "已核对图纸，疏散通道满足要求，可以办理。"


def comment_texts(page: Any) -> list[str]:
    return [str(t) for t in page.eval_on_selector_all(".comment-text", "nodes => nodes.map((n) => n.textContent)")]


def test_two_departments_and_the_window_talk_on_a_case(desks: Any, live_server: LiveServer) -> None:
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(live_server.engine)}
    case = live_server.call("POST", "/api/cases", body, login="clerk")
    number = case["number"]
    licence = next(t for t in case["open_tasks"] if t["item"] == "cy.yyzz")

    scjg = desks("scjg.reviewer")
    page = scjg.open(f"/app/tasks/{licence['id']}")
    page.wait_for_selector("#comment-form")
    assert page.inner_text("#case-comments h2") == "部门会商"
    assert page.inner_text("#comment-total") == "暂无会商意见"
    # Nothing written: a Chinese error beside the field, nothing sent.
    page.click("#comment-submit")
    page.wait_for_selector("#comment-error:not([hidden])")
    assert "请填写会商意见" in page.inner_text("#comment-error")
    assert page.inner_text("[data-error-for=text]") == "请填写会商意见"
    scjg.shot("empty")
    # Too long: the count turns red and the server's limit is said before sending.
    page.fill("#comment-text", "长" * 1001)
    assert page.inner_text("#comment-count") == "1001 / 1000 字"
    assert "over" in str(page.get_attribute("#comment-count", "class"))
    page.click("#comment-submit")
    page.wait_for_selector("#comment-error:has-text('不能超过 1000 个字')")
    page.fill("#comment-text", QUESTION)
    assert page.inner_text("#comment-count") == f"{len(QUESTION)} / 1000 字"
    options = page.eval_on_selector_all("#comment-mention option", "nodes => nodes.map((n) => n.textContent)")
    assert options == ["不提请", "综合窗口", "城市管理（综合执法）局", "市场监督管理局", "卫生健康委", "消防救援机构"]
    page.select_option("#comment-mention", "xf")
    page.click("#comment-submit")
    page.wait_for_selector("#comment-done:has-text('已发表会商意见')")
    assert page.is_hidden("#comment-error")
    assert comment_texts(page) == [QUESTION]
    meta = page.inner_text(".comment-meta")
    assert "市场监督管理局审批员（演示）" in meta and "（市场监督管理局）" in meta
    assert re.search(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}", meta), meta
    assert page.inner_text(".comment-mention") == "提请 消防救援机构 阅看"
    assert page.input_value("#comment-text") == ""
    # The page's timeline shows it at once, without a reload.
    page.wait_for_selector("#case-timeline li:has-text('会商意见')")
    assert f"{QUESTION}（提请消防救援机构阅看）" in page.inner_text("#case-timeline")
    scjg.shot("written")

    # The licence approved, 消防's fire inspection opens; its inbox marks the case.
    live_server.call("POST", f"/api/tasks/{licence['id']}/complete", approval("cy.yyzz"), login="scjg.reviewer")
    fire = next(t for t in live_server.call("GET", f"/api/tasks?case={number}", login="xf.reviewer")["items"]
                if t["item"] == "cy.xf")
    xf = desks("xf.reviewer")
    inbox = xf.open("/app/inbox")
    inbox.wait_for_selector(f"tr[data-case='{number}'] .mention-mark")
    assert inbox.inner_text(f"tr[data-case='{number}'] .mention-mark") == "有会商意见（1）"
    assert inbox.inner_text("#mentions") == f"会商意见提请本部门阅看：{number}（1 条）"
    xf.shot("inbox")

    page = xf.open(f"/app/tasks/{fire['id']}")
    page.wait_for_selector(".comment")
    assert comment_texts(page) == [QUESTION]
    page.click(".comment-reply")
    page.wait_for_selector(".comment-replying")
    assert "回复 市场监督管理局审批员（演示）（市场监督管理局）的意见" in page.inner_text(".comment-replying")
    assert page.inner_text("#comment-submit") == "发表回复"
    page.fill("#comment-text", ANSWER)
    page.select_option("#comment-mention", "window")
    page.click("#comment-submit")
    page.wait_for_selector("#comment-done:has-text('已发表回复')")
    # The reply sits under the comment it answers.
    assert page.inner_text(".comments > .comment .replies .comment-text") == ANSWER
    assert page.query_selector(".comment-replying") is None  # back to a new comment
    xf.shot("replied")

    # The reply asked the window: the clerk's desk names the case and links to its comments.
    clerk = desks("clerk")
    page = clerk.open("/app/window")
    page.wait_for_selector("#mentions")
    assert page.inner_text("#mentions") == f"会商意见提请本部门阅看：{number}（1 条）"
    clerk.shot("window")
    page.click(f"#mentions a:has-text('{number}')")
    page.wait_for_url(re.compile(r".*#case-comments$"))
    page.wait_for_selector(".comments .replies .comment")
    assert comment_texts(page) == [QUESTION, ANSWER]
    assert page.inner_text("#comment-total") == "共 2 条会商意见"
    replied = page.inner_text(".replies .comment-meta")
    assert "消防救援机构审批员（演示）" in replied and "（消防救援机构）" in replied
    page.wait_for_selector("#case-timeline li:has-text('会商意见')")
    timeline = page.inner_text("#case-timeline")
    assert timeline.count("会商意见") == 2, timeline
    assert f"{QUESTION}（提请消防救援机构阅看）" in timeline
    assert f"回复市场监督管理局审批员（演示）：{ANSWER}（提请综合窗口阅看）" in timeline
    assert page.is_visible("#comment-form")  # the window writes too
    clerk.shot("case")

    supervisor = desks("supervisor")
    page = supervisor.open(f"/app/cases/{number}")
    page.wait_for_selector(".comment")
    assert comment_texts(page) == [QUESTION, ANSWER]
    assert page.query_selector("#comment-form") is None and page.query_selector(".comment-reply") is None
    assert "只能查看会商意见" in page.inner_text("#comment-readonly")
    supervisor.shot("supervisor")


def test_the_comments_fit_a_phone(desks: Any, live_server: LiveServer) -> None:
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(live_server.engine)}
    case = live_server.call("POST", "/api/cases", body, login="clerk")
    first = live_server.call("POST", f"/api/cases/{case['number']}/comments",
                             {"text": "很长的一段会商意见" * 30 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 4, "mention": "xf"},
                             login="scjg.reviewer")
    reply = live_server.call("POST", f"/api/cases/{case['number']}/comments",
                             {"text": "回复", "reply_to": first["id"]}, login="xf.reviewer")
    live_server.call("POST", f"/api/cases/{case['number']}/comments",
                     {"text": "再回复", "reply_to": reply["id"]}, login="clerk")
    clerk = desks("clerk")
    clerk.page.set_viewport_size({"width": 390, "height": 844})
    page = clerk.open(f"/app/cases/{case['number']}")
    page.wait_for_selector(".replies .replies .comment")
    page.locator("#case-comments").scroll_into_view_if_needed()
    page.wait_for_selector("#case-timeline li:has-text('会商意见')")
    # The page, the section and everything in it within the screen; the timeline too, where the
    # comment's long word must wrap.
    width = page.evaluate("""() => {
        const box = document.getElementById('case-comments').getBoundingClientRect();
        return {section: box.right, page: document.documentElement.scrollWidth,
                widest: Math.max(...[...document.querySelectorAll('#case-comments *')]
                    .map((n) => n.getBoundingClientRect().right)),
                timeline: document.getElementById('case-timeline').scrollWidth};
    }""")
    assert width["page"] <= 390 and width["section"] <= 390 and width["widest"] <= 390, width
    assert width["timeline"] <= 390, width
    clerk.shot("phone")
