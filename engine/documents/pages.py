"""Pages of a stored file as PNG pictures for the browser: the window and the back office look at a
material's pages without downloading the file or running a PDF viewer on the bytes of an upload.

PDF pages are rendered by PDFium (pypdfium2), images by Pillow, turned as their EXIF orientation says
(phones store photographs sideways and record the turn). PDFium is not thread-safe: every call into it
holds ``_PDFIUM``; the PNG is encoded after the lock is released.
"""

from __future__ import annotations

import io
import math
import threading

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from engine.domain.documents import MediaType

MIN_WIDTH = 64
MAX_WIDTH = 2400

_PDFIUM = threading.Lock()


def page_count(data: bytes, media_type: MediaType) -> int:
    """Pages of the file: a PDF's pages, 1 for an image."""
    if media_type.is_image:
        return 1
    with _PDFIUM:
        document = pdfium.PdfDocument(data)
        try:
            return len(document)
        finally:
            document.close()


def render_page(data: bytes, media_type: MediaType, page: int, width: int) -> bytes:
    """Page ``page`` (from 1) of the file as PNG, ``width`` pixels wide (held to 64…2400), its height
    in proportion. ``ValueError`` when the file has no such page."""
    width = max(MIN_WIDTH, min(MAX_WIDTH, width))
    picture = _render_pdf(data, page, width) if media_type is MediaType.PDF else _render_image(data, page, width)
    if picture.width != width:
        # A page's size in points rarely scales to a whole number of pixels: the last pixel is evened out.
        picture = picture.resize((width, max(1, round(picture.height * width / picture.width))),
                                 Image.Resampling.LANCZOS)
    output = io.BytesIO()
    picture.save(output, "PNG", compress_level=3)
    return output.getvalue()


def _render_pdf(data: bytes, page: int, width: int) -> Image.Image:
    with _PDFIUM:
        document = pdfium.PdfDocument(data)
        try:
            if not 1 <= page <= len(document):
                raise ValueError(f"page {page} of a PDF of {len(document)} pages")
            sheet = document[page - 1]
            try:
                bitmap = sheet.render(scale=width / sheet.get_width())
                try:
                    # The picture shares the bitmap's memory until copied; the copy outlives the bitmap.
                    picture: Image.Image = bitmap.to_pil().copy()
                    return picture
                finally:
                    bitmap.close()
            finally:
                sheet.close()
        finally:
            document.close()


def _render_image(data: bytes, page: int, width: int) -> Image.Image:
    if page != 1:
        raise ValueError(f"page {page} of an image, which has one page")
    with Image.open(io.BytesIO(data)) as image:
        turned = _turns_sideways(image)
        shown_width, shown_height = (image.height, image.width) if turned else image.size
        ratio = width / shown_width
        height = max(1, round(shown_height * ratio))
        # A JPEG can be decoded at a fraction of its size directly, far cheaper than decoding it whole
        # and shrinking; the size asked for is in the stored orientation.
        image.draft("RGB", (math.ceil(image.width * ratio), math.ceil(image.height * ratio)))
        picture = ImageOps.exif_transpose(image)
        picture = _displayable(picture)
        return picture.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _turns_sideways(image: Image.Image) -> bool:
    """Whether the EXIF orientation turns the image by a quarter (its width and height swap)."""
    return image.getexif().get(0x0112) in (5, 6, 7, 8)


def _displayable(picture: Image.Image) -> Image.Image:
    """The picture in a mode PNG keeps and resizing handles: RGB, or RGBA when it has transparency."""
    if picture.mode in ("RGB", "RGBA", "L"):
        return picture
    if picture.mode in ("LA", "PA") or "transparency" in picture.info:
        return picture.convert("RGBA")
    return picture.convert("RGB")
