"""Decision pages: the list and who sees what, one decision's timeline, the opinion call page, and the
office's and representatives' forms. Query counts stay constant as rows grow."""

import datetime
import re

import pytest
from django.utils import timezone

from tests import factories
from unionhome.congress.models import Decision, DecisionTracking, OpinionCall, OpinionComment, TrackingMilestone, Vote
from unionhome.congress.services import decisions as decision_services
from unionhome.congress.services import opinion_calls as calls
from unionhome.congress.services import tracking as tracking_services
from unionhome.congress.tests import decision_records as records
from unionhome.satisfaction.models import Rating

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def get(client, url):
    return client.get(url, **EN)


def post(client, url, data=None):
    return client.post(url, data or {}, **EN)


# --- the list and who sees what ------------------------------------------------------------------


def test_list_shows_decisions_whose_call_reaches_the_member(congress, login_as, client):
    s1 = records.new_decision(congress, "一站班组休息室改造")
    records.open_call(congress, s1, audience=congress["union"]["s1"])
    s2 = records.new_decision(congress, "二站通勤班车调整")
    records.open_call(congress, s2, audience=congress["union"]["s2"])
    draft = records.new_decision(congress, "尚未征求意见的草案")
    login_as(congress["member"])  # 张三, station 1
    page = get(client, "/congress/decisions/").content.decode()
    assert s1.title in page and s2.title not in page and draft.title not in page
    assert get(client, f"/congress/decisions/{s2.pk}/").status_code == 404
    assert get(client, f"/congress/decisions/{draft.pk}/").status_code == 404
    # Once the station-2 matter went to the congress, every member of the union may follow it.
    records.pass_deadline(OpinionCall.objects.get(decision=s2))
    decision_services.decision_link_motion(actor=congress["office"], decision=s2, motion=records.motion(congress))
    assert get(client, f"/congress/decisions/{s2.pk}/").status_code == 200


def test_office_sees_drafts_cadres_see_public_ones_outsiders_nothing(congress, login_as, client):
    draft = records.new_decision(congress, "草案")
    public = records.new_decision(congress, "已公开")
    records.open_call(congress, public, audience=congress["union"]["s1"])
    login_as(congress["office"])
    page = get(client, "/congress/decisions/").content.decode()
    assert draft.title in page and public.title in page and "Start a decision" in page
    client.logout()
    login_as(congress["cadre2"])  # branch cadre of station 2: congress.view there
    page = get(client, "/congress/decisions/").content.decode()
    assert public.title in page and draft.title not in page and "Start a decision" not in page
    client.logout()
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    outsider = factories.user("outsider", member=factories.member(other, "外人"))
    login_as(outsider)
    assert public.title not in get(client, "/congress/decisions/").content.decode()
    assert get(client, f"/congress/decisions/{public.pk}/").status_code == 404


def test_representatives_see_public_decisions_of_their_union(congress, login_as, client):
    decision = records.new_decision(congress)
    records.open_call(congress, decision, audience=congress["union"]["s1"])
    login_as(congress["rep_users"][6])  # station 2
    assert get(client, f"/congress/decisions/{decision.pk}/").status_code == 200


def test_list_query_count_is_constant(congress, login_as, client, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            d = records.new_decision(congress, f"事项{i}")
            records.open_call(congress, d, audience=congress["union"]["s1"])

    add(2)
    login_as(congress["member"])
    get(client, "/congress/decisions/")
    with django_assert_max_num_queries(14) as few:
        get(client, "/congress/decisions/")
    add(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert get(client, "/congress/decisions/").content.decode().count("/congress/decisions/") > 12


# --- the timeline --------------------------------------------------------------------------------


def whole_story(congress, comments: int = 2, inspections: int = 1):
    decision = records.new_decision(congress)
    call = records.open_call(congress, decision)
    made = [
        calls.opinion_comment_submit(
            actor=congress["rep_users"][i % 8], call=call, body=f"意见{i}", anonymous=i % 2 == 1
        )
        for i in range(comments)
    ]
    call = records.pass_deadline(call)
    for i, comment in enumerate(made):
        calls.opinion_comment_mark(
            actor=congress["office"], comment=comment, adoption="adopted" if i == 0 else "not_adopted", note="说明"
        )
    calls.opinion_call_summarise(actor=congress["office"], call=call, summary="采纳意见0：津贴分档。")
    decision = decision_services.decision_link_motion(
        actor=congress["office"], decision=decision, motion=records.motion(congress)
    )
    records.closed_vote(congress, decision.motion, counts=(6, 1, 1))
    decision = decision_services.decision_mark_decided(actor=congress["office"], decision=decision)
    decision_services.decision_link_notice(actor=congress["office"], decision=decision, notice=records.notice(congress))
    tracking = tracking_services.tracking_start(
        actor=congress["office"],
        decision=decision,
        responsible="人力资源部",
        target_on=timezone.localdate() + datetime.timedelta(days=60),
    )
    tracking_services.milestone_add(
        actor=congress["office"],
        tracking=tracking,
        title="制定实施细则",
        due_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    for i in range(inspections):
        tracking_services.tracking_inspect(
            actor=congress["rep_users"][i], tracking=tracking, score=4 + i % 2, findings=f"检查{i}"
        )
    return decision


def test_worker_follows_the_decision_on_one_page(congress, login_as, client):
    decision = whole_story(congress)
    login_as(congress["member"])
    page = get(client, f"/congress/decisions/{decision.pk}/").content.decode()
    for text in (
        "2 comments",
        "采纳意见0：津贴分档。",
        "Passed",
        "8 took part",
        '赞成: <span class="num">6</span>',
        "关于夜班津贴调整的公告",
        "人力资源部",
        "制定实施细则",
        "Average rating 4.0 of 5 from 1 inspection",
        "检查0",
    ):
        assert text in page, text
    # The adopted comment is linked by its number (comments of one day are listed in a random order).
    assert re.search(r"Comment [12]</a> · [^<]* · Adopted", page)
    assert "Mark as decided" not in page and "Record the inspection" not in page  # not the office, not a rep


def test_timeline_query_count_is_constant(congress, login_as, client, django_assert_max_num_queries):
    small = whole_story(congress, comments=2, inspections=1)
    login_as(congress["member"])
    get(client, f"/congress/decisions/{small.pk}/")
    with django_assert_max_num_queries(30) as few:
        get(client, f"/congress/decisions/{small.pk}/")
    big = whole_story(congress, comments=12, inspections=6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "12 comments" in get(client, f"/congress/decisions/{big.pk}/").content.decode()


def test_vote_counts_only_once_closed(congress, login_as, client):
    decision = records.deliberating(congress)
    vote = records.closed_vote(congress, decision.motion, counts=(5, 2, 1))
    Vote.objects.filter(pk=vote.pk).update(status=Vote.Status.OPEN)
    login_as(congress["member"])
    page = get(client, f"/congress/decisions/{decision.pk}/").content.decode()
    assert "its result is shown once it closes" in page and "赞成: " not in page


# --- the opinion call page -----------------------------------------------------------------------


def test_worker_comments_by_name_and_sees_their_count(congress, login_as, client):
    call = records.open_call(congress, records.new_decision(congress))
    login_as(congress["member"])
    page = get(client, f"/congress/decisions/calls/{call.pk}/").content.decode()
    assert "Your comment" in page and "Named comments sent: 0 of 5." in page
    response = post(client, f"/congress/decisions/calls/{call.pk}/", {"body": "建议分档发放"})
    assert response.status_code == 302
    page = get(client, f"/congress/decisions/calls/{call.pk}/").content.decode()
    assert "建议分档发放" in page and "Named comments sent: 1 of 5." in page and "Your comments" in page


def test_comment_errors_show_on_the_page(congress, login_as, client):
    call = records.open_call(congress, records.new_decision(congress), allow_anonymous=False)
    login_as(congress["member"])
    response = post(client, f"/congress/decisions/calls/{call.pk}/", {"body": " "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    records.pass_deadline(call)
    page = get(client, f"/congress/decisions/calls/{call.pk}/").content.decode()
    assert "Comments are closed" in page and "Your comment</h2>" not in page
    response = post(client, f"/congress/decisions/calls/{call.pk}/", {"body": "晚了"})
    assert "the deadline has passed" in response.content.decode()
    assert not OpinionComment.objects.exists()


def test_comments_are_private_until_the_summary(congress, login_as, client):
    call = records.open_call(congress, records.new_decision(congress))
    calls.opinion_comment_submit(actor=congress["rep_users"][0], call=call, body="代表的意见")
    login_as(congress["member"])
    assert "代表的意见" not in get(client, f"/congress/decisions/calls/{call.pk}/").content.decode()


def test_office_marks_and_summarises_on_the_call_page(congress, login_as, client):
    call = records.open_call(congress, records.new_decision(congress))
    named = calls.opinion_comment_submit(actor=congress["member"], call=call, body="提高到50元")
    anon = calls.opinion_comment_submit(actor=congress["member"], call=call, body="匿名意见", anonymous=True)
    records.pass_deadline(call)
    login_as(congress["office"])
    page = get(client, f"/congress/decisions/calls/{call.pk}/").content.decode()
    assert "2 comments still to consider." in page
    response = post(
        client, f"/congress/decisions/comments/{anon.pk}/adoption/", {f"c{anon.pk}-adoption": "not_adopted"}
    )
    assert response.status_code == 422 and "Say why the comment is not (fully) adopted." in response.content.decode()
    response = post(client, f"/congress/decisions/calls/{call.pk}/summary/", {"summary": "综述"})
    assert response.status_code == 422 and "2 comments have not been considered yet" in response.content.decode()
    post(client, f"/congress/decisions/comments/{named.pk}/adoption/", {f"c{named.pk}-adoption": "adopted"})
    post(
        client,
        f"/congress/decisions/comments/{anon.pk}/adoption/",
        {f"c{anon.pk}-adoption": "not_adopted", f"c{anon.pk}-note": "另行研究"},
    )
    response = post(client, f"/congress/decisions/calls/{call.pk}/summary/", {"summary": "采纳1条"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == OpinionCall.Status.SUMMARISED
    client.logout()
    login_as(congress["rep_users"][3])
    page = get(client, f"/congress/decisions/calls/{call.pk}/").content.decode()
    assert "采纳1条" in page and "提高到50元" in page and "匿名意见" in page and "另行研究" in page
    assert f'href="#comment-{named.pk}"' in page


def test_office_opens_a_decision_and_a_call_through_the_pages(congress, login_as, client):
    login_as(congress["office"])
    assert get(client, "/congress/decisions/new/").status_code == 200
    response = post(
        client, "/congress/decisions/new/", {"union": congress["union"]["union"].pk, "title": "食堂改造", "summary": ""}
    )
    decision = Decision.objects.get()
    assert response["Location"] == f"/congress/decisions/{decision.pk}/"
    closes = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = post(
        client,
        f"/congress/decisions/{decision.pk}/calls/new/",
        {
            "audience": congress["union"]["s1"].pk,
            "title": "食堂改造方案",
            "draft": "方案全文",
            "closes_at": closes,
            "allow_anonymous": "on",
        },
    )
    call = OpinionCall.objects.get()
    assert response["Location"] == f"/congress/decisions/calls/{call.pk}/"
    assert call.allow_anonymous and call.audience == congress["union"]["s1"]


def test_office_pages_are_refused_to_others(congress, login_as, client):
    decision = records.deliberating(congress)
    login_as(congress["member"])
    assert get(client, "/congress/decisions/new/").status_code == 403
    assert post(client, f"/congress/decisions/{decision.pk}/decided/").status_code == 403
    assert get(client, f"/congress/decisions/{decision.pk}/calls/new/").status_code == 403


# --- during and after, through the forms ---------------------------------------------------------


def test_office_takes_the_decision_through_the_congress_and_tracks_it(congress, login_as, client):
    decision = records.new_decision(congress)
    motion = records.motion(congress)
    login_as(congress["office"])
    assert post(client, f"/congress/decisions/{decision.pk}/motion/", {"motion": motion.pk}).status_code == 302
    response = post(client, f"/congress/decisions/{decision.pk}/decided/")
    assert response.status_code == 422 and "has not passed the motion yet" in response.content.decode()
    records.closed_vote(congress, motion)
    assert post(client, f"/congress/decisions/{decision.pk}/decided/").status_code == 302
    notice = records.notice(congress)
    assert post(client, f"/congress/decisions/{decision.pk}/notice/", {"notice": notice.pk}).status_code == 302
    target = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert (
        post(
            client, f"/congress/decisions/{decision.pk}/tracking/", {"responsible": "人力资源部", "target_on": target}
        ).status_code
        == 302
    )
    assert (
        post(client, f"/congress/decisions/{decision.pk}/milestones/", {"title": "细则", "due_on": target}).status_code
        == 302
    )
    milestone = TrackingMilestone.objects.get()
    response = post(
        client,
        f"/congress/decisions/milestones/{milestone.pk}/",
        {
            f"m{milestone.pk}-progress_note": "",
        },
    )
    assert response.status_code == 422 and "Write down the progress" in response.content.decode()
    post(
        client,
        f"/congress/decisions/milestones/{milestone.pk}/",
        {f"m{milestone.pk}-progress_note": "已完成", f"m{milestone.pk}-done": "on"},
    )
    assert post(client, f"/congress/decisions/{decision.pk}/complete/").status_code == 302
    decision.refresh_from_db()
    assert (decision.stage, decision.notice, decision.tracking.status) == (
        Decision.Stage.DONE,
        notice,
        DecisionTracking.Status.DONE,
    )


def test_representative_inspects_through_the_page(congress, login_as, client):
    tracking = records.implementing(congress)
    login_as(congress["rep_users"][4])
    url = f"/congress/decisions/{tracking.decision_id}/"
    assert "Record the inspection" in get(client, url).content.decode()
    response = post(client, f"{url}inspect/", {"score": "9", "findings": "x"})
    assert response.status_code == 422
    assert post(client, f"{url}inspect/", {"score": "3", "findings": "细则已出，发放未开始"}).status_code == 302
    assert Rating.objects.get().score == 3
    client.logout()
    login_as(congress["member"])
    assert post(client, f"{url}inspect/", {"score": "3", "findings": "x"}).status_code == 403


@pytest.mark.parametrize("stage_builder", ["new_decision", "deliberating", "decided"])
def test_detail_page_renders_at_every_stage_for_the_office(congress, login_as, client, stage_builder):
    decision = getattr(records, stage_builder)(congress)
    login_as(congress["office"])
    assert get(client, f"/congress/decisions/{decision.pk}/").status_code == 200
