"""The notices as PDF: every kind prints its title, the case's particulars and its tables in Chinese with
the font embedded, user text prints literally, long tables run onto numbered pages, and the QR code
decodes to the status address."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

from engine.documents.notice_pdf import NoticeFontMissing, find_cjk_font, render_notice
from engine.domain.notices import Notice, NoticeKind, NoticeSection, NoticeTable

try:
    FONT = find_cjk_font()
except NoticeFontMissing as missing:
    pytest.skip(f"no CJK font to render notices with: {missing}", allow_module_level=True)

CASE = "CY-20261205-00001"
STATUS_URL = f"https://zwfw.example.gov.cn/onething/status?case={CASE}&token=k3Jd9x"
# 02:30 UTC is 10:30 in Beijing.
ISSUED = datetime(2026, 12, 5, 2, 30, tzinfo=UTC)
ISSUED_TEXT = "2026年12月05日 10:30"
SIGN = "申请人（签字）：__________　日期：__________"

MATERIALS = NoticeTable(
    ("序号", "材料名称", "份数", "形式"),
    (("1", "营业执照申请书", "1", "原件"),
     ("2", "食品经营许可申请书", "1", "原件"),
     ("3", "经营场所使用证明（租赁合同或房产证明）", "1", "复印件"),
     ("4", "法定代表人身份证件", "1", "复印件")),
)

LONG_GUIDE = NoticeTable(
    ("序号", "材料名称", "要求", "受理部门"),
    tuple((str(n), f"材料第{n}项：餐饮服务食品安全管理制度及从业人员健康证明",
           "须加盖申请单位公章，复印件注明“与原件一致”并由经办人签字；外文材料须附中文译本，"
           "逾期未补齐的视为放弃申请。", "市场监督管理局")
          for n in range(1, 41)),
)

SECTIONS: dict[NoticeKind, tuple[NoticeSection, ...]] = {
    NoticeKind.RECEIPT: (
        NoticeSection("一、受理情况", ("您申请的开办餐饮店一件事已于今日受理，承诺于5个工作日内办结。",), MATERIALS),
    ),
    NoticeKind.ONE_TIME: (
        NoticeSection("一、办理须知", ("请按下列清单一次性准备全部材料。",), LONG_GUIDE),
    ),
    NoticeKind.CORRECTION: (
        NoticeSection("一、需补正的材料", ("请于2026年12月12日前补正下列材料，逾期视为撤回申请。",),
                      NoticeTable(("部门", "补正内容"), (("卫生健康委员会", "从业人员健康证明已过期，请重新提交"),))),
    ),
    NoticeKind.TOLERANCE: (
        NoticeSection("一、容缺材料", ("申请人承诺在约定期限内补齐下列材料，逾期未补齐的，已作出的决定予以撤销。",),
                      NoticeTable(("材料名称", "补交期限"), (("消防安全检查合格证明", "2026年12月20日"),))),
    ),
    NoticeKind.REFUSAL: (
        NoticeSection("一、不予许可的理由",
                      ("经营场所与居民住宅楼共用烟道，不符合《食品经营许可审查通则》第十二条的规定。",)),
        NoticeSection("二、救济途径", ("如不服本决定，可以自收到本决定书之日起 60 日内向某市人民政府申请行政复议，"
                                     "或者在 6 个月内向某区人民法院提起行政诉讼。",)),
    ),
    NoticeKind.HANDOVER: (
        NoticeSection("一、办理结果", (), NoticeTable(("证照名称", "证照编号", "份数"),
                                                   (("营业执照", "91310000MA1K4XYZ7Q", "正本1份、副本1份"),
                                                    ("食品经营许可证", "JY13101150012345", "1")))),
    ),
    NoticeKind.ELICENCES: (
        NoticeSection("食品经营许可证", ("证照编号：JY13101150012345", "持证主体：小明面馆",
                                         "发证机关：市场监督管理局")),
    ),
}

# One text from each kind's own content (a table cell where it has one) that must print.
OWN_TEXT: dict[NoticeKind, str] = {
    NoticeKind.RECEIPT: "食品经营许可申请书",
    NoticeKind.ONE_TIME: "市场监督管理局",
    NoticeKind.CORRECTION: "从业人员健康证明已过期",
    NoticeKind.TOLERANCE: "消防安全检查合格证明",
    NoticeKind.REFUSAL: "行政复议",
    NoticeKind.HANDOVER: "91310000MA1K4XYZ7Q",
    NoticeKind.ELICENCES: "JY13101150012345",
}

SIGNATURES: dict[NoticeKind, tuple[str, ...]] = {
    NoticeKind.TOLERANCE: (SIGN,),
    NoticeKind.HANDOVER: ("申请人（签收）：__________　日期：__________", "经办人：__________"),
}


def notice(kind: NoticeKind, **changes: Any) -> Notice:
    made = Notice(kind=kind, centre="某市政务服务中心", case_number=CASE, status_url=STATUS_URL, issued_at=ISSUED,
                  applicant="李芳", bundle="开办餐饮店一件事", sections=SECTIONS[kind],
                  signatures=SIGNATURES.get(kind, ()))
    return replace(made, **changes)


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """The extracted text without line breaks and spaces, for text that a table cell may wrap."""
    return "".join(text.split())


def test_every_kind_has_a_notice_here() -> None:
    assert set(SECTIONS) == set(NoticeKind)


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_each_kind_prints_its_title_particulars_and_content(kind: NoticeKind) -> None:
    made = notice(kind)
    data = render_notice(made, FONT)

    assert data.startswith(b"%PDF-")
    first = pages_text(data)[0]
    for expected in (made.title, "某市政务服务中心", CASE, "李芳", "开办餐饮店一件事", ISSUED_TEXT, "扫码查询办理进度",
                     "第 1 页"):
        assert expected in first
    everything = flat("".join(pages_text(data)))
    assert flat(OWN_TEXT[kind]) in everything
    for line in made.signatures:
        assert flat(line) in everything


def test_the_metadata_names_the_notice_and_the_centre() -> None:
    metadata = pypdf.PdfReader(io.BytesIO(render_notice(notice(NoticeKind.RECEIPT), FONT))).metadata
    assert metadata is not None
    assert metadata.title == f"受理回执 {CASE}"
    assert metadata.author == "某市政务服务中心"


def test_the_refusal_tells_the_remedies() -> None:
    text = flat(pages_text(render_notice(notice(NoticeKind.REFUSAL), FONT))[0])
    assert "60日内向某市人民政府申请行政复议" in text
    assert "6个月内向某区人民法院提起行政诉讼" in text


def embedded_fonts(page: pypdf.PageObject) -> dict[str, bool]:
    """Each font of the page by its name, and whether its glyphs are embedded as TrueType: a Type0 font
    has them in its descendant font's descriptor, a simple TrueType font (how ReportLab writes its
    subsets) in its own."""
    fonts: dict[str, bool] = {}
    for reference in page["/Resources"]["/Font"].values():
        font = reference.get_object()
        holders = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
        fonts[str(font["/BaseFont"])] = all(
            "/FontFile2" in holder["/FontDescriptor"].get_object() for holder in holders if "/FontDescriptor" in holder
        ) and any("/FontDescriptor" in holder for holder in holders)
    return fonts


def test_the_font_is_embedded_as_a_subset() -> None:
    data = render_notice(notice(NoticeKind.RECEIPT), FONT)
    fonts = embedded_fonts(pypdf.PdfReader(io.BytesIO(data)).pages[0])
    assert fonts
    assert all(fonts.values()), fonts
    # A subset's name carries a six-letter tag, and a subset is far smaller than the font file.
    assert all(name.lstrip("/")[6:7] == "+" for name in fonts), fonts
    assert len(data) < FONT.stat().st_size / 10


def test_a_long_table_runs_onto_numbered_pages_with_its_header_repeated() -> None:
    texts = pages_text(render_notice(notice(NoticeKind.ONE_TIME), FONT))

    assert len(texts) >= 2
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页" in text
        assert CASE in text
    assert "材料名称" in texts[1]
    assert flat("材料第40项") in flat(texts[-1])
    assert "材料第40项" not in flat(texts[0])


def test_user_text_prints_literally() -> None:
    odd = "李芳<b>&amp;"
    reason = NoticeSection("一、理由", ("申请面积 < 50㎡ & 无独立后厨",),
                           NoticeTable(("项目", "说明"), (("<i>烟道</i>", "A&B"),)))
    texts = pages_text(render_notice(notice(NoticeKind.REFUSAL, applicant=odd, sections=(reason,)), FONT))

    assert f"申请人：{odd}" in texts[0]
    assert "申请面积 < 50㎡ & 无独立后厨" in texts[0]
    assert "<i>烟道</i>" in texts[0]
    assert "A&B" in texts[0]


def test_the_qr_code_leads_to_the_status_page() -> None:
    data = render_notice(notice(NoticeKind.RECEIPT), FONT)
    document = pdfium.PdfDocument(data)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()

    results = zxingcpp.read_barcodes(image)
    assert [result.text for result in results] == [STATUS_URL]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode


def test_the_same_notice_gives_the_same_bytes() -> None:
    made = notice(NoticeKind.HANDOVER)
    assert render_notice(made, FONT) == render_notice(made, FONT)


def test_a_naive_issue_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_notice(notice(NoticeKind.RECEIPT, issued_at=datetime(2026, 12, 5, 10, 30)), FONT)


def test_a_table_row_of_the_wrong_length_is_refused() -> None:
    broken = NoticeSection("一、材料", (), NoticeTable(("序号", "材料名称"), (("1", "营业执照申请书", "多余"),)))
    with pytest.raises(ValueError, match="row 1 has 3 cells for 2 columns"):
        render_notice(notice(NoticeKind.RECEIPT, sections=(broken,)), FONT)


def test_a_configured_font_that_does_not_exist_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "fonts" / "simsun.ttc"
    with pytest.raises(NoticeFontMissing, match=re.escape(str(missing))):
        find_cjk_font(str(missing))


def test_a_configured_font_is_used() -> None:
    assert find_cjk_font(str(FONT)) == FONT


@pytest.mark.parametrize("head", [b"OTTO\x00\x0a", b"ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10OTTO"])
def test_a_font_with_postscript_outlines_is_refused(tmp_path: Path, head: bytes) -> None:
    # ReportLab embeds only TrueType outlines, as Debian's Noto CJK collection (CFF) shows.
    font = tmp_path / "NotoSansCJK-Regular.ttc"
    font.write_bytes(head + bytes(64))
    with pytest.raises(NoticeFontMissing, match="PostScript"):
        find_cjk_font(str(font))


def test_a_file_that_is_not_a_font_is_refused(tmp_path: Path) -> None:
    font = tmp_path / "broken.ttf"
    font.write_bytes(b"\x00\x01\x00\x00" + bytes(8))
    with pytest.raises(NoticeFontMissing, match=r"broken\.ttf"):
        render_notice(notice(NoticeKind.RECEIPT), font)
