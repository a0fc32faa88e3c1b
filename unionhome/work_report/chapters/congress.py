"""Democratic management: the workers' congress sessions held in the year by the unit or a unit below, the
proposals filed in the year by representatives of the subtree (and where they stand), and the replies given in
the year with their timeliness and the proposers' satisfaction (``congress/selectors/proposal_reports.py``'s
aggregates). Three queries whatever the number of proposals. Needs ``congress.view_reports`` on the unit."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from unionhome.access.policy import can
from unionhome.congress.models import CongressSession, Proposal, ProposalReply
from unionhome.congress.selectors.proposal_reports import (
    ACCEPTED_FAMILY,
    ReplyFigures,
    percent,
    reply_aggregates,
    reply_figures,
)
from unionhome.org.models import OrgUnit
from unionhome.work_report.chapters.base import Chapter, Rate, ReportYear, Table

PERMISSION = "congress.view_reports"
MAX_SESSIONS = 50
Status = Proposal.Status
UNFILED = (Status.DRAFT, Status.SUGGESTED, Status.SECONDING)


@dataclass
class CongressFigures:
    sessions: list[CongressSession] = field(default_factory=list)
    filed_by_status: dict[str, int] = field(default_factory=dict)
    replies: ReplyFigures = field(default_factory=ReplyFigures)
    replied_proposals: int = 0

    @property
    def filed(self) -> int:
        return sum(self.filed_by_status.values())

    @property
    def accepted(self) -> int:
        return sum(self.filed_by_status.get(s, 0) for s in ACCEPTED_FAMILY)


def congress_figures(unit: OrgUnit, period: ReportYear) -> CongressFigures:
    figures = CongressFigures()
    figures.sessions = list(
        CongressSession.objects.filter(
            unit_path__prefix=unit.path, starts_at__gte=period.start_at, starts_at__lt=period.end_before
        )
        .select_related("congress")
        .order_by("starts_at", "pk")[:MAX_SESSIONS]
    )
    filed = Proposal.objects.filter(
        unit_path__prefix=unit.path, submitted_at__gte=period.start_at, submitted_at__lt=period.end_before
    )
    figures.filed_by_status = dict(filed.order_by().values_list("status").annotate(n=Count("id")))
    row = ProposalReply.objects.filter(
        unit_path__prefix=unit.path, replied_at__gte=period.start_at, replied_at__lt=period.end_before
    ).aggregate(**reply_aggregates(), proposals=Count("proposal_id", distinct=True))
    figures.replies, figures.replied_proposals = reply_figures(row), row["proposals"]
    return figures


def congress_chapter(viewer, unit: OrgUnit, period: ReportYear) -> Chapter:
    title = _("Democratic management")
    if not can(viewer, PERMISSION, unit):
        return Chapter("congress", title, allowed=False)
    f = congress_figures(unit, period)
    figure, value = _("Figure"), _("Value")
    replies = f.replies
    tables = [
        Table(
            _("Workers' congress sessions held in the year"),
            [_("Session"), _("Congress"), _("Date"), _("Status")],
            [
                [s.title, s.congress.name, f"{localtime(s.starts_at):%Y-%m-%d}", str(s.get_status_display())]
                for s in f.sessions
            ],
        ),
        Table(
            _("Proposals"),
            [figure, value],
            [
                [_("Sessions held"), len(f.sessions)],
                [_("Proposals filed in the year"), f.filed],
                [_("Of these, accepted (立案)"), f.accepted],
                [_("Acceptance rate"), Rate(percent(f.accepted, f.filed))],
                [_("Proposals replied to in the year"), f.replied_proposals],
                [_("Replies given in the year"), replies.replies],
                [_("Replies on time"), Rate(replies.on_time_rate)],
                [_("Replies rated by the proposer"), replies.rated],
                [_("Proposers satisfied or basically satisfied"), Rate(replies.satisfaction_rate)],
            ],
        ),
        Table(
            _("Proposals filed in the year, where they stand"),
            [_("Status"), _("Proposals")],
            [[str(label), f.filed_by_status.get(code, 0)] for code, label in Status.choices if code not in UNFILED],
        ),
    ]
    return Chapter("congress", title, tables=tables)
