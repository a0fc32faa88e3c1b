"""Role grants in the admin: who holds which role on which unit (``access.assign_roles``).

Grant and revoke go through ``access.services`` (permission check, no self-grant, audit event).
A grant is never edited: revoke it and grant another.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from unionhome.access.admin_policy import PolicyModelAdmin
from unionhome.access.models import RoleAssignment
from unionhome.access.services import role_grant, role_revoke
from unionhome.org.selectors import units_for


class RoleGrantForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "unit"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["unit"].queryset = units_for(actor, "access.assign_roles")

    def clean_user(self):
        user = self.cleaned_data["user"]
        if user is not None and user.pk == self.actor.pk:
            raise forms.ValidationError(_("You cannot grant a role to yourself."))
        return user


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(PolicyModelAdmin):
    view_permission = "access.assign_roles"
    add_permission = "access.assign_roles"
    delete_permission = "access.assign_roles"
    scope_path = "unit__path"
    list_display = ["user", "role", "unit", "granted_at"]
    list_select_related = ["user", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "unit__name"]
    autocomplete_fields = ["user"]
    ordering = ["unit__path", "role", "user__username"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        actor = request.user

        class BoundGrantForm(RoleGrantForm):
            def __init__(self, *args, **kw):
                super().__init__(*args, actor=actor, **kw)

        return BoundGrantForm

    def get_readonly_fields(self, request, obj=None):
        return ["user", "role", "unit", "granted_at"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = role_grant(actor=request.user, user=data["user"], role=data["role"], unit=data["unit"])
        obj.pk, obj.granted_at = saved.pk, saved.granted_at

    def delete_model(self, request, obj):
        role_revoke(actor=request.user, assignment=obj)
