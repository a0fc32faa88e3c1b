"""Building notices for tests through the services (published, with attachments, read, asked)."""

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from unionhome.disclosure.models import Notice
from unionhome.disclosure.services.attachments import attachment_add
from unionhome.disclosure.services.notices import notice_create, notice_publish

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def package(main_part: str) -> bytes:
    """A minimal Office package (.docx with ``word/document.xml``, .xlsx with ``xl/workbook.xml``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
    return buffer.getvalue()


DOCX = package("word/document.xml")
XLSX = package("xl/workbook.xml")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def draft(actor, audience, *, title="2026年度职工工资调整方案", category=Notice.Category.WAGES_WELFARE, **fields):
    return notice_create(
        actor=actor,
        audience=audience,
        category=category,
        title=title,
        body=fields.pop("body", "经职代会审议通过，自2026年1月起执行。"),
        **fields,
    )


def published(actor, audience, *, days_ago: float = 0, files: tuple = (), **fields) -> Notice:
    """A published notice, shown since ``days_ago`` days (published_at moved back as well)."""
    since = timezone.now() - datetime.timedelta(days=days_ago, seconds=1)
    notice = draft(actor, audience, publish_from=fields.pop("publish_from", since), **fields)
    for name, content in files:
        attachment_add(actor=actor, notice=notice, upload=upload(name, content))
    notice = notice_publish(actor=actor, notice=notice)
    if days_ago:
        Notice.objects.filter(pk=notice.pk).update(published_at=since)
        notice.refresh_from_db()
    return notice
