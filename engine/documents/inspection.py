"""What an uploaded file is, decided by its content alone, and whether it may be stored.

The window uploads scans and photographs of a case's materials; a file's name and the type the
browser claims are not evidence, so ``inspect_upload`` takes no filename. The content is sniffed
(puremagic) and only JPEG, PNG and PDF are accepted; the file is then opened by the library that will
later render it: an image is fully decoded by Pillow (after its size in pixels, read from the header,
is found within the limit, so a decompression bomb is refused before its pixels are decoded), and a
PDF is read by pypdf and refused when encrypted, outside the page limit, or carrying JavaScript,
launch actions or embedded files. Each refusal is an ``UploadRefused`` with its reason in English
and Chinese, shown to the window clerk as is.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Iterator
from typing import Any

import puremagic
from PIL import Image
from PIL.JpegImagePlugin import JpegImageFile
from PIL.PngImagePlugin import PngImageFile
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from engine.domain.documents import Inspected, MediaType, Refusal, UploadLimits, UploadRefused

_PILLOW_FORMATS = {MediaType.JPEG: ("JPEG", "MPO"), MediaType.PNG: ("PNG",)}
"""The formats Pillow may report for each sniffed type: phones write multi-picture JPEGs (MPO)."""

_LOOKS_LIKE = {
    ".html": ("HTML", "HTML"), ".gif": ("a GIF image", "GIF 图片"), ".bmp": ("a BMP image", "BMP 图片"),
    ".tif": ("a TIFF image", "TIFF 图片"), ".tiff": ("a TIFF image", "TIFF 图片"),
    ".webp": ("a WebP image", "WebP 图片"), ".heic": ("a HEIC image", "HEIC 图片"),
    ".doc": ("a Word document", "Word 文档"), ".xls": ("an Excel workbook", "Excel 表格"),
    ".rar": ("a RAR archive", "RAR 压缩包"), ".7z": ("a 7-Zip archive", "7-Zip 压缩包"),
    ".gz": ("a gzip archive", "gzip 压缩包"), ".exe": ("a Windows program", "Windows 可执行程序"),
    ".svg": ("an SVG drawing", "SVG 图形"), ".xml": ("XML", "XML"),
}

_PDF_FAILURES = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
                 OSError, AssertionError, ZeroDivisionError)
"""What pypdf may raise on a damaged or hostile PDF: all of it means the file cannot be read."""

_PDF_OBJECT_BUDGET = 200_000
"""Objects of a PDF examined for scripts at most: a file needing more is refused, not half-checked."""


def inspect_upload(data: bytes, limits: UploadLimits) -> Inspected:
    """What ``data`` is; ``UploadRefused`` with the reason when it may not be stored."""
    _check_size(len(data), limits)
    media_type = _sniff(data)
    if media_type is MediaType.PDF:
        return _inspect_pdf(data, limits)
    return _inspect_image(data, media_type, limits)


def _check_size(size: int, limits: UploadLimits) -> None:
    if size == 0:
        raise UploadRefused("the file is empty", "文件为空")
    if size > limits.max_file_bytes:
        shown, limit = _bytes(size, up=True), _bytes(limits.max_file_bytes, up=False)
        raise UploadRefused(f"the file is {shown}; at most {limit} per file",
                            f"文件大小 {shown}，超过单个文件上限 {limit}", Refusal.TOO_LARGE)


def _sniff(data: bytes) -> MediaType:
    """The accepted type the content's signature shows; ``UploadRefused`` naming what it looks like."""
    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        matches = []
    best = max((match.confidence for match in matches), default=0)
    top = [match for match in matches if match.confidence == best]
    for match in top:
        if match.mime_type in set(MediaType):
            return MediaType(match.mime_type)
    looks, looks_zh = _looks_like(top)
    accepted, accepted_zh = "only JPEG, PNG and PDF files are accepted", "只接受 JPEG、PNG 图片和 PDF 文件"
    if not looks:
        raise UploadRefused(f"{accepted}; the type of this file could not be recognised",
                            f"{accepted_zh}，无法识别此文件的类型", Refusal.UNSUPPORTED)
    raise UploadRefused(f"{accepted}; this looks like {looks}", f"{accepted_zh}，此文件内容为 {looks_zh}",
                        Refusal.UNSUPPORTED)


def _looks_like(matches: list[Any]) -> tuple[str, str]:
    """A name for what puremagic recognised; ZIP before the formats built on it (an Office document is
    a ZIP too, and puremagic cannot tell them apart by the signature)."""
    extensions = [match.extension.lower() for match in matches]
    if ".zip" in extensions:
        return "a ZIP archive", "ZIP 压缩包"
    for extension in extensions:
        if extension in _LOOKS_LIKE:
            return _LOOKS_LIKE[extension]
    name = str(matches[0].name) if matches else ""
    return name, name


def _inspect_image(data: bytes, media_type: MediaType, limits: UploadLimits) -> Inspected:
    formats = _PILLOW_FORMATS[media_type]
    kind = media_type.name
    try:
        width, height = _declared_size(data, media_type)
        _check_pixels(width, height, limits)
        decoded_as = _decode(data, formats)
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused("the image is too large to decode safely", "图片尺寸过大，无法安全解码") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        # Pillow's own wording names internals (buffers, decoder states): the clerk gets the gist.
        raise UploadRefused(f"the {kind} image is damaged or incomplete", f"{kind} 图片已损坏或不完整") from None
    if decoded_as not in formats:
        raise UploadRefused(f"the content is not a valid {kind} image", f"文件内容不是有效的 {kind} 图片")
    return Inspected(media_type, pages=1, width=width, height=height)


def _declared_size(data: bytes, media_type: MediaType) -> tuple[int, int]:
    """The size the header declares, read by the format's plugin itself, which decodes no pixels:
    ``Image.open`` would first apply Pillow's own bomb limit and refuse without saying how large."""
    plugin = JpegImageFile if media_type is MediaType.JPEG else PngImageFile
    with plugin(io.BytesIO(data)) as header:
        width, height = header.size
    return width, height


def _decode(data: bytes, formats: tuple[str, ...]) -> str | None:
    """Decode the whole image (checksums, then every pixel) and answer the format Pillow read it as."""
    # Pillow signals a decompression bomb below its hard limit by a warning: an error here, refused.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data), formats=list(formats)) as image:
            decoded_as = image.format
            image.verify()
        with Image.open(io.BytesIO(data), formats=list(formats)) as image:
            image.load()
    return decoded_as


def _check_pixels(width: int, height: int, limits: UploadLimits) -> None:
    if width <= 0 or height <= 0:
        raise UploadRefused("the image has no pixels", "图片没有像素")
    if width * height > limits.max_pixels:
        allowed, allowed_zh = _count(limits.max_pixels)
        raise UploadRefused(f"the image is {width}×{height} pixels, more than the {allowed} allowed",
                            f"图片为 {width}×{height} 像素，超过上限 {allowed_zh}像素")


def _inspect_pdf(data: bytes, limits: UploadLimits) -> Inspected:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused("the PDF is encrypted or password-protected", "PDF 文件已加密或设有密码，无法查看")
        pages = len(reader.pages)
        if pages == 0:
            raise UploadRefused("the PDF has no pages", "PDF 文件没有页面")
        if pages > limits.max_pages:
            raise UploadRefused(f"the PDF has {pages} pages; at most {limits.max_pages}",
                                f"PDF 文件共 {pages} 页，超过上限 {limits.max_pages} 页")
        _check_active_content(reader)
    except UploadRefused:
        raise
    except _PDF_FAILURES as error:
        raise UploadRefused(f"the PDF cannot be read ({type(error).__name__})", "PDF 文件已损坏，无法读取") from None
    return Inspected(MediaType.PDF, pages=pages)


def _check_active_content(reader: PdfReader) -> None:
    """Refuse scripts, launch actions and embedded files anywhere the document's catalogue reaches:
    the document's name tree, open and additional actions, pages, annotations, form fields."""
    for dictionary in _dictionaries(reader.trailer["/Root"]):
        action = _resolved(dictionary.get("/S"))
        if "/JS" in dictionary or action == "/JavaScript" or "/JavaScript" in dictionary:
            raise UploadRefused("the PDF contains JavaScript", "PDF 文件含有脚本，不予接收")
        if action == "/Launch":
            raise UploadRefused("the PDF contains an action that launches a program",
                                "PDF 文件含有启动外部程序的动作，不予接收")
        if "/EmbeddedFiles" in dictionary or _resolved(dictionary.get("/Subtype")) == "/FileAttachment":
            raise UploadRefused("the PDF contains embedded files", "PDF 文件含有嵌入的附件，不予接收")


def _resolved(value: Any) -> Any:
    """A value with an indirect reference followed: a name may be stored as an object of its own."""
    return value.get_object() if isinstance(value, IndirectObject) else value


def _dictionaries(root: Any) -> Iterator[DictionaryObject]:
    """Every dictionary reachable from ``root``, each once: walked with an explicit stack (a deep or
    long chain of objects cannot exhaust the interpreter's), indirect objects followed once each (a
    cycle ends), within ``_PDF_OBJECT_BUDGET``. Streams are dictionaries; their data is not read."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference in seen:
                continue
            seen.add(reference)
            item = item.get_object()
        visited += 1
        if visited > _PDF_OBJECT_BUDGET:
            raise UploadRefused("the PDF has too many objects to check", "PDF 文件结构过于复杂，无法检查")
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _bytes(size: int, *, up: bool) -> str:
    """A size for people: rounded up for the file (never understated against the limit), down for
    the limit."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            tenths = size * 10 / scale
            value = (math.ceil(tenths) if up else math.floor(tenths)) / 10
            return f"{value:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} B"


def _count(number: int) -> tuple[str, str]:
    """``number`` in words, in English and Chinese: 60 million, 6000 万."""
    english = f"{number // 1_000_000} million" if number % 1_000_000 == 0 else f"{number:,}"
    chinese = f"{number // 10_000} 万" if number % 10_000 == 0 else str(number)
    return english, chinese
