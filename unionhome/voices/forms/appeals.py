"""Forms of the worker's side of appeals. The services check everything again (and authoritatively)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.satisfaction.forms import RatingForm
from unionhome.voices.models import AppealCategory, AppealKind
from unionhome.voices.services.appeals import BODY_MAX_LENGTH, MESSAGE_MAX_LENGTH, REASON_MAX_LENGTH, TITLE_MAX_LENGTH
from unionhome.voices.services.attachments import MAX_ATTACHMENTS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (the service limits how many and which)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class AppealForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=AppealKind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(
        label=pgettext_lazy("appeal", "Category"), choices=[("", "—"), *AppealCategory.choices]
    )
    title = forms.CharField(
        label=pgettext_lazy("appeal", "Title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("In a few words, e.g. “The canteen closes before the night shift ends”."),
    )
    body = forms.CharField(
        label=_("Details"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, where and since when, and what you would like done. At most 2,000 characters."),
    )
    attachments = MultipleFileField(
        label=_("Photos or documents (optional)"),
        required=False,
        help_text=_("Up to %(count)s JPEG, PNG or PDF files. Photos are stored without their location and camera data.")
        % {"count": MAX_ATTACHMENTS},
    )
    anonymous = forms.BooleanField(label=_("Send anonymously"), required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Follow-up code"),
        max_length=64,
        help_text=_("The 16 letters and digits you wrote down when you sent the appeal, e.g. K7QM-3XWP-HT9A-C4RN."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message to the handler"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )


class RateForm(RatingForm):
    """The satisfaction app's rating form, asking about the answer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].label = _("How satisfied are you with the answer?")


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the answer did not solve it"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you withdraw it (optional)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
