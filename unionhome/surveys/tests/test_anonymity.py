"""After an anonymous response, nothing in the database links it to its member.

A snapshot of every table of every installed app is taken once the survey is open; the member answers,
reminders go out to the others, and every new or changed row is then searched for the member: a foreign
key to their account or member record, their ids in a generic reference, their username, name or
employee number in any text, and any time of the submission. The only row that names
the member is their invitation, which may say *that* they answered, with the survey's opening time as the
time. The same search finds the named response of a named survey (the search can fail).
"""

import datetime
import json
import re

import pytest
from django.apps import apps
from django.utils import timezone

from tests import factories
from unionhome.surveys.models import Answer, Invitation, Response
from unionhome.surveys.services import response_submit, survey_remind
from unionhome.surveys.tests.builders import full_answers, open_survey

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, dict]:
    """Every row of every table, by primary key (one column, or several: ``surveys.Answer``), as its raw
    column values."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        columns = [f.attname for f in model._meta.concrete_fields]
        key = [columns.index(f.attname) for f in model._meta.pk_fields]
        values = model._base_manager.order_by().values_list(*columns)
        rows[model._meta.label] = {tuple(row[i] for i in key): row for row in values}
    return rows


def changed_rows(before: dict, after: dict):
    for label, now in after.items():
        for key, row in now.items():
            if before.get(label, {}).get(key) != row:
                yield label, row


def links_to(model, row: tuple, person: dict, window: tuple[datetime.datetime, datetime.datetime]) -> list[str]:
    found = []
    for field, value in zip(model._meta.concrete_fields, row, strict=True):
        if value is None:
            continue
        if field.is_relation:
            target = field.related_model._meta.label
            if (target, value) in (("accounts.User", person["user_id"]), ("org.Member", person["member_id"])):
                found.append(f"{field.name} -> {target} {value}")
            continue
        if isinstance(value, datetime.datetime):
            if window[0] <= value <= window[1] and (value.minute, value.second, value.microsecond) != (0, 0, 0):
                found.append(f"{field.name} is the time of the submission: {value}")
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        found += [f"{field.name} contains {word!r}" for word in person["words"] if word in text]
        if field.name in ("object_id", "item_id", "args_kwargs", "return_value", "changes", "dedupe_key") and re.search(
            rf"(?<!\d)({person['user_id']}|{person['member_id']})(?!\d)", text
        ):
            found.append(f"{field.name} may name the person: {text[:80]}")
    return found


@pytest.fixture
def person(union, people):
    # Ids far from every other row's, so that finding one in a generic reference means something.
    record = factories.member(union["g11"], "欧阳明远", employee_no="E7788991", pk=7_700_001)
    user = factories.user("ouyang-mingyuan", member=record, display_name="欧阳明远", pk=7_700_002)
    return {"user": user, "record": record, "user_id": user.pk, "member_id": record.pk,
            "words": ["欧阳明远", "ouyang-mingyuan", "E7788991"]}  # fmt: skip


def answer_and_search(survey, person) -> list[tuple[str, tuple, list[str]]]:
    models = {m._meta.label: m for m in apps.get_models(include_auto_created=True)}
    before = snapshot()
    start = timezone.now()
    response_submit(actor=person["user"], survey=survey, answers=full_answers(survey))
    window = (start, timezone.now())  # when the person answered
    reminded = survey_remind(survey=survey, now=timezone.now() + datetime.timedelta(microseconds=1))
    assert reminded == 1  # the other member with a login, "member": the person is not reminded
    return [
        (label, row, links_to(models[label], row, person, window)) for label, row in changed_rows(before, snapshot())
    ]


def test_nothing_links_an_anonymous_response_to_its_member(anonymous_survey, person, union):
    changes = answer_and_search(anonymous_survey, person)
    labels = {label for label, _, _ in changes}
    assert {"surveys.Response", "surveys.Answer", "surveys.Invitation", "notify.Notification"} <= labels
    assert "audit.AuditEvent" not in labels  # nothing audited about the submission
    problems = [f"{label} {row}: {found}" for label, row, found in changes if found and label != "surveys.Invitation"]
    assert problems == []

    # The invitations: the person's says that they answered, with the survey's opening time; the other
    # changed invitation is the reminded member's.
    invitation = Invitation.objects.get(survey=anonymous_survey, member=person["record"])
    assert invitation.responded_at == anonymous_survey.opens_at and invitation.reminded_at is None
    changed = {row[0] for label, row, _ in changes if label == "surveys.Invitation"}  # (id, survey, member…)
    assert invitation.pk in changed and len(changed) == 2

    response = Response.objects.get()
    assert response.member_id is None and response.unit_path == union["s1"].path  # the branch, not the group
    assert response.submitted_at == anonymous_survey.opens_at  # no time of its own
    assert Answer.objects.filter(response=response).count() == 9


def test_the_search_finds_a_named_response(named_survey, person):
    found = {label for label, _, problems in answer_and_search(named_survey, person) if problems}
    assert {"surveys.Response", "audit.AuditEvent", "surveys.Invitation"} <= found


@pytest.fixture
def named_survey(builder, union, person):
    return open_survey(builder, union["union"])


@pytest.fixture
def anonymous_survey(builder, union, person):
    return open_survey(builder, union["union"], anonymous=True)
