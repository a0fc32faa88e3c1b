"""Configuration forms: a routing rule, a category's deadlines, a year's calendar pasted as dates, one day."""

from django import forms
from django.utils.translation import gettext_lazy as _

from unionhome.voices.models import AppealCategory
from unionhome.voices.services.config import MAX_DAYS
from unionhome.workdays.models import CalendarDay


class RuleForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Every category")), *AppealCategory.choices]
    )
    handler = forms.TypedChoiceField(label=_("To a person"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(
        label=_("To a handling department"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, units=(), people=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["handler"].choices = [("", "—"), *((u.pk, u.display_name or u.username) for u in people)]
        self.fields["department"].choices = [("", "—"), *((d.pk, d.name) for d in departments)]


class PolicyForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=AppealCategory.choices)
    acknowledge_days = forms.IntegerField(label=_("Acknowledge within (working days)"), min_value=1, max_value=MAX_DAYS)
    answer_days = forms.IntegerField(label=_("Answer within (working days)"), min_value=1, max_value=MAX_DAYS)
    reopen_days = forms.IntegerField(label=_("Reopen within (days)"), min_value=1, max_value=MAX_DAYS)


class YearForm(forms.Form):
    holidays = forms.CharField(
        label=_("Days off on weekdays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Paste the dates from the State Council's holiday notice, as YYYY-MM-DD, separated by spaces or lines."
        ),
    )
    working_days = forms.CharField(
        label=_("Weekend days that are working days (调休)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(
        label=_("Holiday name"), required=False, max_length=60, help_text=_("Optional, for example National Day.")
    )


class DayRemoveForm(forms.Form):
    date = forms.DateField(widget=forms.HiddenInput)
