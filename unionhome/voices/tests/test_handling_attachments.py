"""Handlers see the photos sent with an appeal: a checked download, audited; nobody outside may."""

from unionhome.audit.models import AuditEvent
from unionhome.voices.tests.appeal_helpers import jpeg_with_metadata, send, upload


def test_the_handler_downloads_the_photo_and_the_read_is_audited(voices, login_as, client, settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    appeal, _ = send(
        voices["member"], category="welfare", anonymous=True, attachments=[upload("a.jpg", jpeg_with_metadata())]
    )
    photo = appeal.attachments.get()
    login_as(voices["cadre"])  # station 1's branch cadre answers welfare appeals of the station
    page = client.get(f"/voices/handle/{appeal.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    link = f"/voices/handle/{appeal.pk}/files/{photo.pk}/"
    assert link in page.content.decode()
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content[:3] == b"\xff\xd8\xff" and response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="voices.appeal.attachment_read")
    assert event.actor_id == voices["cadre"].pk and event.object_id == str(appeal.pk)


def test_nobody_outside_gets_the_file(voices, login_as, client, settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    appeal, _ = send(voices["member"], category="welfare", attachments=[upload("a.jpg", jpeg_with_metadata())])
    photo = appeal.attachments.get()
    login_as(voices["cadre2"])  # station 2's cadre
    assert client.get(f"/voices/handle/{appeal.pk}/files/{photo.pk}/").status_code == 404
    assert client.get(f"/voices/handle/{appeal.pk}/files/{photo.pk + 1}/").status_code == 404
    assert not AuditEvent.objects.filter(action="voices.appeal.attachment_read").exists()
