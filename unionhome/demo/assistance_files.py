"""The assistance demo's hardship files: a file with its household, causes, consent, history of
events, re-reviews and objections, up to its state."""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from unionhome.assistance.models import (
    ConsentRecord,
    FileEvent,
    HardshipCause,
    HardshipFile,
    HouseholdMember,
    Objection,
    ReReview,
)
from unionhome.demo.assistance_centre import Centre, Staff, Who
from unionhome.demo.assistance_clock import Clock, add_months, plus
from unionhome.demo.assistance_households import household, income_per_head, situation
from unionhome.demo.assistance_rows import Rows

CONSENT_VERSION = "2025.1"  # as services/files.py records it
CONSENT_PURPOSE = "建立困难职工档案：处理本人及家庭成员的健康、收入等敏感个人信息，仅用于帮扶审核与跟踪"
LEVELS = ("deep", "relative", "sudden")
LEVEL_WEIGHTS = (30, 52, 18)
LEVEL_CAUSES = {
    "deep": (("illness", "low_income"), ("disability", "low_income"), ("illness", "schooling")),
    "relative": (
        ("low_income",),
        ("low_income", "schooling"),
        ("single_parent", "low_income"),
        ("schooling",),
        ("illness",),
    ),
    "sudden": (("disaster",), ("illness",), ("disaster", "illness")),
}
REJECT_REASONS = (
    "经核实家庭人均月收入高于困难标准，不符合建档条件",
    "申请材料不全，经两次告知仍未补齐",
    "家庭拥有两套以上住房，不符合建档条件",
)
EXIT_REASONS = (
    "子女毕业参加工作，家庭收入明显增加，脱困",
    "配偶重新就业，家庭人均收入超过困难标准，脱困",
    "病情稳定，医保报销后负担减轻，经复核脱困",
    "本人申请退出，家庭经济状况好转",
)
RE_REVIEW_NOTES = ("家庭状况无明显变化，继续帮扶", "医疗支出仍然较大，维持原困难等级", "入户核实，情况属实")
OBJECTION = "反映该职工家中另有商铺出租收入，申报收入不实。"
OBJECTION_DISMISSED = "经入户核实，商铺系亲属所有，与申请人无关，异议不成立。"


@dataclass
class FileCase:
    """A written file, with what the assistance and aid generators need to know of it."""

    id: int
    who: Who
    state: str
    causes: tuple[str, ...]
    income_per_head: Decimal
    activated_on: datetime.date | None
    closed_on: datetime.date | None


def build_file(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    centre: Centre,
    staff: Staff,
    who: Who,
    *,
    state: str,
    entered: datetime.date,
    level: str | None = None,
    variant: str = "",
) -> FileCase:
    """A file that reached ``state`` on ``entered``, with its household, causes, consent and history.

    Variants: ``rejected_by_union`` (rejected after the branch review), ``objection`` (publicity with an
    open objection), ``dismissed`` (publicity with an objection dismissed), ``re_reviewed`` (an active
    file with a re-review done), ``exit_on_review`` (an exited file that left at its re-review).
    """
    level = level or rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
    causes = rng.choice(LEVEL_CAUSES[level])
    reviewer, approver = staff.officer_for(who), staff.chair
    opener = staff.member_users.get(who.id)
    on_behalf = opener is None
    opener = opener or reviewer
    days, months = centre.settings.publicity_days, centre.settings.re_review_months

    # Walk back from the day the file reached its state to the day it was opened. Actions and dates follow
    # hardship_workflow.py and services/files.py: publicity runs ``days`` days including the first.
    closed_on = activated = publicity_start = reviewed = submitted = None
    re_reviews: list[tuple[datetime.date, datetime.date, str]] = []  # (due, done, outcome)
    if state == "exited":
        closed_on = entered
        if variant == "exit_on_review":
            activated = add_months(plus(closed_on, rng.randint(0, 20)), -months)
            re_reviews.append((add_months(activated, months), closed_on, "exit"))
        else:
            activated = plus(closed_on, -rng.randint(90, 330))
    elif state == "active":
        activated = entered
        if variant == "re_reviewed":
            due = add_months(activated, months)
            re_reviews.append((due, plus(due, -rng.randint(0, 14)), "continue"))
    if activated:
        publicity_start = plus(activated, -days - rng.randint(1, 3))
    if state == "publicity":
        publicity_start = entered
    if publicity_start:
        reviewed = plus(publicity_start, -rng.randint(2, 8))
    if state == "branch_reviewed":
        reviewed = entered
    if state == "rejected" and variant == "rejected_by_union":
        reviewed = plus(entered, -rng.randint(3, 10))
    if reviewed:
        submitted = plus(reviewed, -rng.randint(1, 6))
    if state == "submitted":
        submitted = entered
    if state == "rejected" and variant != "rejected_by_union":
        submitted = plus(entered, -rng.randint(2, 9))
    created = plus(submitted, -rng.randint(0, 4)) if submitted else entered

    events: list[tuple[str, str, str, datetime.date, int, str]] = [("open", "", "draft", created, opener, "")]
    if submitted:
        events.append(("submit", "draft", "submitted", submitted, opener, ""))
    if reviewed:
        events.append(("branch_review", "submitted", "branch_reviewed", reviewed, reviewer, "入户核实，情况属实"))
    if publicity_start:
        events.append(("approve", "branch_reviewed", "publicity", publicity_start, approver, ""))
    if activated:
        events.append(("activate", "publicity", "active", activated, approver, ""))
    close_reason = ""
    if state == "rejected":
        close_reason = rng.choice(REJECT_REASONS)
        frm = "branch_reviewed" if reviewed else "submitted"
        events.append(("reject", frm, "rejected", entered, approver if reviewed else reviewer, close_reason))
    next_due = add_months(activated, months) if activated else None
    for _due, done, outcome in re_reviews:
        if outcome == "continue":
            events.append(("re_review", "active", "active", done, approver, ""))
            next_due = add_months(done, months)
    if state == "exited":
        close_reason = rng.choice(EXIT_REASONS)
        events.append(("exit", "active", "exited", closed_on, approver, close_reason))

    people = household(rng, who, created, level, causes, centre)
    total, per_head = income_per_head(people)
    file_id = rows.add(
        HardshipFile,
        member_id=who.id,
        union_id=centre.union_id,
        unit_path=who.unit_path,
        state=state,
        level=level,
        situation=situation(people, causes, rng),
        household_size=len(people),
        household_monthly_income=total,
        income_per_head=per_head,
        opened_by_id=opener,
        opened_on_behalf=on_behalf,
        submitted_at=clock.at(submitted, 10) if submitted else None,
        branch_reviewed_by_id=reviewer if reviewed else None,
        approved_by_id=approver if publicity_start else None,
        publicity_starts_on=publicity_start,
        publicity_ends_on=plus(publicity_start, days - 1) if publicity_start else None,
        activated_on=activated,
        next_review_due=next_due if state == "active" else None,
        closed_on=closed_on if state == "exited" else (entered if state == "rejected" else None),
        close_reason=close_reason,
        created_at=clock.at(created, 9),
        updated_at=clock.at(max(e[3] for e in events), 17),
    )
    for cause in causes:
        rows.add(HardshipCause, file_id=file_id, cause=cause)
    for p in people:
        rows.add(
            HouseholdMember,
            file_id=file_id,
            relation=p.relation,
            age=p.age,
            health=p.health,
            health_note=p.note,
            monthly_income=p.income,
            employment=p.employment,
        )
    rows.add(
        ConsentRecord,
        member_id=who.id,
        file_id=file_id,
        purpose=CONSENT_PURPOSE,
        text_version=CONSENT_VERSION,
        method=ConsentRecord.Method.PAPER if on_behalf else ConsentRecord.Method.ONLINE,
        recorded_by_id=opener,
        given_at=clock.at(created, 8, 30),
    )
    for i, (action, frm, to, day, actor, note) in enumerate(events):
        rows.add(
            FileEvent,
            file_id=file_id,
            action=action,
            from_state=frm,
            to_state=to,
            note=note,
            actor_id=actor,
            occurred_at=clock.at(day, 9 + min(i, 8), 15),
        )
    for due, done, outcome in re_reviews:
        rows.add(
            ReReview,
            file_id=file_id,
            due_on=due,
            done_on=done,
            outcome=outcome,
            level=level,
            reviewed_by_id=approver,
            notes=rng.choice(RE_REVIEW_NOTES) if outcome == "continue" else close_reason,
        )
    if state == "publicity" and variant in ("objection", "dismissed"):
        recorded = plus(publicity_start, 1)
        resolved = variant == "dismissed"
        rows.add(
            Objection,
            hardship_file_id=file_id,
            unit_path=who.unit_path,
            summary=OBJECTION,
            raised_by="同班组职工" if resolved else "",
            recorded_by_id=reviewer,
            recorded_at=clock.at(recorded, 11),
            resolution=Objection.Resolution.DISMISSED if resolved else Objection.Resolution.OPEN,
            resolution_note=OBJECTION_DISMISSED if resolved else "",
            resolved_by_id=approver if resolved else None,
            resolved_at=clock.at(plus(recorded, 1), 15) if resolved else None,
        )
    return FileCase(file_id, who, state, causes, per_head, activated, closed_on)
