"""The proposal book (提案汇编) of a session: every accepted proposal in the order of its number, with
its proposer, seconders, handling department, replies and the proposer's ratings; as a printable PDF
(``printing.render_pdf``) and as an Excel workbook (openpyxl). Printing or exporting it is audited.

Who may read it: cadres with ``congress.view_proposals`` on the session, and the term's seated
representatives (who see every accepted proposal anyway)."""

import io
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from unionhome.access.policy import OutOfScope, can
from unionhome.audit.recorder import record
from unionhome.congress import proposal_workflow as workflow
from unionhome.congress.models import CongressSession, Proposal, ProposalReply, Seconding
from unionhome.congress.seats import seat_in
from unionhome.printing import render_pdf

TEMPLATE = "congress/proposals/book_print.html"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class BookFile:
    content: bytes
    filename: str
    content_type: str


def may_read(viewer, session: CongressSession) -> bool:
    return can(viewer, workflow.VIEW_PERMISSION, session) or seat_in(viewer, session.congress_id) is not None


def book_session_for(viewer, pk: int) -> CongressSession:
    session = CongressSession.objects.select_related("congress").filter(pk=pk).first()
    if session is None or not may_read(viewer, session):
        raise OutOfScope()
    return session


def book_proposals(session: CongressSession) -> QuerySet[Proposal]:
    """Accepted proposals of the session by number, with everything the book shows (constant queries)."""
    return (
        Proposal.objects.filter(session=session, number__isnull=False)
        .select_related("proposer__member__unit", "proposer__delegation__unit", "author", "department")
        .prefetch_related(
            Prefetch("secondings", queryset=Seconding.objects.select_related("representative__member")),
            Prefetch("replies", queryset=ProposalReply.objects.select_related("department")),
        )
        .order_by("number")
    )


def seconder_names(proposal: Proposal) -> str:
    return "、".join(s.representative.member.name for s in proposal.secondings.all())


def reply_lines(proposal: Proposal) -> list[str]:
    lines = []
    for reply in proposal.replies.all():
        rating = reply.get_rating_display() if reply.rating else _("not rated")
        lines.append(
            _("Round %(round)s (%(department)s, %(date)s): %(body)s — %(rating)s")
            % {
                "round": reply.round,
                "department": reply.department.name,
                "date": timezone.localtime(reply.replied_at).date().isoformat(),
                "body": reply.body,
                "rating": rating,
            }
        )
    return lines


def _filename(session: CongressSession, extension: str) -> str:
    return f"{_('Proposal book')} {session.title}.{extension}"


def book_pdf(*, actor, session: CongressSession, request=None) -> BookFile:
    proposals = list(book_proposals(session))
    content = render_pdf(
        TEMPLATE,
        {
            "session": session,
            "rows": [{"p": p, "seconders": seconder_names(p), "replies": reply_lines(p)} for p in proposals],
            "printed_on": timezone.localdate(),
        },
        request=request,
    )
    record(actor, "congress.proposal_book.exported", session, format="pdf", rows=len(proposals))
    return BookFile(content, _filename(session, "pdf"), "application/pdf")


HEADERS = [
    gettext_lazy("Number"),
    gettext_lazy("Title"),
    gettext_lazy("Category"),
    gettext_lazy("Proposer"),
    gettext_lazy("Delegation"),
    gettext_lazy("Seconders"),
    gettext_lazy("Reasons (案由)"),
    gettext_lazy("Proposed measures"),
    gettext_lazy("Handling department"),
    gettext_lazy("Reply due"),
    gettext_lazy("Replies"),
    gettext_lazy("Rating"),
    gettext_lazy("Status"),
]


def book_workbook(*, actor, session: CongressSession) -> BookFile:
    proposals = list(book_proposals(session))
    book = Workbook()
    sheet = book.active
    sheet.title = _("Proposal book")[:31]
    sheet.append([session.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([str(h) for h in HEADERS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for p in proposals:
        replies = list(p.replies.all())
        last = replies[-1] if replies else None
        sheet.append(
            [
                p.number,
                p.title,
                p.get_category_display(),
                p.proposer.member.name if p.proposer_id else p.author.name,
                p.proposer.delegation.unit.name if p.proposer_id else "",
                seconder_names(p),
                p.reasons,
                p.measures,
                p.department.name if p.department_id else "",
                p.reply_due_on.isoformat() if p.reply_due_on else "",
                "\n".join(reply_lines(p)),
                last.get_rating_display() if last is not None and last.rating else "",
                p.get_status_display(),
            ]
        )
    for column, width in zip("ABCDEFGHIJKLM", (8, 30, 12, 10, 16, 20, 40, 40, 16, 12, 50, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C3"
    out = io.BytesIO()
    book.save(out)
    record(actor, "congress.proposal_book.exported", session, format="xlsx", rows=len(proposals))
    return BookFile(out.getvalue(), _filename(session, "xlsx"), XLSX_CONTENT_TYPE)
