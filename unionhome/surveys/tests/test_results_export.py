"""The Excel export of a survey's results, read back with openpyxl: the summary and the breakdown suppressed as on
the page, a named survey's answers with the members, an anonymous survey's with nothing that names anyone, and
an audit event for every export."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.audit.models import AuditEvent
from unionhome.surveys.models import Response, Survey
from unionhome.surveys.results_export import results_export
from unionhome.surveys.results_raw import anonymous_units
from unionhome.surveys.services import response_submit
from unionhome.surveys.tests.builders import full_answers
from unionhome.surveys.tests.results_data import add_responses, answers

pytestmark = pytest.mark.django_db


def workbook_of(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def cells(sheet) -> list:
    return [value for row in sheet.iter_rows(values_only=True) for value in row if value is not None]


def texts_of(workbook) -> str:
    return "\n".join(str(v) for sheet in workbook.worksheets for v in cells(sheet))


@pytest.fixture
def export(client, login_as):
    def download(user, survey):
        login_as(user)
        return workbook_of(client.get(f"/surveys/manage/{survey.pk}/results.xlsx", headers={"Accept-Language": "en"}))

    return download


def test_anonymous_branches_under_k_are_merged():
    assert anonymous_units({"a": 12, "b": 8, "c": 4}, 5) == {"a"}  # "other" would hold 4: b joins it
    assert anonymous_units({"a": 12, "b": 8, "c": 5}, 5) == {"a", "b", "c"}
    assert anonymous_units({"a": 12, "b": 3}, 5) == set()
    assert anonymous_units({"a": 12, "b": 8}, 5) == {"a", "b"}


def test_an_anonymous_export_names_nobody(export, people, anonymous_survey, union):
    s3 = factories.unit(union["union"], "第三检验站分工会", "branch", code="S03")
    member = people["member_record"]
    response_submit(actor=people["member"], survey=anonymous_survey, answers=full_answers(anonymous_survey))
    add_responses(anonymous_survey, union["s1"], 11, answers())
    add_responses(anonymous_survey, s3, 8, answers(text="三站"))
    add_responses(anonymous_survey, union["s2"], 4, answers(text="二站"))
    ids = [str(pk) for pk in Response.objects.filter(survey=anonymous_survey).values_list("pk", flat=True)]

    book = export(people["chair"], anonymous_survey)
    assert book.sheetnames == ["Summary", "By unit", "Raw answers"]
    everything = texts_of(book)
    for secret in (member.name, member.employee_no, people["member"].username):
        assert secret not in everything
    raw = book["Raw answers"]
    header = next(raw.iter_rows(values_only=True))
    assert header[0] == "Unit" and "Response" not in header and "Member" not in header
    rows = list(raw.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 24
    assert not any(isinstance(v, datetime.datetime) for row in rows for v in row)
    # Station 1 (12) is named; station 3 (8) joins station 2 (4) as "other", or "other" would be station 2.
    units = [row[0] for row in rows]
    assert units.count(union["s1"].name) == 12 and units.count("other") == 12 and s3.name not in units
    # The conditional text answered by one member only has no column; the texts of all do.
    assert "篮球赛" not in everything and "二站" in everything
    assert not any(header[0] == i for i in ids)
    # The breakdown: station 2 (4) hidden, and the next smallest (station 3) with it.
    by_unit = {row[0]: row for row in book["By unit"].iter_rows(values_only=True)}
    assert by_unit[union["s2"].name][1] == "fewer than 5 answers" and by_unit[s3.name][1] == "fewer than 5 answers"
    assert by_unit[union["s1"].name][1] == 12

    event = AuditEvent.objects.get(action="surveys.results.exported")
    assert event.changes["rows"] == 24 and event.changes["named"] == 0 and event.object_id == str(anonymous_survey.pk)


def test_a_named_export_lists_the_members(export, people, named_survey, union):
    response_submit(actor=people["member"], survey=named_survey, answers=full_answers(named_survey))
    add_responses(named_survey, union["g21"], 5, answers())
    book = export(people["chair"], named_survey)
    raw = list(book["Raw answers"].iter_rows(values_only=True))
    assert raw[0][:5] == ("Response", "Member", "Employee number", "Unit", "Answered at")
    member = people["member_record"]
    mine = next(row for row in raw[1:] if row[1] == member.name)
    assert mine[2] == member.employee_no and mine[3] == union["g11"].name and isinstance(mine[4], datetime.datetime)
    assert "篮球赛" in mine  # a named survey keeps every question
    assert AuditEvent.objects.get(action="surveys.results.exported").changes == {
        "format": "xlsx",
        "rows": 6,
        "named": 6,
    }


def test_below_k_the_export_holds_the_counts_only(export, people, named_survey, union):
    add_responses(named_survey, union["g11"], 4, answers(text="不该导出"))
    book = export(people["chair"], named_survey)
    assert book.sheetnames == ["Summary", "By unit"]
    assert "不该导出" not in texts_of(book) and "答卷人" not in texts_of(book)


def test_a_formula_stays_text(export, people, named_survey, union):
    add_responses(named_survey, union["g11"], 5, answers(text='=HYPERLINK("http://x")'))
    raw = export(people["chair"], named_survey)["Raw answers"]
    values = cells(raw)
    assert '=HYPERLINK("http://x")' in values
    assert all(cell.data_type != "f" for row in raw.iter_rows() for cell in row)


def test_the_api_export(client, people, anonymous_survey, union):
    add_responses(anonymous_survey, union["s1"], 6, answers())
    token = api_token_issue(user=people["chair"])[0]
    url = f"/api/v1/satisfaction/surveys/manage/{anonymous_survey.pk}/results.xlsx"
    book = workbook_of(client.get(url, headers={"Authorization": f"Bearer {token}"}))
    assert len(book.sheetnames) == 3  # in Chinese: no Accept-Language
    other = api_token_issue(user=people["cadre"])[0]
    assert client.get(url, headers={"Authorization": f"Bearer {other}"}).status_code == 404
    assert AuditEvent.objects.filter(action="surveys.results.exported").count() == 1


def test_the_export_in_a_fixed_number_of_queries(people, named_survey, union, django_assert_max_num_queries):
    chair = people["chair"]
    add_responses(named_survey, union["g11"], 5, answers())
    survey = Survey.objects.select_related("unit").get(pk=named_survey.pk)
    with django_assert_max_num_queries(30) as few:
        results_export(actor=chair, survey=survey).file.close()
    add_responses(named_survey, union["g21"], 40, answers())
    with django_assert_max_num_queries(len(few.captured_queries)):
        export = results_export(actor=chair, survey=survey)
    assert export.rows == 45
    export.file.close()


def test_a_member_out_of_the_viewers_sight_is_not_named(export, people, named_survey, union):
    response_submit(actor=people["member"], survey=named_survey, answers=full_answers(named_survey))
    add_responses(named_survey, union["g21"], 5, answers())
    elsewhere = factories.unit(None, "另一个工会", "union")
    member = people["member_record"]
    type(member).objects.filter(pk=member.pk).update(unit=elsewhere, unit_path=elsewhere.path)  # moved away since
    book = export(people["chair"], named_survey)
    everything = texts_of(book)
    assert member.name not in everything and member.employee_no not in everything
    assert AuditEvent.objects.get(action="surveys.results.exported").changes["named"] == 5
