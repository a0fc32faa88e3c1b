"""Photos and documents sent with an appeal: types by content, count and size limits, metadata removed
from every image and PDF, neutral names on anonymous appeals, and nothing left behind by a refused appeal."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfReader, PdfWriter

from unionhome.voices.models import Appeal, AppealAttachment
from unionhome.voices.services.attachments import MAX_ATTACHMENTS, storage_path, without_metadata
from unionhome.voices.tests.appeal_helpers import (
    PDF,
    jpeg_with_metadata,
    pdf_with_metadata,
    png_with_text,
    send,
    upload,
)


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"


def stored_files(settings) -> list[Path]:
    root = Path(settings.UNIONHOME_PRIVATE_ROOT) / "voices"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_photos_lose_their_metadata_and_stay_upright(voices):
    original = jpeg_with_metadata(width=40, height=30, orientation=6)  # taken sideways
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo has a GPS position
    appeal, _ = send(
        voices["member"], attachments=[upload("IMG_张三_0301.jpg", original), upload("屏幕.png", png_with_text())]
    )
    photo, screen = appeal.attachments.order_by("id")
    data = storage_path(photo.stored_name).read_bytes()
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and b"PhoneMaker" not in data and b"Exif" not in data
    assert image.size == (30, 40)  # turned upright before the orientation tag was dropped
    assert photo.size == len(data) and photo.content_type == "image/jpeg" and photo.original_name == "IMG_张三_0301.jpg"
    png = storage_path(screen.stored_name).read_bytes()
    assert b"ZhangSan-secret" not in png and Image.open(io.BytesIO(png)).mode == "RGBA"


def test_an_anonymous_appeal_gets_neutral_file_names(voices):
    appeal, _ = send(
        voices["member"],
        anonymous=True,
        attachments=[upload("张三的照片.jpg", jpeg_with_metadata()), upload("张三申请.pdf", PDF)],
    )
    assert list(appeal.attachments.order_by("id").values_list("original_name", flat=True)) == [
        "photo-1.jpg",
        "document-2.pdf",
    ]
    pdf = appeal.attachments.get(content_type="application/pdf")
    assert storage_path(pdf.stored_name).read_bytes() == PDF


def test_a_pdf_is_kept_without_its_author_program_or_dates(voices):
    appeal, _ = send(voices["member"], anonymous=True, attachments=[upload("申请.pdf", pdf_with_metadata())])
    stored = storage_path(appeal.attachments.get().stored_name).read_bytes()
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 1 and reader.metadata is None and reader.xmp_metadata is None
    for trace in ("张三".encode("utf-16-be"), "张三".encode(), b"WPS", b"20261128", b"Author", b"xmpmeta"):
        assert trace not in stored


def test_a_broken_or_locked_pdf_is_refused(voices, settings):
    locked = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    locked.encrypt("secret")
    out = io.BytesIO()
    locked.write(out)
    for data in (b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", out.getvalue()):
        with pytest.raises(ValidationError) as caught:
            send(voices["member"], attachments=[upload("a.pdf", data)])
        assert "could not be read" in caught.value.message_dict["attachments"][0]
    assert not Appeal.objects.exists() and stored_files(settings) == []


def test_at_most_five_files(voices, settings):
    files = [upload(f"p{i}.jpg", jpeg_with_metadata()) for i in range(MAX_ATTACHMENTS + 1)]
    with pytest.raises(ValidationError) as caught:
        send(voices["member"], attachments=files)
    assert "at most 5" in caught.value.message_dict["attachments"][0]
    assert not Appeal.objects.exists() and stored_files(settings) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"just text", "Attach a PDF"),
        ("fake.jpg", PDF, "Attach a PDF"),  # the name does not agree with the content
        ("sheet.docx", b"PK\x03\x04" + b"\x00" * 30, "Attach a PDF"),
        ("empty.jpg", b"", "empty"),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "could not be read"),
    ],
)
def test_wrong_or_broken_files_are_refused(voices, settings, name, data, message):
    with pytest.raises(ValidationError) as caught:
        send(voices["member"], attachments=[upload(name, data)])
    assert message in caught.value.message_dict["attachments"][0]
    assert not Appeal.objects.exists() and stored_files(settings) == []


def test_a_word_file_is_not_taken_even_though_uploads_knows_it(voices, settings):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ValidationError) as caught:
        send(voices["member"], attachments=[upload("a.docx", buffer.getvalue())])
    assert "JPEG or PNG" in caught.value.message_dict["attachments"][0]


def test_a_file_over_the_size_limit_is_refused(voices, settings):
    settings.UNIONHOME_MAX_DOCUMENT_BYTES = 1000
    with pytest.raises(ValidationError) as caught:
        send(voices["member"], attachments=[upload("big.pdf", PDF + b"0" * 1000)])
    assert "larger than" in caught.value.message_dict["attachments"][0]
    assert not Appeal.objects.exists()


def test_a_failure_after_the_files_are_written_removes_them(voices, settings, monkeypatch):
    """The whole submission is atomic: a failure after the files were written leaves neither rows nor files."""
    from unionhome.voices.services import appeals as service

    def broken(appeal):
        raise RuntimeError("counting failed")

    monkeypatch.setattr(service, "appeal_counted", broken)
    with pytest.raises(RuntimeError):
        send(voices["member"], attachments=[upload("a.jpg", jpeg_with_metadata()), upload("b.pdf", PDF)])
    assert not Appeal.objects.exists() and not AppealAttachment.objects.exists()
    assert stored_files(settings) == []


def test_an_image_bomb_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, format="PNG")  # 81 million pixels, a few kilobytes
    with pytest.raises(ValidationError) as caught:
        without_metadata(buffer.getvalue(), "image/png")
    assert "too many pixels" in caught.value.message_dict["attachments"][0]
