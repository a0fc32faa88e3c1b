from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, can, has_permission_anywhere, require
from unionhome.audit.recorder import record
from unionhome.home.form_errors import form_errors_from
from unionhome.home.params import id_param
from unionhome.org import selectors, services
from unionhome.org.forms import MemberForm, NewMemberForm, StatusForm
from unionhome.org.models import Member
from unionhome.org.presenters import member_row


@login_required
def tree(request):
    require(request.user, "org.view_tree")
    top = None
    if request.GET.get("root"):
        top = selectors.units_for(request.user).filter(pk=id_param(request.GET["root"])).first()
        if top is None:
            raise OutOfScope
    offset = min(id_param(request.GET.get("offset", "0")) or 0, 10**6)
    roots = selectors.unit_tree_for(request.user, top=top, max_units=selectors.TREE_PAGE_UNITS, offset=offset)
    more_from = roots[0].children_more_from if roots else None
    return render(request, "org/tree.html", {"roots": roots, "top": top, "offset": offset, "more_from": more_from})


@login_required
def directory(request):
    require(request.user, "org.view_members")
    query = request.GET.get("q", "")[:50]
    status = request.GET.get("status", Member.Status.ACTIVE)
    members = selectors.members_for(request.user)
    if status in Member.Status.values:
        members = members.filter(status=status)
    members = selectors.member_search(members, query)
    page = selectors.member_page(members, request.GET.get("after"))
    rows = [member_row(request.user, m) for m in page.items]
    unmasked = [row["member"].pk for row in rows if row["sensitive"]]
    if unmasked:  # a read of sensitive data, like the API's list and the export
        record(request.user, "org.member.sensitive_listed", None, members=unmasked, query=query[:50])
    context = {
        "rows": rows,
        "page": page,
        "query": query,
        "status": status,
        "statuses": Member.Status.choices,
        "total": selectors.scope_total(request.user) if not query and status == Member.Status.ACTIVE else None,
        "can_add": has_permission_anywhere(request.user, "org.edit_member"),
        "can_import": has_permission_anywhere(request.user, "org.import_members"),
        "can_export": has_permission_anywhere(request.user, "org.export_members"),
    }
    template = "org/_directory_rows.html" if request.htmx and not request.htmx.boosted else "org/directory.html"
    return render(request, template, context)


@login_required
def member_detail(request, pk: int):
    member = selectors.member_for(request.user, pk)
    row = member_row(request.user, member)
    if row["sensitive"] and (member.id_number or member.mobile):
        record(request.user, "org.member.sensitive_viewed", member)
    context = {
        **row,
        "history": member.status_changes.all(),
        "tags": member.tags.all(),
        "can_edit": can(request.user, "org.edit_member", member),
        "can_manage_login": can(request.user, "accounts.manage", member),
    }
    return render(request, "org/member_detail.html", context)


@login_required
def member_new(request):
    """Add one member to a unit in the cadre's scope."""
    require(request.user, "org.edit_member")
    form = NewMemberForm(request.POST or None, units=selectors.units_for(request.user, "org.edit_member"))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("tags", "unit")}
        try:
            member = services.member_create(
                actor=request.user, unit=form.cleaned_data["unit"], data=data, tags=list(form.cleaned_data["tags"])
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Member added."))
            return redirect("org:member_detail", pk=member.pk)
    return render(request, "org/member_new.html", {"form": form})


@login_required
def member_edit(request, pk: int):
    member = selectors.member_for(request.user, pk)
    require(request.user, "org.edit_member", member)
    initial = {f: getattr(member, f) for f in MemberForm.base_fields if f != "tags"}
    initial["tags"] = list(member.tags.all())
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "tags"}
        try:
            services.member_update(actor=request.user, member=member, data=data, tags=list(form.cleaned_data["tags"]))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:member_detail", pk=member.pk)
    return render(request, "org/member_edit.html", {"form": form, "member": member})


@login_required
def member_status(request, pk: int):
    member = selectors.member_for(request.user, pk)
    require(request.user, "org.edit_member", member)
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_change_status(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Status changed."))
            return redirect("org:member_detail", pk=member.pk)
    return render(request, "org/member_status.html", {"form": form, "member": member})
