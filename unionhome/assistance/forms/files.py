"""Forms of the hardship-file pages. They type the input; the services check it again, authoritatively."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models import (
    ConsentRecord,
    Document,
    HardshipCause,
    HardshipFile,
    HouseholdMember,
    Objection,
    ReReview,
)
from unionhome.assistance.services.files import MAX_HOUSEHOLD, MAX_NOTE, MAX_OBJECTION, MAX_SITUATION

BLANK = [("", "—")]
DATE = {"type": "date"}


class ApplicationForm(forms.Form):
    """The application: causes and situation; consent (the member's own tick, or how a cadre received it)."""

    causes = forms.MultipleChoiceField(
        label=_("Causes of hardship"), choices=HardshipCause.Cause.choices, widget=forms.CheckboxSelectMultiple
    )
    situation = forms.CharField(
        label=_("The household's situation"),
        max_length=MAX_SITUATION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, what the household lives on, what help is needed."),
    )

    def __init__(self, *args, on_behalf: bool, with_consent: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_behalf = on_behalf
        if on_behalf:
            self.fields["level"] = forms.ChoiceField(
                label=_("Level of hardship"),
                choices=[("", _("Suggest from the income per head")), *HardshipFile.Level.choices],
                required=False,
            )
        if with_consent and on_behalf:
            self.fields["consent_method"] = forms.ChoiceField(
                label=_("The member's consent was given"),
                choices=[
                    ("", _("Not yet: no file can be opened")),
                    (ConsentRecord.Method.PAPER, ConsentRecord.Method.PAPER.label),
                    (ConsentRecord.Method.IN_PERSON, ConsentRecord.Method.IN_PERSON.label),
                ],
                required=False,
                help_text=_("No consent, no file."),
            )
        elif with_consent:
            self.fields["consent"] = forms.BooleanField(
                label=_(
                    "I agree that the union processes the sensitive personal information in this application "
                    "(health, income, household) to assess and assist my hardship. Only assistance officers "
                    "and the chair of my union may see it."
                ),
                required=False,
            )

    CONSENT_FIELDS = ("consent", "consent_method")

    def main_fields(self) -> list:
        return [self[name] for name in self.fields if name not in self.CONSENT_FIELDS]

    def consent_fields(self) -> list:
        """Shown after the household: the member agrees once they have seen what they give."""
        return [self[name] for name in self.fields if name in self.CONSENT_FIELDS]

    def consent_method(self) -> str | None:
        if self.on_behalf:
            return self.cleaned_data.get("consent_method") or None
        return ConsentRecord.Method.ONLINE if self.cleaned_data.get("consent") else None


class HouseholdForm(forms.Form):
    """One person in the household (the member included, as "The member"). No names: the minimum."""

    relation = forms.ChoiceField(label=_("Relation"), choices=BLANK + list(HouseholdMember.Relation.choices))
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=130)
    health = forms.ChoiceField(label=_("Health"), choices=BLANK + list(HouseholdMember.Health.choices))
    health_note = forms.CharField(label=_("Health details (optional)"), max_length=500, required=False)
    monthly_income = forms.DecimalField(
        label=_("Monthly income (yuan)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    employment = forms.ChoiceField(label=_("Employment"), choices=BLANK + list(HouseholdMember.Employment.choices))


HouseholdFormSet = formset_factory(
    HouseholdForm, extra=1, max_num=MAX_HOUSEHOLD, validate_max=True, absolute_max=MAX_HOUSEHOLD, can_delete=True
)


def household_rows(formset) -> list[dict]:
    """The filled-in rows of a valid formset, without the ones marked for removal."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        rows.append({k: v for k, v in data.items() if k != "DELETE"})
    return rows


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Find the member: name, pinyin initials or employee number"), max_length=50)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the applicant (optional)"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequiredNoteForm(forms.Form):
    note = forms.CharField(
        label=_("What should the applicant change?"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the applicant sees it)"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class EmptyForm(forms.Form):
    pass


class BranchReviewForm(NoteForm):
    level = forms.ChoiceField(
        label=_("Level of hardship"), choices=BLANK + list(HardshipFile.Level.choices), required=False
    )

    field_order = ["level", "note"]


class ReReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReReview.Outcome.choices, widget=forms.RadioSelect)
    level = forms.ChoiceField(
        label=_("Level from now on"), choices=BLANK + list(HardshipFile.Level.choices), required=False
    )
    notes = forms.CharField(
        label=_("Findings (for an exit: the reason, which the member sees)"),
        max_length=MAX_SITUATION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ObjectionForm(forms.Form):
    summary = forms.CharField(
        label=_("What the objection says"), max_length=MAX_OBJECTION, widget=forms.Textarea(attrs={"rows": 3})
    )
    raised_by = forms.CharField(label=_("Raised by (optional)"), max_length=100, required=False)


class ResolveObjectionForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Objection.Resolution.DISMISSED, Objection.Resolution.DISMISSED.label),
            (Objection.Resolution.UPHELD, _("Upheld: the file is rejected")),
        ],
        widget=forms.RadioSelect,
    )
    resolution_note = forms.CharField(
        label=_("How it was looked into"), max_length=MAX_OBJECTION, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type of document"), choices=BLANK + list(Document.Kind.choices))
    upload = forms.FileField(
        label=_("File (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )


class FileFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, pinyin initials or employee number"), max_length=50, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *HardshipFile.State.choices], required=False
    )


class SettingsForm(forms.Form):
    deep_hardship_below = forms.DecimalField(
        label=_("Deep hardship: monthly income per head below (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    relative_hardship_below = forms.DecimalField(
        label=_("Relative hardship: monthly income per head below (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    publicity_days = forms.IntegerField(label=_("Publicity period (days)"), min_value=1, max_value=30)
    re_review_months = forms.IntegerField(label=_("Re-review every (months)"), min_value=1, max_value=36)
    follow_up_days = forms.CharField(
        label=_("Follow-ups after (days)"), max_length=60, help_text=_("Separate the days with commas: 30, 90")
    )
    escalate_after_days = forms.IntegerField(
        label=_("Escalate overdue follow-ups after (days)"), min_value=1, max_value=90
    )


# The form of each action on a file's page (``hardship_workflow.PAGE_ACTIONS``).
ACTION_FORMS = {
    "submit": EmptyForm,
    "return": RequiredNoteForm,
    "branch_review": BranchReviewForm,
    "reject": ReasonForm,
    "approve": NoteForm,
    "activate": EmptyForm,
    "re_review": ReReviewForm,
    "exit": ReasonForm,
}
