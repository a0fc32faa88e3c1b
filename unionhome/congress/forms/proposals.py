"""Proposal forms: phone-sized pages. Values are checked again (and authoritatively) by the services."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from unionhome.congress.models import Proposal, ProposalReply
from unionhome.congress.services.proposal_handling import MAX_COMMENT
from unionhome.congress.services.proposals import MAX_REASON, MAX_TEXT, MAX_TITLE


class ProposalForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Congress session"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    category = forms.ChoiceField(label=_("Category"), choices=Proposal.Category.choices)
    reasons = forms.CharField(
        label=_("Reasons (案由)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the problem is, whom it affects and why it matters."),
    )
    measures = forms.CharField(
        label=_("Proposed measures"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What should be done, by whom and by when."),
    )

    def __init__(self, *args, sessions=None, with_session: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_session:
            self.fields["session"].queryset = sessions
        else:
            del self.fields["session"]


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Proposal.Status.choices)
    session = forms.TypedChoiceField(label=_("Session"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["session"].choices = everything + [(s.pk, s.title) for s in choices["sessions"]]
        self.fields["department"].choices = everything + [(d.pk, d.name) for d in choices["departments"]]
        self.fields["unit"].choices = everything + [(u.pk, u.name) for u in choices["units"]]
        if not choices["units"]:
            del self.fields["unit"]


class ReasonForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=MAX_REASON, required=False)


class ReviewForm(forms.Form):
    DECISIONS = [
        ("accept", _("Accept (立案)")),
        ("convert", _("Convert to a suggestion")),
        ("merge", _("Merge into another proposal")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The proposer sees this reason in the proposal's history."),
    )
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=None, required=False)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = candidates
        self.fields["into"].label_from_instance = lambda p: (f"#{p.number} " if p.number else "") + p.title


class ReferForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Handling department"), queryset=None)
    reply_due_on = forms.DateField(
        label=_("Reply due by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note to the department (optional)"), max_length=MAX_REASON, required=False)

    def __init__(self, *args, departments=None, default_due: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["reply_due_on"].initial = default_due


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6}))


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("Progress"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the reply?"), choices=ProposalReply.Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when dissatisfied: say what is still unresolved."),
    )
