"""The org tree and the roster in the admin, under the permission policy.

Units: browsed with ``org.view_tree``, created and renamed with ``org.manage_units`` through
``org.services`` (never deleted here). Members: a scoped, masked list for finding someone
(``org.view_members``, the same scope as the directory); opening a member goes to the member's real
page, where the same masking, the logging of sensitive reads, and the edit and status forms live.
Nothing about a member is edited in the admin.
"""

from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from unionhome.access.admin_policy import CappedCountPaginator, PolicyModelAdmin
from unionhome.access.policy import OutOfScope, can
from unionhome.org import selectors, services
from unionhome.org.identity import mask_id_number, mask_mobile
from unionhome.org.models import Member, OrgUnit

# --- Units ---------------------------------------------------------------------------------------


class UnitChangeForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "district", "site"]


class UnitAddForm(forms.ModelForm):
    parent = forms.ModelChoiceField(label=_("Parent unit"), queryset=OrgUnit.objects.none(), required=False)

    class Meta:
        model = OrgUnit
        fields = ["parent", "name", "code", "kind", "district", "site"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["parent"].queryset = selectors.units_for(actor, "org.manage_units")
        self.fields["parent"].required = not actor.is_superuser
        self.fields["parent"].help_text = _("Leave empty only for a new root (platform superusers only).")


@admin.register(OrgUnit)
class OrgUnitAdmin(PolicyModelAdmin):
    view_permission = "org.view_tree"
    change_permission = "org.manage_units"
    add_permission = "org.manage_units"
    scope_path = "path"
    list_display = ["indented_name", "code", "kind", "district", "site", "direct_member_count"]
    list_display_links = ["indented_name"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    list_per_page = 100

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, unit):
        return format_html("{}{}", "\u2003" * max(unit.depth - 1, 0), unit.name)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return UnitChangeForm
        actor = request.user

        class BoundAddForm(UnitAddForm):
            def __init__(self, *args, **kw):
                super().__init__(*args, actor=actor, **kw)

        return BoundAddForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["parent", "name", "code", "kind", "district", "site"]
        return ["name", "code", "kind", "district", "site", "direct_member_count"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["code", "kind", "direct_member_count"]
        if not self.has_change_permission(request, obj):
            readonly = ["name", "district", "site", *readonly]
        return readonly

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.unit_update(
                actor=request.user, unit=obj, name=data["name"], district=data["district"], site=data["site"]
            )
        else:
            saved = services.unit_create(
                actor=request.user,
                parent=data["parent"],
                name=data["name"],
                code=data["code"],
                kind=data["kind"],
                district=data["district"],
                site=data["site"],
            )
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})
        obj._state = saved._state


# --- Members --------------------------------------------------------------------------------------


@admin.register(Member)
class MemberAdmin(PolicyModelAdmin):
    """Find a member; open them on their real page. Mobile and ID number masked unless the viewer may see them."""

    view_permission = "org.view_members"
    list_display_links = None
    list_filter = ["status"]
    search_fields = ["name"]  # searched by ``org.selectors.member_search`` (pinyin initials, employee number)
    search_help_text = _("Name, pinyin initials (zs) or employee number")
    list_per_page = 50
    paginator = CappedCountPaginator

    def policy_queryset(self, request):
        return selectors.members_for(request.user)

    def get_search_results(self, request, queryset, search_term):
        return selectors.member_search(queryset, search_term), False

    def get_list_display(self, request):
        viewer = request.user

        def shown(field: str, mask, label):
            def column(member):
                value = getattr(member, field)
                return value if can(viewer, "org.view_member_sensitive", member) else mask(value)

            column.short_description = label
            return column

        return [
            self.member_link,
            "employee_no",
            self.unit_name,
            shown("mobile", mask_mobile, _("mobile")),
            shown("id_number", mask_id_number, _("ID number")),
            "status",
        ]

    @admin.display(description=_("name"), ordering="name_pinyin")
    def member_link(self, member):
        return format_html('<a href="{}">{}</a>', reverse("org:member_detail", args=[member.pk]), member.name)

    @admin.display(description=_("unit"))
    def unit_name(self, member):
        return member.unit.name

    def change_view(self, request, object_id, form_url="", extra_context=None):
        member = self.get_object(request, object_id)
        if member is None:
            raise OutOfScope
        return redirect("org:member_detail", pk=member.pk)
