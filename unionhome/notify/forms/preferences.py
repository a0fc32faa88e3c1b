"""The preferences page's form: robots' webhooks, channels per event group, quiet hours, digest hour.

Fields per event group are named ``<group>-channels`` and ``<group>-digest``. The service checks again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from unionhome.notify.events import EVENT_GROUPS
from unionhome.notify.models import Channel

HOURS = [(h, f"{h:02d}:00") for h in range(24)]
WHEN = [("now", _("At once")), ("digest", _("In the daily digest"))]


class PreferencesForm(forms.Form):
    wecom_webhook = forms.CharField(
        label=_("WeCom group robot webhook"),
        required=False,
        max_length=500,
        help_text=_("Paste the robot's address to change it; leave empty to keep the one set."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    wecom_remove = forms.BooleanField(label=_("Remove the WeCom robot"), required=False)
    dingtalk_webhook = forms.CharField(
        label=_("DingTalk group robot webhook"),
        required=False,
        max_length=500,
        help_text=_("Paste the robot's address to change it; leave empty to keep the one set."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    dingtalk_secret = forms.CharField(
        label=_("DingTalk signing secret"),
        required=False,
        max_length=200,
        help_text=_("Only when the robot's security setting is “signature” (加签). Never shown again."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    dingtalk_remove = forms.BooleanField(label=_("Remove the DingTalk robot"), required=False)
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    digest_hour = forms.TypedChoiceField(label=_("Daily digest at"), choices=HOURS, coerce=int)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group_fields = []
        for row in groups:
            channels = f"{row.group}-channels"
            when = f"{row.group}-when"
            self.fields[channels] = forms.MultipleChoiceField(
                label=row.label,
                choices=Channel.choices,
                required=False,
                initial=row.channels,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[when] = forms.ChoiceField(
                label=_("When"), choices=WHEN, initial="digest" if row.digest else "now", required=False
            )
            self.group_fields.append((row, self[channels], self[when]))

    def groups_choice(self) -> dict:
        data = self.cleaned_data
        return {
            group: {"channels": data.get(f"{group}-channels", []), "digest": data.get(f"{group}-when") == "digest"}
            for group in EVENT_GROUPS
            if f"{group}-channels" in self.fields
        }
