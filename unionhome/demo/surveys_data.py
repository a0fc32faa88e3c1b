"""The reference union's satisfaction surveys, built, opened and closed through the survey services.

``build(union=..., members=..., users_by_username=..., rng=...)`` writes three surveys:

* **The year's satisfaction survey** (``ANNUAL``): anonymous, the whole union, closed four weeks ago; about
  six in ten members answered, except at one small-answering station (``QUIET_STATIONS``: four answers,
  fewer than k, so its figures are hidden). It asks the overall question, one Likert question per main
  service line (each naming its line), a matrix of everyday conditions, a 0–10 recommendation, a choice
  of next year's priority and two free texts, one shown only to the dissatisfied. The answers are
  correlated so that driver analysis finds the answers to appeals the line to act on first: it weighs most
  on overall satisfaction and scores lowest.
* **A quick survey still open** (``OPEN``): anonymous, the whole union, closing in two weeks; a third have
  answered, ``demo-member`` has not (it waits on their home page).
* **A named survey of one station** (``NAMED``), closed last month: demo-member's station on its reading
  room.
* **"You said, we did"** (``NOTES``): what the union did about the year's survey and the canteen, published
  for the whole union through ``feedback_action_create``.

Answers are checked by the same rules as a member's (``answer_rules.check_answers``) and written in bulk
as ``response_submit`` writes them: an anonymous response has no member, the branch as unit and the
opening time as its time, and so has the invitation. Dates are set in the past after the services ran.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from unionhome.accounts.models import User
from unionhome.assistance.ratings import HARDSHIP_ASSISTANCE, VISITS
from unionhome.congress.ratings import PROPOSAL_REPLIES
from unionhome.org.models import Member, OrgUnit
from unionhome.satisfaction.service_lines import is_service_line
from unionhome.satisfaction.services_actions import feedback_action_create
from unionhome.surveys.answer_rules import check_answers
from unionhome.surveys.models import Answer, Invitation, Question, Response, Survey
from unionhome.surveys.services.building import survey_close, survey_create, survey_open
from unionhome.surveys.services.questions import question_add
from unionhome.voices.ratings import APPEALS as APPEALS_LINE
from unionhome.voices.routing import branch_of

ANNUAL = "年度职工满意度调查"
OPEN = "食堂与通勤快速调查"
NAMED = "职工书屋使用情况调查"
QUIET_STATIONS = 1
ANSWER_SHARE = 0.6
# (text, service line, mean on 1–5, weight on overall satisfaction)
LINES = [
    ("您对困难帮扶工作的满意程度", HARDSHIP_ASSISTANCE, 4.2, 0.15),
    ("您对走访慰问的满意程度", VISITS, 4.3, 0.10),
    ("您对职工诉求答复的满意程度", APPEALS_LINE, 3.1, 0.45),
    ("您对提案办理与答复的满意程度", PROPOSAL_REPLIES, 3.8, 0.20),
]
CONDITIONS = ["食堂饭菜", "通勤班车", "休息室", "职业培训", "文体活动"]
PRIORITIES = ["诉求快速答复", "困难帮扶", "文体活动", "职业培训", "食堂改善"]
REASONS = ["反映的问题很久没有答复", "答复了但问题没解决", "不知道找谁反映", "活动太少", "班车时间不合适"]
# (title, what workers said, what was done, the survey's line or a topic)
NOTES = [
    (
        "诉求答复提速",
        "年度满意度调查中，职工对诉求答复最不满意，主要是等得太久、不知道办到哪一步了。",
        "自12月起实行诉求“48小时首次回复”，处理进度在手机上随时可查；超期的诉求每周在工会例会上逐件过堂。",
        APPEALS_LINE,
    ),
    (
        "夜班食堂加热保温",
        "夜班职工反映十二点后打的饭菜是凉的，微波炉坏了也没人修。",
        "夜班增设保温餐车，每个食堂配两台微波炉，由后勤服务中心每周检查。",
        "食堂",
    ),
]
IDEAS = ["希望诉求处理进度能在手机上看到", "多组织一些倒班职工能参加的活动", "食堂夜班多加几个菜", ""]


def _likert(rng: random.Random, mean: float, latent: float) -> int:
    return max(1, min(5, round(mean + 0.8 * latent + rng.gauss(0, 0.6))))


def _annual_answers(rng: random.Random, questions: list[Question]) -> dict:
    overall, *lines, matrix, recommend, priority, reason, idea = questions
    latent = rng.gauss(0, 1)
    answers: dict = {}
    drive = 0.0
    for question, (_text, _line, mean, weight) in zip(lines, LINES, strict=True):
        score = _likert(rng, mean, latent + rng.gauss(0, 0.7))
        answers[question.pk] = score
        drive += weight * (score - mean)
    answers[matrix.pk] = [_likert(rng, 3.6 + 0.1 * i, latent) for i in range(len(CONDITIONS))]
    mood = max(1, min(5, round(3.7 + 1.2 * drive + 0.3 * latent + rng.gauss(0, 0.35))))
    answers[overall.pk] = mood
    answers[recommend.pk] = max(0, min(10, round(7 + 1.6 * (mood - 3.7) + rng.gauss(0, 1.2))))
    answers[priority.pk] = 0 if answers[lines[2].pk] <= 3 else rng.randrange(len(PRIORITIES))
    if mood <= 3 and rng.random() < 0.5:
        answers[reason.pk] = rng.choice(REASONS)
    if rng.random() < 0.15:
        answers[idea.pk] = rng.choice(IDEAS)
    return answers


def _questions_annual(chair, survey: Survey) -> list[Question]:
    made = [
        question_add(
            actor=chair,
            survey=survey,
            kind="likert",
            text="总体而言，您对工会工作的满意程度如何？",
            required=True,
            is_overall=True,
        )
    ]
    for text, line, _mean, _weight in LINES:
        made.append(
            question_add(actor=chair, survey=survey, kind="likert", text=text, required=True, service_line=line)
        )
    made.append(
        question_add(
            actor=chair, survey=survey, kind="matrix", text="您对以下方面的满意程度", items=CONDITIONS, required=True
        )
    )
    made.append(
        question_add(
            actor=chair,
            survey=survey,
            kind="recommendation",
            text="您会向新同事推荐加入工会吗？（0 表示完全不会，10 表示一定会）",
            required=True,
        )
    )
    made.append(
        question_add(
            actor=chair,
            survey=survey,
            kind="single",
            text="您最希望工会明年重点做好哪方面？",
            options=PRIORITIES,
            required=True,
        )
    )
    made.append(
        question_add(
            actor=chair,
            survey=survey,
            kind="text",
            text="您不满意的主要原因是什么？",
            condition_question=made[0],
            condition_values=[1, 2, 3],
        )
    )
    made.append(question_add(actor=chair, survey=survey, kind="text", text="您对工会工作还有什么建议？"))
    return made


def _answer_all(survey: Survey, questions: list[Question], answerers: list[tuple[Member, dict, datetime.datetime]]):
    """Write the responses (checked like a member's) and mark the invitations answered."""
    branches: dict[int, str] = {}
    responses, rows_of = [], []
    for member, answers, at in answerers:
        rows, errors = check_answers(questions, answers)
        if errors:
            raise ValueError(f"demo survey answers refused: {errors}")
        if survey.is_anonymous:
            if member.unit_id not in branches:
                branches[member.unit_id] = branch_of(member.unit).path
            responses.append(Response(survey=survey, unit_path=branches[member.unit_id], submitted_at=survey.opens_at))
        else:
            responses.append(Response(survey=survey, member=member, unit_path=member.unit_path, submitted_at=at))
        rows_of.append(rows)
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(
        Answer(response=response, question_id=row.question_id, item=row.item, value=row.value, text=row.text)
        for response, rows in zip(responses, rows_of, strict=True)
        for row in rows
    )
    for member, _answers, at in answerers:
        Invitation.objects.filter(survey=survey, member=member).update(
            responded_at=survey.opens_at if survey.is_anonymous else at
        )


def _survey(chair, unit: OrgUnit, title: str, *, anonymous: bool, intro: str) -> Survey:
    now = timezone.now()
    return survey_create(
        actor=chair,
        unit=unit,
        title=title,
        intro=intro,
        is_anonymous=anonymous,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=14),
    )


def _backdate(survey: Survey, opens_at: datetime.datetime, closes_at: datetime.datetime) -> None:
    """Move a survey built now into the past: its window, its invitations and (anonymous) its responses."""
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=opens_at,
        closes_at=closes_at,
        opened_at=opens_at,
        created_at=opens_at - datetime.timedelta(days=3),
        updated_at=closes_at,
        **({"closed_at": closes_at} if survey.status == Survey.Status.CLOSED else {}),
    )
    Invitation.objects.filter(survey=survey).update(invited_at=opens_at)
    if survey.is_anonymous:
        Invitation.objects.filter(survey=survey, responded_at__isnull=False).update(responded_at=opens_at)
        Response.objects.filter(survey=survey).update(submitted_at=opens_at)
    survey.refresh_from_db()


def _members_of(survey: Survey) -> list[Member]:
    invited = Invitation.objects.filter(survey=survey).values_list("member_id", flat=True)
    return list(Member.objects.filter(pk__in=invited).select_related("unit").order_by("pk"))


def _annual(chair, union: OrgUnit, rng: random.Random, now: datetime.datetime) -> Survey:
    survey = _survey(
        chair,
        union,
        f"{now.year}{ANNUAL}",
        anonymous=True,
        intro="本调查匿名进行，不记录您的姓名和答卷时间，结果只按分工会汇总，人数少于 5 人的不单独显示。",
    )
    questions = _questions_annual(chair, survey)
    survey = survey_open(actor=chair, survey=survey)
    stations = sorted({branch_of(m.unit).path for m in _members_of(survey)})
    quiet = set(stations[-QUIET_STATIONS:])
    answerers, quiet_left = [], 4
    for member in _members_of(survey):
        station = branch_of(member.unit).path
        if station in quiet:
            if quiet_left == 0:
                continue
            quiet_left -= 1
        elif rng.random() >= ANSWER_SHARE:
            continue
        answerers.append((member, _annual_answers(rng, questions), now))
    rng.shuffle(answerers)  # rows in no particular order
    _answer_all(survey, questions, answerers)
    survey = survey_close(actor=chair, survey=survey)
    _backdate(survey, now - datetime.timedelta(days=52), now - datetime.timedelta(days=28))
    return survey


def _open(chair, union: OrgUnit, demo_member, rng: random.Random, now: datetime.datetime) -> Survey:
    survey = _survey(chair, union, OPEN, anonymous=True, intro="三道题，一分钟。匿名填写。")
    canteen = question_add(actor=chair, survey=survey, kind="likert", text="您对食堂的满意程度", required=True)
    commute = question_add(
        actor=chair,
        survey=survey,
        kind="single",
        text="您平时怎么上下班？",
        required=True,
        options=["班车", "公交地铁", "自己开车", "骑车或步行"],
    )
    bus = question_add(
        actor=chair,
        survey=survey,
        kind="likert",
        text="您对班车的满意程度",
        required=True,
        condition_question=commute,
        condition_values=[0],
    )
    survey = survey_open(actor=chair, survey=survey)
    answerers = []
    for member in _members_of(survey):
        if member.pk == getattr(demo_member, "pk", None) or rng.random() >= 0.33:
            continue
        way = rng.choices(range(4), weights=[5, 3, 2, 1])[0]
        answers = {canteen.pk: rng.choices(range(1, 6), weights=[1, 2, 4, 6, 4])[0], commute.pk: way}
        if way == 0:
            answers[bus.pk] = rng.choices(range(1, 6), weights=[2, 3, 4, 4, 2])[0]
        answerers.append((member, answers, now))
    _answer_all(survey, [canteen, commute, bus], answerers)
    _backdate(survey, now - datetime.timedelta(days=3), now + datetime.timedelta(days=14))
    return survey


def _named(chair, station: OrgUnit, rng: random.Random, now: datetime.datetime) -> Survey:
    survey = _survey(chair, station, NAMED, anonymous=False, intro="实名调查，便于我们联系您跟进借阅需求。")
    used = question_add(
        actor=chair,
        survey=survey,
        kind="single",
        text="过去三个月您去过职工书屋吗？",
        required=True,
        options=["没有去过", "去过一两次", "经常去"],
    )
    liked = question_add(
        actor=chair,
        survey=survey,
        kind="likert",
        text="您对职工书屋的满意程度",
        condition_question=used,
        condition_values=[1, 2],
    )
    wish = question_add(actor=chair, survey=survey, kind="text", text="您希望书屋增加哪些书？")
    survey = survey_open(actor=chair, survey=survey)
    start = now - datetime.timedelta(days=40)
    answerers = []
    for member in _members_of(survey):
        if rng.random() >= 0.5:
            continue
        visits = rng.choices(range(3), weights=[3, 4, 2])[0]
        answers = {used.pk: visits, wish.pk: rng.choice(["技能考证类", "儿童绘本", "历史类", "", ""])}
        if visits:
            answers[liked.pk] = rng.choices(range(1, 6), weights=[1, 1, 3, 5, 3])[0]
        answerers.append((member, answers, start + datetime.timedelta(hours=rng.randint(2, 200))))
    _answer_all(survey, [used, liked, wish], answerers)
    survey = survey_close(actor=chair, survey=survey)
    _backdate(survey, start, start + datetime.timedelta(days=10))
    return survey


@transaction.atomic
def build(*, union: OrgUnit, users_by_username: dict, rng: random.Random) -> dict[str, int]:
    """Write the three surveys (once); returns what was made."""
    if Survey.objects.filter(unit_path__startswith=union.path).exists():
        return {"surveys": 0}
    chair = users_by_username.get("demo-chair") or User.objects.get(username="demo-chair")
    demo_member = getattr(users_by_username.get("demo-member"), "member", None)
    now = timezone.now()
    station = branch_of(demo_member.unit) if demo_member is not None else union
    made = [
        _annual(chair, union, rng, now),
        _open(chair, union, demo_member, rng, now),
        _named(chair, station, rng, now),
    ]
    for title, said, done, about in NOTES:  # about the year's survey (a service line) or a topic of appeals
        line = about if is_service_line(about) else ""
        feedback_action_create(
            actor=chair,
            unit=union,
            publish=True,
            title=title,
            said=said,
            done=done,
            survey=made[0] if line else None,
            service_line=line,
            topic="" if line else about,
        )
    return {"surveys": len(made), "responses": Response.objects.filter(survey__in=made).count(), "notes": len(NOTES)}
