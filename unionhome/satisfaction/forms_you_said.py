"""The cadre's form for a "you said, we did" note; ``services_actions`` checks every value again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from unionhome.satisfaction.service_lines import service_lines
from unionhome.satisfaction.services_actions import LIMITS


def _line_choices() -> list[tuple[str, str]]:
    return [("", _("(none)"))] + [(spec.code, str(spec.label)) for spec in service_lines()]


class FeedbackActionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=LIMITS["title"])
    said = forms.CharField(
        label=_("What workers said"), max_length=LIMITS["said"], widget=forms.Textarea(attrs={"rows": 4})
    )
    done = forms.CharField(
        label=_("What the union did"), max_length=LIMITS["done"], widget=forms.Textarea(attrs={"rows": 6})
    )
    survey = forms.ModelChoiceField(label=_("From the survey (optional)"), queryset=None, required=False)
    service_line = forms.ChoiceField(label=_("Service line (optional)"), choices=_line_choices, required=False)
    topic = forms.CharField(
        label=_("Appeal category or hot topic (optional)"), max_length=LIMITS["topic"], required=False
    )

    def __init__(self, *args, units, surveys, fixed_unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["survey"].queryset = surveys
        if fixed_unit is not None:  # a note stays with the unit it was written for
            self.fields["unit"].disabled = True
            self.fields["unit"].initial = fixed_unit.pk

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("unit", None)
        return data
