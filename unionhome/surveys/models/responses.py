"""Who was asked (``Invitation``), and what was answered (``Response`` and its ``Answer`` rows), kept apart.

An ``Invitation`` says *that* a member was asked, reminded and answered; it never says which response is
theirs. A ``Response`` of an anonymous survey has no member, the member's branch as its unit and no time of
its own: its ``submitted_at``, like the invitation's ``responded_at``, is the survey's opening time (the
hour of answering, next to the hours of the reminders, could name the only person who answered then).

``Answer`` is the big table (a federation: 10 million rows), so it is kept narrow: its primary key is
(response, question, item, value) — no id column, and the key's index serves "a response's answers" —
plus one index for results, (question, item, value, response), which counts answers per option or score
and reaches each response's unit without reading the table.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.org.models import Member
from unionhome.surveys.models.surveys import Question, Survey


class Invitation(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations", db_index=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="survey_invitations")
    invited_at = models.DateTimeField(_("invited at"))
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    # The exact time on a named survey; the survey's opening time on an anonymous one (see above).
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["survey_id", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="invitation_once_per_member")]
        indexes = [models.Index(fields=["survey", "responded_at"], name="invitation_rate")]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.member_id}"


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", db_index=False)
    # Empty exactly when the survey is anonymous.
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The member's own unit (named), or their branch (anonymous).
    unit_path = models.CharField(max_length=255, editable=False)
    # The exact time (named), or the survey's opening time (anonymous: no time of its own).
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["survey_id", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "member"], condition=Q(member__isnull=False), name="response_once_per_member"
            ),
        ]
        indexes = [
            models.Index(
                fields=["survey", "unit_path"], name="response_by_unit", opclasses=["int8_ops", "varchar_pattern_ops"]
            ),
            models.Index(fields=["member"], condition=Q(member__isnull=False), name="response_by_member"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}#{self.pk}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class Answer(models.Model):
    """One chosen option (a multiple-choice question has a row per option), one score (a matrix has a row per
    item) or one text. ``value`` is the option's index or the score (0 for a text); ``item`` the matrix row
    (0 otherwise)."""

    pk = models.CompositePrimaryKey("response", "question", "item", "value")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers", db_index=False)
    item = models.PositiveSmallIntegerField(default=0)
    value = models.SmallIntegerField(default=0)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response_id", "question_id", "item", "value"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(item__lt=20) & Q(value__gte=0) & Q(value__lt=20), name="answer_item_value_range"
            ),
        ]
        indexes = [models.Index(fields=["question", "item", "value", "response"], name="answer_results")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}/{self.item}: {self.value}"
