"""Forms of the money pages. They only shape the input: the services clean it again, authoritatively
(amounts through ``ledger.clean_amount``), and their errors land next to these fields."""

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.accounts.models import User
from unionhome.assistance.models import Assistance, BudgetLine
from unionhome.org.models import OrgUnit

# Amounts are text here so that the service's own messages ("at most two decimals") reach the user,
# not the browser's or Django's number parsing.
AMOUNT_WIDGET = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "num"})


def line_label(line: BudgetLine) -> str:
    return _("%(line)s · %(unit)s · %(available)s yuan available") % {
        "line": line,
        "unit": line.unit.name,
        "available": number_format(line.available, 2, force_grouping=True),
    }


class BudgetLineChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: BudgetLine) -> str:
        return line_label(obj)


class BudgetLineForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Held by"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=pgettext_lazy("budget line", "Name"), max_length=100)
    fund_source = forms.ChoiceField(label=_("Fund source"), choices=BudgetLine.FundSource.choices)
    year = forms.IntegerField(label=_("Year"), widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=40, widget=AMOUNT_WIDGET)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class BudgetAdjustForm(forms.Form):
    amount = forms.CharField(label=_("New amount (yuan)"), max_length=40, widget=AMOUNT_WIDGET)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AssistanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of help"), choices=Assistance.Kind.choices)
    description = forms.CharField(
        label=_("What is given and why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        max_length=40,
        required=False,
        widget=AMOUNT_WIDGET,
        help_text=_("For cash, goods, medical and schooling aid; leave empty for job or legal help."),
    )
    budget_line = BudgetLineChoice(
        label=_("Paid from budget line"),
        queryset=BudgetLine.objects.none(),
        required=False,
        empty_label=_("— none (job or legal help) —"),
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible cadre"),
        queryset=User.objects.none(),
        help_text=_("Follows the help up and answers for its effect."),
    )

    def __init__(self, *args, lines, responsibles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = lines
        self.fields["responsible"].queryset = responsibles


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DisburseForm(forms.Form):
    """Carries the idempotency key made when the page was shown: a double click or a resubmitted
    form pays once and shows the first payment."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
