"""GET /assistance/reports: the report page's figures as JSON, from the same selector and scope."""

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID
from unionhome.assistance.selectors import reports as selectors
from unionhome.assistance.selectors.reports import MAX_YEAR, MIN_YEAR, Report
from unionhome.org.models import OrgUnit

router = Router(tags=["assistance"])


class ReportFilters(Schema):
    unit: int | None = Field(
        None, ge=1, le=MAX_ID, description="An org unit in the caller's scope; the top of the scope when absent."
    )
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, description="A calendar year; this year when absent.")


class ReportUnitOut(Schema):
    id: int
    code: str
    name: str
    kind: OrgUnit.Kind
    depth: int


class FileRowOut(Schema):
    code: str = Field(description="A level or cause code; an empty level is a file whose level is not set.")
    label: str
    active_during: int
    active_at_end: int


class FilesOut(Schema):
    active_during: int = Field(description="Activated by 31 December and not closed before 1 January.")
    active_at_end: int = Field(description="Still active after 31 December (today, for this year).")
    new: int = Field(description="Activated in the year.")
    exited: int = Field(description="Exited hardship in the year.")
    by_level: list[FileRowOut]
    by_cause: list[FileRowOut] = Field(description="A file may have several causes.")


class KindRowOut(Schema):
    code: str
    label: str
    count: int = Field(description="Assistance delivered in the year.")
    amount: Decimal = Field(description="Yuan paid in the year, net of reversals.")


class AssistanceOut(Schema):
    count: int
    amount: Decimal
    by_kind: list[KindRowOut]


class FundRowOut(Schema):
    code: str
    label: str
    assistance: Decimal
    aid: Decimal
    visits: Decimal
    total: Decimal


class MoneyOut(Schema):
    assistance: Decimal
    aid: Decimal
    visits: Decimal
    total: Decimal
    by_fund: list[FundRowOut] = Field(description="Payments in the year by the budget line's fund source, net.")


class GradeRowOut(Schema):
    code: str
    label: str
    count: int


class FollowUpsOut(Schema):
    due: int = Field(description="Follow-ups due in the year.")
    done: int
    on_time: int = Field(description="Done on or before the due date.")
    late: int
    overdue: int = Field(description="Not done, due date passed.")
    pending: int = Field(description="Not done, not yet due.")
    on_time_rate: Decimal | None = Field(description="Percent: on time ÷ (done + overdue); null when both are 0.")
    grades: list[GradeRowOut] = Field(description="Effectiveness grades of the follow-ups done.")


class AidOut(Schema):
    applications: int = Field(description="Applications to the year's campaigns, withdrawn ones not counted.")
    approved: int
    rejected: int
    paid: int
    approved_amount: Decimal
    paid_amount: Decimal = Field(description="Yuan paid in the year, net of reversals.")


class OccasionRowOut(Schema):
    code: str
    label: str
    due: int
    done: int
    on_time: int
    overdue: int
    done_in_year: int


class VisitsOut(Schema):
    due: int = Field(description="Visits due in the year, cancelled ones not counted.")
    done: int = Field(description="Of those due, done.")
    on_time: int
    overdue: int = Field(description="Of those due, still open with the due date passed.")
    done_in_year: int = Field(description="Visits made in the year, due or not.")
    amount: Decimal = Field(description="Money given on visits in the year, net.")
    by_occasion: list[OccasionRowOut]


class ChildRowOut(Schema):
    unit_id: int
    unit_code: str
    label: str
    own: bool = Field(description="True for the records placed on the report's unit itself.")
    files_active_during: int
    files_active_at_end: int
    files_new: int
    files_exited: int
    assistance_count: int
    assistance_amount: Decimal
    follow_ups_due: int
    follow_ups_done: int
    follow_ups_on_time: int
    follow_ups_overdue: int
    follow_ups_on_time_rate: Decimal | None
    aid_applications: int
    aid_approved: int
    aid_paid_amount: Decimal
    visits_due: int
    visits_done: int
    visits_overdue: int
    visits_done_in_year: int


class ReportOut(Schema):
    unit: ReportUnitOut
    year: int
    start: datetime.date
    end: datetime.date
    files: FilesOut
    assistance: AssistanceOut
    money: MoneyOut
    follow_ups: FollowUpsOut
    aid: AidOut
    visits: VisitsOut
    children: list[ChildRowOut] = Field(
        description="One row per direct child unit (the branches of a union, say), after a row for records "
        "placed on the unit itself when there are any; empty for a unit without children."
    )


def report_out(report: Report) -> dict:
    unit = report.unit
    fields = ChildRowOut.model_fields.keys() - {"unit_id", "unit_code", "label", "own"}
    money = report.money
    follow_ups = report.follow_ups
    return {
        "unit": {"id": unit.pk, "code": unit.code, "name": unit.name, "kind": unit.kind, "depth": unit.depth},
        "year": report.year,
        "start": report.period.start,
        "end": report.period.end,
        "files": report.files,
        "assistance": report.assistance,
        "money": {
            "assistance": money.assistance,
            "aid": money.aid,
            "visits": money.visits,
            "total": money.total,
            "by_fund": [{**vars(row), "total": row.total} for row in money.by_fund],
        },
        "follow_ups": {name: getattr(follow_ups, name) for name in FollowUpsOut.model_fields},
        "aid": report.aid,
        "visits": report.visits,
        "children": [
            {
                "unit_id": row.unit.pk,
                "unit_code": row.unit.code,
                "label": row.label,
                "own": row.unit.pk == unit.pk,
                **{name: getattr(row, name) for name in fields},
            }
            for row in report.children
        ],
    }


@router.get(
    "/reports",
    response={200: ReportOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="assistance_report_get",
    summary="The centre's report for a unit and a year",
)
def report(request: HttpRequest, filters: Query[ReportFilters]):
    """Every figure of the report page for a unit's subtree and a calendar year (``assistance.view_reports``):
    hardship files by level and cause, new and exited; assistance by kind; money by fund source, net of
    reversals; follow-ups and their on-time rate and effectiveness; education aid; visits; and one row per
    direct child unit. Counts and sums only. A unit outside the caller's scope is 404."""
    viewer = request.auth
    unit = selectors.report_unit_for(viewer, filters.unit)
    year = filters.year if filters.year is not None else selectors.default_year()
    return report_out(selectors.report_for(viewer, unit, year))
