"""Service lines are registered by the features: the registry, and a new line needing no satisfaction code."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from unionhome.accounts.services import api_token_issue
from unionhome.assistance.models import HardshipFile
from unionhome.assistance.tests import records
from unionhome.satisfaction import ratable
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.selectors import given_ratings, pending_ratings
from unionhome.satisfaction.service_lines import (
    ServiceLineSpec,
    is_service_line,
    register_service_line,
    service_line_label,
    service_line_spec,
    service_lines,
    unregister_service_line,
)
from unionhome.satisfaction.services import rating_record, rating_submit

TODAY_LINES = [
    ("hardship_assistance", "Hardship assistance"),
    ("education_aid", "Education aid"),
    ("visits", "Visits and condolences"),
    ("proposal_replies", "Replies to congress proposals"),
    ("decision_implementation", "Implementation of congress decisions"),
    ("appeals", "Answers to workers' appeals"),
]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_the_features_register_their_lines_with_the_codes_stored_so_far():
    assert [(s.code, str(s.label)) for s in service_lines()][: len(TODAY_LINES)] == TODAY_LINES
    assert all(s.weight == 1.0 for s in service_lines())
    for code, label in TODAY_LINES:
        assert is_service_line(code) and service_line_label(code) == label
        assert service_line_spec(code).code == code


def test_the_constants_are_the_features_own():
    from unionhome.assistance import ratings as assistance
    from unionhome.congress import ratings as congress
    from unionhome.voices import ratings as voices

    assert (assistance.HARDSHIP_ASSISTANCE, assistance.EDUCATION_AID, assistance.VISITS) == (
        "hardship_assistance",
        "education_aid",
        "visits",
    )
    assert (congress.PROPOSAL_REPLIES, congress.DECISION_IMPLEMENTATION) == (
        "proposal_replies",
        "decision_implementation",
    )
    assert voices.APPEALS == "appeals"


def test_labels_are_translated_when_asked():
    with translation.override("zh-hans"):
        assert service_line_label("visits") == str(service_line_spec("visits").label)


def test_an_unknown_code_is_its_own_label():
    assert service_line_label("retired_line") == "retired_line"
    assert not is_service_line("retired_line") and service_line_spec("retired_line") is None


def test_registering_again_is_harmless_but_a_different_spec_is_refused():
    spec = service_line_spec("visits")
    assert register_service_line(spec) is spec
    with pytest.raises(ValueError, match="registered already"):
        register_service_line(ServiceLineSpec("visits", "Something else"))
    assert service_line_label("visits") == "Visits and condolences"


@pytest.mark.parametrize("code", ["", "Visits", "访问", "a-b", "x" * 41, "1line"])
def test_bad_codes_are_refused(code):
    with pytest.raises(ValueError):
        ServiceLineSpec(code, "x")


@pytest.mark.parametrize("weight", [0, -1.0, float("nan")])
def test_weights_are_positive(weight):
    with pytest.raises(ValueError):
        ServiceLineSpec("some_line", "x", weight=weight)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.from_regex(r"zz_[a-z0-9_]{1,20}", fullmatch=True), st.integers(-1000, 1000)),
        max_size=8,
        unique_by=lambda t: t[0],
    )
)
def test_lines_are_listed_by_order_then_code(extra):
    try:
        for code, order in extra:
            register_service_line(ServiceLineSpec(code, code, order=order))
        listed = service_lines()
        keys = [(s.order, s.code) for s in listed]
        assert keys == sorted(keys)
        assert {code for code, _ in extra} <= {s.code for s in listed}
    finally:
        for code, _ in extra:
            unregister_service_line(code)
    assert not any(s.code.startswith("zz_") for s in service_lines())


# --- A new line needs no change to the satisfaction code -----------------------------------------------


@pytest.fixture
def throwaway_line():
    """A line and a ratable of a test's own (hardship files stand in for a new feature's served items)."""
    spec = register_service_line(ServiceLineSpec("throwaway_help", "Throw-away help", weight=2.0, order=5))
    registration = ratable.register(
        ratable.Ratable(
            model=HardshipFile,
            service_line=spec.code,
            ready=Q(state="active"),
            describe=lambda item: f"Throw-away help #{item.pk}",
            served_on_field="activated_on",
        )
    )
    try:
        yield spec
    finally:
        ratable.unregister(registration.item_type)
        unregister_service_line(spec.code)
    assert not is_service_line("throwaway_help")


def test_a_line_registered_elsewhere_is_rated_and_listed_with_its_label(throwaway_line, centre, client):
    member = centre["member_record"]
    item = records.hardship_file(member)
    assert service_lines()[0] == throwaway_line  # order 5 comes first

    pending = [p for p in pending_ratings(member) if p.item_type == "assistance.hardshipfile"]
    assert [(p.item_id, p.service_line, p.service_line_label) for p in pending] == [
        (item.pk, "throwaway_help", "Throw-away help")
    ]
    token = api_token_issue(user=centre["member"])[0]
    api = client.get("/api/v1/satisfaction/ratings/pending", headers={"Authorization": f"Bearer {token}"}).json()[
        "items"
    ]
    assert {"service_line": "throwaway_help", "service_line_label": "Throw-away help"}.items() <= api[0].items()

    rating = rating_submit(actor=centre["member"], item=item, score=4, comment="好")
    assert Rating.objects.get(pk=rating.pk).service_line == "throwaway_help"
    assert not [p for p in pending_ratings(member) if p.item_type == "assistance.hardshipfile"]
    given_ = given_ratings(member, 10)
    assert [(g.rating.pk, g.service_line_label) for g in given_] == [(rating.pk, "Throw-away help")]

    page = client.get("/satisfaction/")  # not logged in: the login page
    assert page.status_code == 302
    client.force_login(centre["member"])
    html = client.get("/satisfaction/").content.decode()
    assert "Throw-away help" in html and f"/satisfaction/rate/assistance.hardshipfile/{item.pk}/" in html

    body = json.dumps({"score": 2})
    changed = client.patch(
        f"/api/v1/satisfaction/ratings/{rating.pk}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["score"], changed.json()["service_line_label"]) == (2, "Throw-away help")


def test_rating_record_takes_any_registered_line_and_refuses_unknown_ones(throwaway_line, centre):
    member = centre["member_record"]
    rating = rating_record(
        service_line="throwaway_help",
        item_type="elsewhere.thing",
        item_id=1,
        member=member,
        unit_path=member.unit_path,
        cadre_id=None,
        score=5,
    )
    assert rating.service_line_label == "Throw-away help"
    with pytest.raises(ValueError, match="register it"):
        rating_record(
            service_line="never_registered",
            item_type="elsewhere.thing",
            item_id=2,
            member=member,
            unit_path=member.unit_path,
            cadre_id=None,
            score=5,
        )
    assert Rating.objects.count() == 1


def test_a_stored_line_nobody_registers_any_more_still_shows(centre):
    member = centre["member_record"]
    Rating.objects.create(  # written as an old row would have been
        service_line="retired_line",
        item_type="gone.item",
        item_id=1,
        member=member,
        unit_path=member.unit_path,
        score=3,
    )
    assert [g.service_line_label for g in given_ratings(member, 5)] == ["retired_line"]
    assert [g.change_url for g in given_ratings(member, 5)] == [""]
    with pytest.raises(ValidationError):
        rating_record(
            service_line="visits",
            item_type="gone.item",
            item_id=1,
            member=member,
            unit_path=member.unit_path,
            cadre_id=None,
            score=1,
        )
