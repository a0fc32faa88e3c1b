"""Forms of the education-aid pages. They only shape the input; the services clean it authoritatively."""

from django import forms
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models import AidCampaign, BudgetLine, Document, Objection
from unionhome.org.models import OrgUnit

TIER_ROWS = 5
DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class CampaignForm(forms.Form):
    """A campaign's settings; the tiers are up to five rows of name and amount (empty rows are ignored)."""

    unit = forms.ModelChoiceField(label=_("Run by"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Campaign name"), max_length=100, help_text=_("For example 2025 金秋助学."))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    opens_on = forms.DateField(label=_("Applications open"), **DATE)
    closes_on = forms.DateField(label=_("Applications close"), **DATE)
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.none())
    require_admission_this_year = forms.BooleanField(
        label=_("Only children admitted to university in the campaign's year"), required=False
    )
    require_active_file = forms.BooleanField(label=_("Members with an active hardship file"), required=False)
    income_per_head_below = forms.CharField(
        label=_("Or a monthly household income per head below (yuan)"),
        required=False,
        max_length=20,
        help_text=_("Leave empty for no income limit. The income is taken from the member's active hardship file."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    publicity_days = forms.IntegerField(label=_("Publicity period (days)"), min_value=1, max_value=30, initial=5)

    def __init__(self, *args, units=None, budget_lines, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
        self.fields["budget_line"].queryset = budget_lines
        for n in range(1, TIER_ROWS + 1):
            self.fields[f"tier_{n}_name"] = forms.CharField(
                label=_("Tier %(n)s: name") % {"n": n}, max_length=50, required=False
            )
            self.fields[f"tier_{n}_amount"] = forms.CharField(
                label=_("Tier %(n)s: amount (yuan)") % {"n": n},
                max_length=20,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def clean(self):
        cleaned = super().clean()
        for n in range(1, TIER_ROWS + 1):
            name, amount = cleaned.get(f"tier_{n}_name"), cleaned.get(f"tier_{n}_amount")
            if name and not amount:
                self.add_error(f"tier_{n}_amount", _("Enter the amount of this tier."))
            elif amount and not name:
                self.add_error(f"tier_{n}_name", _("Name this tier."))
        return cleaned

    def tiers(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        rows = ((data.get(f"tier_{n}_name"), data.get(f"tier_{n}_amount")) for n in range(1, TIER_ROWS + 1))
        return [(name, amount) for name, amount in rows if name and amount]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "year": data["year"],
            "opens_on": data["opens_on"],
            "closes_on": data["closes_on"],
            "budget_line": data["budget_line"],
            "tiers": self.tiers(),
            "require_admission_this_year": data["require_admission_this_year"],
            "require_active_file": data["require_active_file"],
            "income_per_head_below": data["income_per_head_below"] or None,
            "publicity_days": data["publicity_days"],
        }

    @staticmethod
    def initial_from(campaign: AidCampaign) -> dict:
        initial = {
            "name": campaign.name,
            "year": campaign.year,
            "opens_on": campaign.opens_on,
            "closes_on": campaign.closes_on,
            "budget_line": campaign.budget_line_id,
            "require_admission_this_year": campaign.require_admission_this_year,
            "require_active_file": campaign.require_active_file,
            "income_per_head_below": campaign.income_per_head_below or "",
            "publicity_days": campaign.publicity_days,
        }
        for n, tier in enumerate(campaign.tiers.all(), start=1):
            initial[f"tier_{n}_name"] = tier.name
            initial[f"tier_{n}_amount"] = tier.amount
        return initial


class ApplicationForm(forms.Form):
    """A member's application for one child, comfortable on a phone."""

    child_name = forms.CharField(
        label=_("Child's name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    child_id_number = forms.CharField(
        label=_("Child's ID number"),
        max_length=18,
        help_text=_("18 characters, as on the child's ID card or household register. Stored encrypted."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    school = forms.CharField(label=_("School or university"), max_length=100)
    admitted_year = forms.IntegerField(
        label=_("Year of admission"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    upload = forms.FileField(
        label=_("Proof (admission letter): PDF, JPEG or PNG"),
        required=False,
        help_text=_("You can also add documents later, while your application waits for review."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the union's assistance officers use my child's details (name, ID number, school, "
            "admission proof) only to assess, approve, publicise (name, unit and tier) and pay this application."
        ),
        required=False,  # the service refuses without it, with its own message
    )

    def __init__(self, *args, campaign: AidCampaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = campaign.tiers.all()
        self.fields["tier"].label_from_instance = lambda tier: (
            _("%(name)s · %(amount)s yuan")
            % {
                "name": tier.name,
                "amount": tier.amount,
            }
        )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the applicant sees it)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why is the payment reversed?"), max_length=500)


class ObjectionForm(forms.Form):
    summary = forms.CharField(label=_("Objection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    raised_by = forms.CharField(label=_("Raised by (optional)"), max_length=100, required=False)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Objection.Resolution.DISMISSED, Objection.Resolution.DISMISSED.label),
            (Objection.Resolution.UPHELD, _("Upheld: reject the application")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Resolution note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document type"), choices=Document.Kind.choices, initial=Document.Kind.ADMISSION)
    upload = forms.FileField(
        label=_("Document: PDF, JPEG or PNG"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
