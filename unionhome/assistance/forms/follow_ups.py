"""The follow-up form: a phone-sized page a cadre fills in after seeing the worker."""

from django import forms
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models import FollowUp
from unionhome.assistance.services.follow_ups import FINDINGS_MAX_LENGTH, NEXT_STEPS_MAX_LENGTH


class FollowUpForm(forms.Form):
    """Values are checked again (and authoritatively) by ``follow_up_record``."""

    findings = forms.CharField(
        label=_("What did you find?"),
        max_length=FINDINGS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How the worker and the household are doing now, and whether the help reached them."),
    )
    grade = forms.ChoiceField(label=_("Effect of the help"), choices=FollowUp.Grade.choices, widget=forms.RadioSelect)
    next_steps = forms.CharField(
        label=_("Next steps"),
        max_length=NEXT_STEPS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
