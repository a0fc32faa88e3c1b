"""Handling forms (phone-sized): the queue's filters, reply, transfer and close. The services check the
values again, authoritatively."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.voices.models import Appeal, AppealCategory
from unionhome.voices.services.handling import MAX_TEXT


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("appeal", "Status"),
        required=False,
        choices=[("open", _("Open")), ("all", _("All")), *Appeal.Status.choices],
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *AppealCategory.choices]
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    escalated = forms.BooleanField(label=_("Escalated only"), required=False)
    everyone = forms.BooleanField(label=_("Also those routed to others"), required=False)

    def __init__(self, *args, units=(), supervises=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not supervises:
            del self.fields["everyone"]
        if units:
            self.fields["unit"].choices = [("", _("All units")), *((u.pk, u.name) for u in units)]
        else:
            del self.fields["unit"]


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5}))
    public = forms.BooleanField(
        label=_("Public reply (may be shown on the hot-issues board without names)"), required=False
    )


class CloseForm(forms.Form):
    answer = forms.CharField(
        label=_("Final answer"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was done or decided. The member can rate it and reopen the appeal if it did not help."),
    )
    public = forms.BooleanField(
        label=_("Public answer (may be shown on the hot-issues board without names)"), required=False
    )


class TransferForm(forms.Form):
    handler = forms.TypedChoiceField(label=_("To a person"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(
        label=_("To a handling department"), required=False, coerce=int, empty_value=None
    )
    to_supervisors = forms.BooleanField(label=_("Back to the branch's cadres"), required=False)
    reason = forms.CharField(
        label=_("Reason for the transfer"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member sees it in the appeal's history. The deadlines stay as they are."),
    )

    def __init__(self, *args, people=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [("", "—"), *((u.pk, u.display_name or u.username) for u in people)]
        self.fields["department"].choices = [("", "—"), *((d.pk, d.name) for d in departments)]
