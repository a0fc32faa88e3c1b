"""The audit trail's filter form: every filter optional, every bad value a clear form error."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from unionhome.audit.selectors import BadCursor, EventFilter, decode_cursor, units_in_audit_scope

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(9998, 12, 31)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return "\u2003" * max(unit.depth - 1, 0) + unit.name


class EventFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor (username)"), max_length=64, required=False)
    action = forms.CharField(
        label=_("Action"),
        max_length=80,
        required=False,
        help_text=_("The start of an action name, e.g. org.member"),
    )
    object_type = forms.CharField(label=_("Object type"), max_length=60, required=False)
    object_id = forms.CharField(label=_("Object id"), max_length=40, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    unit = UnitChoiceField(label=_("Unit"), queryset=None, required=False, empty_label=_("All units"))
    q = forms.CharField(label=_("Object contains"), max_length=100, required=False)
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, viewer, permission: str = "audit.view"):
        super().__init__(data)
        self.fields["unit"].queryset = units_in_audit_scope(viewer, permission).only("pk", "name", "depth", "path")

    def _clean_day(self, name: str) -> datetime.date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
            )
        return day

    def clean_date_from(self):
        return self._clean_day("date_from")

    def clean_date_to(self):
        return self._clean_day("date_to")

    def clean_after(self):
        cursor = self.cleaned_data.get("after", "").strip()
        if cursor:
            try:
                decode_cursor(cursor)
            except BadCursor as exc:
                raise ValidationError(
                    _("This page link is not valid. Start again from the first page."), code="bad_cursor"
                ) from exc
        return cursor

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def event_filter(self) -> EventFilter:
        c = self.cleaned_data
        return EventFilter(
            actor=c["actor"].strip(),
            action=c["action"].strip(),
            object_type=c["object_type"].strip(),
            object_id=c["object_id"].strip(),
            date_from=c["date_from"],
            date_to=c["date_to"],
            unit=c["unit"],
            text=c["q"].strip(),
        )
