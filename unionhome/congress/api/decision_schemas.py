"""Schemas and shaping of the decision endpoints (``api/decisions.py``): the timeline as JSON."""

import datetime
from typing import Literal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from pydantic import field_validator

from unionhome.api.fields import MAX_ID, MultilineText, TimeCursor
from unionhome.congress.models import Decision, DecisionTracking, OpinionCall, OpinionComment
from unionhome.congress.selectors import decisions as selectors
from unionhome.congress.services import opinion_calls as call_services
from unionhome.congress.services import tracking as tracking_services
from unionhome.congress.services.decisions import REASON_MAX_LENGTH, SUMMARY_MAX_LENGTH, TITLE_MAX_LENGTH

MAX_PAGE_SIZE = 100


DecisionId = Path(..., ge=1, le=MAX_ID)


# --- schemas -------------------------------------------------------------------------------------


class DecisionOut(Schema):
    id: int
    title: str
    summary: str
    stage: Decision.Stage
    union_id: int
    union_name: str
    created_at: datetime.datetime
    url: str = Field(description="The decision's page.")


class DecisionPageOut(Schema):
    items: list[DecisionOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class CommentOut(Schema):
    id: int
    number: int = Field(description="1 for the first comment on the call, 2 for the second…")
    anonymous: bool
    author_name: str | None = Field(description="Null for an anonymous comment.")
    body: str
    submitted_on: datetime.date
    adoption: OpinionComment.Adoption
    adoption_note: str


class OpinionCallOut(Schema):
    id: int
    decision_id: int
    title: str
    audience_id: int
    audience_name: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    allow_anonymous: bool
    status: OpinionCall.Status
    accepting_comments: bool
    comment_count: int
    adoption_summary: str
    summarised_at: datetime.datetime | None
    taken_up: list[CommentOut] = Field(description="Comments adopted or partly adopted (once summarised).")


class OpinionCallDetailOut(OpinionCallOut):
    draft: str
    comments: list[CommentOut] = Field(
        description="All comments for the office, and for everyone once summarised; else the caller's own."
    )


class OptionCountOut(Schema):
    label: str
    count: int


class VoteResultOut(Schema):
    id: int
    title: str
    status: str
    outcome: str | None = Field(description="Only once the vote is closed.")
    participation: int | None = Field(description="Only once the vote is closed.")
    options: list[OptionCountOut] = Field(description="Counts per option, only once the vote is closed.")


class MotionOut(Schema):
    id: int
    title: str
    session_title: str


class NoticeOut(Schema):
    id: int
    title: str
    url: str


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: datetime.date
    done_on: datetime.date | None
    progress_note: str
    late: bool = Field(description="Past due and not done.")


class InspectionOut(Schema):
    id: int
    representative_name: str
    score: int
    findings: str
    inspected_on: datetime.date


class TrackingOut(Schema):
    responsible: str
    target_on: datetime.date
    status: DecisionTracking.Status
    milestones: list[MilestoneOut]
    inspections: list[InspectionOut]
    average_score: float | None


class DecisionDetailOut(DecisionOut):
    opinion_calls: list[OpinionCallOut]
    motion: MotionOut | None
    votes: list[VoteResultOut]
    notice: NoticeOut | None
    tracking: TrackingOut | None


class ListFilters(Schema):
    after: TimeCursor | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class DecisionIn(Schema):
    union_id: int = Field(..., ge=1, le=MAX_ID)
    title: MultilineText = Field(..., max_length=TITLE_MAX_LENGTH)
    summary: MultilineText = Field("", max_length=SUMMARY_MAX_LENGTH)


class OpinionCallIn(Schema):
    audience_id: int = Field(..., ge=1, le=MAX_ID, description="A unit of the decision's union.")
    title: MultilineText = Field(..., max_length=TITLE_MAX_LENGTH)
    draft: MultilineText = Field(..., max_length=call_services.DRAFT_MAX_LENGTH)
    closes_at: datetime.datetime
    opens_at: datetime.datetime | None = Field(None, description="Now when not given.")
    allow_anonymous: bool = True

    @field_validator("closes_at", "opens_at")
    @classmethod
    def _aware(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is not None and value.tzinfo is None:
            value = timezone.make_aware(value)
        if value is not None and not (datetime.datetime(1970, 1, 2, tzinfo=datetime.UTC) < value):
            raise ValueError(_("Give a date after 1970."))
        if value is not None and value.year > 9000:
            raise ValueError(_("Give a date before the year 9000."))
        return value


class CommentIn(Schema):
    body: MultilineText = Field(..., max_length=call_services.COMMENT_MAX_LENGTH)
    anonymous: bool = Field(False, description="Keep no name, no unit and only the date (where the call allows it).")


class AdoptionIn(Schema):
    adoption: Literal["adopted", "partly", "not_adopted"]
    note: MultilineText = Field("", max_length=call_services.NOTE_MAX_LENGTH)


class SummaryIn(Schema):
    summary: MultilineText = Field(..., max_length=call_services.ADOPTION_SUMMARY_MAX_LENGTH)


class MotionLinkIn(Schema):
    motion_id: int = Field(..., ge=1, le=MAX_ID)


class NoticeLinkIn(Schema):
    notice_id: int = Field(..., ge=1, le=MAX_ID)


class DropIn(Schema):
    reason: MultilineText = Field(..., max_length=REASON_MAX_LENGTH)


class TrackingIn(Schema):
    responsible: MultilineText = Field(..., max_length=tracking_services.RESPONSIBLE_MAX_LENGTH)
    target_on: datetime.date


class MilestoneIn(Schema):
    title: MultilineText = Field(..., max_length=TITLE_MAX_LENGTH)
    due_on: datetime.date


class MilestoneUpdateIn(Schema):
    progress_note: MultilineText = Field("", max_length=tracking_services.PROGRESS_MAX_LENGTH)
    done: bool = False


class InspectionIn(Schema):
    score: int = Field(..., ge=1, le=5)
    findings: MultilineText = Field(..., max_length=tracking_services.FINDINGS_MAX_LENGTH)


class CommentReceivedOut(Schema):
    anonymous: bool
    submitted_on: datetime.date
    named_comments_left: int | None = Field(description="Named comments the caller may still send; null if anonymous.")


# --- shaping -------------------------------------------------------------------------------------


def decision_out(decision: Decision) -> dict:
    return {
        "id": decision.pk,
        "title": decision.title,
        "summary": decision.summary,
        "stage": decision.stage,
        "union_id": decision.unit_id,
        "union_name": decision.unit.name,
        "created_at": decision.created_at,
        "url": reverse("congress:decision_detail", args=[decision.pk]),
    }


def comment_out(comment: OpinionComment) -> dict:
    return {
        "id": comment.pk,
        "number": getattr(comment, "number", 0),
        "anonymous": comment.author_id is None,
        "author_name": comment.author.name if comment.author_id else None,
        "body": comment.body,
        "submitted_on": comment.submitted_on,
        "adoption": comment.adoption,
        "adoption_note": comment.adoption_note,
    }


def call_out(call: OpinionCall, taken_up: list[OpinionComment], comment_count: int) -> dict:
    return {
        "id": call.pk,
        "decision_id": call.decision_id,
        "title": call.title,
        "audience_id": call.audience_id,
        "audience_name": call.audience.name,
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "allow_anonymous": call.allow_anonymous,
        "status": call.status,
        "accepting_comments": call_services.accepting_comments(call),
        "comment_count": comment_count,
        "adoption_summary": call.adoption_summary,
        "summarised_at": call.summarised_at,
        "taken_up": [comment_out(c) for c in taken_up],
    }


def detail_out(decision: Decision) -> dict:
    t = selectors.decision_timeline(decision)
    motion = decision.motion
    tracking = None
    if t.tracking is not None:
        tracking = {
            "responsible": t.tracking.responsible,
            "target_on": t.tracking.target_on,
            "status": t.tracking_status,
            "milestones": [
                {
                    "id": m.pk,
                    "title": m.title,
                    "due_on": m.due_on,
                    "done_on": m.done_on,
                    "progress_note": m.progress_note,
                    "late": m.late,
                }
                for m in t.milestones
            ],
            "inspections": [
                {
                    "id": i.pk,
                    "representative_name": i.representative.member.name,
                    "score": i.score,
                    "findings": i.findings,
                    "inspected_on": i.inspected_on,
                }
                for i in t.inspections
            ],
            "average_score": t.average_score,
        }
    return {
        **decision_out(decision),
        "opinion_calls": [call_out(c, t.taken_up.get(c.pk, []), c.comment_count) for c in t.calls],
        "motion": {"id": motion.pk, "title": motion.title, "session_title": motion.session.title} if motion else None,
        "votes": [
            {
                "id": r.vote.pk,
                "title": r.vote.title,
                "status": r.vote.status,
                "outcome": r.vote.outcome if r.closed else None,
                "participation": r.participation if r.closed else None,
                "options": r.options,
            }
            for r in t.votes
        ],
        "notice": {"id": decision.notice.pk, "title": decision.notice.title, "url": t.notice_url}
        if decision.notice_id
        else None,
        "tracking": tracking,
    }
