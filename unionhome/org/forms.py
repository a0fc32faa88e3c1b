from django import forms
from django.utils.translation import gettext_lazy as _

from unionhome.org.models import Member, MemberTag, OrgUnit


class MemberForm(forms.Form):
    """Edit form; values are cleaned again (and authoritatively) by the service."""

    employee_no = forms.CharField(label=_("Employee number"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=Member.Gender.choices)
    birth_date = forms.DateField(
        label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    job_category = forms.ChoiceField(label=_("Job category"), choices=Member.JobCategory.choices)
    employment_form = forms.ChoiceField(label=_("Employment form"), choices=Member.EmploymentForm.choices)
    joined_on = forms.DateField(
        label=_("Date joined"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=MemberTag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Member.Status.choices)
    effective_on = forms.DateField(
        label=_("Effective on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class NewMemberForm(MemberForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())

    field_order = ["unit"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.order_fields(["unit", *MemberForm.base_fields])
