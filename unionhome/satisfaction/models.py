"""Workers' verdicts on the services they received: the raw material of the satisfaction index.

A ``Rating`` is one served worker's score (1–5) and optional comment on one served item (an
assistance, a visit, an education-aid payment; later a proposal reply, an appeal answer…). It is
stored with what the index rolls up by: the service line, the org unit (path) where the worker
was served, the cadre answerable for the service, and when.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.org.models import Member


class ServiceLine(models.TextChoices):
    HARDSHIP_ASSISTANCE = "hardship_assistance", _("Hardship assistance")
    EDUCATION_AID = "education_aid", _("Education aid")
    VISITS = "visits", _("Visits and condolences")
    PROPOSAL_REPLIES = "proposal_replies", _("Replies to congress proposals")
    DECISION_IMPLEMENTATION = "decision_implementation", _("Implementation of congress decisions")
    APPEALS = "appeals", _("Answers to workers' appeals")


class Rating(models.Model):
    service_line = models.CharField(_("service line"), max_length=40, choices=ServiceLine.choices)
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
    rated_at = models.DateTimeField(auto_now_add=True)

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
            models.Index(fields=["unit_path", "rated_at"], name="rating_scope"),
            models.Index(fields=["cadre", "rated_at"], name="rating_by_cadre"),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_line_display()} {self.score}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path
