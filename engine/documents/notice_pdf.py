"""The official notices (``engine.domain.notices``) rendered as A4 PDF, ready to print or hand over.

ReportLab is used because it is maintained, embeds TrueType fonts as subsets (the Chinese glyphs of a
notice, not a whole CJK font), draws QR codes with its own widget, and is pure Python plus its own C
accelerators: it needs no system libraries such as the Pango/Cairo stack WeasyPrint depends on.

The font is a system font with Chinese glyphs (``find_cjk_font``); it is loaded and registered with
ReportLab on first use, never at import time, once per process per path.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from engine.domain.notices import Notice, NoticeTable

__all__ = ["FONT_CANDIDATES", "NoticeFontMissing", "find_cjk_font", "render_notice"]

FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    # Debian's Noto CJK collection has CFF (PostScript) outlines, which ReportLab cannot embed; it is
    # kept in the list for a TrueType build of it and skipped otherwise (see _has_truetype_outlines).
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 22 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
QR_SIZE = 26 * mm
CELL_PADDING = 4
HEADER_SHADE = colors.HexColor("#E6E6E6")


class NoticeFontMissing(Exception):
    """No usable font with Chinese glyphs: without one every Chinese character would print blank."""


def _has_truetype_outlines(path: Path) -> bool:
    """Whether the first face of the font (or collection) has TrueType outlines, by its header only:
    ReportLab embeds only those, and reading a few bytes avoids loading a 20 MB collection to know."""
    with path.open("rb") as f:
        head = f.read(16)
        if head[:4] == b"ttcf" and len(head) == 16:
            f.seek(int.from_bytes(head[12:16], "big"))
            head = f.read(4)
    return head[:4] != b"OTTO"


def find_cjk_font(configured: str | None = None) -> Path:
    """The TrueType font (or collection) with Chinese glyphs to embed: ``configured`` when given (for
    ONETHING_PDF_FONT), else the first of the Debian ``FONT_CANDIDATES`` that exists and ReportLab can
    embed. Raises NoticeFontMissing naming what is wrong and how to fix it."""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise NoticeFontMissing(f"the configured PDF font {configured} does not exist (ONETHING_PDF_FONT)")
        if not _has_truetype_outlines(path):
            raise NoticeFontMissing(f"the configured PDF font {configured} has PostScript (CFF) outlines; "
                                    "ReportLab embeds only TrueType fonts such as wqy-microhei.ttc")
        return path
    for candidate in FONT_CANDIDATES:
        if candidate.is_file() and _has_truetype_outlines(candidate):
            return candidate
    raise NoticeFontMissing("no TrueType font with Chinese glyphs found for the PDF notices: install the Debian "
                            "package fonts-wqy-microhei or set ONETHING_PDF_FONT to a .ttf/.ttc font")


_registered: dict[str, str] = {}
_register_lock = threading.Lock()


def registered_font(font: Path) -> str:
    """The ReportLab name of the font at this path, registering it on first use. The name is derived
    from the path so that two paths never share a name in ReportLab's process-wide font registry."""
    key = str(font.resolve())
    with _register_lock:
        name = _registered.get(key)
        if name is None:
            name = "NoticeCJK-" + hashlib.sha256(key.encode()).hexdigest()[:10]
            try:
                pdfmetrics.registerFont(TTFont(name, key, subfontIndex=0))
            except Exception as err:  # ReportLab's parser raises whatever a malformed file trips
                raise NoticeFontMissing(f"the PDF font {font} cannot be used: {err}") from err
            _registered[key] = name
        return name


def markup(text: str) -> str:
    """Plain user text as Paragraph markup: escaped, so names and reasons print literally, with its
    line breaks kept (Paragraph would otherwise fold them into spaces)."""
    return escape(text).replace("\n", "<br/>")


class Styles:
    """The paragraph styles of a notice; all wrap CJK text (breaks between any two Chinese characters)."""

    def __init__(self, font: str) -> None:
        def style(name: str, size: float, **kw: object) -> ParagraphStyle:
            kw.setdefault("leading", size * 1.5)
            return ParagraphStyle(name, fontName=font, fontSize=size, wordWrap="CJK", **kw)

        self.centre = style("centre", 12, alignment=TA_CENTER)
        self.title = style("title", 22, alignment=TA_CENTER, spaceBefore=4)
        self.caption = style("caption", 7, alignment=TA_CENTER, leading=9)
        self.info = style("info", 9.5)
        self.heading = style("heading", 12, spaceBefore=10, spaceAfter=4, keepWithNext=1)
        # Official Chinese prose indents each paragraph by two characters.
        self.body = style("body", 10.5, firstLineIndent=21, spaceAfter=3)
        self.cell = style("cell", 9.5, leading=13)
        self.head_cell = style("head_cell", 9.5, leading=13, alignment=TA_CENTER)
        self.signature = style("signature", 10.5, spaceBefore=14)


def _qr(url: str, font: str) -> Drawing:
    """The QR code of the status address, drawn as vectors; level M survives a worn printout, and the
    widget's default quiet zone of four modules keeps it readable next to the title. The drawing
    would otherwise select Helvetica, listed among the page's fonts yet not embedded."""
    widget = QrCodeWidget(url, barLevel="M", barWidth=QR_SIZE, barHeight=QR_SIZE)
    drawing = Drawing(QR_SIZE, QR_SIZE, initialFontName=font)
    drawing.add(widget)
    return drawing


def _table_style(font: str, *commands: tuple[object, ...]) -> TableStyle:
    """The commands, with the cells' font set to ours: a table selects its cell font on the canvas even
    when every cell is a Paragraph, and the default Helvetica would be listed yet not embedded."""
    return TableStyle([("FONT", (0, 0), (-1, -1), font), *commands])


def _header(notice: Notice, font: str, styles: Styles) -> list[Flowable]:
    issued = notice.issued_at
    if issued.tzinfo is None or issued.utcoffset() is None:
        raise ValueError("Notice.issued_at must be timezone-aware")
    issued_text = issued.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M")
    # An empty first column as wide as the QR code keeps the title centred on the page, not on the
    # space left of the code.
    top = Table(
        [["", [Paragraph(markup(notice.centre), styles.centre), Paragraph(markup(notice.title), styles.title)],
          [_qr(notice.status_url, font), Paragraph("扫码查询办理进度", styles.caption)]]],
        colWidths=[QR_SIZE, FRAME_WIDTH - 2 * QR_SIZE, QR_SIZE],
        style=_table_style(font, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)),
    )
    # Two columns rather than one running line, so that no value is broken across lines.
    info = Table(
        [[Paragraph(f"办件编号：{markup(notice.case_number)}", styles.info),
          Paragraph(f"出具时间：{issued_text}", styles.info)],
         [Paragraph(f"申请人：{markup(notice.applicant)}", styles.info),
          Paragraph(f"一件事：{markup(notice.bundle)}", styles.info)]],
        colWidths=[FRAME_WIDTH / 2] * 2,
        style=_table_style(font, ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 1)),
    )
    rule = HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceBefore=4, spaceAfter=6)
    return [top, info, rule]


def _column_widths(table: NoticeTable, font: str, size: float) -> list[float]:
    """The columns share the frame width: a column whose longest text fits in an equal share keeps
    just that width, the rest is divided among the wider columns in proportion to their text, so a
    short 序号 column does not take as much room as a column of long 说明."""
    columns = len(table.header)
    natural = [
        max(pdfmetrics.stringWidth(row[i], font, size) for row in (table.header, *table.rows)) + 2 * CELL_PADDING + 1
        for i in range(columns)
    ]
    widths: dict[int, float] = {}
    remaining = FRAME_WIDTH
    open_columns = list(range(columns))
    while open_columns:
        share = remaining / len(open_columns)
        narrow = [i for i in open_columns if natural[i] <= share]
        if not narrow:
            break
        for i in narrow:
            widths[i] = natural[i]
            remaining -= natural[i]
            open_columns.remove(i)
    if open_columns:
        total = sum(natural[i] for i in open_columns)
        widths.update({i: remaining * natural[i] / total for i in open_columns})
    elif remaining > 0:
        # Every column fits: the slack is spread so the table still spans the frame.
        widths = {i: w + remaining * w / (FRAME_WIDTH - remaining) for i, w in widths.items()}
    return [widths[i] for i in range(columns)]


def notice_table(table: NoticeTable, font: str, styles: Styles) -> Table:
    if not table.header:
        raise ValueError("a notice table needs at least one column")
    for number, row in enumerate(table.rows, start=1):
        if len(row) != len(table.header):
            raise ValueError(f"table row {number} has {len(row)} cells for {len(table.header)} columns")
    data: list[Sequence[Flowable]] = [[Paragraph(markup(text), styles.head_cell) for text in table.header]]
    data += [[Paragraph(markup(text), styles.cell) for text in row] for row in table.rows]
    return Table(
        data,
        colWidths=_column_widths(table, font, styles.cell.fontSize),
        repeatRows=1,  # the header row is repeated on every page the table runs onto
        style=_table_style(
            font,
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ),
    )


def render_notice(notice: Notice, font: Path) -> bytes:
    """The notice as a PDF (A4), the font embedded as a subset of the glyphs used: the centre and
    title with the status QR code at the top right, the case's particulars, each section (heading,
    paragraphs, table), the signature lines, and on every page a footer with the page number and
    case number. The same notice gives the same bytes (the document is rendered invariant: no
    creation time or random file identifier). Raises NoticeFontMissing when the font cannot be
    loaded, ValueError for a naive issue time or a table row of the wrong length."""
    font_name = registered_font(font)
    styles = Styles(font_name)
    story: list[Flowable] = _header(notice, font_name, styles)
    for section in notice.sections:
        story.append(Paragraph(markup(section.heading), styles.heading))
        story += [Paragraph(markup(text), styles.body) for text in section.paragraphs]
        if section.table is not None:
            story.append(notice_table(section.table, font_name, styles))
    if notice.signatures:
        story.append(KeepTogether([Spacer(1, 6)] + [Paragraph(markup(line), styles.signature)
                                                     for line in notice.signatures]))

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, MARGIN_BOTTOM - 6 * mm, PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 6 * mm)
        canvas.setFont(font_name, 8.5)
        canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 11 * mm, notice.centre)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN_BOTTOM - 11 * mm, f"第 {doc.page} 页")
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 11 * mm, f"办件编号：{notice.case_number}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"{notice.title} {notice.case_number}", author=notice.centre,
        subject=notice.bundle, creator="onething", lang="zh-CN", invariant=True,
        # Pages otherwise start in Helvetica, which would be listed among the fonts yet not embedded.
        initialFontName=font_name,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
