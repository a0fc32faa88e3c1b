"""Forms of the decision pages. Values are checked again, authoritatively, by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.congress.models import OpinionComment
from unionhome.congress.services import opinion_calls, tracking
from unionhome.congress.services.decisions import REASON_MAX_LENGTH, SUMMARY_MAX_LENGTH, TITLE_MAX_LENGTH


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DecisionForm(forms.Form):
    union = UnitChoiceField(label=_("Union"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    summary = forms.CharField(
        label=_("What is to be decided"),
        max_length=SUMMARY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions


class OpinionCallForm(forms.Form):
    audience = UnitChoiceField(
        label=_("Who is asked"),
        queryset=None,
        empty_label=None,
        help_text=_("Members of this unit and of every unit below it can comment."),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    draft = forms.CharField(
        label=_("The draft"), max_length=opinion_calls.DRAFT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 10})
    )
    closes_at = forms.DateTimeField(label=_("Comments close at"), widget=DateTimeInput)
    allow_anonymous = forms.BooleanField(label=_("Anonymous comments allowed"), required=False, initial=True)

    def __init__(self, *args, audiences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = audiences


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=opinion_calls.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    anonymous = forms.BooleanField(label=_("Send anonymously"), required=False)


class AdoptionForm(forms.Form):
    adoption = forms.ChoiceField(
        label=pgettext_lazy("adoption of a comment", "Outcome"),
        choices=[(m.value, m.label) for m in opinion_calls.MARKS],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Why"),
        max_length=opinion_calls.NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Adoption summary"),
        max_length=opinion_calls.ADOPTION_SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was taken up and how the draft changed. The comments taken up are listed below it."),
    )


class MotionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.session.title} · {obj.title}"


class LinkMotionForm(forms.Form):
    motion = MotionChoiceField(label=_("Motion"), queryset=None)

    def __init__(self, *args, motions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motion"].queryset = motions


class LinkNoticeForm(forms.Form):
    notice = forms.ModelChoiceField(label=_("Disclosure notice"), queryset=None)

    def __init__(self, *args, notices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].queryset = notices


class DropForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it dropped?"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrackingForm(forms.Form):
    responsible = forms.CharField(label=_("Responsible department"), max_length=tracking.RESPONSIBLE_MAX_LENGTH)
    target_on = forms.DateField(label=_("To be done by"), widget=DateInput)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=TITLE_MAX_LENGTH)
    due_on = forms.DateField(label=pgettext_lazy("milestone", "Due"), widget=DateInput)


class MilestoneUpdateForm(forms.Form):
    progress_note = forms.CharField(
        label=_("Progress"),
        max_length=tracking.PROGRESS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    done = forms.BooleanField(label=_("Done"), required=False)


class InspectionForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your rating of the implementation"),
        coerce=int,
        choices=[(n, "★" * n) for n in (5, 4, 3, 2, 1)],
        widget=forms.RadioSelect,
    )
    findings = forms.CharField(
        label=_("What did you find?"),
        max_length=tracking.FINDINGS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


ADOPTION_LABELS = dict(OpinionComment.Adoption.choices)
