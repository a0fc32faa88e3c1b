"""Workers' verdicts on the services they received: the raw material of the satisfaction index.

A ``Rating`` is one served worker's score (1–5) and optional comment on one served item (an
assistance, a visit, an education-aid payment, a proposal reply, an appeal answer…). It is stored
with what the index rolls up by: the service line (a code registered by the feature, see
``service_lines.py``), the org unit (path) where the worker was served, the cadre answerable for
the service, and when. Rows are written only by ``services.py`` (``rating_record``,
``ratings_bulk_record``, ``rating_change``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.org.models import Member
from unionhome.satisfaction.service_lines import service_line_label


class Rating(models.Model):
    # A code registered by a feature (``service_lines.register_service_line``), not a fixed choice.
    service_line = models.CharField(_("service line"), max_length=40)
    # The served item, named by its model label and id (e.g. "assistance.assistance", 42).
    item_type = models.CharField(max_length=100)
    item_id = models.PositiveBigIntegerField()
    # Empty for the rating of an anonymous appeal's answer: it must not name anyone.
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("member")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings_received",
        verbose_name=_("cadre"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    # Set by ``rating_record`` (now, or the hour for an anonymous answer's rating, or the demo's past).
    rated_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the member last changed the rating within the edit window (``rating_change``).
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["item_type", "item_id", "member"], name="rating_once_per_item"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="rating_score_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["service_line", "rated_at"], name="rating_by_line"),
            # Scopes are path prefixes (LIKE 'p%'): PostgreSQL needs the pattern operator class for them.
            models.Index(
                fields=["unit_path", "rated_at"],
                name="rating_scope",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["cadre", "rated_at"], name="rating_by_cadre"),
            # The lowest-rated comments (newest first, ``index_comments``): walked backwards from the period's
            # end, only the low ratings with a comment, without touching the table (bench/RESULTS.md).
            models.Index(
                fields=["rated_at", "id"],
                name="rating_low_comments",
                include=["unit_path", "service_line", "comment"],
                condition=Q(score__lte=2) & ~Q(comment=""),
            ),
        ]

    def __str__(self) -> str:
        # Never the score: this text ends up in the audit trail.
        return f"{self.service_line_label} #{self.pk}"

    @property
    def service_line_label(self) -> str:
        return service_line_label(self.service_line)

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class RatingTally(models.Model):
    """Exact running moments of the ratings of a unit **and everything below it**, per service line and
    month: ``n`` ratings, the ``total`` of their scores and the total of their squares (``index_math.Moments``).
    A rating counts in the row of its unit and of every unit above it, so the index of any unit, line and
    period is read from a few rows; ``parent_path`` (the unit just above, "" for the top) serves the
    drill-down to the units below. Kept by ``services._tallied`` in the transaction writing the rating."""

    unit_path = models.CharField(max_length=255)
    parent_path = models.CharField(max_length=255, blank=True)
    service_line = models.CharField(max_length=40)
    month = models.DateField()  # the first day of the month (local time) the rating was given
    n = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    total_sq = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["month", "unit_path", "service_line"]
        constraints = [models.UniqueConstraint(fields=["unit_path", "service_line", "month"], name="rating_tally_once")]
        indexes = [models.Index(fields=["parent_path", "month"], name="rating_tally_below")]

    def __str__(self) -> str:
        return f"{self.month} {self.unit_path} {self.service_line} n={self.n}"


class RatingRollup(models.Model):
    """``RatingTally`` summed by quarter and by year (``kind``, the period starting on ``start``), kept in the
    same transaction: a federation's thousand unions over a year are read from a thousand rows per line, not
    twelve thousand. Exact like the tallies (``tallies.ratings_tallied`` writes both)."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", "quarter"
        YEAR = "year", "year"

    unit_path = models.CharField(max_length=255)
    parent_path = models.CharField(max_length=255, blank=True)
    service_line = models.CharField(max_length=40)
    kind = models.CharField(max_length=7, choices=Kind.choices)
    start = models.DateField()  # the first day of the quarter or year
    n = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    total_sq = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["kind", "start", "unit_path", "service_line"]
        constraints = [
            models.UniqueConstraint(fields=["unit_path", "service_line", "kind", "start"], name="rating_rollup_once")
        ]
        indexes = [models.Index(fields=["parent_path", "kind", "start"], name="rating_rollup_below")]

    def __str__(self) -> str:
        return f"{self.kind} {self.start} {self.unit_path} {self.service_line} n={self.n}"


class CadreTally(models.Model):
    """The same moments per answerable cadre (a user id, kept when the account goes), service line and month."""

    cadre_id = models.BigIntegerField()
    service_line = models.CharField(max_length=40)
    month = models.DateField()
    n = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    total_sq = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["month", "cadre_id", "service_line"]
        constraints = [models.UniqueConstraint(fields=["cadre_id", "service_line", "month"], name="cadre_tally_once")]

    def __str__(self) -> str:
        return f"{self.month} cadre {self.cadre_id} {self.service_line} n={self.n}"


class SatisfactionAlert(models.Model):
    """A first signal of falling satisfaction, raised once by the daily job (``alerts.py``).

    ``index_drop``: the index of a union or branch (``unit``; ``service_line`` "" for the overall index) fell
    significantly in ``month`` against the month before (Welch's test, p < 0.05, n ≥ 10 on both sides).
    ``low_run``: the last ``run_length`` ratings of one cadre (``cadre_id``), or, for ratings with no cadre,
    of one ``service_line`` in one branch (``unit``), were all 1 or 2 stars; ``last_rating_id`` is the
    newest rating of the run when it was raised. Never a member or a comment: figures only."""

    class Kind(models.TextChoices):
        INDEX_DROP = "index_drop", _("Index drop")
        LOW_RUN = "low_run", _("Run of low ratings")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255)
    service_line = models.CharField(_("service line"), max_length=40, blank=True)
    cadre_id = models.BigIntegerField(null=True, blank=True)  # a user id, kept when the account goes
    month = models.DateField(null=True, blank=True)  # index drop: the first day of the month that fell
    last_rating_id = models.BigIntegerField(null=True, blank=True)  # low run: its newest rating
    last_rated_at = models.DateTimeField(null=True, blank=True)
    current_index = models.FloatField(null=True, blank=True)
    previous_index = models.FloatField(null=True, blank=True)
    difference = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    current_n = models.PositiveIntegerField(null=True, blank=True)
    previous_n = models.PositiveIntegerField(null=True, blank=True)
    run_length = models.PositiveIntegerField(null=True, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("satisfaction alert")
        verbose_name_plural = _("satisfaction alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["unit_path", "service_line", "month"],
                condition=Q(kind="index_drop"),
                name="satisfaction_alert_drop_once",
            ),
            models.UniqueConstraint(
                fields=["last_rating_id"], condition=Q(kind="low_run"), name="satisfaction_alert_run_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["unit_path", "raised_at"],
                name="satisfaction_alert_scope",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.unit_path} {self.month or self.last_rating_id}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class RatingRequest(models.Model):
    """That the served member was asked to rate one item (``requests.rating_request``): once per item, so that a
    retry, a reopened-and-closed case or the daily catch-up never asks twice. Kept apart from the inbox
    (which a member may clear) and read by the catch-up to skip items already asked about."""

    item_type = models.CharField(max_length=100)
    item_id = models.PositiveBigIntegerField()
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["item_type", "item_id"], name="rating_request_once")]

    def __str__(self) -> str:
        return f"{self.item_type} #{self.item_id}"


class FeedbackAction(models.Model):
    """You said, we did (你说我做): what workers said and what the union did about it, written by the cadres
    of ``unit`` (``satisfaction.manage_surveys``) and shown, once published, to the members of its subtree.
    Optional links say where the voice came from: a survey, a service line, an appeal category or a hot
    topic word. Written only by ``services_actions.py``."""

    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=100)
    said = models.TextField(_("what workers said"), max_length=1000)
    done = models.TextField(_("what was done"), max_length=2000)
    survey = models.ForeignKey(
        "surveys.Survey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("survey")
    )
    service_line = models.CharField(_("service line"), max_length=40, blank=True)
    topic = models.CharField(_("appeal category or hot topic"), max_length=50, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)  # null: a draft
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("you said, we did")
        verbose_name_plural = _("you said, we did")
        indexes = [
            # A member's page: published notes of their unit and the units above it, newest first.
            models.Index(
                fields=["unit_path", "-published_at", "-id"],
                condition=Q(published_at__isnull=False),
                name="feedback_action_published",
            ),
            # A cadre's list: every note of their subtree, newest first.
            models.Index(
                fields=["unit_path", "created_at"],
                name="feedback_action_scope",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
