"""Before, during, after (决策前建议、决策中参与、决策后监督): one ``Decision`` followed from the opinion
call on its draft (``OpinionCall``, ``OpinionComment``), through the motion that decides it and the
disclosure notice that announces it, to the supervision of its implementation (``DecisionTracking``
with milestones and representatives' inspections)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.congress.models.sessions import Representative
from unionhome.congress.models.votes import Motion
from unionhome.org.models import Member, OrgUnit


class Decision(models.Model):
    class Stage(models.TextChoices):
        CONSULTING = "consulting", _("Opinions being collected")
        DELIBERATING = "deliberating", _("Before the congress")
        DECIDED = "decided", pgettext_lazy("decision stage", "Decided")
        IMPLEMENTING = "implementing", _("Being implemented")
        DONE = "done", _("Implemented")
        DROPPED = "dropped", _("Dropped")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("union"))
    unit_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.CONSULTING)
    motion = models.ForeignKey(Motion, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    notice = models.ForeignKey(
        "disclosure.Notice", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [models.Index(fields=["unit_path", "-created_at"], name="decision_scope")]

    def __str__(self) -> str:
        return self.title

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class OpinionCall(models.Model):
    """A draft published for workers' comments (意见征集) until a deadline, then summarised."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for comments")
        CLOSED = "closed", _("Closed")
        SUMMARISED = "summarised", _("Adoption summary published")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="opinion_calls")
    unit_path = models.CharField(max_length=255, editable=False)
    audience = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("audience"))
    audience_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=200)
    draft = models.TextField(_("draft"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("deadline"))
    allow_anonymous = models.BooleanField(_("anonymous comments allowed"), default=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    adoption_summary = models.TextField(_("adoption summary"), blank=True)
    summarised_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("opinion call")
        verbose_name_plural = _("opinion calls")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="opinion_call_dates")
        ]
        indexes = [models.Index(fields=["audience_path", "status", "-opens_at"], name="opinion_call_audience")]

    def __str__(self) -> str:
        return self.title

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


def random_key() -> int:
    """A random positive 62-bit primary key: ids that say nothing about the order rows were written in."""
    return secrets.randbits(62) or 1


class OpinionComment(models.Model):
    """A worker's comment on a draft. An anonymous comment stores no member, no time of day and no
    sequence: its key is random and comments are listed by day, so that neither its key nor its place
    among the named comments around it hints at who wrote it."""

    class Adoption(models.TextChoices):
        PENDING = "pending", _("Not yet considered")
        ADOPTED = "adopted", _("Adopted")
        PARTLY = "partly", _("Partly adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    call = models.ForeignKey(OpinionCall, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, blank=True)  # empty when anonymous
    body = models.TextField(_("comment"))
    submitted_on = models.DateField()
    adoption = models.CharField(_("adoption"), max_length=20, choices=Adoption.choices, default=Adoption.PENDING)
    adoption_note = models.TextField(_("why"), blank=True)

    class Meta:
        ordering = ["call_id", "submitted_on", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:40]


class DecisionTracking(models.Model):
    """The supervision of a decision's implementation (决策落实监督)."""

    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        DELAYED = "delayed", _("Delayed")
        DONE = "done", _("Done")

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="tracking")
    unit_path = models.CharField(max_length=255, editable=False)
    responsible = models.CharField(_("responsible department"), max_length=100)
    target_on = models.DateField(_("to be done by"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ON_TRACK)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_on", "id"]
        verbose_name = _("decision tracking")
        verbose_name_plural = _("decision tracking")

    def __str__(self) -> str:
        return str(self.decision)

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class TrackingMilestone(models.Model):
    tracking = models.ForeignKey(DecisionTracking, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    progress_note = models.TextField(_("progress"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tracking_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class TrackingInspection(models.Model):
    """A representative's inspection of the implementation, with a rating (1–5) and findings."""

    tracking = models.ForeignKey(DecisionTracking, on_delete=models.CASCADE, related_name="inspections")
    representative = models.ForeignKey(Representative, on_delete=models.PROTECT, related_name="inspections")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")  # for the satisfaction rating
    unit_path = models.CharField(max_length=255, editable=False)
    score = models.PositiveSmallIntegerField(_("rating"))
    findings = models.TextField(_("findings"))
    inspected_on = models.DateField(_("inspected on"))

    class Meta:
        ordering = ["tracking_id", "-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="inspection_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.representative}: {self.score}"
