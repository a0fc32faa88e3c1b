"""Supporting documents of hardship files: type and size checks, encrypted storage outside the web root,
download as an attachment to permitted viewers only, every read audited."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance.models import Document
from unionhome.assistance.services import files as services
from unionhome.assistance.services.documents import document_read, document_store
from unionhome.assistance.tests.file_records import apply, walk
from unionhome.audit.models import AuditEvent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield tmp_path / "private"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_officer_adds_a_pdf_stored_encrypted_outside_the_web_root(centre, _private_root):
    file = walk(centre, "submitted")
    document = document_store(actor=centre["officer_s1"], case=file, upload=upload("诊断证明.pdf", PDF), kind="medical")
    assert (document.content_type, document.size, document.original_name) == (
        "application/pdf",
        len(PDF),
        "诊断证明.pdf",
    )
    assert document.unit_path == file.unit_path
    [on_disk] = stored_files(_private_root)
    assert on_disk.name == document.stored_name and PDF not in on_disk.read_bytes()
    assert AuditEvent.objects.filter(action="assistance.document.uploaded", object_id=str(document.pk)).exists()
    assert document_read(viewer=centre["chair"], document=document).data == PDF
    assert AuditEvent.objects.get(action="assistance.document.read").actor == centre["chair"]


@pytest.mark.parametrize("name, content", [("photo.png", PNG), ("scan.JPG", JPEG), ("scan.jpeg", JPEG)])
def test_images_are_accepted(centre, name, content):
    file = walk(centre, "submitted")
    document = document_store(actor=centre["officer_s1"], case=file, upload=upload(name, content), kind="id_card")
    assert document.content_type.startswith("image/")


@pytest.mark.parametrize(
    "name, content",
    [
        ("证明.pdf", b"just some text pretending to be a PDF"),  # a text file named .pdf
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40),  # a Windows program
        ("invoice.pdf.exe", PDF),  # the right bytes under a name that would run
        ("photo.png", PDF),  # a PDF named as a picture
        ("page.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_wrong_types_are_refused_and_nothing_is_stored(centre, _private_root, name, content):
    file = walk(centre, "submitted")
    with pytest.raises(ValidationError) as exc:
        document_store(actor=centre["officer_s1"], case=file, upload=upload(name, content), kind="medical")
    assert exc.value.message_dict["upload"] == ["Upload a PDF, JPEG or PNG file."]
    assert not Document.objects.exists() and stored_files(_private_root) == []


def test_too_large_is_refused(centre, settings, _private_root):
    settings.UNIONHOME_MAX_DOCUMENT_BYTES = 1024 * 1024
    file = walk(centre, "submitted")
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        document_store(actor=centre["officer_s1"], case=file, upload=upload("big.pdf", big), kind="income")
    assert exc.value.message_dict["upload"] == ["The document is larger than 1 MB."]
    assert not Document.objects.exists() and stored_files(_private_root) == []


def test_an_unknown_type_of_document_is_refused(centre):
    file = walk(centre, "submitted")
    with pytest.raises(ValidationError) as exc:
        document_store(actor=centre["officer_s1"], case=file, upload=upload("a.pdf", PDF), kind="selfie")
    assert "kind" in exc.value.message_dict


def test_the_member_adds_documents_to_their_draft_only(centre):
    file = apply(centre["member"], centre["member_record"])
    states = ("draft",)
    document_store(
        actor=centre["member"], case=file, upload=upload("a.pdf", PDF), kind="income", own_case_states=states
    )
    services.file_submit(actor=centre["member"], file=file)
    file.refresh_from_db()
    with pytest.raises(PermissionRefused):
        document_store(
            actor=centre["member"], case=file, upload=upload("b.pdf", PDF), kind="income", own_case_states=states
        )
    assert Document.objects.count() == 1


def test_a_closed_file_takes_no_documents(centre):
    file = walk(centre, "submitted")
    services.file_reject(actor=centre["officer_s1"], file=file, reason="不符合")
    file.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        document_store(actor=centre["officer_s1"], case=file, upload=upload("a.pdf", PDF), kind="income")


@pytest.mark.parametrize("who", ["officer_s2", "cadre", "admin", "auditor"])
def test_others_neither_add_nor_read_documents(centre, who):
    file = walk(centre, "submitted")
    document = document_store(actor=centre["officer_s1"], case=file, upload=upload("a.pdf", PDF), kind="income")
    with pytest.raises(OutOfScope):
        document_store(actor=centre[who], case=file, upload=upload("b.pdf", PDF), kind="income")
    with pytest.raises(OutOfScope):
        document_read(viewer=centre[who], document=document)
    assert Document.objects.count() == 1
    assert not AuditEvent.objects.filter(action="assistance.document.read").exists()


# --- pages ---------------------------------------------------------------------------------------


def test_upload_and_download_through_the_pages(centre, login_as):
    file = walk(centre, "submitted")
    client = login_as(centre["officer_s1"])
    response = client.post(
        reverse("assistance:document_upload", args=[file.pk]),
        {"document-kind": "medical", "document-upload": upload("住院发票.pdf", PDF)},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    response = client.get(reverse("assistance:document_download", args=[file.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E4%BD%8F%E9%99%A2%E5%8F%91%E7%A5%A8.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == PDF
    assert AuditEvent.objects.filter(action="assistance.document.read", actor=centre["officer_s1"]).count() == 1
    # The applicant reads their own documents too.
    own = login_as(centre["member"]).get(reverse("assistance:document_download", args=[file.pk, document.pk]))
    assert own.status_code == 200 and own.content == PDF


def test_a_refused_upload_shows_the_reason_on_the_page(centre, login_as):
    file = walk(centre, "submitted")
    response = login_as(centre["officer_s1"]).post(
        reverse("assistance:document_upload", args=[file.pk]),
        {"document-kind": "medical", "document-upload": upload("virus.exe", b"MZ" + b"\x00" * 10)},
    )
    assert response.status_code == 200
    assert "Upload a PDF, JPEG or PNG file." in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize("who", ["officer_s2", "cadre", "admin", "auditor"])
def test_other_cadres_get_404_for_documents(centre, login_as, who):
    file = walk(centre, "submitted")
    document = document_store(actor=centre["officer_s1"], case=file, upload=upload("a.pdf", PDF), kind="income")
    client = login_as(centre[who])
    assert client.get(reverse("assistance:document_download", args=[file.pk, document.pk])).status_code == 404
    response = client.post(
        reverse("assistance:document_upload", args=[file.pk]),
        {"document-kind": "medical", "document-upload": upload("b.pdf", PDF)},
    )
    assert response.status_code == 404
    assert Document.objects.count() == 1
    assert AuditEvent.objects.filter(action="access.denied", actor=centre[who]).count() == 2


def test_another_member_gets_404_for_a_document(centre, login_as):
    file = walk(centre, "submitted")
    document = document_store(actor=centre["officer_s1"], case=file, upload=upload("a.pdf", PDF), kind="income")
    other = factories.user("lisi", member=centre["other_s1"])
    url = reverse("assistance:document_download", args=[file.pk, document.pk])
    assert login_as(other).get(url).status_code == 404
    # A document id under another file's address is not found either.
    other_file = walk(centre, "submitted", member=centre["other_s1"])
    url = reverse("assistance:document_download", args=[other_file.pk, document.pk])
    assert login_as(centre["officer_s1"]).get(url).status_code == 404
