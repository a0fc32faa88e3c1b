"""The Hardship Assistance Centre: hardship files, assistance and its follow-up, education aid, visits,
and the budget lines that pay for them.

Every record a worker is served by carries ``unit_path``: a copy of the member's unit path when the
record was made, so that scope checks and per-branch reports are one indexed prefix match.
Money is ``Decimal`` yuan with two places. ``BudgetLine`` keeps ``amount = available + committed +
spent`` with every part at least zero (database check constraints), and ``spent`` always equals the
sum of its ``Payment`` rows (payments and their reversals): see ``ledger.py``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.encryption import EncryptedTextField
from unionhome.org.models import Member, OrgUnit

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


def default_follow_up_days() -> list[int]:
    return [30, 90]


class AssistanceSettings(models.Model):
    """Per-union rules of the centre: hardship thresholds, publicity, schedules. One row per union."""

    union = models.OneToOneField(
        OrgUnit, on_delete=models.CASCADE, related_name="assistance_settings", verbose_name=_("union")
    )
    deep_hardship_below = models.DecimalField(
        _("deep hardship: monthly income per head below (yuan)"), default=Decimal("800.00"), **MONEY
    )
    relative_hardship_below = models.DecimalField(
        _("relative hardship: monthly income per head below (yuan)"), default=Decimal("1600.00"), **MONEY
    )
    publicity_days = models.PositiveSmallIntegerField(_("publicity period (days)"), default=5)
    re_review_months = models.PositiveSmallIntegerField(_("re-review every (months)"), default=12)
    follow_up_days = models.JSONField(_("follow-ups after (days)"), default=default_follow_up_days)
    escalate_after_days = models.PositiveSmallIntegerField(_("escalate overdue follow-ups after (days)"), default=7)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["union_id"]
        verbose_name = _("assistance settings")
        verbose_name_plural = _("assistance settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(deep_hardship_below__gte=0) & Q(relative_hardship_below__gte=F("deep_hardship_below")),
                name="assistance_settings_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union}"

    @property
    def permission_unit_path(self) -> str:
        return self.union.path


# --- Hardship files ------------------------------------------------------------------------------


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


class Document(models.Model):
    """A supporting document: stored encrypted under ``UNIONHOME_PRIVATE_ROOT``, never under the web root."""

    class Kind(models.TextChoices):
        ID_CARD = "id_card", _("ID card or household register")
        MEDICAL = "medical", _("Medical record or bill")
        INCOME = "income", _("Income or unemployment proof")
        DISABILITY = "disability", _("Disability certificate")
        DISASTER = "disaster", _("Disaster or accident proof")
        ADMISSION = "admission", _("University admission letter")
        OTHER = "other", _("Other")

    hardship_file = models.ForeignKey(
        HardshipFile, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    aid_application = models.ForeignKey(
        "AidApplication", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    unit_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("document type"), max_length=20, choices=Kind.choices)
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(hardship_file__isnull=False) & Q(aid_application__isnull=True))
                | (Q(hardship_file__isnull=True) & Q(aid_application__isnull=False)),
                name="document_belongs_to_one_case",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class FileEvent(models.Model):
    """A file's history as the member and cadres see it: each transition, with its reason."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, choices=HardshipFile.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=HardshipFile.State.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} #{self.file_id}"


class ReReview(models.Model):
    """An annual re-review of an active file: continue (perhaps at another level) or exit."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("Continue assistance")
        EXIT = "exit", _("Exit hardship")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="re_reviews")
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    level = models.CharField(_("level"), max_length=20, choices=HardshipFile.Level.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-done_on", "-id"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.done_on}"


class Objection(models.Model):
    """An objection raised during a publicity period, against a hardship file or an aid approval."""

    class Resolution(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        UPHELD = "upheld", _("Upheld")

    hardship_file = models.ForeignKey(
        HardshipFile, null=True, blank=True, on_delete=models.CASCADE, related_name="objections"
    )
    aid_application = models.ForeignKey(
        "AidApplication", null=True, blank=True, on_delete=models.CASCADE, related_name="objections"
    )
    unit_path = models.CharField(max_length=255, editable=False)
    summary = models.TextField(_("objection"))
    raised_by = models.CharField(_("raised by (optional)"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, default="open")
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(hardship_file__isnull=False) & Q(aid_application__isnull=True))
                | (Q(hardship_file__isnull=True) & Q(aid_application__isnull=False)),
                name="objection_against_one_case",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


# --- Money ---------------------------------------------------------------------------------------


class BudgetLine(models.Model):
    """A sum set aside for the centre's work: fund source, year, amount. See ``ledger.py``."""

    class FundSource(models.TextChoices):
        UNION_FUNDS = "union_funds", _("Union funds")
        HIGHER_UNION = "higher_union", _("Higher union subsidy")
        COMPANY = "company", _("Company welfare funds")
        DONATIONS = "donations", _("Donations")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("held by"))
    unit_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100)
    fund_source = models.CharField(_("fund source"), max_length=20, choices=FundSource.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), **MONEY)
    committed = models.DecimalField(_("committed"), default=ZERO, editable=False, **MONEY)
    spent = models.DecimalField(_("spent"), default=ZERO, editable=False, **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "name"], name="budgetline_unique_name"),
            # amount >= committed + spent, written with a half-fen margin: SQLite keeps these decimals as
            # floating point and adds them so (0.10 + 0.20 > 0.30 there), which would refuse a line spent
            # exactly to its last fen. Every value has two decimals, so a real overspend is at least a fen.
            models.CheckConstraint(
                condition=Q(committed__gte=0)
                & Q(spent__gte=0)
                & Q(amount__gt=F("committed") + F("spent") - Decimal("0.005")),
                name="budgetline_never_below_zero",
            ),
        ]
        indexes = [models.Index(fields=["unit_path", "year"], name="budgetline_scope")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    @property
    def available(self) -> Decimal:
        return self.amount - self.committed - self.spent

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class Assistance(models.Model):
    """帮扶: one act of help to a member, requested by one cadre and approved by another."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Cash")
        GOODS = "goods", _("Goods")
        MEDICAL = "medical", _("Medical aid")
        JOB = "job", _("Job help")
        SCHOOLING = "schooling", _("Schooling aid")
        LEGAL = "legal", _("Legal help")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        DELIVERED = "delivered", _("Delivered")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        REVERSED = "reversed", _("Reversed")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="assistances", verbose_name=_("member"))
    hardship_file = models.ForeignKey(
        HardshipFile, null=True, blank=True, on_delete=models.PROTECT, related_name="assistances"
    )
    unit_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), null=True, blank=True, **MONEY)
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="assistances"
    )
    description = models.TextField(_("what is given and why"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible cadre"),
        help_text=_("Follows up the assistance and answers for its effect."),
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="assistance_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True, budget_line__isnull=True)
                | Q(amount__isnull=False, budget_line__isnull=False),
                name="assistance_money_has_budget_line",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="assistance_maker_checker",
            ),
        ]
        indexes = [
            # A status in a subtree, as an index range on PostgreSQL whatever the collation (see HardshipFile).
            models.Index(
                fields=["status", "unit_path"],
                name="assistance_status_scope",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["unit_path"], name="assistance_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["member", "-requested_at"], name="assistance_by_member"),
            # Lists and queues in the order they show: all help and requests by request time, approved help
            # awaiting payment or delivery by decision time (first rows from the index, no sort of every row).
            models.Index(fields=["requested_at", "id"], name="assistance_recent"),
            models.Index(fields=["status", "requested_at", "id"], name="assistance_status_requested"),
            models.Index(fields=["status", "decided_at", "id"], name="assistance_status_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class Payment(models.Model):
    """A money movement out of a budget line (positive) or its reversal (negative). Never updated or deleted.

    Exactly one served item: an assistance, an education-aid application or a visit. A payment made
    with an ``idempotency_key`` is recorded once; a retry returns it (``ledger.pay``).
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REVERSAL = "reversal", _("Reversal")

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="payments")
    unit_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    assistance = models.ForeignKey(Assistance, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    aid_application = models.ForeignKey(
        "AidApplication", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    visit = models.ForeignKey("Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    payee = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="payment") & Q(amount__gt=0) & Q(reverses__isnull=True))
                | (Q(kind="reversal") & Q(amount__lt=0) & Q(reverses__isnull=False)),
                name="payment_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(assistance__isnull=False, aid_application__isnull=True, visit__isnull=True)
                | Q(assistance__isnull=True, aid_application__isnull=False, visit__isnull=True)
                | Q(assistance__isnull=True, aid_application__isnull=True, visit__isnull=False),
                name="payment_for_one_item",
            ),
        ]
        indexes = [
            models.Index(fields=["budget_line", "paid_at"], name="payment_by_line"),
            models.Index(fields=["unit_path", "paid_at"], name="payment_scope"),
            # Reports: a subtree's payments in a year, by LIKE 'prefix%' whatever the database collation.
            models.Index(
                fields=["unit_path", "paid_at"],
                name="payment_report_scope",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


# --- Follow-up and effectiveness review ----------------------------------------------------------


class FollowUp(models.Model):
    """跟踪问效: a scheduled check on a delivered assistance, recorded by the responsible cadre."""

    class Grade(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        IMPROVED = "improved", _("Improved")
        UNCHANGED = "unchanged", _("Unchanged")
        WORSE = "worse", _("Worse")

    assistance = models.ForeignKey(Assistance, on_delete=models.CASCADE, related_name="follow_ups")
    unit_path = models.CharField(max_length=255, editable=False)
    sequence = models.PositiveSmallIntegerField()
    due_on = models.DateField(_("due on"))
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(_("done on"), null=True, blank=True)
    findings = EncryptedTextField(_("findings"), blank=True)
    grade = models.CharField(_("effectiveness"), max_length=20, choices=Grade.choices, blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assistance", "sequence"], name="followup_unique_sequence"),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, grade="") | (Q(done_on__isnull=False) & ~Q(grade="")),
                name="followup_done_has_grade",
            ),
        ]
        indexes = [
            models.Index(fields=["done_on", "due_on"], name="followup_due"),
            models.Index(fields=["responsible", "done_on", "due_on"], name="followup_due_by_cadre"),
            models.Index(fields=["unit_path", "due_on"], name="followup_scope"),
            # Open follow-ups in the order the lists show them (due now, overdue, upcoming).
            models.Index(fields=["due_on", "id"], condition=Q(done_on__isnull=True), name="followup_open_due"),
            # Reports: a subtree's follow-ups due in a year, by LIKE 'prefix%' whatever the database collation.
            models.Index(
                fields=["unit_path", "due_on"],
                name="followup_report_scope",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assistance_id}/{self.sequence}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


# --- Education aid -------------------------------------------------------------------------------


class AidCampaign(models.Model):
    """爱心助学 / 金秋助学: a yearly education-aid campaign with criteria, window, budget and tiers."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for applications")
        REVIEW = "review", _("Under review")
        PUBLICITY = "publicity", _("Approved list in publicity")
        PAYING = "paying", _("Paying out")
        CLOSED = "closed", _("Closed")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("run by"))
    unit_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    opens_on = models.DateField(_("applications open"))
    closes_on = models.DateField(_("applications close"))
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="aid_campaigns")
    require_admission_this_year = models.BooleanField(_("child admitted to university this year"), default=True)
    require_active_file = models.BooleanField(_("member has an active hardship file"), default=False)
    income_per_head_below = models.DecimalField(
        _("or monthly income per head below (yuan)"), null=True, blank=True, **MONEY
    )
    publicity_days = models.PositiveSmallIntegerField(_("publicity period (days)"), default=5)
    publicity_starts_on = models.DateField(null=True, blank=True)
    publicity_ends_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-opens_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "name"], name="aidcampaign_unique_name"),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="aidcampaign_window_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class AidTier(models.Model):
    """An amount paid to one kind of admission, e.g. undergraduate 5,000 yuan, college 3,000 yuan."""

    campaign = models.ForeignKey(AidCampaign, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("tier"), max_length=50)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)

    class Meta:
        ordering = ["campaign_id", "-amount", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="aidtier_unique_name"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="aidtier_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.amount})"


class AidApplication(models.Model):
    """A member's application for one child in one campaign."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        REVIEWED = "reviewed", _("Reviewed, awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        PAID = "paid", _("Paid")
        REVERSED = "reversed", _("Payment reversed")

    campaign = models.ForeignKey(AidCampaign, on_delete=models.PROTECT, related_name="applications")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="aid_applications")
    unit_path = models.CharField(max_length=255, editable=False)
    child_name = models.CharField(_("child's name"), max_length=50)
    child_id_number = EncryptedTextField(_("child's ID number"))
    child_key = models.CharField(max_length=64, editable=False)
    school = models.CharField(_("school or university"), max_length=100)
    admitted_year = models.PositiveSmallIntegerField(_("year of admission"))
    tier = models.ForeignKey(AidTier, on_delete=models.PROTECT, related_name="+", verbose_name=_("tier"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    income_per_head = models.DecimalField(_("monthly income per head"), null=True, blank=True, **MONEY)
    hardship_file = models.ForeignKey(
        HardshipFile, null=True, blank=True, on_delete=models.PROTECT, related_name="aid_applications"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One application per child and campaign (withdrawn ones do not count).
            models.UniqueConstraint(
                fields=["campaign", "child_key"],
                condition=~Q(status="withdrawn"),
                name="aidapplication_one_per_child",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="aidapplication_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="aidapplication_by_status"),
            models.Index(fields=["unit_path"], name="aidapplication_scope", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        # No child's name: this text is copied into audit events and lists of objects.
        return f"#{self.pk}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


# --- Visits and condolences ----------------------------------------------------------------------


class Occasion(models.TextChoices):
    ILLNESS = "illness", _("Illness or hospital stay")
    BEREAVEMENT = "bereavement", _("Bereavement")
    CHILDBIRTH = "childbirth", _("Childbirth")
    MARRIAGE = "marriage", _("Marriage")
    RETIREMENT = "retirement", _("Retirement")
    DISASTER = "disaster", _("Disaster")
    WINTER = "winter", _("Winter warmth campaign (送温暖)")
    SUMMER = "summer", _("Summer cool campaign (送清凉)")
    FESTIVAL = "festival", _("Festival visit")


class VisitRule(models.Model):
    """A reported life event makes a visit due within ``due_days`` (per union)."""

    union = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    due_days = models.PositiveSmallIntegerField(_("visit due within (days)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["union_id", "occasion"]
        constraints = [models.UniqueConstraint(fields=["union", "occasion"], name="visitrule_unique")]

    def __str__(self) -> str:
        return self.get_occasion_display()


class VisitCampaign(models.Model):
    """A festival campaign (送温暖 / 送清凉): visits due to every active hardship file and chosen groups."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("run by"))
    unit_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    due_by = models.DateField(_("visits due by"))
    include_hardship_files = models.BooleanField(_("every active hardship file"), default=True)
    include_retirees = models.BooleanField(_("retired members"), default=False)
    tags = models.ManyToManyField("org.MemberTag", blank=True, related_name="+", verbose_name=_("members tagged"))
    budget_line = models.ForeignKey(BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_by", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class Visit(models.Model):
    """走访慰问: a visit to a member, due (from a rule or a campaign) and then done."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", pgettext_lazy("visit", "Cancelled")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="visits", verbose_name=_("member"))
    unit_path = models.CharField(max_length=255, editable=False)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    campaign = models.ForeignKey(VisitCampaign, null=True, blank=True, on_delete=models.PROTECT, related_name="visits")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DUE)
    due_by = models.DateField(_("due by"), null=True, blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("visitors")
    )
    visitor_names = models.CharField(_("other visitors"), max_length=200, blank=True)
    gifts = models.CharField(_("gifts"), max_length=300, blank=True)
    amount = models.DecimalField(_("money given (yuan)"), null=True, blank=True, **MONEY)
    budget_line = models.ForeignKey(BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    findings = EncryptedTextField(_("what was found"), blank=True)
    needs = models.TextField(_("needs raised"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_by", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="visit_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(visited_on__isnull=False), name="visit_done_has_date"
            ),
            # A campaign visits each member once.
            models.UniqueConstraint(
                fields=["campaign", "member"], condition=Q(campaign__isnull=False), name="visit_once_per_campaign"
            ),
        ]
        indexes = [
            # Due visits by due date and done ones by visit date; with the unit path and the member in the index
            # the calendar counts a month's visits in a wide scope (not the viewer's own) from the index alone.
            models.Index(fields=["status", "due_by", "unit_path", "member"], name="visit_due_calendar"),
            models.Index(
                fields=["unit_path", "status", "due_by"],
                name="visit_scope_due",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["status", "visited_on", "unit_path", "member"], name="visit_done_calendar"),
            models.Index(fields=["member", "-created_at"], name="visit_by_member"),
            # Reports: a subtree's visits due or made in a year, by LIKE 'prefix%' whatever the database collation
            # (the visit date is checked in the index, so the rows of other years are not read).
            models.Index(
                fields=["unit_path", "due_by", "visited_on"],
                name="visit_report_scope",
                opclasses=["varchar_pattern_ops", "date_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} #{self.pk}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path
