"""Satisfaction alerts: a significant drop of a union's or branch's index and a run of low ratings raise one
alert each and notify the responsible chair; noise raises nothing; the daily job is idempotent, safe to run
twice at once, and reads a fixed number of queries whatever the number of units; the API keeps to the scope."""

import datetime
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.concurrency import run_together
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.accounts.services import api_token_issue
from unionhome.notify.models import Notification
from unionhome.satisfaction import tasks
from unionhome.satisfaction.alert_reads import alert_for, alerts_for
from unionhome.satisfaction.alerts import alert_mark_seen, satisfaction_alerts_raise
from unionhome.satisfaction.models import SatisfactionAlert
from unionhome.satisfaction.service_lines import service_line_label
from unionhome.satisfaction.services import rating_record
from unionhome.satisfaction.tests.index_data import at, federation, rate

TODAY = datetime.date(2026, 11, 10)  # the last full month is October, against September
VISITS, APPEALS = "visits", "appeals"
KIND = "satisfaction.alert.raised"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SATISFACTION_MIN_GROUP = 5
    settings.SATISFACTION_LOW_RUN = 3
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def fed(db):
    units = federation()
    units["a1_chair"] = factories.user("a1-chair", roles=(("chair", units["a1"]),))
    return units


def drop_in(unit) -> None:
    """A real fall: 20 ratings of mostly 5 in September, 20 of mostly 2 in October."""
    rate(unit, VISITS, [5] * 15 + [4] * 5, when=at(2026, 9, 10))
    rate(unit, VISITS, [2] * 15 + [3] * 5, when=at(2026, 10, 10))


def notes(user):
    return list(Notification.objects.filter(recipient=user, kind=KIND).order_by("id"))


def test_the_job_is_a_daily_sweep():
    assert "unionhome.satisfaction.alerts.satisfaction_alerts_raise" in tasks.DAILY_SWEEPS


# --- index drops ---------------------------------------------------------------------------------


def test_a_real_drop_raises_one_alert_and_notifies_the_nearest_chair(fed):
    drop_in(fed["a1"])
    rate(fed["b1"], VISITS, [4, 5] * 10, when=at(2026, 9, 10))  # 乙: the same both months
    rate(fed["b1"], VISITS, [5, 4] * 10, when=at(2026, 10, 10))

    assert satisfaction_alerts_raise(today=TODAY) == {"index_drop": 2, "low_run": 0}

    alerts = {a.unit_path: a for a in SatisfactionAlert.objects.all()}
    assert set(alerts) == {fed["a1"].path, fed["a"].path}  # the branch and its union; never the federation
    branch = alerts[fed["a1"].path]
    assert branch.kind == "index_drop" and branch.service_line == "" and branch.month == datetime.date(2026, 10, 1)
    assert branch.previous_index == 93.75 and branch.current_index == 31.25 and branch.difference == -62.5
    assert branch.p_value < 0.05 and (branch.previous_n, branch.current_n) == (20, 20)
    # The branch's own chair for the branch, the union's chair for the union; not the federation's.
    [note] = notes(fed["a1_chair"])
    assert note.title == "Satisfaction fell in 甲厂一站分工会 in Oct 2026"
    assert "from 93.8 in Sep 2026 (20 ratings) to 31.2 in Oct 2026 (20 ratings): -62.5 points" in note.body
    assert "significant at 95 %" in note.body
    assert note.url == f"/satisfaction/index/?unit={fed['a1'].pk}"
    assert [n.url for n in notes(fed["a_chair"])] == [f"/satisfaction/index/?unit={fed['a'].pk}"]
    assert notes(fed["chair"]) == []


@pytest.mark.parametrize(
    "september, october",
    [
        ([5] * 9, [1] * 9),  # a big fall, but fewer than 10 ratings a month
        ([4, 5] * 20, [4, 5] * 19 + [4, 4]),  # 40 ratings each, a tiny change
    ],
)
def test_noise_raises_nothing(fed, september, october):
    rate(fed["a1"], VISITS, september, when=at(2026, 9, 10))
    rate(fed["a1"], VISITS, october, when=at(2026, 10, 10))
    assert satisfaction_alerts_raise(today=TODAY) == {"index_drop": 0, "low_run": 0}
    assert not SatisfactionAlert.objects.exists() and not Notification.objects.filter(kind=KIND).exists()


def test_a_rise_raises_nothing(fed):
    rate(fed["a1"], VISITS, [2] * 20, when=at(2026, 9, 10))
    rate(fed["a1"], VISITS, [5] * 20, when=at(2026, 10, 10))
    assert satisfaction_alerts_raise(today=TODAY)["index_drop"] == 0


# --- runs of low ratings -------------------------------------------------------------------------


def record(unit, scores, *, day, cadre=None, line=VISITS, comment=""):
    for i, score in enumerate(scores):
        rate(unit, line, [score], when=at(2026, 11, day) + datetime.timedelta(minutes=i), cadre=cadre)
    if comment:
        rating_record(
            service_line=line,
            item_type="test.commented",
            item_id=day,
            member=None,
            unit_path=unit.path,
            cadre_id=cadre.pk if cadre else None,
            score=1,
            comment=comment,
            rated_at=at(2026, 11, day) + datetime.timedelta(hours=1),
        )


def test_a_run_of_low_ratings_raises_once_while_it_goes_on(fed):
    cadre = factories.user("cadre-li", display_name="李干事", roles=(("branch_cadre", fed["a1"]),))
    record(fed["a1"], [5, 1, 2], day=1, cadre=cadre)
    assert satisfaction_alerts_raise(today=TODAY) == {"index_drop": 0, "low_run": 0}  # two low: not yet a run

    record(fed["a1"], [], day=2, cadre=cadre, comment="the cadre never came, 王师傅 says")  # the third low one
    assert satisfaction_alerts_raise(today=TODAY) == {"index_drop": 0, "low_run": 1}
    [alert] = SatisfactionAlert.objects.all()
    assert alert.kind == "low_run" and alert.cadre_id == cadre.pk and alert.run_length == 3
    assert alert.unit_path == fed["a1"].path
    [note] = notes(fed["a1_chair"])
    assert note.title == "3 low ratings in a row: 李干事"
    assert "never came" not in note.body and "王师傅" not in note.body and "never came" not in note.title

    # A fourth low rating continues the same run: nothing new.
    record(fed["a1"], [1], day=3, cadre=cadre)
    assert satisfaction_alerts_raise(today=TODAY)["low_run"] == 0
    # A better rating ends it; three more low ones are a new run, raised again.
    record(fed["a1"], [4, 2, 1, 1], day=4, cadre=cadre)
    assert satisfaction_alerts_raise(today=TODAY)["low_run"] == 1
    assert SatisfactionAlert.objects.count() == 2 and len(notes(fed["a1_chair"])) == 2


_cadres = itertools.count(1)


def maximal_low_runs(scores: list[int], length: int) -> int:
    """How many maximal runs of scores ≤ 2 have at least ``length`` scores."""
    runs = [len(list(group)) for low, group in itertools.groupby(scores, key=lambda s: s <= 2) if low]
    return sum(1 for run in runs if run >= length)


@given(scores=st.lists(st.integers(1, 5), max_size=10))
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_each_run_is_raised_once_whenever_the_job_runs(fed, scores):
    """Rating one by one and running the job after each rating raises one alert per maximal run of N."""
    cadre = factories.user(f"cadre-{next(_cadres)}", roles=(("branch_cadre", fed["a2"]),))  # the database is reused
    for i, score in enumerate(scores):
        rate(fed["a2"], VISITS, [score], when=at(2026, 11, 1) + datetime.timedelta(minutes=i), cadre=cadre)
        satisfaction_alerts_raise(today=TODAY)
    alerts = SatisfactionAlert.objects.filter(cadre_id=cadre.pk)
    assert alerts.count() == maximal_low_runs(scores, 3)
    assert all(a.run_length == 3 for a in alerts)  # raised as soon as the run reached N


def test_ratings_with_no_cadre_run_per_service_line_and_branch(fed):
    record(fed["a1"], [1, 2], day=1, line=APPEALS)  # anonymous appeals' answers, no cadre
    record(fed["a1"], [1], day=2, line=VISITS)  # another line: not the same run
    record(fed["a2"], [1], day=2, line=APPEALS)  # another branch: not the same run
    assert satisfaction_alerts_raise(today=TODAY)["low_run"] == 0
    record(fed["a1"], [2], day=3, line=APPEALS)
    assert satisfaction_alerts_raise(today=TODAY)["low_run"] == 1
    [alert] = SatisfactionAlert.objects.all()
    assert (alert.cadre_id, alert.service_line, alert.unit_path) == (None, APPEALS, fed["a1"].path)
    [note] = notes(fed["a1_chair"])
    assert note.title == f"3 low ratings in a row: {service_line_label(APPEALS)} in 甲厂一站分工会"


def test_ratings_older_than_30_days_do_not_make_a_run(fed):
    cadre = factories.user("cadre-wang", roles=(("branch_cadre", fed["a1"]),))
    rate(fed["a1"], VISITS, [1, 1], when=at(2026, 10, 5), cadre=cadre)
    record(fed["a1"], [1], day=1, cadre=cadre)
    assert satisfaction_alerts_raise(today=TODAY)["low_run"] == 0


# --- idempotent, concurrent, fixed queries -------------------------------------------------------


def test_running_twice_raises_and_sends_nothing_new(fed):
    drop_in(fed["a1"])
    record(fed["a2"], [1, 1, 1], day=2, line=APPEALS)
    assert satisfaction_alerts_raise(today=TODAY) == {"index_drop": 2, "low_run": 1}
    sent = Notification.objects.filter(kind=KIND).count()
    assert satisfaction_alerts_raise(today=TODAY) == {"index_drop": 0, "low_run": 0}
    assert tasks.satisfaction_daily.call(TODAY.isoformat())["satisfaction_alerts_raise"] == {
        "index_drop": 0,
        "low_run": 0,
    }
    assert SatisfactionAlert.objects.count() == 3 and Notification.objects.filter(kind=KIND).count() == sent


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_raise_and_notify_once():
    units = federation()
    drop_in(units["a1"])
    record(units["a2"], [1, 1, 1], day=2, line=APPEALS)
    results = run_together(lambda _i: satisfaction_alerts_raise(today=TODAY), 4)
    assert all(status == "ok" for status, _ in results), results
    raised = [value for _, value in results]
    assert sum(r["index_drop"] for r in raised) == 2 and sum(r["low_run"] for r in raised) == 1
    assert SatisfactionAlert.objects.count() == 3
    assert Notification.objects.filter(recipient=units["a_chair"], kind=KIND).count() == 3


@pytest.mark.parametrize("branches", [1, 8])
def test_the_job_reads_a_fixed_number_of_queries(fed, branches, django_assert_max_num_queries):
    for i in range(branches):
        branch = factories.unit(fed["b"], f"乙厂{i}号分工会", "branch", code=f"FBX{i}")
        drop_in(branch)
        record(branch, [1, 1, 1], day=2, line=APPEALS)
    satisfaction_alerts_raise(today=TODAY)
    assert SatisfactionAlert.objects.count() == 2 * branches + 1  # the union 乙 fell too
    # Nothing new: the tallies, the ratings, the branches above them, the alerts raised already.
    with django_assert_max_num_queries(5):
        assert satisfaction_alerts_raise(today=TODAY) == {"index_drop": 0, "low_run": 0}


# --- reading and marking seen --------------------------------------------------------------------


def test_alerts_for_keeps_to_the_scope_and_marking_seen_keeps_the_first(fed, django_assert_max_num_queries):
    drop_in(fed["a1"])
    drop_in(fed["b1"])
    satisfaction_alerts_raise(today=TODAY)
    with django_assert_max_num_queries(2):
        mine = alerts_for(fed["a_chair"])
    assert {a.unit_path for a in mine} == {fed["a"].path, fed["a1"].path}
    assert len(alerts_for(fed["chair"])) == 4
    other = SatisfactionAlert.objects.get(unit_path=fed["b1"].path)
    with pytest.raises(OutOfScope):
        alert_for(fed["a_chair"], other.pk)
    member = factories.user("member", member=factories.member(fed["a1"], "王五"))
    with pytest.raises(PermissionRefused):
        alerts_for(member)
    alert = alert_for(fed["a_chair"], mine[0].pk)
    seen = alert_mark_seen(actor=fed["a_chair"], alert=alert)
    again = alert_mark_seen(actor=fed["chair"], alert=alert)
    assert again.seen_by_id == fed["a_chair"].pk and again.seen_at == seen.seen_at


def test_the_api_answers_the_scope(fed, client):
    drop_in(fed["a1"])
    drop_in(fed["b1"])
    satisfaction_alerts_raise(today=TODAY)

    def call(user, method, url):
        token = api_token_issue(user=user)[0]
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        return getattr(client, method)(url, headers=headers)

    body = call(fed["a_chair"], "get", "/api/v1/satisfaction/alerts").json()
    assert {a["unit"]["id"] for a in body["alerts"]} == {fed["a"].pk, fed["a1"].pk}
    first = body["alerts"][0]
    assert first["kind"] == "index_drop" and first["seen"] is False and first["month"] == "2026-10-01"
    seen = call(fed["a_chair"], "post", f"/api/v1/satisfaction/alerts/{first['id']}/seen")
    assert seen.status_code == 200 and seen.json()["seen"] is True
    member = factories.user("member", member=factories.member(fed["a1"], "王五"))
    assert call(member, "get", "/api/v1/satisfaction/alerts").status_code == 403
    other = SatisfactionAlert.objects.get(unit_path=fed["b1"].path)
    assert call(fed["a_chair"], "post", f"/api/v1/satisfaction/alerts/{other.pk}/seen").status_code == 404
    assert call(member, "post", f"/api/v1/satisfaction/alerts/{other.pk}/seen").status_code == 403
