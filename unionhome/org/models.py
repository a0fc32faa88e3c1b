from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node


class OrgUnit(MP_Node):
    """A node of the union's org tree: federation → union → branch union → union group.

    The materialised path (``path``) makes subtree queries a single indexed prefix match.
    Paths are stable: units are only ever appended. ``direct_member_count`` counts the active
    members placed directly in this unit, ``subtree_member_count`` those in it and everything
    below; the services that add, move or change members keep both exact (``F()`` updates of the
    unit and its ancestors), and bulk loads call ``org_recount_members``.
    """

    class Kind(models.TextChoices):
        FEDERATION = "federation", _("Federation")
        UNION = "union", _("Union")
        BRANCH = "branch", _("Branch union")
        GROUP = "group", _("Union group")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    district = models.CharField(_("district"), max_length=50, blank=True)
    site = models.CharField(_("site"), max_length=100, blank=True)
    direct_member_count = models.PositiveIntegerField(default=0, editable=False)
    subtree_member_count = models.PositiveIntegerField(default=0, editable=False)

    # No node_order_by: a new unit is appended after its siblings, so existing paths (and the
    # copies of them in Member.unit_path and AuditEvent) never change when the tree grows.

    class Meta:
        ordering = ["path"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        indexes = [
            models.Index(fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def permission_unit_path(self) -> str:
        return self.path


def ancestor_paths(path: str) -> list[str]:
    """The paths of the unit at ``path`` and of every unit above it, top first."""
    step = OrgUnit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def paths_with_parents(path: str) -> list[tuple[str, str]]:
    """(path, parent path) of the unit at ``path`` and of every unit above it, top first ("" above the top)."""
    paths = ancestor_paths(path)
    return [(p, paths[i - 1] if i else "") for i, p in enumerate(paths)]


class MemberTag(models.Model):
    """A segment a member belongs to, e.g. 女职工, 劳模, 一线职工."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("member tag")
        verbose_name_plural = _("member tags")

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A union member (会员/职工)."""

    class Gender(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")
        LEFT = "left", _("Left")
        TRANSFERRED = "transferred", _("Transferred")

    class JobCategory(models.TextChoices):
        INSPECTOR = "inspector", _("Quality inspector")
        ANALYST = "analyst", _("Laboratory analyst")
        SAMPLER = "sampler", _("Sampler")
        TECHNICIAN = "technician", _("Technician")
        ENGINEER = "engineer", _("Engineer")
        MANAGER = "manager", _("Manager")
        ADMINISTRATIVE = "administrative", _("Administrative staff")
        LOGISTICS = "logistics", _("Logistics staff")

    class EmploymentForm(models.TextChoices):
        PERMANENT = "permanent", _("Permanent contract")
        FIXED_TERM = "fixed_term", _("Fixed-term contract")
        DISPATCHED = "dispatched", _("Dispatched worker")
        PART_TIME = "part_time", _("Part-time")
        RETURNED = "rehired", _("Rehired retiree")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("union"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="members", verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255, editable=False)
    employee_no = models.CharField(_("employee number"), max_length=32)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    name_pinyin = models.CharField(max_length=200, editable=False)
    name_initials = models.CharField(max_length=50, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    job_category = models.CharField(_("job category"), max_length=20, choices=JobCategory.choices)
    employment_form = models.CharField(_("employment form"), max_length=20, choices=EmploymentForm.choices)
    joined_on = models.DateField(_("date joined"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    tags = models.ManyToManyField(MemberTag, blank=True, related_name="members", verbose_name=_("tags"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_pinyin", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["union", "employee_no"], name="member_employee_no_unique_per_union"),
            models.UniqueConstraint(
                fields=["union", "id_number"], condition=~Q(id_number=""), name="member_id_number_unique_per_union"
            ),
            models.UniqueConstraint(fields=["mobile"], condition=~Q(mobile=""), name="member_mobile_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["active", "retired", "left", "transferred"]), name="member_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "name_pinyin", "id"], name="member_directory_order"),
            models.Index(fields=["unit_path"], name="member_unit_path", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name"], name="member_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="member_initials_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_pinyin"], name="member_pinyin_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["employee_no"], name="member_employee_no_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class MemberStatusChange(models.Model):
    """One step in a member's status history (active → retired, left, transferred…)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(_("old status"), max_length=20, choices=Member.Status.choices, blank=True)
    new_status = models.CharField(_("new status"), max_length=20, choices=Member.Status.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member_id", "-effective_on", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.old_status} → {self.new_status}"


class MemberImport(models.Model):
    """One upload of an Excel roster and its run in the task worker (validate all rows, then write all).

    The uploaded file lives under ``MEDIA_ROOT`` (never served) only until the run ends. ``errors``
    keeps the first rows' problems (row, column, message); ``error_count`` counts them all.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking rows")
        IMPORTING = "importing", _("Writing members")
        FAILED = "failed", _("Failed")
        DONE = "done", _("Done")

    MAX_STORED_ERRORS = 1000

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by")
    )
    scope_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("scope"))
    scope_path = models.CharField(max_length=255, editable=False)
    file_name = models.CharField(_("file name"), max_length=255)
    file_path = models.CharField(max_length=255, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "validating", "importing", "failed", "done"]),
                name="memberimport_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="memberimport_by_user")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def permission_unit_path(self) -> str:
        return self.scope_path

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
