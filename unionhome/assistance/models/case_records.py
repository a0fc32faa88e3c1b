"""What is kept beside a case: the supporting documents of a hardship file or an education-aid application
(stored encrypted outside the web root), a file's history of transitions, its annual re-reviews, and the
objections raised against a file or an aid approval during its publicity period.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models.hardship_files import HardshipFile


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
