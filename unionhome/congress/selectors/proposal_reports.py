"""The proposal dashboard (``congress.view_reports``): for one session, the accepted rate, the on-time
reply rate and the satisfaction with replies (share satisfied + basically satisfied; mean score 5/3/1),
overall and by handling department. Every figure is counted by the database (one query per table)."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Case, Count, IntegerField, Q, When
from django.utils import timezone

from unionhome.access.policy import OutOfScope, can, scope_roots
from unionhome.congress.models import CongressSession, Proposal, ProposalReply
from unionhome.congress.services.proposal_handling import OPEN_FOR_REPLY, SCORES

Status = Proposal.Status
PERMISSION = "congress.view_reports"
# Decided by the committee: accepted (and everything after it), converted or merged.
ACCEPTED_FAMILY = (Status.ACCEPTED, Status.REFERRED, Status.REPLIED, Status.REHANDLING, Status.CLOSED)
REVIEWED = (*ACCEPTED_FAMILY, Status.CONVERTED, Status.MERGED)
Grade = ProposalReply.Rating


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _mean(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class ReplyFigures:
    replies: int = 0
    on_time: int = 0
    rated: int = 0
    content: int = 0  # satisfied or basically satisfied
    dissatisfied: int = 0
    mean_score: Decimal | None = None

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.replies)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return percent(self.content, self.rated)


@dataclass
class DepartmentRow:
    department_id: int
    name: str
    referred: int = 0
    overdue: int = 0
    figures: ReplyFigures = field(default_factory=ReplyFigures)


@dataclass
class Dashboard:
    session: CongressSession
    by_status: dict[str, int]
    total: int
    reviewed: int
    accepted: int
    replies: ReplyFigures
    departments: list[DepartmentRow]

    @property
    def accepted_rate(self) -> Decimal | None:
        return percent(self.accepted, self.reviewed)

    def status_rows(self) -> list[tuple[str, str, int]]:
        return [(value, str(label), self.by_status.get(value, 0)) for value, label in Status.choices]


def _score():
    return Case(*(When(rating=grade, then=score) for grade, score in SCORES.items()), output_field=IntegerField())


def reply_aggregates():
    return {
        "replies": Count("id"),
        "on_time": Count("id", filter=Q(on_time=True)),
        "rated": Count("id", filter=~Q(rating="")),
        "content": Count("id", filter=Q(rating__in=(Grade.SATISFIED, Grade.BASICALLY))),
        "dissatisfied": Count("id", filter=Q(rating=Grade.DISSATISFIED)),
        "mean": Avg(_score()),
    }


def reply_figures(row: dict) -> ReplyFigures:
    return ReplyFigures(
        replies=row["replies"],
        on_time=row["on_time"],
        rated=row["rated"],
        content=row["content"],
        dissatisfied=row["dissatisfied"],
        mean_score=_mean(row["mean"]),
    )


def report_sessions_for(viewer) -> list[CongressSession]:
    """Sessions the viewer may see the dashboard of (``congress.view_reports`` on the union or above)."""
    roots = scope_roots(viewer, PERMISSION)
    if not roots:
        return []
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(unit_path__startswith=root)
    return list(CongressSession.objects.filter(q).select_related("congress").order_by("-starts_at")[:50])


def report_session_for(viewer, pk: int | None) -> CongressSession:
    """The chosen session (the latest one when none is chosen); 404 outside the viewer's scope."""
    if pk is None:
        sessions = report_sessions_for(viewer)
        if not sessions:
            raise OutOfScope()
        return sessions[0]
    session = CongressSession.objects.select_related("congress").filter(pk=pk).first()
    if session is None or not can(viewer, PERMISSION, session):
        raise OutOfScope()
    return session


def dashboard_for(session: CongressSession, today: datetime.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    proposals = Proposal.objects.filter(session=session)
    by_status = dict(proposals.order_by().values_list("status").annotate(n=Count("id")))
    replies = ProposalReply.objects.filter(proposal__session=session)
    overall = reply_figures(replies.aggregate(**reply_aggregates()))
    departments: dict[int, DepartmentRow] = {}
    referred = (
        proposals.filter(department__isnull=False)
        .order_by()
        .values("department_id", "department__name")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(status__in=OPEN_FOR_REPLY, reply_due_on__lt=today)))
    )
    for row in referred:
        departments[row["department_id"]] = DepartmentRow(
            row["department_id"], row["department__name"], referred=row["n"], overdue=row["overdue"]
        )
    for row in replies.order_by().values("department_id", "department__name").annotate(**reply_aggregates()):
        key = row["department_id"]
        dept = departments.setdefault(key, DepartmentRow(key, row["department__name"]))
        dept.figures = reply_figures(row)
    return Dashboard(
        session=session,
        by_status=by_status,
        total=sum(by_status.values()),
        reviewed=sum(by_status.get(s, 0) for s in REVIEWED),
        accepted=sum(by_status.get(s, 0) for s in ACCEPTED_FAMILY),
        replies=overall,
        departments=sorted(departments.values(), key=lambda d: d.name),
    )
