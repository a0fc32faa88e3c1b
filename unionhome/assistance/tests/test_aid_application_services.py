"""Education-aid application services: applying (window, criteria, duplicates, ID numbers, proof, consent),
each wrong field and each member who may not apply."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from tests import factories
from unionhome.access.policy import OutOfScope
from unionhome.assistance.models import AidApplication, ConsentRecord, Document
from unionhome.assistance.services import aid as services
from unionhome.assistance.tests import aid_records, records
from unionhome.assistance.tests.aid_steps import messages_of, refused, submit
from unionhome.audit.models import AuditEvent
from unionhome.encryption import keyed_digest
from unionhome.org.identity import mask_id_number

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- applying ------------------------------------------------------------------------------------


def test_a_member_applies_for_their_child(aid):
    number = aid_records.child_id(1)
    application = submit(aid, child_id_number=number.lower() if number.endswith("X") else number)
    assert application.status == AidApplication.Status.SUBMITTED
    assert application.member == aid["member_record"] and application.unit_path == aid["member_record"].unit_path
    assert application.amount == Decimal("5000.00") and application.child_key == keyed_digest(number)
    assert AidApplication.objects.get(pk=application.pk).child_id_number == number
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT child_id_number FROM assistance_aidapplication WHERE id = %s", [application.pk])
        stored = cursor.fetchone()[0]
    assert number not in stored and number[-4:] not in stored
    event = AuditEvent.objects.get(action="assistance.aid_application.submitted")
    assert event.changes["child_id_number"] == mask_id_number(number)
    assert number not in str(event.changes) and number not in event.object_repr


def test_the_proof_is_stored_with_the_application(aid, settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path
    application = submit(aid, proof=SimpleUploadedFile("录取通知书.png", PNG, content_type="image/png"))
    document = Document.objects.get(aid_application=application)
    assert document.kind == Document.Kind.ADMISSION and document.size == len(PNG)


def test_a_wrong_proof_file_stops_the_whole_application(aid, settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path
    exc = refused(submit, aid, proof=SimpleUploadedFile("a.exe", b"MZ\x90\x00" * 10))
    assert "upload" in exc.message_dict
    assert not AidApplication.objects.exists()


@pytest.mark.parametrize(
    "opens_in, closes_in, message",
    [(1, 10, "Applications open on"), (-10, -1, "Applications closed on")],
)
def test_applying_outside_the_window_is_refused(centre, opens_in, closes_in, message):
    centre["campaign"] = aid_records.campaign(centre, opens_in=opens_in, closes_in=closes_in)
    exc = refused(submit, centre)
    assert exc.messages[0].startswith(message) and not AidApplication.objects.exists()


@pytest.mark.parametrize("state", ["review", "publicity", "paying", "closed"])
def test_applying_to_a_campaign_that_is_not_open_is_refused(centre, state):
    centre["campaign"] = aid_records.campaign(centre, state=state)
    assert refused(submit, centre).messages == ["This campaign is not taking applications."]


def test_a_draft_campaign_is_not_found_by_members(centre):
    centre["campaign"] = aid_records.campaign(centre, state="draft")
    with pytest.raises(OutOfScope):
        submit(centre)


@pytest.mark.parametrize("opens_in, closes_in, accepted", [(0, 10, True), (-10, -1, False)])
def test_the_window_follows_the_local_date(centre, settings, monkeypatch, opens_in, closes_in, accepted):
    """01:00 on 1 September in Shanghai is still 31 August in UTC: the local date decides."""
    settings.TIME_ZONE = "Asia/Shanghai"
    moment = datetime.datetime(2025, 9, 1, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    assert timezone.localdate() == datetime.date(2025, 9, 1)
    centre["campaign"] = aid_records.campaign(centre, opens_in=opens_in, closes_in=closes_in)
    if accepted:
        assert submit(centre).pk
    else:
        assert refused(submit, centre).messages == ["Applications closed on 2025-08-31."]


def test_admission_this_year_is_checked(aid):
    exc = refused(submit, aid, admitted_year=aid["campaign"].year - 1)
    assert exc.message_dict["admitted_year"] == [
        f"This campaign is for children admitted to university in {aid['campaign'].year}."
    ]
    aid["campaign"].require_admission_this_year = False
    aid["campaign"].save()
    assert submit(aid, admitted_year=aid["campaign"].year - 1).admitted_year == aid["campaign"].year - 1


def test_an_active_hardship_file_is_required_when_the_campaign_asks(aid):
    aid["campaign"].require_active_file = True
    aid["campaign"].save()
    exc = refused(submit, aid)
    assert "active hardship file, and you have none" in messages_of(exc)
    records.hardship_file(aid["member_record"], state="submitted")  # not active yet
    assert "active hardship file, and you have none" in messages_of(refused(submit, aid))
    aid["member_record"].hardship_files.update(state="active")
    application = submit(aid)
    assert application.hardship_file == aid["member_record"].hardship_files.get()
    assert application.income_per_head == Decimal("1000.00")


def test_income_per_head_is_taken_from_the_active_file(aid):
    campaign = aid["campaign"]
    campaign.income_per_head_below = Decimal("800.00")
    campaign.save()
    exc = refused(submit, aid)
    assert "no active hardship file to show your income" in messages_of(exc)
    records.hardship_file(aid["member_record"])  # 1,000 yuan a head
    exc = refused(submit, aid)
    assert "below 800.00 yuan a month; your hardship file shows 1000.00 yuan." in messages_of(exc)
    campaign.income_per_head_below = Decimal("1200.00")
    campaign.save()
    assert submit(aid).income_per_head == Decimal("1000.00")


def test_an_active_file_or_low_income_either_qualifies(aid):
    campaign = aid["campaign"]
    campaign.require_active_file, campaign.income_per_head_below = True, Decimal("500.00")
    campaign.save()
    assert "active hardship file or a household income per head below 500.00" in messages_of(refused(submit, aid))
    records.hardship_file(aid["member_record"])  # income 1,000 is above 500, but the file is active
    assert submit(aid).pk


def test_a_member_cannot_apply_twice_for_the_same_child(aid):
    first = submit(aid)
    exc = refused(submit, aid, child_name="张小明", tier=aid["campaign"].tiers.order_by("amount").first())
    assert exc.message_dict["child_id_number"] == ["You have already applied for this child in this campaign."]
    assert list(AidApplication.objects.values_list("pk", flat=True)) == [first.pk]
    assert submit(aid, n=2, child_name="张小红").pk  # another child is fine


def test_two_parents_cannot_both_apply_for_one_child(aid):
    submit(aid)
    exc = refused(submit, aid, actor=aid["parent2"])
    assert "already has an application in this campaign, perhaps made by the other parent" in messages_of(exc)
    assert AidApplication.objects.count() == 1


def test_after_withdrawing_the_child_can_be_applied_for_again(aid):
    first = submit(aid)
    services.aid_application_withdraw(actor=aid["member"], application=first)
    assert submit(aid, actor=aid["parent2"]).member == aid["other_s1"]


def test_a_race_between_two_parents_ends_in_the_same_clear_error(aid, monkeypatch):
    """The check before writing passes for both; the database constraint stops the second."""
    submit(aid)
    monkeypatch.setattr(services, "_child_taken", lambda campaign, child_key: False)
    exc = refused(submit, aid, actor=aid["parent2"])
    assert "already has an application in this campaign" in messages_of(exc)
    assert AidApplication.objects.count() == 1


@pytest.mark.parametrize(
    "number, message",
    [
        ("123", "An ID number has 18 characters"),
        ("43060220070301001", "An ID number has 18 characters"),
        ("", "An ID number has 18 characters"),
    ],
)
def test_an_invalid_child_id_number_is_refused(aid, number, message):
    exc = refused(submit, aid, child_id_number=number)
    assert message in " ".join(exc.message_dict["child_id_number"])
    assert not AidApplication.objects.exists()


def test_a_wrong_check_digit_is_refused(aid):
    number = aid_records.child_id(1)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    exc = refused(submit, aid, child_id_number=wrong)
    assert exc.message_dict["child_id_number"] == ["The ID number's check digit is wrong."]
    assert not AuditEvent.objects.filter(action__startswith="assistance.aid_application").exists()


def test_the_member_s_own_id_number_is_not_a_child_s(aid):
    exc = refused(submit, aid, child_id_number=aid["member_record"].id_number)
    assert exc.message_dict["child_id_number"] == ["Enter your child's ID number, not your own."]


def test_each_field_is_checked(aid):
    other_campaign = aid_records.campaign(aid, name="另一个")
    exc = refused(
        submit,
        aid,
        child_name="",
        school="x" * 101,
        admitted_year=1990,
        tier=other_campaign.tiers.first(),
    )
    assert set(exc.message_dict) == {"child_name", "school", "admitted_year", "tier"}


def test_a_member_of_another_union_cannot_apply(aid):
    other = factories.unit(None, "其他工会", "union")
    outsider = factories.user("outsider", member=factories.member(other, "赵六"))
    with pytest.raises(OutOfScope):
        submit(aid, actor=outsider)


def test_a_cadre_without_a_member_record_cannot_apply(aid):
    assert refused(submit, aid, actor=aid["officer_union"]).messages == [
        "Only members apply for education aid, for their own children."
    ]


# --- consent --------------------------------------------------------------------------------------


def test_the_parents_consent_is_recorded_with_the_application(aid):
    application = submit(aid)
    consent = ConsentRecord.objects.get(member=aid["member_record"])
    assert consent.method == "online" and consent.recorded_by == aid["member"] and consent.file is None
    assert "ID number" in consent.purpose or "身份证" in consent.purpose
    assert application.member == consent.member


def test_no_consent_no_application(aid):
    error = refused(submit, aid, consent=False)
    assert "consent" in error.message_dict
    assert not AidApplication.objects.exists() and not ConsentRecord.objects.exists()
