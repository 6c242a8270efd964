"""The savings charts are well-formed SVG with Chinese labels, escaped text and the same bytes for
the same input."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from engine.domain.savings import CaseSavings, Figure
from engine.domain.savings_charts import (
    AFTER_COLOUR,
    BEFORE_COLOUR,
    before_after_chart,
    targets_chart,
    time_histogram_chart,
)
from engine.domain.savings_summary import compare_with_targets, summarize

SVG = "{http://www.w3.org/2000/svg}"


def _case(number: str, trips: float, days: float) -> CaseSavings:
    return CaseSavings("restaurant", number, "window", "window", trips=Figure(10, trips), steps=Figure(17, 7),
                       time_days=Figure(48, days), materials=Figure(35, 6), fields=Figure(100, 26),
                       fees=Figure(60, 60), fields_prefilled_share=0.6)


CASES = [_case("CY-1", 1, 2), _case("CY-2", 3, 6), _case("CY-3", 2, 13)]
SUMMARY = summarize(CASES, "restaurant")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def texts(svg: str) -> list[str]:
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_before_after_chart() -> None:
    svg = before_after_chart("开办餐饮店一件事", SUMMARY)
    root = parse(svg)
    assert root.get("width") == "720" and root.get("viewBox") == "0 0 720 380"
    assert "Noto Sans CJK SC" in (root.get("font-family") or "") and "sans-serif" in (root.get("font-family") or "")
    assert root.find(f"{SVG}title") is not None
    labels = texts(svg)
    assert "开办餐饮店一件事：办理前后对比" in labels
    for label in ("跑动（次）", "环节（个）", "时间（工作日）", "材料（份）", "表单（项）", "单独办理", "一件事办理"):
        assert label in labels
    assert "减少 80%" in labels  # trips: mean 2 of 10
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") in (BEFORE_COLOUR, AFTER_COLOUR)]
    assert len(bars) == 2 * 5 + 2  # two bars per figure, and the legend's two swatches


def test_before_after_chart_of_one_case() -> None:
    labels = texts(before_after_chart("开办餐饮店一件事", CASES[1]))
    assert "办件 CY-2（各指标按自身数值缩放）" in labels and "减少 70%" in labels


def test_text_is_escaped_and_output_deterministic() -> None:
    name = "<b>&\"餐饮'\x01"
    svg = before_after_chart(name, SUMMARY)
    assert "<b>" not in svg
    assert "<b>&\"餐饮'：办理前后对比" in texts(svg)
    assert svg == before_after_chart(name, SUMMARY)


def test_targets_chart() -> None:
    svg = targets_chart("开办餐饮店一件事：与公布目标对比", compare_with_targets(SUMMARY))
    labels = texts(svg)
    for label in ("减跑动", "减环节", "减时间", "减材料", "表单免填写"):
        assert label in labels
    assert "80%（目标 83%，未达标）" in labels  # trips
    assert "60%（目标 50%，达标）" in labels  # pre-filled share
    assert svg == targets_chart("开办餐饮店一件事：与公布目标对比", compare_with_targets(SUMMARY))


def test_targets_chart_without_data() -> None:
    assert "无数据" in texts(targets_chart("全部", compare_with_targets(summarize([]))))


def test_time_histogram_chart() -> None:
    labels = texts(time_histogram_chart("办理时间分布", SUMMARY))
    assert "办理时间分布" in labels
    assert "共 3 件；中位数 6 个工作日，90% 的办件不超过 11.6 个工作日" in labels  # p90: 6 + 0.8 × (13 − 6)
    for label in ("当日", "2–3 个工作日", "6–10 个工作日", "11–20 个工作日", "20 个工作日以上"):
        assert label in labels


def test_time_histogram_chart_without_cases() -> None:
    assert "暂无办结办件" in texts(time_histogram_chart("办理时间分布", summarize([])))
