"""Workers' voices: the appeals submitted in the year in the unit's subtree by kind and category, how many were
answered, the share answered within the deadline, the median number of days to the answer, and the year's hot
topics (the topic words counted per unit and month by the first-signal counts, ``TopicVolume``). Counts only.
Three queries whatever the number of appeals. Needs ``voices.view_signals`` on the unit.

Definitions: *answered* — submitted in the year and now answered and closed; *within the deadline* — closed by
its answer deadline (``answer_due``, in working days); the rate is within ÷ answered. *Days to answer* —
calendar days from submission to closing, the median over the answered appeals. A topic word is shown only when
at least k appeals carry it (``SATISFACTION_MIN_GROUP``), so that no rare word points at one worker.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext as _

from unionhome.access.policy import can
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_math import min_group
from unionhome.voices.models import Appeal, AppealCategory, AppealKind, TopicVolume
from unionhome.work_report.chapters.base import Chapter, Rate, ReportYear, Table
from unionhome.work_report.charts_svg import bar_chart

PERMISSION = "voices.view_signals"
TOP_WORDS = 10
DAY = datetime.timedelta(days=1)


@dataclass
class Counted:
    submitted: int = 0
    answered: int = 0
    on_time: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.answered:
            return None
        return (Decimal(self.on_time) * 100 / self.answered).quantize(Decimal("0.1"))


@dataclass
class VoicesFigures:
    total: Counted = field(default_factory=Counted)
    by_kind: dict[str, Counted] = field(default_factory=dict)
    by_category: dict[str, Counted] = field(default_factory=dict)
    median_days: Decimal | None = None
    topics: list[tuple[str, int]] = field(default_factory=list)


def voices_figures(unit: OrgUnit, period: ReportYear) -> VoicesFigures:
    figures = VoicesFigures(
        by_kind={code: Counted() for code in AppealKind.values},
        by_category={code: Counted() for code in AppealCategory.values},
    )
    appeals = Appeal.objects.filter(
        unit_path__prefix=unit.path, submitted_at__gte=period.start_at, submitted_at__lt=period.end_before
    ).exclude(status=Appeal.Status.WITHDRAWN)
    answered = Q(status=Appeal.Status.CLOSED, closed_at__isnull=False)
    rows = (
        appeals.values("kind", "category")
        .annotate(
            submitted=Count("id"),
            answered=Count("id", filter=answered),
            on_time=Count("id", filter=answered & Q(closed_at__lte=F("answer_due"))),
        )
        .order_by()
    )
    for row in rows:
        for counted in (
            figures.total,
            figures.by_kind.setdefault(row["kind"], Counted()),
            figures.by_category.setdefault(row["category"], Counted()),
        ):
            counted.submitted += row["submitted"]
            counted.answered += row["answered"]
            counted.on_time += row["on_time"]
    figures.median_days = _median_days(appeals.filter(answered), figures.total.answered)
    k = min_group()
    words = (
        TopicVolume.objects.filter(unit_path=unit.path, month__gte=period.start, month__lte=period.end)
        .values("word")
        .annotate(n=Sum("count"))
        .filter(n__gte=k)
        .order_by("-n", "word")[:TOP_WORDS]
    )
    figures.topics = [(row["word"], row["n"]) for row in words]
    return figures


def _median_days(answered, count: int) -> Decimal | None:
    """The median time to answer in days (one decimal): the middle one or two rows in order of time taken."""
    if not count:
        return None
    took = ExpressionWrapper(F("closed_at") - F("submitted_at"), output_field=DurationField())
    middle = list(
        answered.annotate(took=took)
        .order_by("took", "pk")
        .values_list("took", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    if not middle:
        return None
    days = sum(d / DAY for d in middle) / len(middle)
    return Decimal(str(days)).quantize(Decimal("0.1"))


def voices_chapter(viewer, unit: OrgUnit, period: ReportYear) -> Chapter:
    title = _("Workers' voices")
    if not can(viewer, PERMISSION, unit):
        return Chapter("voices", title, allowed=False)
    f = voices_figures(unit, period)
    figure, value = _("Figure"), _("Value")
    columns = [_("Appeals submitted"), _("Answered"), _("Answered within the deadline")]

    def cells(c: Counted) -> list:
        return [c.submitted, c.answered, Rate(c.on_time_rate)]

    tables = [
        Table(
            _("Appeals"),
            [figure, value],
            [
                [_("Appeals submitted in the year"), f.total.submitted],
                [_("Answered"), f.total.answered],
                [_("Answered within the deadline"), Rate(f.total.on_time_rate)],
                [_("Median days to answer"), "—" if f.median_days is None else f.median_days],
            ],
        ),
        Table(
            _("Appeals by kind"),
            [_("Kind"), *columns],
            [[str(label), *cells(f.by_kind[code])] for code, label in AppealKind.choices],
        ),
        Table(
            _("Appeals by category"),
            [_("Category"), *columns],
            [[str(label), *cells(f.by_category[code])] for code, label in AppealCategory.choices],
        ),
        Table(_("Hot topics of the year"), [_("Topic"), _("Appeals")], [[word, n] for word, n in f.topics]),
    ]
    charts = [
        bar_chart(
            _("Appeals by category"),
            [str(label) for _code, label in AppealCategory.choices],
            [f.by_category[code].submitted for code in AppealCategory.values],
        )
    ]
    return Chapter("voices", title, tables=tables, charts=charts)
