"""The hardship file (困难职工档案) and what describes the hardship it records: the file itself with its
workflow state and level (see ``hardship_workflow.py``), its causes, the household members whose health, work and
income make the income per head, and the member's separate consent to processing that sensitive information.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models.amounts import MONEY, ZERO
from unionhome.encryption import EncryptedTextField
from unionhome.org.models import Member, OrgUnit


class HardshipFile(models.Model):
    """困难职工档案: one member's hardship case, from application to exit. See ``hardship_workflow.py``."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting branch review")
        BRANCH_REVIEWED = "branch_reviewed", _("Awaiting union approval")
        PUBLICITY = "publicity", _("In publicity period")
        ACTIVE = "active", _("Active")
        EXITED = "exited", _("Exited hardship")
        REJECTED = "rejected", _("Rejected")

    class Level(models.TextChoices):
        DEEP = "deep", _("Deep hardship")
        RELATIVE = "relative", _("Relative hardship")
        SUDDEN = "sudden", _("Sudden hardship")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="hardship_files", verbose_name=_("member")
    )
    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("union"))
    unit_path = models.CharField(max_length=255, editable=False)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    situation = EncryptedTextField(_("situation"), blank=True)
    household_size = models.PositiveSmallIntegerField(_("household size"), default=0)
    household_monthly_income = models.DecimalField(_("household monthly income"), default=ZERO, **MONEY)
    income_per_head = models.DecimalField(_("monthly income per head"), default=ZERO, **MONEY)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("opened by")
    )
    opened_on_behalf = models.BooleanField(_("opened by a cadre on the member's behalf"), default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    branch_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publicity_starts_on = models.DateField(_("publicity starts"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("publicity ends"), null=True, blank=True)
    activated_on = models.DateField(_("active since"), null=True, blank=True)
    next_review_due = models.DateField(_("next re-review due"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        constraints = [
            # One open case per member: a new one may start once the last is exited or rejected.
            models.UniqueConstraint(
                fields=["member"],
                condition=~Q(state__in=["exited", "rejected"]),
                name="hardshipfile_one_open_per_member",
            ),
            models.CheckConstraint(
                condition=Q(household_monthly_income__gte=0) & Q(income_per_head__gte=0),
                name="hardshipfile_income_not_negative",
            ),
        ]
        indexes = [
            # A state in a subtree: ``unit_path LIKE 'prefix%'`` is an index range on PostgreSQL whatever the
            # database collation only with the pattern operator class (equality on the state works with it too).
            models.Index(
                fields=["state", "unit_path"],
                name="hardshipfile_state_scope",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["unit_path"], name="hardshipfile_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["state", "next_review_due"], name="hardshipfile_review_due"),
            models.Index(fields=["state", "publicity_ends_on"], name="hardshipfile_publicity"),
            # Lists and queues in the order they show (newest change first; oldest submission first), so that
            # a federation-wide officer's page reads its first rows from the index instead of sorting every file.
            models.Index(fields=["updated_at", "id"], name="hardshipfile_recent"),
            models.Index(fields=["state", "updated_at", "id"], name="hardshipfile_state_recent"),
            models.Index(fields=["state", "submitted_at", "id"], name="hardshipfile_state_submitted"),
        ]

    def __str__(self) -> str:
        # No name: this text is copied into audit events, which the audit committee reads.
        return f"#{self.pk}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class HardshipCause(models.Model):
    """One cause of a file's hardship (a file may have several); a row each so reports count by cause."""

    class Cause(models.TextChoices):
        ILLNESS = "illness", _("Illness")
        DISABILITY = "disability", _("Disability")
        DISASTER = "disaster", _("Disaster or accident")
        SINGLE_PARENT = "single_parent", _("Single parent")
        LOW_INCOME = "low_income", _("Low household income per head")
        SCHOOLING = "schooling", _("Children's schooling")
        OTHER = "other", _("Other")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="causes")
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)

    class Meta:
        ordering = ["file_id", "cause"]
        constraints = [models.UniqueConstraint(fields=["file", "cause"], name="hardshipcause_unique")]

    def __str__(self) -> str:
        return self.get_cause_display()


class HouseholdMember(models.Model):
    """A person in the applicant's household (the applicant included, as ``self``). No names: the minimum."""

    class Relation(models.TextChoices):
        SELF = "self", _("The member")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
        SIBLING = "sibling", _("Sibling")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER = "other", _("Other relative")

    class Health(models.TextChoices):
        HEALTHY = "healthy", _("Healthy")
        CHRONIC = "chronic", _("Chronic illness")
        SERIOUS = "serious", _("Serious illness")
        DISABLED = "disabled", _("Disabled")

    class Employment(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        UNEMPLOYED = "unemployed", _("Unemployed")
        RETIRED = "retired", _("Retired")
        STUDENT = "student", _("Student")
        PRESCHOOL = "preschool", _("Pre-school child")
        UNABLE = "unable", _("Unable to work")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="household")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    age = models.PositiveSmallIntegerField(_("age"))
    health = models.CharField(_("health"), max_length=20, choices=Health.choices)
    health_note = EncryptedTextField(_("health details"), blank=True)
    monthly_income = models.DecimalField(_("monthly income (yuan)"), default=ZERO, **MONEY)
    employment = models.CharField(_("employment"), max_length=20, choices=Employment.choices)

    class Meta:
        ordering = ["file_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="householdmember_income_not_negative"),
            models.CheckConstraint(condition=Q(age__lte=130), name="householdmember_age_range"),
        ]

    def __str__(self) -> str:
        return self.get_relation_display()


class ConsentRecord(models.Model):
    """The member's separate consent to processing sensitive personal information (PIPL art. 29)."""

    class Method(models.TextChoices):
        ONLINE = "online", _("Given online by the member")
        PAPER = "paper", _("Signed paper form, kept by the branch")
        IN_PERSON = "in_person", _("Given in person to a cadre")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="consents")
    file = models.ForeignKey(HardshipFile, null=True, blank=True, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=300)
    text_version = models.CharField(_("consent text version"), max_length=20)
    method = models.CharField(_("how consent was given"), max_length=20, choices=Method.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.given_at:%Y-%m-%d}"
