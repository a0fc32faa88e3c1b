"""A worker's question on a notice, and a cadre's answer. The services check again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from unionhome.disclosure.services.questions import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH


class QuestionForm(forms.Form):
    body = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The answer is public on this notice. Your name is not shown, only your unit."),
        error_messages={"required": _("Write your question.")},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The question and your answer are shown to everyone the notice is for."),
        error_messages={"required": _("Write the answer.")},
    )
