"""Handling departments (承办部门): the list with a form to add one, and a department's page to rename,
deactivate, and add or remove handlers found by username or by member search."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, PermissionRefused, has_permission_anywhere
from unionhome.accounts.models import User
from unionhome.congress.forms.sessions import DepartmentForm
from unionhome.congress.selectors import sessions as selectors
from unionhome.congress.services import departments as services
from unionhome.home.form_errors import form_errors_from
from unionhome.home.params import id_param
from unionhome.org.models import OrgUnit
from unionhome.org.selectors import units_for

PERMISSION = selectors.DEPARTMENTS


@login_required
def department_list(request):
    viewer = request.user
    if not has_permission_anywhere(viewer, PERMISSION):
        raise PermissionRefused(PERMISSION)
    unions = list(units_for(viewer, PERMISSION).filter(kind=OrgUnit.Kind.UNION)[:50])
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        union = next((u for u in unions if str(u.pk) == request.POST.get("union")), unions[0] if unions else None)
        if union is None:
            raise PermissionRefused(PERMISSION)
        try:
            department = services.department_create(actor=viewer, union=union, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The department %(name)s was added.") % {"name": department.name})
            return redirect("congress:department_detail", department.pk)
    departments = list(selectors.managed_departments_for(viewer)[:200])
    context = {"departments": departments, "form": form, "unions": unions}
    return render(request, "congress/sessions/department_list.html", context)


def _query(request) -> str:
    return "".join(ch for ch in request.GET.get("q", "") if ch.isprintable()).strip()[:50]


@login_required
def department_detail(request, pk: int):
    viewer = request.user
    department = selectors.managed_department_for(viewer, pk)
    query = _query(request)
    form = DepartmentForm(initial={"name": department.name})
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "rename":
                form = DepartmentForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors["name"])
                services.department_rename(actor=viewer, department=department, name=form.cleaned_data["name"])
                messages.success(request, _("The department was renamed."))
            elif action in ("deactivate", "activate"):
                services.department_set_active(actor=viewer, department=department, is_active=action == "activate")
                messages.success(
                    request,
                    _("The department was reactivated.")
                    if action == "activate"
                    else _("The department was deactivated."),
                )
            elif action in ("add", "remove"):
                user = User.objects.filter(pk=id_param(request.POST.get("user")) or 0).first()
                if user is None:
                    raise OutOfScope
                if action == "add":
                    services.department_add_handler(actor=viewer, department=department, user=user)
                    messages.success(request, _("%(name)s is now a handler.") % {"name": user.display_name})
                else:
                    services.department_remove_handler(actor=viewer, department=department, user=user)
                    messages.success(request, _("%(name)s is no longer a handler.") % {"name": user.display_name})
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            if action == "rename":
                form_errors_from(form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
        else:
            return redirect("congress:department_detail", department.pk)
        department = selectors.managed_department_for(viewer, pk)
    context = {
        "department": department,
        "form": form,
        "query": query,
        "searched": bool(query),
        "candidates": selectors.handler_candidates(viewer, department, query) if query else [],
    }
    return render(request, "congress/sessions/department_detail.html", context)


urlpatterns = [
    path("departments/", department_list, name="department_list"),
    path("departments/<int:pk>/", department_detail, name="department_detail"),
]
