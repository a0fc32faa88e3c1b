"""Notices: create a draft, edit, publish, withdraw; each guard and each denied role; attachments."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.disclosure.models import Notice, NoticeAttachment
from unionhome.disclosure.services import attachments as attachment_services
from unionhome.disclosure.services.notices import notice_create, notice_publish, notice_update, notice_withdraw
from unionhome.disclosure.tests.records import DOCX, JPEG, PDF, PNG, XLSX, draft, published, upload


def errors_of(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def test_the_office_creates_a_draft_to_a_station(office):
    s1 = office["union"]["s1"]
    notice = draft(office["office"], s1, pinned=True)
    assert (notice.status, notice.unit, notice.audience_path, notice.pinned) == (
        "draft",
        office["union"]["union"],
        s1.path,
        True,
    )
    assert notice.created_by == office["office"] and notice.published_at is None
    assert AuditEvent.objects.filter(action="disclosure.notice.created", object_id=str(notice.pk)).exists()


def test_a_branch_office_publishes_for_its_branch(office):
    notice = draft(office["branch_office"], office["union"]["g11"])
    assert notice.unit == office["union"]["s1"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "   ", "Give the notice a title."),
        ("body", "", "Write the text of the notice."),
        ("category", "gossip", "Choose a category."),
        ("title", "长" * 201, "Use at most 200 characters."),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(office, field, value, message):
    fields = {"title": "标题", "body": "正文", "category": "safety", field: value}
    with pytest.raises(ValidationError) as exc:
        notice_create(actor=office["office"], audience=office["union"]["s1"], **fields)
    assert errors_of(exc)[field] == [message]
    assert not Notice.objects.exists() and not AuditEvent.objects.filter(action__startswith="disclosure").exists()


def test_a_window_that_ends_before_it_starts_is_refused(office):
    start = timezone.now()
    with pytest.raises(ValidationError) as exc:
        draft(office["office"], office["union"]["s1"], publish_from=start, publish_until=start)
    assert errors_of(exc) == {"publish_until": ["The end of the publish window must be after its start."]}
    assert not Notice.objects.exists()


def test_an_audience_outside_the_publishers_scope_is_refused(office):
    with pytest.raises(ValidationError) as exc:
        draft(office["branch_office"], office["union"]["s2"])
    assert errors_of(exc) == {"audience": ["Choose an audience within the part of the union you publish for."]}
    with pytest.raises(ValidationError) as exc:
        notice_create(
            actor=office["office"],
            unit=office["union"]["s1"],
            audience=office["union"]["union"],
            category="safety",
            title="t",
            body="b",
        )
    assert "audience" in errors_of(exc)
    assert not Notice.objects.exists()


@pytest.mark.parametrize("who", ["member", "cadre", "auditor", "admin"])
def test_people_without_publish_are_refused(office, who):
    with pytest.raises(PermissionRefused):
        draft(office[who], office["union"]["s1"])
    assert not Notice.objects.exists()


def test_publishing_for_a_unit_one_does_not_publish_for_is_refused(office):
    with pytest.raises(PermissionRefused):
        draft(office["branch_office"], office["union"]["s1"], unit=office["union"]["union"])


def test_edit_a_draft_then_publish_then_withdraw(office):
    notice = draft(office["office"], office["union"]["s1"])
    notice = notice_update(
        actor=office["office"],
        notice=notice,
        audience=office["union"]["union"],
        category="major_decisions",
        title="技术中心改革方案",
        body="新的正文",
        publish_from=notice.publish_from,
        publish_until=None,
        pinned=True,
    )
    assert (notice.audience_path, notice.category, notice.pinned) == (
        office["union"]["union"].path,
        "major_decisions",
        True,
    )
    updated = AuditEvent.objects.get(action="disclosure.notice.updated")
    assert (
        updated.changes["title"] == ["2026年度职工工资调整方案", "技术中心改革方案"]
        and updated.changes["body"] == "changed"
    )
    notice = notice_publish(actor=office["office"], notice=notice)
    assert notice.status == "published" and notice.published_at is not None
    with pytest.raises(ValidationError) as exc:
        notice_update(
            actor=office["office"],
            notice=notice,
            audience=office["union"]["s1"],
            category="safety",
            title="改",
            body="改",
            publish_from=notice.publish_from,
        )
    assert "cannot be changed" in exc.value.messages[0]
    with pytest.raises(ValidationError, match="Only a draft can be published."):
        notice_publish(actor=office["office"], notice=notice)
    notice = notice_withdraw(actor=office["office"], notice=notice, reason="数据有误，更正后重新公布")
    assert (notice.status, notice.withdrawn_reason, notice.withdrawn_by) == (
        "withdrawn",
        "数据有误，更正后重新公布",
        office["office"],
    )
    event = AuditEvent.objects.get(action="disclosure.notice.withdrawn")
    assert event.changes["reason"] == "数据有误，更正后重新公布"
    with pytest.raises(ValidationError, match="Only a published notice can be withdrawn."):
        notice_withdraw(actor=office["office"], notice=notice, reason="again")


def test_withdraw_needs_a_reason_and_changes_nothing_without_one(office):
    notice = published(office["office"], office["union"]["s1"])
    with pytest.raises(ValidationError) as exc:
        notice_withdraw(actor=office["office"], notice=notice, reason="  ")
    assert errors_of(exc) == {"reason": ["Say why the notice is withdrawn."]}
    assert Notice.objects.get(pk=notice.pk).status == "published"


def test_a_window_already_over_cannot_be_published(office):
    past = timezone.now() - datetime.timedelta(days=10)
    notice = draft(
        office["office"], office["union"]["s1"], publish_from=past, publish_until=past + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as exc:
        notice_publish(actor=office["office"], notice=notice)
    assert "publish_until" in errors_of(exc)
    assert Notice.objects.get(pk=notice.pk).status == "draft"


def test_only_the_publisher_publishes_and_withdraws(office):
    notice = draft(office["office"], office["union"]["s1"])
    for who in ("cadre", "branch_office", "member"):
        with pytest.raises(PermissionRefused):
            notice_publish(actor=office[who], notice=notice)
    notice = notice_publish(actor=office["office"], notice=notice)
    with pytest.raises(PermissionRefused):
        notice_withdraw(actor=office["cadre"], notice=notice, reason="不该我撤")


# --- attachments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("工资方案.pdf", PDF, "application/pdf"),
        ("现场.jpg", JPEG, "image/jpeg"),
        ("图表.png", PNG, "image/png"),
        ("说明.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("明细.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_attachments_are_stored_under_the_private_root(office, _private_root, name, content, content_type):
    notice = draft(office["office"], office["union"]["s1"])
    attachment = attachment_services.attachment_add(actor=office["office"], notice=notice, upload=upload(name, content))
    assert (attachment.content_type, attachment.size, attachment.original_name) == (content_type, len(content), name)
    stored = attachment_services.storage_path(attachment.stored_name)
    assert (
        stored.is_relative_to(_private_root) and stored.read_bytes() == content
    )  # public to its audience: not encrypted


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("方案.pdf", b"MZ\x90\x00 not a pdf"),  # an executable called .pdf
        ("方案.png", PDF),  # content and name disagree
        ("方案.docx", XLSX),  # an Excel workbook called .docx
        ("方案.docx", b"PK\x03\x04broken zip"),
        ("方案.zip", b"PK\x03\x04"),
        ("空.pdf", b""),
    ],
)
def test_wrong_attachments_are_refused_and_nothing_is_stored(office, _private_root, name, content):
    notice = draft(office["office"], office["union"]["s1"])
    with pytest.raises(ValidationError) as exc:
        attachment_services.attachment_add(actor=office["office"], notice=notice, upload=upload(name, content))
    assert "upload" in errors_of(exc)
    assert not NoticeAttachment.objects.exists()
    assert not _private_root.exists() or not any(p.is_file() for p in _private_root.rglob("*"))


def test_an_attachment_over_the_size_limit_is_refused(office, monkeypatch):
    monkeypatch.setattr(attachment_services, "MAX_ATTACHMENT_BYTES", 64)
    notice = draft(office["office"], office["union"]["s1"])
    with pytest.raises(ValidationError) as exc:
        attachment_services.attachment_add(
            actor=office["office"], notice=notice, upload=upload("大.pdf", PDF + b"0" * 64)
        )
    assert list(errors_of(exc)) == ["upload"] and "larger than" in errors_of(exc)["upload"][0]
    assert not NoticeAttachment.objects.exists()


def test_the_real_limit_is_ten_megabytes(office):
    notice = draft(office["office"], office["union"]["s1"])
    big = PDF + b"0" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError, match="larger than 10 MB"):
        attachment_services.attachment_add(actor=office["office"], notice=notice, upload=upload("大.pdf", big))


def test_a_notice_holds_at_most_five_attachments(office):
    notice = draft(office["office"], office["union"]["s1"])
    for i in range(5):
        attachment_services.attachment_add(actor=office["office"], notice=notice, upload=upload(f"{i}.pdf", PDF))
    with pytest.raises(ValidationError, match="at most 5 attachments"):
        attachment_services.attachment_add(actor=office["office"], notice=notice, upload=upload("6.pdf", PDF))
    assert NoticeAttachment.objects.count() == 5


def test_attachments_change_only_on_drafts_and_only_by_the_publisher(office):
    notice = draft(office["office"], office["union"]["s1"])
    with pytest.raises(PermissionRefused):
        attachment_services.attachment_add(actor=office["cadre"], notice=notice, upload=upload("a.pdf", PDF))
    attachment = attachment_services.attachment_add(actor=office["office"], notice=notice, upload=upload("a.pdf", PDF))
    notice_publish(actor=office["office"], notice=notice)
    with pytest.raises(ValidationError, match="only be changed while the notice is a draft"):
        attachment_services.attachment_add(actor=office["office"], notice=notice, upload=upload("b.pdf", PDF))
    with pytest.raises(ValidationError):
        attachment_services.attachment_remove(actor=office["office"], attachment=attachment)
    assert NoticeAttachment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_removing_an_attachment_deletes_its_file(office):
    notice = draft(office["office"], office["union"]["s1"])
    attachment = attachment_services.attachment_add(actor=office["office"], notice=notice, upload=upload("a.pdf", PDF))
    stored = attachment_services.storage_path(attachment.stored_name)
    attachment_services.attachment_remove(actor=office["office"], attachment=attachment)
    assert not NoticeAttachment.objects.exists() and not stored.exists()
