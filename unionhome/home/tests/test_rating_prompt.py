"""The home page asks a served worker for their verdict: a count of services waiting for a rating."""

from tests import factories
from unionhome.assistance.models import Assistance
from unionhome.satisfaction.models import Rating


def delivered(people) -> Assistance:
    member = people["member_record"]
    return Assistance.objects.create(
        member=member,
        unit_path=member.unit_path,
        kind="job",
        description="推荐就业岗位",
        status="delivered",
        requested_by=people["cadre"],
        responsible=people["cadre"],
    )


def test_a_worker_with_help_to_rate_is_asked_on_the_home_page(login_as, people):
    item = delivered(people)
    client = login_as(people["member"])
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 service you received is waiting for your rating." in page and "/satisfaction/" in page
    Rating.objects.create(
        service_line="hardship_assistance",
        item_type="assistance.assistance",
        item_id=item.pk,
        member=people["member_record"],
        unit_path=item.unit_path,
        score=4,
    )
    assert "waiting for your rating" not in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_nobody_else_is_asked(login_as, people):
    delivered(people)
    other = factories.user("other-member", member=people["other_s1"])
    assert "waiting for your rating" not in login_as(other).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
