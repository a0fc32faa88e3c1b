"""Accounts in the admin, under the permission policy: see who has a login, disable or re-enable it.

Listed are the accounts the viewer may manage (``accounts.services.can_manage_account``: the
permission ``accounts.manage`` over every unit the account belongs to). No password hash, TOTP
secret or API token digest is shown. Disabling goes through ``accounts.services.account_set_active``
(which ends the account's sessions and tokens and records the change); accounts are never deleted
here, and one-time passwords are handed out on the account pages (``/accounts/manage/``).
"""

from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.access.admin_policy import PolicyModelAdmin
from unionhome.access.models import RoleAssignment
from unionhome.access.policy import grants_of, scope_roots
from unionhome.accounts import services
from unionhome.accounts.models import User
from unionhome.org.models import OrgUnit


def manageable_accounts(actor):
    """The accounts ``can_manage_account(actor, account)`` allows, as one query."""
    roots = scope_roots(actor, services.MANAGE)
    if not roots:
        return User.objects.none()

    def in_scope(path_field: str) -> Q:
        q = Q()
        for root in roots:
            q |= Q(**{f"{path_field}__prefix": root})
        return q

    accounts = User.objects.all()
    if not actor.is_superuser:
        accounts = accounts.exclude(is_superuser=True)
        if not actor.is_staff:
            accounts = accounts.exclude(is_staff=True)
    role_outside = RoleAssignment.objects.filter(user=OuterRef("pk")).exclude(in_scope("unit__path"))
    accounts = accounts.filter(Q(member__isnull=True) | in_scope("member__unit_path")).exclude(Exists(role_outside))
    from_a_root = any(
        services.MANAGE in g.permissions and len(g.unit_path) == OrgUnit.steplen for g in grants_of(actor)
    )
    if not from_a_root:  # accounts tied to no unit are managed from a root of the tree only
        any_role = RoleAssignment.objects.filter(user=OuterRef("pk"))
        accounts = accounts.exclude(Q(member__isnull=True) & ~Exists(any_role))
    return accounts


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["is_active"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_is_active(self):
        active = self.cleaned_data["is_active"]
        if not active and self.instance.pk == self.actor.pk:
            raise forms.ValidationError(_("You cannot disable your own account."))
        return active


@admin.register(User)
class AccountAdmin(PolicyModelAdmin):
    view_permission = services.MANAGE
    change_permission = services.MANAGE
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["username", "display_name"]
    ordering = ["username"]
    fields = [
        "username",
        "display_name",
        "member_page",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
        "password_changed_at",
        "roles",
    ]
    readonly_fields = [
        "username",
        "display_name",
        "member_page",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
        "password_changed_at",
        "roles",
    ]

    def policy_queryset(self, request):
        return manageable_accounts(request.user)

    def _may_manage(self, request, obj) -> bool:
        if not self._allowed(request, services.MANAGE):
            return False
        return obj is None or services.can_manage_account(request.user, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may_manage(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_manage(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        actor = request.user

        class BoundAccountForm(AccountForm):
            def __init__(self, *args, **kw):
                super().__init__(*args, actor=actor, **kw)

        return BoundAccountForm

    @admin.display(description=gettext_lazy("member"))
    def member_page(self, account):
        if not account.member_id:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("accounts:manage_member", args=[account.member_id]), _("Member's login page")
        )

    @admin.display(description=gettext_lazy("roles"))
    def roles(self, account):
        held = account.role_assignments.select_related("unit")
        return "; ".join(f"{a.get_role_display()} · {a.unit.name}" for a in held) or "—"

    def save_model(self, request, obj, form, change):
        if "is_active" in form.changed_data:
            services.account_set_active(actor=request.user, user=obj, active=form.cleaned_data["is_active"])
