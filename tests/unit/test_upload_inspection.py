"""Uploads are judged by their content (engine/documents/inspection.py): JPEG, PNG and PDF are
accepted once opened whole; anything else, anything damaged, oversized, a decompression bomb, or a PDF
that is encrypted, too long or carries scripts, launch actions or attachments is refused with the
reason in English and Chinese."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import pytest
from PIL import Image, ImageFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from engine.documents.inspection import inspect_upload
from engine.domain.documents import Inspected, MediaType, UploadLimits, UploadRefused

LIMITS = UploadLimits()


def image(kind: str, width: int = 120, height: int = 80, mode: str = "RGB") -> bytes:
    output = io.BytesIO()
    Image.new(mode, (width, height), "teal").save(output, kind)
    return output.getvalue()


def pdf(pages: int = 1, change: Callable[[PdfWriter], None] | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if change:
        change(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def action(kind: str, **entries: str) -> DictionaryObject:
    built = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    built.update({NameObject(f"/{key}"): TextStringObject(value) for key, value in entries.items()})
    return built


def annotation(subtype: str, **entries: DictionaryObject) -> DictionaryObject:
    built = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject(subtype),
        NameObject("/Rect"): ArrayObject([FloatObject(10), FloatObject(10), FloatObject(100), FloatObject(40)])})
    built.update({NameObject(f"/{key}"): value for key, value in entries.items()})
    return built


def with_size(data: bytes, width: int, height: int) -> bytes:
    """A PNG whose header claims another size (its CRC made right, so Pillow trusts the header); its
    pixel data stays the original's."""
    header = b"IHDR" + struct.pack(">II", width, height) + data[24:29]
    return data[:12] + header + struct.pack(">I", zlib.crc32(header)) + data[33:]


def refused(data: bytes, limits: UploadLimits = LIMITS) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        inspect_upload(data, limits)
    assert caught.value.message and caught.value.message_zh
    return caught.value


def test_images_are_accepted_with_their_size() -> None:
    assert inspect_upload(image("JPEG"), LIMITS) == Inspected(MediaType.JPEG, pages=1, width=120, height=80)
    assert inspect_upload(image("PNG", 33, 44), LIMITS) == Inspected(MediaType.PNG, pages=1, width=33, height=44)
    assert inspect_upload(image("PNG", mode="RGBA"), LIMITS).media_type is MediaType.PNG
    assert inspect_upload(image("JPEG", mode="L"), LIMITS).media_type is MediaType.JPEG
    two_pictures = io.BytesIO()  # phones write multi-picture JPEG (MPO): a JPEG to every viewer
    Image.new("RGB", (64, 48)).save(two_pictures, "MPO", save_all=True, append_images=[Image.new("RGB", (64, 48))])
    assert inspect_upload(two_pictures.getvalue(), LIMITS) == Inspected(MediaType.JPEG, pages=1, width=64, height=48)


def test_pdfs_are_accepted_with_their_pages() -> None:
    assert inspect_upload(pdf(), LIMITS) == Inspected(MediaType.PDF, pages=1)
    assert inspect_upload(pdf(20), LIMITS) == Inspected(MediaType.PDF, pages=20)


def test_a_link_to_a_web_page_is_no_script_and_a_cycle_ends() -> None:
    def link(writer: PdfWriter) -> None:
        page = writer.pages[0]
        added = writer.add_annotation(0, annotation("/Link", A=action("/URI", URI="https://www.gov.cn/")))
        added[NameObject("/P")] = page.indirect_reference  # the page points at the annotation and back

    assert inspect_upload(pdf(2, link), LIMITS).pages == 2


def test_an_empty_file_is_refused() -> None:
    assert refused(b"").message_zh == "文件为空"


def test_a_file_over_the_size_limit_is_refused_with_both_sizes() -> None:
    reason = refused(image("PNG", 300, 300, "RGB") + b"\0" * 3000, UploadLimits(max_file_bytes=2048))
    assert "at most 2 KB per file" in reason.message and "超过单个文件上限 2 KB" in reason.message_zh
    large = refused(b"%PDF" + b"\0" * (25 * 1024 * 1024 + 300_000))
    assert large.message == "the file is 25.3 MB; at most 20 MB per file"


@pytest.mark.parametrize(("content", "looks_like"), [
    (b"<!DOCTYPE html><html><head><title>scan</title></head><body>x</body></html>", "HTML"),
    (image("GIF"), "a GIF image"),
    (image("BMP"), "a BMP image"),
])
def test_other_types_are_refused_naming_what_they_look_like(content: bytes, looks_like: str) -> None:
    reason = refused(content)
    assert reason.message == f"only JPEG, PNG and PDF files are accepted; this looks like {looks_like}"
    assert reason.message_zh.startswith("只接受 JPEG、PNG 图片和 PDF 文件")


def test_a_zip_is_refused_as_an_archive() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("scan.pdf", pdf())
    reason = refused(archive.getvalue())
    assert reason.message.endswith("this looks like a ZIP archive") and "ZIP 压缩包" in reason.message_zh


def test_text_is_refused_whatever_it_would_be_called() -> None:
    reason = refused("户口簿首页.pdf: just some text, no PDF at all\n".encode())
    assert reason.message.endswith("the type of this file could not be recognised")


def test_a_truncated_jpeg_is_refused_as_damaged() -> None:
    whole = image("JPEG", 400, 300)
    assert refused(whole[: len(whole) // 2]).message == "the JPEG image is damaged or incomplete"


def test_a_jpeg_signature_on_png_content_is_refused() -> None:
    assert "JPEG" in refused(b"\xff\xd8\xff\xe0" + image("PNG")).message


def test_a_damaged_png_is_refused() -> None:
    whole = bytearray(image("PNG", 200, 200))
    whole[60] ^= 0xFF  # inside the pixel data: its CRC no longer matches
    assert refused(bytes(whole)).message == "the PNG image is damaged or incomplete"


def test_a_decompression_bomb_is_refused_from_its_header_before_any_pixel_is_decoded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = with_size(image("PNG", 8, 8), 30000, 30000)

    def decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)
    reason = refused(bomb)
    assert reason.message == "the image is 30000×30000 pixels, more than the 60 million allowed"
    assert reason.message_zh == "图片为 30000×30000 像素，超过上限 6000 万像素"


def test_the_pixel_limit_is_the_deployments() -> None:
    assert "more than the 1,000 allowed" in refused(image("JPEG", 50, 50), UploadLimits(max_pixels=1000)).message


def test_a_pdf_with_javascript_is_refused() -> None:
    def script(writer: PdfWriter) -> None:
        writer.add_open_action(JavaScript("app.alert(1)"))

    assert refused(pdf(1, script)).message == "the PDF contains JavaScript"


def test_a_pdf_opening_with_a_launch_action_is_refused() -> None:
    def launch(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/OpenAction")] = action("/Launch", F="calc.exe")

    assert refused(pdf(1, launch)).message == "the PDF contains an action that launches a program"


def test_a_link_that_launches_a_program_is_refused() -> None:
    def link(writer: PdfWriter) -> None:
        writer.add_annotation(0, annotation("/Link", A=action("/Launch", F="cmd.exe")))

    assert "launches a program" in refused(pdf(3, link)).message


def test_a_page_running_a_script_when_opened_is_refused() -> None:
    def page_action(writer: PdfWriter) -> None:
        writer.pages[1][NameObject("/AA")] = DictionaryObject(
            {NameObject("/O"): writer._add_object(action("/JavaScript", JS="this.print()"))})

    assert refused(pdf(2, page_action)).message_zh == "PDF 文件含有脚本，不予接收"


def test_a_form_field_formatting_itself_by_script_is_refused() -> None:
    def form(writer: PdfWriter) -> None:
        field = DictionaryObject({NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("amount"),
                                  NameObject("/AA"): DictionaryObject({NameObject("/K"): action("/JavaScript")})})
        field[NameObject("/AA")]["/K"][NameObject("/JS")] = TextStringObject("AFNumber_Keystroke(2)")
        writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject([writer._add_object(field)])})

    assert refused(pdf(1, form)).message == "the PDF contains JavaScript"


def test_a_pdf_with_attachments_is_refused() -> None:
    def attach(writer: PdfWriter) -> None:
        writer.add_attachment("invoice.exe", b"MZ")

    assert refused(pdf(1, attach)).message == "the PDF contains embedded files"


def test_an_encrypted_pdf_is_refused() -> None:
    def encrypt(writer: PdfWriter) -> None:
        writer.encrypt("pw", algorithm="RC4-128")

    assert "encrypted" in refused(pdf(1, encrypt)).message


def test_a_pdf_with_too_many_pages_is_refused() -> None:
    reason = refused(pdf(6), UploadLimits(max_pages=5))
    assert reason.message == "the PDF has 6 pages; at most 5"


def test_a_pdf_without_pages_is_refused() -> None:
    assert refused(pdf(0)).message == "the PDF has no pages"


def test_an_unreadable_pdf_is_refused() -> None:
    assert refused(b"%PDF-1.7\n" + b"\x00garbage" * 100).message.startswith("the PDF cannot be read")
