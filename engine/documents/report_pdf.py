"""The monthly (or quarterly) report for leaders (月报/季通报, issue 28) as a PDF: the figures overall,
per bundle, per service point and per department, and their trend by week and month, in the
notices' font and table style."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, SimpleDocTemplate

from engine.documents.notice_pdf import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    Styles,
    markup,
    notice_table,
    registered_font,
)
from engine.domain.notices import NoticeTable


@dataclass(frozen=True)
class ReportSection:
    heading: str
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    note: str = ""


def render_report(title: str, centre: str, lines: Sequence[str], sections: Sequence[ReportSection],
                  font: Path) -> bytes:
    """Title, the centre and the period's lines, then each section's heading and table (wide tables
    wrap in their cells). The same report gives the same bytes (rendered invariant)."""
    name = registered_font(font)
    styles = Styles(name)
    story = [Paragraph(markup(centre), styles.centre), Paragraph(markup(title), styles.title)]
    story += [Paragraph(markup(line), styles.info) for line in lines]
    for section in sections:
        story.append(Paragraph(markup(section.heading), styles.heading))
        if section.note:
            story.append(Paragraph(markup(section.note), styles.info))
        if section.rows:
            story.append(notice_table(NoticeTable(section.header, tuple(section.rows)), name, styles))
        else:
            story.append(Paragraph("（无）", styles.info))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                            bottomMargin=MARGIN_BOTTOM, title=title, author=centre, creator="onething",
                            lang="zh-CN", invariant=True, initialFontName=name)
    doc.build(story)
    return buffer.getvalue()
