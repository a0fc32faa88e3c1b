"""Helpers of the appeals tests: uploads (photos with metadata), sending through the service, answering
through the handling service."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from unionhome.voices.models import Appeal
from unionhome.voices.services.appeals import appeal_submit
from unionhome.voices.services.attachments import pdf_without_metadata
from unionhome.voices.services.handling import appeal_close


def pdf_with_metadata() -> bytes:
    """A one-page PDF whose document information and XMP name its author and the minute it was made."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": "张三", "/CreationDate": "D:20261128101500+08'00'", "/Producer": "WPS Office"})
    writer.xmp_metadata = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>张三</dc:creator></x:xmpmeta>'.encode()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A PDF as pypdf writes it without metadata: stored unchanged, so its downloads can be compared byte for byte.
PDF = pdf_without_metadata(pdf_without_metadata(pdf_with_metadata()))
GPS_LATITUDE = (29.0, 22.0, 15.5)


def jpeg_with_metadata(*, width: int = 40, height: int = 30, orientation: int = 1) -> bytes:
    """A JPEG carrying EXIF: camera make, time, orientation and a GPS position."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:03:01 08:15:00"  # DateTime
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "ZhangSan-secret")
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 255, 128)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def send(user, *, anonymous: bool = False, category: str = "welfare", attachments=(), **fields) -> tuple[Appeal, str]:
    values = {
        "kind": "complaint",
        "title": "澡堂热水不够用",
        "body": "夜班下班后澡堂经常没有热水，希望延长供应时间。",
        **fields,
    }
    return appeal_submit(actor=user, category=category, anonymous=anonymous, attachments=attachments, **values)


def answer(handler, appeal: Appeal, text: str = "已协调后勤延长热水供应至次日凌晨一点。", public: bool = True):
    return appeal_close(actor=handler, appeal=appeal, answer=text, public=public)
