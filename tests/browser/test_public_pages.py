"""The public pages at phone width (390 x 844), no login: the list of bundles, a bundle's guide (一次
告知) and 办件查询 fit the screen with nothing scrolling sideways, read in Chinese, and the guide
tells every item, material and form question of the bundle."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, assert_no_raw_error, phone_page
from tests.browser.test_phone_width import WIDTH, measure
from tests.conftest import SHIPPED_BUNDLES


def test_the_guides_and_the_status_page_fit_a_phone(browser: Any, live_server: LiveServer, tmp_path: Any) -> None:
    with phone_page(browser) as (page, errors):
        page.goto(live_server.url + "/guide")
        page.wait_for_selector(".guide-list li")
        assert page.locator(".guide-list li").count() == SHIPPED_BUNDLES
        assert "开办餐饮店一件事" in page.inner_text(".guide-list")
        page.click("text=开办餐饮店一件事")
        page.wait_for_selector(".guide-items li")
        body = page.inner_text("#guide-body")
        for words in ("公众聚集场所投入使用、营业前消防安全检查", "消防救援机构", "经营场所平面图", "可告知承诺",
                      "可由政府已有的登记信息核验代替", "营业执照", "个工作日", "申请表"):
            assert words in body, words
        page.screenshot(path=str(tmp_path / "guide.png"), full_page=True)
        for path in ("/guide", "/guide/restaurant", "/status/CY-20260924-00001"):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert_no_raw_error(page)
            found = measure(page)
            assert found["scroll"] <= WIDTH and not found["wide"], (path, found)
        page.goto(live_server.url + "/guide/nope")
        page.wait_for_selector("#guide-body .notice.error")
        assert "没有这个一件事" in page.inner_text("#guide-body")
    assert not errors, errors
