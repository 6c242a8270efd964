"""Pages of stored files as PNG for the browser (engine/documents/pages.py): any page of a PDF, an
image turned upright, at the width asked (held to 64…2400) with the height in proportion."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from engine.documents.pages import page_count, render_page
from engine.domain.documents import MediaType

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def twenty_pages() -> bytes:
    output = io.BytesIO()
    canvas = Canvas(output, pagesize=A4)
    for number in range(1, 21):
        canvas.setFont("Helvetica", 28)
        canvas.drawString(72, 720 - number * 30, f"Page {number} of the household register")
        canvas.rect(72, 72, 40 * number // 2, 40)
        canvas.showPage()
    canvas.save()
    return output.getvalue()


def photograph(width: int, height: int, orientation: int | None = None) -> bytes:
    picture = Image.new("RGB", (width, height), "white")
    picture.paste((200, 0, 0), (0, 0, width // 2, height // 2))  # the top left quarter is red
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    output = io.BytesIO()
    picture.save(output, "JPEG", exif=exif, quality=90)
    return output.getvalue()


def opened(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    return picture


def test_the_first_and_last_pages_of_a_pdf_at_the_width_asked(twenty_pages: bytes) -> None:
    first = opened(render_page(twenty_pages, MediaType.PDF, 1, 1000))
    last = opened(render_page(twenty_pages, MediaType.PDF, 20, 1000))
    assert first.width == last.width == 1000
    assert first.height == last.height and abs(first.height - 1000 * A4[1] / A4[0]) < 1  # PDFium rounds up
    assert first.tobytes() != last.tobytes()  # a different page, not the first again
    thumbnail = opened(render_page(twenty_pages, MediaType.PDF, 7, 160))
    assert thumbnail.width == 160 and abs(thumbnail.height - 160 * A4[1] / A4[0]) < 1
    assert page_count(twenty_pages, MediaType.PDF) == 20


def test_an_image_is_scaled_to_the_width_asked_either_way() -> None:
    data = photograph(400, 300)
    assert opened(render_page(data, MediaType.JPEG, 1, 160)).size == (160, 120)
    assert opened(render_page(data, MediaType.JPEG, 1, 800)).size == (800, 600)
    assert page_count(data, MediaType.JPEG) == 1


def test_a_photograph_stored_sideways_is_shown_upright() -> None:
    # Orientation 6: the camera was turned a quarter clockwise; the picture is shown turned back.
    shown = opened(render_page(photograph(400, 300, orientation=6), MediaType.JPEG, 1, 150)).convert("RGB")
    assert shown.size == (150, 200)
    red, green, _ = shown.getpixel((shown.width - 10, 10))  # the stored top left is now the top right
    assert red > 150 and green < 80


def test_a_transparent_png_keeps_its_transparency() -> None:
    output = io.BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 0, 0)).save(output, "PNG")
    shown = opened(render_page(output.getvalue(), MediaType.PNG, 1, 200))
    assert shown.mode == "RGBA" and shown.size == (200, 100) and shown.getpixel((5, 5))[3] == 0


def test_the_width_is_held_within_bounds(twenty_pages: bytes) -> None:
    assert opened(render_page(twenty_pages, MediaType.PDF, 1, 10)).width == 64
    assert opened(render_page(photograph(40, 30), MediaType.JPEG, 1, 10_000)).width == 2400


@pytest.mark.parametrize("page", [0, -1, 21])
def test_a_page_the_pdf_does_not_have_is_refused(twenty_pages: bytes, page: int) -> None:
    with pytest.raises(ValueError, match="of a PDF of 20 pages"):
        render_page(twenty_pages, MediaType.PDF, page, 500)


def test_an_image_has_one_page() -> None:
    with pytest.raises(ValueError, match="one page"):
        render_page(photograph(40, 30), MediaType.JPEG, 2, 500)
