"""The report page as a cadre opens it: who may see which unit, bad input, and the query count."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from tests import factories
from unionhome.audit.models import AuditEvent
from unionhome.satisfaction.tests.index_data import at, rate

URL = reverse("work_report:annual")
TITLES = (
    "The union and its members",
    "Help for workers in hardship",
    "Democratic management",
    "Workers' voices",
    "Workers' satisfaction",
)


def chapter_titles_in_chinese() -> list[str]:
    """The chapter titles as the Chinese page shows them (the catalogue's, once translated)."""
    with translation.override("zh-hans"):
        return [escape(translation.gettext(title)) for title in TITLES]


def this_year() -> int:
    return timezone.localdate().year


def test_chair_reads_the_union_report_in_chinese(client, login_as, union, people):
    rate(union["g11"], "visits", [5, 4, 4, 5, 3, 5], when=at(this_year(), 3, 10))
    login_as(people["chair"])
    response = client.get(URL, {"unit": union["union"].pk, "year": this_year()})
    assert response.status_code == 200
    page = response.content.decode()
    for title in chapter_titles_in_chinese():
        assert title in page, title
    assert "<svg" in page and "第一检验站分工会" in page


def test_the_menu_offers_the_report_to_cadres_who_read_the_index(client, login_as, people):
    login_as(people["cadre"])
    assert URL in client.get(reverse("home:index")).content.decode()


@pytest.mark.parametrize("who", ["cadre", "cadre2"])
def test_a_branch_cadre_cannot_get_the_union_report(client, login_as, union, people, who):
    login_as(people[who])
    for fmt in ("", "pdf", "xlsx"):
        response = client.get(URL, {"unit": union["union"].pk, "year": this_year(), "format": fmt})
        assert response.status_code == 404


def test_a_branch_cadre_gets_their_branch_but_not_the_other(client, login_as, union, people):
    login_as(people["cadre"])
    assert client.get(URL, {"unit": union["s1"].pk}).status_code == 200
    assert client.get(URL, {"unit": union["g11"].pk}).status_code == 200
    assert client.get(URL, {"unit": union["s2"].pk}).status_code == 404
    assert client.get(URL).context["report"].unit == union["s1"]  # the top of their scope by default


def test_a_member_and_an_auditor_are_refused(client, login_as, people):
    for who in ("member", "auditor"):
        login_as(people[who])
        assert client.get(URL).status_code == 403


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "1999"}, "Give the year as four digits"),
        ({"year": "3000"}, "Give the year as four digits"),
        ({"year": "20x6"}, "Give the year as four digits"),
        ({"unit": "abc"}, "Choose a unit from the list"),
        ({"format": "docx"}, "format=pdf"),
        ({"format": "pdf", "year": "-1"}, "Give the year as four digits"),
    ],
)
def test_bad_input_gets_a_clear_message_not_a_500(client, login_as, people, params, message):
    login_as(people["chair"])
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="work_report.exported").exists()


def test_an_unknown_unit_is_not_found(client, login_as, people):
    login_as(people["chair"])
    assert client.get(URL, {"unit": "999999"}).status_code == 404


def test_the_page_reads_a_fixed_number_of_queries(client, login_as, union, people, django_assert_max_num_queries):
    login_as(people["chair"])
    client.get(URL, {"unit": union["union"].pk, "year": this_year()})  # warm the session and caches

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"unit": union["union"].pk, "year": this_year()}).status_code == 200
        return len(queries)

    before = count()
    for i in range(6):
        member = factories.member(union["g12" if i % 2 else "g21"], f"成员{i}")
        rate(union["g12"], "visits", [4, 5, 3], when=at(this_year(), 1 + i, 5))
        factories.unit(union["s2"], f"二站{i}班", "group", code=f"S02-X{i}")
        del member
    assert count() == before
    with django_assert_max_num_queries(before):
        client.get(URL, {"unit": union["union"].pk, "year": this_year()})
