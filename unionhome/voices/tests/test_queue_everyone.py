"""A supervisor sees every appeal of their units on asking ("Also those routed to others"), as
``voices.supervise`` promises; by default the queue holds only what they answer. Nobody else gains a row."""

from unionhome.voices.selectors.queue import QueueFilters, queue_for
from unionhome.voices.tests.records import appeal_of


def test_a_supervisor_sees_the_units_appeals_routed_to_others_only_on_asking(voices):
    canteen_s1 = appeal_of(voices["member_record"], category="canteen")  # to the canteen department
    welfare_s1 = appeal_of(voices["member_record"], category="welfare")  # to the branch's supervisors
    canteen_s2 = appeal_of(voices["s2_member"], category="canteen")
    cadre = voices["cadre"]  # branch cadre of station 1: voices.supervise there

    assert set(queue_for(cadre)) == {welfare_s1}
    assert set(queue_for(cadre, QueueFilters(everyone=True))) == {welfare_s1, canteen_s1}
    # The department's handler is no supervisor: asking changes nothing for them.
    handler = voices["canteen_handler"]
    assert set(queue_for(handler, QueueFilters(everyone=True))) == set(queue_for(handler)) == {canteen_s1, canteen_s2}


def test_the_page_offers_the_choice_to_supervisors_only(voices, login_as, client):
    appeal_of(voices["member_record"], category="canteen")
    login_as(voices["cadre"])
    page = client.get("/voices/queue/", {"everyone": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Also those routed to others" in page.content.decode()
    assert "食堂饭菜太咸" in page.content.decode()
    client.logout()
    login_as(voices["canteen_handler"])
    page = client.get("/voices/queue/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Also those routed to others" not in page.content.decode()


def test_the_api_takes_the_choice_too(voices, client):
    from unionhome.accounts.services import api_token_issue

    appeal_of(voices["member_record"], category="canteen")
    token = api_token_issue(user=voices["cadre"])[0]
    headers = {"Authorization": f"Bearer {token}"}
    narrow = client.get("/api/v1/voices/handling/queue", headers=headers).json()
    wide = client.get("/api/v1/voices/handling/queue", {"everyone": "true"}, headers=headers).json()
    assert narrow["items"] == [] and len(wide["items"]) == 1
