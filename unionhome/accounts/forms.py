import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from unionhome.accounts.backends import LOGIN_MAX_LENGTH


class LoginForm(forms.Form):
    login = forms.CharField(
        label=_("Employee number, mobile or username"),
        max_length=LOGIN_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self) -> str:
        # Full-width digits from a Chinese input method count as digits; spaces are ignored.
        token = unicodedata.normalize("NFKC", self.cleaned_data["token"]).replace(" ", "")
        if not re.fullmatch(r"[0-9]{6}", token):
            raise forms.ValidationError(_("Enter the six digits shown in your authenticator app."), code="invalid")
        return token


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email for notifications"),
        required=False,
        max_length=254,
        help_text=_("Reminders and messages from UnionHome are also sent here. Leave empty for none."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
