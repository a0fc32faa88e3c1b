"""The proposal dashboard (charts and tables by department) and the proposal book (PDF and Excel)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.congress.proposal_book import BookFile, book_pdf, book_session_for, book_workbook
from unionhome.congress.selectors import proposal_reports as reports
from unionhome.home.params import id_param


def _charts(dashboard: reports.Dashboard) -> list[dict]:
    """Chart data for ``static/js/report-charts.js``: the same figures as the tables beside them."""
    statuses = [(label, n) for _value, label, n in dashboard.status_rows() if n]
    rows = dashboard.departments
    charts = [
        {
            "id": "chart-proposal-status",
            "title": _("Proposals by status"),
            "type": "pie",
            "labels": [label for label, _n in statuses],
            "series": [{"name": _("Proposals"), "values": [n for _label, n in statuses]}],
            "height": 280,
            "empty": not statuses,
        },
        {
            "id": "chart-proposal-departments",
            "title": _("Replies by department (%)"),
            "type": "bar",
            "labels": [row.name for row in rows],
            "series": [
                {
                    "name": _("On-time reply rate"),
                    "values": [float(row.figures.on_time_rate or 0) for row in rows],
                },
                {
                    "name": _("Satisfied or basically satisfied"),
                    "values": [float(row.figures.satisfaction_rate or 0) for row in rows],
                },
            ],
            "height": 80 + 60 * len(rows),
            "empty": not rows,
        },
    ]
    return charts


@login_required
def proposal_dashboard(request):
    require(request.user, reports.PERMISSION)
    session = reports.report_session_for(request.user, id_param(request.GET.get("session")))
    dashboard = reports.dashboard_for(session)
    context = {
        "dashboard": dashboard,
        "sessions": reports.report_sessions_for(request.user),
        "charts": _charts(dashboard),
    }
    return render(request, "congress/proposals/dashboard.html", context)


def _download(found: BookFile) -> HttpResponse:
    response = HttpResponse(found.content, content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(True, found.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def proposal_book_pdf(request, session_id: int):
    session = book_session_for(request.user, session_id)
    return _download(book_pdf(actor=request.user, session=session, request=request))


@login_required
def proposal_book_xlsx(request, session_id: int):
    session = book_session_for(request.user, session_id)
    return _download(book_workbook(actor=request.user, session=session))


urlpatterns = [
    path("proposals/dashboard/", proposal_dashboard, name="proposal_dashboard"),
    path("proposals/book/<int:session_id>.pdf", proposal_book_pdf, name="proposal_book_pdf"),
    path("proposals/book/<int:session_id>.xlsx", proposal_book_xlsx, name="proposal_book_xlsx"),
]
