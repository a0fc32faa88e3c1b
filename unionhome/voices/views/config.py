"""Configuration pages (``/voices/settings/…``, ``voices.configure``): routing rules of the units in the
actor's scope, category deadlines, and the working-day calendar of a year."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.access.policy import OutOfScope, PermissionRefused, has_permission_anywhere, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.congress.models import HandlingDepartment
from unionhome.home.form_errors import form_errors_from
from unionhome.org.models import OrgUnit
from unionhome.voices.deadlines import policy_for
from unionhome.voices.forms.config import DayForm, DayRemoveForm, PolicyForm, RuleForm, YearForm
from unionhome.voices.models import AppealCategory, RoutingRule
from unionhome.voices.selectors import config as config_selectors
from unionhome.voices.services import config as services
from unionhome.workdays import services as calendar_services
from unionhome.workdays.models import CalendarDay

LIMIT = 300


def _require(user) -> list[str]:
    if not has_permission_anywhere(user, services.CONFIGURE):
        raise PermissionRefused(services.CONFIGURE)
    return scope_roots(user, services.CONFIGURE)


def _rule_form(user, roots, data=None) -> RuleForm:
    return RuleForm(
        data,
        units=list(config_selectors.rule_units(roots)[:LIMIT]),
        people=list(config_selectors.rule_people(roots)[:LIMIT]),
        departments=list(config_selectors.rule_departments(roots)[:LIMIT]),
    )


def _render(request, roots, *, rule_form=None, policy_form=None, status=200):
    rules = (
        RoutingRule.objects.filter(paths_scope_q(roots), is_active=True)
        .select_related("unit", "handler", "department")
        .order_by("unit_path", "category", "pk")[:LIMIT]
    )
    policies = [(value, label, policy_for(value)) for value, label in AppealCategory.choices]
    context = {
        "rules": rules,
        "policies": policies,
        "rule_form": rule_form or _rule_form(request.user, roots),
        "policy_form": policy_form or PolicyForm(),
        "installation_wide": any(len(r) <= OrgUnit.steplen for r in roots),
        "year": timezone.localdate().year,
    }
    return render(request, "voices/config/index.html", context, status=status)


@login_required
def settings_index(request):
    return _render(request, _require(request.user))


@login_required
@require_POST
def rule_new(request):
    roots = _require(request.user)
    form = _rule_form(request.user, roots, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        unit = OrgUnit.objects.filter(pk=data["unit"]).first()
        handler = get_user_model().objects.filter(pk=data["handler"]).first() if data["handler"] else None
        department = HandlingDepartment.objects.filter(pk=data["department"]).first() if data["department"] else None
        try:
            services.routing_rule_save(
                actor=request.user, unit=unit, category=data["category"], handler=handler, department=department
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The routing rule was saved."))
            return redirect("voices:settings")
    return _render(request, roots, rule_form=form, status=422)


@login_required
@require_POST
def rule_deactivate(request, pk: int):
    _require(request.user)
    rule = RoutingRule.objects.filter(pk=pk).first()
    if rule is None:
        raise OutOfScope()
    try:
        services.routing_rule_deactivate(actor=request.user, rule=rule)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The routing rule was retired."))
    return redirect("voices:settings")


@login_required
@require_POST
def policy_save(request):
    roots = _require(request.user)
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            services.category_policy_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The deadlines were saved; they apply to new appeals."))
            return redirect("voices:settings")
    return _render(request, roots, policy_form=form, status=422)


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise OutOfScope()


def _render_calendar(request, year: int, *, form=None, day_form=None, status=200):
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    if form is None:
        initial = {
            "holidays": "\n".join(d.date.isoformat() for d in days if d.kind == CalendarDay.Kind.HOLIDAY),
            "working_days": "\n".join(d.date.isoformat() for d in days if d.kind == CalendarDay.Kind.WORKING),
        }
        form = YearForm(initial=initial)
    context = {
        "year": year,
        "days": days,
        "form": form,
        "day_form": day_form or DayForm(),
        "years": [year - 1, year + 1],
        "today": timezone.localdate(),
    }
    return render(request, "voices/config/calendar.html", context, status=status)


@login_required
def calendar_year(request, year: int):
    _require(request.user)
    _check_year(year)
    if request.method != "POST":
        return _render_calendar(request, year)
    form = YearForm(request.POST or None)
    if form.is_valid():
        try:
            counts = calendar_services.calendar_year_set(actor=request.user, year=year, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("The calendar of %(year)d was saved: %(holidays)d days off, %(working)d working weekend days.")
                % {"year": year, "holidays": counts["holidays"], "working": counts["working_days"]},
            )
            return redirect("voices:settings_calendar", year=year)
    return _render_calendar(request, year, form=form, status=422)


@login_required
@require_POST
def calendar_day(request, year: int):
    """Set one day (a day off or a working day, with a name); the page of the day's year shows it."""
    _require(request.user)
    _check_year(year)
    form = DayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            day = calendar_services.calendar_day_set(
                actor=request.user, date=data["date"], kind=data["kind"], name=data["name"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("%(date)s is now: %(kind)s.") % {"date": day.date.isoformat(), "kind": day.get_kind_display()},
            )
            return redirect("voices:settings_calendar", year=day.date.year)
    return _render_calendar(request, year, day_form=form, status=422)


@login_required
@require_POST
def calendar_day_remove(request, year: int):
    """Let one day follow the week again."""
    _require(request.user)
    _check_year(year)
    form = DayRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a date between 2000 and 2100."))
        return redirect("voices:settings_calendar", year=year)
    date = form.cleaned_data["date"]
    try:
        removed = calendar_services.calendar_day_remove(actor=request.user, date=date)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if removed:
            messages.success(request, _("%(date)s follows the week again.") % {"date": date.isoformat()})
        else:
            messages.info(request, _("%(date)s had no exception.") % {"date": date.isoformat()})
    return redirect("voices:settings_calendar", year=year)


urlpatterns = [
    path("settings/", settings_index, name="settings"),
    path("settings/rules/", rule_new, name="settings_rule_new"),
    path("settings/rules/<int:pk>/retire/", rule_deactivate, name="settings_rule_retire"),
    path("settings/deadlines/", policy_save, name="settings_policy"),
    path("settings/calendar/<int:year>/", calendar_year, name="settings_calendar"),
    path("settings/calendar/<int:year>/day/", calendar_day, name="settings_calendar_day"),
    path("settings/calendar/<int:year>/day/remove/", calendar_day_remove, name="settings_calendar_day_remove"),
]
