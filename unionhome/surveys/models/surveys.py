"""A survey (满意度调查) and its questions.

A ``Survey`` belongs to the unit that runs it (``unit``, copied to ``unit_path``) and is sent to an
audience: the active members in the subtrees of ``audience_units``, narrowed to those carrying any of
``audience_tags`` when tags are set, and to seated congress representatives when ``representatives_only``
is set (``surveys/audience.py``). Its status goes draft → open → closed (``surveys/workflow.py``); only a
draft is edited. ``min_group`` is the k below which results must not be broken down by group.

A ``Question`` is one of six kinds. Choice questions keep their options as a JSON list of strings (an
answer stores the option's index); a matrix keeps its rows as ``items`` (each answered 1–5). A question
may be shown only when an earlier single, multiple, Likert or recommendation question was answered with
one of ``condition_values`` (option indexes or scores). At most one question per survey is the overall
satisfaction question (Likert or recommendation) that driver analysis regresses the others on.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.org.models import MemberTag, OrgUnit


def default_min_group() -> int:
    return int(getattr(settings, "SATISFACTION_MIN_GROUP", 5))


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("survey status", "Draft")
        OPEN = "open", pgettext_lazy("survey status", "Open")
        CLOSED = "closed", pgettext_lazy("survey status", "Closed")

    title = models.CharField(_("title"), max_length=100)
    intro = models.TextField(_("introduction"), max_length=2000, blank=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("run by"))
    unit_path = models.CharField(max_length=255, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    min_group = models.PositiveSmallIntegerField(_("smallest group shown"), default=default_min_group)
    audience_units = models.ManyToManyField(OrgUnit, related_name="+", verbose_name=_("audience units"))
    audience_tags = models.ManyToManyField(MemberTag, blank=True, related_name="+", verbose_name=_("audience tags"))
    representatives_only = models.BooleanField(_("congress representatives only"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The whole survey's driver analysis, worked out once it is closed (its answers are final), on first read:
    # ``surveys.drivers_read``. ``{"analysed": false}`` when there is none.
    drivers = models.JSONField(null=True, blank=True, editable=False)
    # Opening at a federation's size (``services/invitations.py``): the audience counted at opening, the
    # invitations written so far, and when the last batch was written (empty while inviting goes on).
    audience_size = models.PositiveIntegerField(null=True, blank=True, editable=False)
    invited_count = models.PositiveIntegerField(default=0, editable=False)
    invitations_done_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Anonymous surveys: when the responses were rewritten in a random order after closing
    # (``services/closing.py``); empty until then, and on a named survey.
    shuffled_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "open", "closed"]), name="survey_status_valid"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
            models.CheckConstraint(condition=Q(min_group__gte=1), name="survey_min_group_positive"),
        ]
        indexes = [
            models.Index(
                fields=["unit_path", "status"],
                name="survey_scope",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["status", "closes_at"], name="survey_by_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    LIKERT = "likert", _("Satisfaction scale (1–5)")
    RECOMMENDATION = "recommendation", _("Recommendation (0–10)")
    MATRIX = "matrix", _("Several items on one scale (1–5)")
    TEXT = "text", _("Free text")


class Question(models.Model):
    Kind = QuestionKind

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", db_index=False)
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=False)
    options = models.JSONField(_("options"), default=list, blank=True)
    items = models.JSONField(_("items"), default=list, blank=True)
    is_overall = models.BooleanField(_("overall satisfaction question"), default=False)
    # The service line a Likert or recommendation question asks about ("" when none): driver analysis
    # names the line, so cadres see which service moves overall satisfaction.
    service_line = models.CharField(_("service line"), max_length=40, blank=True, default="")
    condition_question = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dependents",
        verbose_name=_("shown depending on"),
    )
    condition_values = models.JSONField(_("shown for the answers"), default=list, blank=True)

    class Meta:
        ordering = ["survey_id", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_position_unique"),
            models.UniqueConstraint(fields=["survey"], condition=Q(is_overall=True), name="question_one_overall"),
            models.CheckConstraint(
                condition=Q(kind__in=["single", "multiple", "likert", "recommendation", "matrix", "text"]),
                name="question_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class SurveyResult(models.Model):
    """A closed survey's figures, worked out once (``surveys/results_kept.py``): its results (``part``
    "results") or its breakdown below one unit ("breakdown.<unit id>"). Kept apart from ``Survey`` so that the
    many reads of surveys never load them: a federation's results hold up to 200 texts per question and its
    breakdowns one JSON per unit asked for."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    part = models.CharField(max_length=40)
    figures = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kept survey result")
        verbose_name_plural = _("kept survey results")
        constraints = [models.UniqueConstraint(fields=["survey", "part"], name="survey_result_once")]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.part}"
