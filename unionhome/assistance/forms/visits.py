"""Forms of the visit pages. Values are cleaned again, and authoritatively, by ``services/visits.py``."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models import Occasion
from unionhome.assistance.services.visits import (
    CAMPAIGN_OCCASIONS,
    CANCEL_REASON_LIMIT,
    FINDINGS_LIMIT,
    LIFE_EVENTS,
    MAX_DUE_DAYS,
    NEEDS_LIMIT,
    NOTE_LIMIT,
)
from unionhome.org.models import MemberTag


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def _choices(values) -> list[tuple[str, str]]:
    labels = dict(Occasion.choices)
    return [(value, labels[value]) for value in values]


class MemberPickForm(forms.Form):
    """Find the member to visit by employee number (GET)."""

    employee_no = forms.CharField(label=_("Employee number"), max_length=32)


class LifeEventForm(forms.Form):
    occasion = forms.ChoiceField(label=_("What happened"), choices=())
    occurred_on = _date_field(_("When"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=NOTE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only what the visitors need to know, such as the hospital and ward."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occasion"].choices = _choices(LIFE_EVENTS)


class HospitalStayForm(forms.Form):
    """A member reports their own hospital stay."""

    occurred_on = _date_field(_("Date you went into hospital"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Hospital and ward (optional)"),
        max_length=NOTE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VisitRecordForm(forms.Form):
    visited_on = _date_field(_("Visited on"), initial=timezone.localdate)
    visitor_ids = forms.TypedMultipleChoiceField(
        label=_("Who went"), choices=(), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    visitor_names = forms.CharField(
        label=_("Others who went"),
        max_length=200,
        required=False,
        help_text=_("For example company leaders or the workshop head."),
    )
    gifts = forms.CharField(label=_("Gifts"), max_length=300, required=False)
    amount = forms.CharField(
        label=_("Condolence money (yuan, optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    budget_line = forms.ModelChoiceField(label=_("Paid from budget line"), queryset=None, required=False)
    findings = forms.CharField(
        label=_("What was found"),
        max_length=FINDINGS_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seen by cadres only, never by the member."),
    )
    needs = forms.CharField(
        label=_("Needs raised"), max_length=NEEDS_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, visitors, budget_lines, actor=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        if actor is not None and any(u.pk == actor.pk for u in visitors):
            kwargs["initial"].setdefault("visitor_ids", [actor.pk])
        super().__init__(*args, **kwargs)
        self.fields["visitor_ids"].choices = [(u.pk, str(u)) for u in visitors]
        self.fields["budget_line"].queryset = budget_lines
        self.fields["budget_line"].empty_label = _("No money given")

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        return {
            "visited_on": data["visited_on"],
            "visitor_ids": data["visitor_ids"],
            "visitor_names": data["visitor_names"],
            "gifts": data["gifts"],
            "amount": data["amount"] or None,
            "budget_line": data["budget_line"],
            "findings": data["findings"],
            "needs": data["needs"],
            "idempotency_key": data["idempotency_key"],
        }


class UnplannedVisitForm(VisitRecordForm):
    occasion = forms.ChoiceField(label=_("Occasion"), choices=Occasion.choices)
    reason = forms.CharField(label=_("Reason for the visit"), max_length=NOTE_LIMIT, required=False)

    field_order = ["occasion", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["occasion", "reason", *VisitRecordForm.base_fields])


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is the visit cancelled?"), max_length=CANCEL_REASON_LIMIT)


class CampaignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Run by"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example 2026 春节送温暖."))
    occasion = forms.ChoiceField(label=_("Occasion"), choices=())
    due_by = _date_field(_("Visits due by"))
    include_hardship_files = forms.BooleanField(
        label=_("Visit every member with an active hardship file"), required=False, initial=True
    )
    include_retirees = forms.BooleanField(label=_("Visit retired members"), required=False)
    tags = forms.ModelMultipleChoiceField(
        label=_("Visit members tagged"),
        queryset=MemberTag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    budget_line = forms.ModelChoiceField(label=_("Default budget line for money given"), queryset=None, required=False)

    def __init__(self, *args, units, budget_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["occasion"].choices = _choices(CAMPAIGN_OCCASIONS)
        self.fields["budget_line"].queryset = budget_lines
        self.fields["budget_line"].empty_label = _("None")


class RulesForm(forms.Form):
    """One row per life event: visit due within N days, and whether the rule is on."""

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for occasion, rule in rules.items():
            label = rule.get_occasion_display()
            days = forms.IntegerField(
                label=_("%(occasion)s: visit due within (days)") % {"occasion": label},
                min_value=0,
                max_value=MAX_DUE_DAYS,
                initial=rule.due_days,
            )
            active = forms.BooleanField(
                label=_("%(occasion)s: rule on") % {"occasion": label}, required=False, initial=rule.active
            )
            self.fields[f"{occasion}_due_days"] = days
            self.fields[f"{occasion}_active"] = active
            self.rows.append((occasion, label))

    def rows_with_fields(self):
        return [(label, self[f"{occasion}_due_days"], self[f"{occasion}_active"]) for occasion, label in self.rows]

    def rules(self) -> dict[str, tuple[int, bool]]:
        return {
            occasion: (self.cleaned_data[f"{occasion}_due_days"], self.cleaned_data[f"{occasion}_active"])
            for occasion, _label in self.rows
        }
