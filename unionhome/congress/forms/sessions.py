"""Forms of the congress office's setup pages; every value is checked again by the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.congress.models import Congress, CongressSession, Representative


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


TERM_FIELDS = [
    "number",
    "name",
    "starts_on",
    "ends_on",
    "min_front_line_percent",
    "min_women_percent",
    "max_management_percent",
    "min_seconders",
    "reply_days",
    "rating_days",
]


class CongressForm(forms.ModelForm):
    class Meta:
        model = Congress
        fields = TERM_FIELDS
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["number"]

    def validate_unique(self):  # the service answers for uniqueness, with its own message
        pass

    def _post_clean(self):  # no model validation here: the service checks and saves
        pass


SESSION_FIELDS = ["number", "title", "starts_at", "ends_at", "venue", "proposals_close_at"]


class SessionForm(forms.ModelForm):
    class Meta:
        model = CongressSession
        fields = SESSION_FIELDS
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "proposals_close_at": DateTimeInput(),
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at", "proposals_close_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        if editing:
            del self.fields["number"]

    def _post_clean(self):
        pass


class DelegationForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label=None)
    quota = forms.IntegerField(label=_("Seats"), min_value=1, max_value=999)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class QuotaForm(forms.Form):
    quota = forms.IntegerField(label=_("Seats"), min_value=1, max_value=999)


class SeatForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Member"), coerce=int, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("Category"), choices=Representative.Category.choices)
    elected_on = forms.DateField(label=_("Elected on"), widget=DateInput())

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, f"{m.name} · {m.employee_no} · {m.unit.name}") for m in candidates]
        self.fields["elected_on"].initial = timezone.localdate()


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput())
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Department name"), max_length=100)
