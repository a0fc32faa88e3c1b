from django import forms
from django.utils.translation import gettext_lazy as _

from unionhome.satisfaction.services import COMMENT_MAX_LENGTH


def score_choices() -> list[tuple[int, str]]:
    return [
        (5, _("5 stars: very satisfied")),
        (4, _("4 stars: satisfied")),
        (3, _("3 stars: neither satisfied nor dissatisfied")),
        (2, _("2 stars: dissatisfied")),
        (1, _("1 star: very dissatisfied")),
    ]


class RatingForm(forms.Form):
    """Values are checked again (and authoritatively) by ``rating_submit``."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with this help?"),
        choices=score_choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell the union (optional)"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
