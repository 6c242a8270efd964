"""Scans as the window's document camera (高拍仪) makes them, made in memory for the tests: JPEG and
PNG photos of a page, and PDFs of several pages, each page numbered in its text."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def photo(width: int = 1200, height: int = 1600, fmt: str = "JPEG", shade: int = 235) -> bytes:
    """A page photographed: a light sheet with a few dark lines."""
    image = Image.new("RGB", (width, height), (shade, shade, shade - 10))
    draw = ImageDraw.Draw(image)
    for n in range(10):
        draw.line((60, 120 + n * 120, width - 60, 120 + n * 120), fill=(40, 40, 40), width=4)
    buffer = io.BytesIO()
    options = {"quality": 85} if fmt == "JPEG" else {}
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def pdf(pages: int, title: str = "floor plan") -> bytes:
    """A PDF of ``pages`` A4 pages, each saying ``<title> page <n>`` and drawing a rectangle."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    for n in range(1, pages + 1):
        sheet.setFont("Helvetica", 18)
        sheet.drawString(72, 760, f"{title} page {n}")
        sheet.rect(72, 200, 450, 500)
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()
