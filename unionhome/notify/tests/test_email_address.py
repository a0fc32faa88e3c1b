"""A user sets or removes their own address for notification emails on the account page."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from unionhome.accounts.services import account_set_email
from unionhome.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_set_and_remove_the_address(people):
    member = people["member"]
    account_set_email(actor=member, email="  zhang.san@union.example ")
    member.refresh_from_db()
    assert member.email == "zhang.san@union.example"
    event = AuditEvent.objects.get(action="accounts.email_changed")
    assert event.changes == {"email": ["", "z***@union.example"]}
    account_set_email(actor=member, email="")
    member.refresh_from_db()
    assert member.email == ""


@pytest.mark.parametrize("bad", ["not-an-address", "a@b", "x" * 250 + "@example.com", "a@@example.com"])
def test_bad_addresses_are_refused(people, bad):
    with pytest.raises(ValidationError) as refused:
        account_set_email(actor=people["member"], email=bad)
    assert "email" in refused.value.message_dict
    people["member"].refresh_from_db()
    assert people["member"].email == ""


def test_the_account_page_has_the_form(login_as, people):
    client = login_as(people["member"])
    html = client.get("/accounts/me/").content.decode()
    assert 'action="/accounts/me/email/"' in html and 'type="email"' in html
    response = client.post("/accounts/me/email/", {"email": "zs@union.example"})
    assert response.status_code == 302
    people["member"].refresh_from_db()
    assert people["member"].email == "zs@union.example"
    assert 'value="zs@union.example"' in client.get("/accounts/me/").content.decode()


def test_a_bad_address_on_the_page_shows_the_error_by_the_field(login_as, people):
    response = login_as(people["member"]).post("/accounts/me/email/", {"email": "nope"})
    assert response.status_code == 422
    assert 'id="id_email-error"' in response.content.decode()
    people["member"].refresh_from_db()
    assert people["member"].email == ""


def test_the_address_is_in_my_data(login_as, people):
    account_set_email(actor=people["member"], email="zs@union.example")
    response = login_as(people["member"]).get("/accounts/me/download/")
    assert response.json()["account"]["email"] == "zs@union.example"
