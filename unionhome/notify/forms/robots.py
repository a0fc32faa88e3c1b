"""A unit's group robot. The webhook and secret are never shown back: empty keeps the stored ones."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.notify.events import EVENT_GROUPS
from unionhome.notify.models import Robot


class RobotForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    name = forms.CharField(
        label=pgettext_lazy("robot", "Name"), max_length=60, help_text=_("E.g. the group chat's name.")
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=Robot.PLATFORMS)
    webhook = forms.CharField(
        label=_("Webhook address"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    secret = forms.CharField(
        label=_("Signing secret (DingTalk)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    groups = forms.MultipleChoiceField(
        label=_("Events it takes"),
        choices=[(k, v) for k, v in EVENT_GROUPS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    include_subtree = forms.BooleanField(label=_("Also events of the units below"), required=False)
    enabled = forms.BooleanField(label=_("Switched on"), required=False, initial=True)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
