"""Terms (届), sessions (次会议), delegations by unit, representatives and their check-in."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.org.models import Member, OrgUnit


def new_check_in_code() -> str:
    return secrets.token_urlsafe(16)


class Congress(models.Model):
    """One term (届) of a union's workers' congress, with the rules that hold for the whole term."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="congresses", verbose_name=_("union"))
    unit_path = models.CharField(max_length=255, editable=False)
    number = models.PositiveSmallIntegerField(_("term number"))
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    # Composition checks shown to the congress office (percent of seated representatives).
    min_front_line_percent = models.PositiveSmallIntegerField(_("front-line workers at least (%)"), default=50)
    min_women_percent = models.PositiveSmallIntegerField(_("women at least (%)"), default=30)
    max_management_percent = models.PositiveSmallIntegerField(_("management at most (%)"), default=20)
    # Proposals.
    min_seconders = models.PositiveSmallIntegerField(_("seconders needed for a proposal"), default=2)
    reply_days = models.PositiveSmallIntegerField(_("days for a department to reply"), default=30)
    rating_days = models.PositiveSmallIntegerField(_("days for the proposer to rate a reply"), default=15)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_path", "-number"]
        verbose_name = _("workers' congress")
        verbose_name_plural = _("workers' congresses")
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="congress_term_once_per_union"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="congress_term_dates"),
            models.CheckConstraint(
                condition=Q(min_front_line_percent__lte=100)
                & Q(min_women_percent__lte=100)
                & Q(max_management_percent__lte=100),
                name="congress_percents_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class Delegation(models.Model):
    """The representatives of one unit (代表团), with the number of seats the unit was given."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="delegations")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255, editable=False)
    quota = models.PositiveSmallIntegerField(_("seats"))

    class Meta:
        ordering = ["congress_id", "unit_path"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [models.UniqueConstraint(fields=["congress", "unit"], name="delegation_once_per_unit")]

    def __str__(self) -> str:
        return str(self.unit)

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class Representative(models.Model):
    """A member elected to a term of the congress by their unit (职工代表)."""

    class Category(models.TextChoices):
        FRONT_LINE = "front_line", _("Front-line worker")
        TECHNICAL = "technical", _("Technical or professional staff")
        MANAGEMENT = "management", _("Management")

    class Status(models.TextChoices):
        SEATED = "seated", _("Seated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="representatives")
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="representatives")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="representative_seats", verbose_name=_("member")
    )
    unit_path = models.CharField(max_length=255, editable=False)  # the delegation's unit
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SEATED)
    elected_on = models.DateField(_("elected on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["congress_id", "unit_path", "id"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [models.UniqueConstraint(fields=["congress", "member"], name="representative_once_per_term")]
        indexes = [models.Index(fields=["member", "status"], name="representative_by_member")]

    def __str__(self) -> str:
        return str(self.member)

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class CongressSession(models.Model):
    """One session (次会议) of a term: where representatives check in, deliberate and vote."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="sessions")
    unit_path = models.CharField(max_length=255, editable=False)
    number = models.PositiveSmallIntegerField(_("session number"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    # Proposals are taken for this session until this moment.
    proposals_close_at = models.DateTimeField(_("proposals close at"), null=True, blank=True)
    # The secret in the check-in QR code shown in the hall; a new one can be drawn at any time.
    check_in_code = models.CharField(max_length=40, default=new_check_in_code, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("congress session")
        verbose_name_plural = _("congress sessions")
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="session_number_once_per_term"),
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="session_dates"),
        ]
        indexes = [models.Index(fields=["unit_path", "starts_at"], name="session_scope")]

    def __str__(self) -> str:
        return self.title

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class CheckIn(models.Model):
    """A representative present at a session: by scanning the hall's QR code or entered by a clerk."""

    class Method(models.TextChoices):
        QR_CODE = "qr_code", _("QR code")
        CLERK = "clerk", _("By a clerk")

    session = models.ForeignKey(CongressSession, on_delete=models.CASCADE, related_name="check_ins")
    representative = models.ForeignKey(Representative, on_delete=models.CASCADE, related_name="check_ins")
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_in_at = models.DateTimeField(_("checked in at"), auto_now_add=True)

    class Meta:
        ordering = ["session_id", "checked_in_at", "id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [models.UniqueConstraint(fields=["session", "representative"], name="check_in_once_per_session")]

    def __str__(self) -> str:
        return f"{self.representative} @ {self.session}"
