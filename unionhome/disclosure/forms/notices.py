"""Forms of the disclosure office: a notice, an attachment, a withdrawal. The services check again."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.access.policy import scope_roots
from unionhome.disclosure.audience import PUBLISH
from unionhome.disclosure.models import Notice
from unionhome.disclosure.services.notices import BODY_MAX_LENGTH, REASON_MAX_LENGTH, TITLE_MAX_LENGTH
from unionhome.org.models import OrgUnit

# The audience list shows the units where the office publishes and this many levels below them.
AUDIENCE_LEVELS = 2
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class AudienceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return "\u3000" * (obj.depth - 1) + obj.name  # indented by level (an ideographic space per level)


def audience_units(actor):
    """Units an office may address: its publishing units and two levels below (a union's branches and
    groups). The query stays bounded whatever the size of the tree below."""
    q = Q(pk__in=[])
    for root in scope_roots(actor, PUBLISH):
        depth = len(root) // OrgUnit.steplen
        q |= Q(path__startswith=root, depth__lte=depth + AUDIENCE_LEVELS)
    return OrgUnit.objects.filter(q).order_by("path")


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    category = forms.ChoiceField(label=_("Category"), choices=Notice.Category.choices)
    audience = AudienceChoiceField(
        label=_("Audience"),
        queryset=OrgUnit.objects.none(),
        help_text=_("The notice is shown to every member of this unit and the units below it."),
    )
    body = forms.CharField(label=_("Text"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 10}))
    publish_from = forms.DateTimeField(label=_("Publish from"), widget=LocalDateTimeInput())
    publish_until = forms.DateTimeField(
        label=_("Publish until"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("Leave empty to keep the notice on the board until it is withdrawn."),
    )
    pinned = forms.BooleanField(label=_("Pin to the top of the board"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = audience_units(actor)


class AttachmentForm(forms.Form):
    upload = forms.FileField(
        label=_("Attach a file"),
        help_text=_("PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx), up to 10 MB; at most 5 files per notice."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the notice is withdrawn.")},
    )
