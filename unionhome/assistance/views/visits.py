"""Visit pages (走访慰问): due and done lists, a month calendar, a visit and its record, unplanned visits,
life events, festival campaigns, the member's own visits and the union's visit rules.

Thin: each view reads through ``selectors/visits.py`` and writes through ``services/visits.py``.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from unionhome.access.policy import OutOfScope, PermissionRefused, can, has_permission_anywhere, require
from unionhome.assistance.forms.visits import (
    CampaignForm,
    CancelForm,
    HospitalStayForm,
    LifeEventForm,
    RulesForm,
    UnplannedVisitForm,
    VisitRecordForm,
)
from unionhome.assistance.models import Occasion, Visit
from unionhome.assistance.selectors import visits as selectors
from unionhome.assistance.services import visits as services
from unionhome.audit.models import AuditEvent
from unionhome.audit.recorder import record
from unionhome.home.form_errors import form_errors_from
from unionhome.home.params import id_param
from unionhome.org.selectors import member_search

MANAGE = "assistance.manage_visits"
MEMBER_SEARCH_RESULTS = 20


def _date_or_none(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value and len(value) <= 10 else None
    except ValueError:
        return None


def _link(name: str, **query) -> str | None:
    """A page of another part of the centre, if it exists yet (``None`` otherwise)."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _unit_filter(request: HttpRequest):
    unit_id = id_param(request.GET.get("unit"))
    if request.GET.get("unit") and unit_id is None:
        raise OutOfScope
    return selectors.unit_in_scope(request.user, unit_id) if unit_id else None


# --- lists and calendar --------------------------------------------------------------------------


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    """Due (overdue first), done or cancelled visits in the cadre's scope, by branch, day or campaign."""
    user = request.user
    require(user, MANAGE)
    today = timezone.localdate()
    status = request.GET.get("status", Visit.Status.DUE)
    if status not in selectors.LIST_STATUSES:
        status = Visit.Status.DUE
    unit = _unit_filter(request)
    day = _date_or_none(request.GET.get("day"))
    campaign = None
    if campaign_id := id_param(request.GET.get("campaign")):
        campaign = selectors.campaign_for(user, campaign_id)
    visits = selectors.visit_list(user, status=status, today=today, unit=unit, day=day, campaign=campaign)
    page = selectors.visit_page(visits, status=status, cursor=request.GET.get("after"))
    rows = selectors.with_branches(page.items)
    for visit in rows:
        visit.show_reason = selectors.reason_visible(user, visit)
    query = {
        "status": status,
        "unit": unit.pk if unit else "",
        "day": day.isoformat() if day else "",
        "campaign": campaign.pk if campaign else "",
    }
    context = {
        "rows": rows,
        "page": page,
        "status": status,
        "statuses": [(s, Visit.Status(s).label) for s in selectors.LIST_STATUSES],
        "unit": unit,
        "day": day,
        "campaign": campaign,
        "branches": selectors.branches_for(user),
        "query": "&".join(f"{k}={v}" for k, v in query.items() if v != ""),
        "today": today,
    }
    return render(request, "assistance/visits/list.html", context)


@login_required
def visit_calendar(request: HttpRequest) -> HttpResponse:
    """A month of visits: due and done per day (a grid on wide screens, a list of days on a phone)."""
    user = request.user
    require(user, MANAGE)
    today = timezone.localdate()
    month = today.replace(day=1)
    if raw := request.GET.get("month"):
        try:
            month = datetime.date.fromisoformat(f"{raw[:7]}-01")
        except ValueError:
            pass
    unit = _unit_filter(request)
    context = {
        "calendar": selectors.visit_calendar(user, month=month, today=today, unit=unit),
        "today": today,
        "unit": unit,
        "branches": selectors.branches_for(user),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }
    return render(request, "assistance/visits/calendar.html", context)


# --- one visit -----------------------------------------------------------------------------------


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit as a cadre handles it (with the notes), or as the visited member sees it (without)."""
    user = request.user
    try:
        visit = selectors.visit_for(user, pk)
    except OutOfScope:
        own = selectors.own_visit(user, pk)
        if own is None:
            raise
        return render(request, "assistance/visits/own_detail.html", {"visit": own})
    if visit.status == Visit.Status.DONE and (visit.findings or visit.needs):
        record(user, "assistance.visit.viewed", visit)  # the notes may hold health and family details
    cancelled = None
    if visit.status == Visit.Status.CANCELLED:
        cancelled = (
            AuditEvent.objects.filter(
                action="assistance.visit.cancelled", object_type="assistance.visit", object_id=str(visit.pk)
            )
            .order_by("-id")
            .first()
        )
    context = {
        "visit": visit,
        "cancel_reason": cancelled.changes.get("reason", "") if cancelled else "",
        "cancelled_by": cancelled.actor_label if cancelled else "",
        "cancel_form": CancelForm() if visit.status == Visit.Status.DUE else None,
        "can_open_file": can(user, "assistance.manage_file", visit),
        "can_request": can(user, "assistance.request", visit),
        "file_new_url": _link("assistance:file_new", member=visit.member_id),
        "assistance_new_url": _link("assistance:assistance_new", member=visit.member_id),
        "today": timezone.localdate(),
    }
    return render(request, "assistance/visits/detail.html", context)


def _record_form(request: HttpRequest, form_class, unit_path: str, **kwargs):
    return form_class(
        request.POST or None,
        visitors=selectors.visiting_cadres(unit_path),
        budget_lines=selectors.budget_lines_for_unit(unit_path),
        actor=request.user,
        **kwargs,
    )


@login_required
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a due visit: who went, when, gifts and money, what was found, needs raised."""
    user = request.user
    visit = selectors.visit_for(user, pk)
    require(user, MANAGE, visit)
    if visit.status != Visit.Status.DUE and request.method != "POST":
        return redirect("assistance:visit_detail", pk=visit.pk)
    initial = {"budget_line": visit.campaign.budget_line_id} if visit.campaign_id else {}
    form = _record_form(request, VisitRecordForm, visit.unit_path, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record(actor=user, visit=visit, **form.service_arguments())
        except services.AlreadyRecorded:
            messages.info(request, _("This visit had already been recorded."))
            return redirect("assistance:visit_detail", pk=visit.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("assistance:visit_detail", pk=visit.pk)
    return render(request, "assistance/visits/record.html", {"form": form, "visit": visit})


@login_required
@require_POST
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    visit = selectors.visit_for(user, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.visit_cancel(actor=user, visit=visit, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Visit cancelled."))
            return redirect("assistance:visit_detail", pk=visit.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("assistance:visit_detail", pk=visit.pk)


def _chosen_member(request: HttpRequest):
    """The member given by ``?member=`` (in the cadre's scope, else 404), or None with search results."""
    user = request.user
    raw = request.GET.get("member")
    if raw:
        member_id = id_param(raw)
        if member_id is None:
            raise OutOfScope
        return selectors.visit_member_for(user, member_id), [], ""
    query = request.GET.get("q", "")[:50]
    found = []
    if query.strip():
        found = list(
            member_search(selectors.visit_members_for(user), query).order_by("name_pinyin", "id")[
                :MEMBER_SEARCH_RESULTS
            ]
        )
    return None, found, query


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    """Record a visit that was not due (find the member first)."""
    user = request.user
    require(user, MANAGE)
    member, found, query = _chosen_member(request)
    if member is None:
        return render(
            request,
            "assistance/visits/pick_member.html",
            {
                "found": found,
                "query": query,
                "title": _("Record an unplanned visit"),
                "next": "assistance:visit_new",
                "section": "new",
            },
        )
    form = _record_form(request, UnplannedVisitForm, member.unit_path)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_record_unplanned(
                actor=user,
                member=member,
                occasion=form.cleaned_data["occasion"],
                reason=form.cleaned_data["reason"],
                **form.service_arguments(),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if visit.already_recorded:
                messages.info(request, _("This visit had already been recorded."))
            else:
                messages.success(request, _("Visit recorded."))
            return redirect("assistance:visit_detail", pk=visit.pk)
    return render(request, "assistance/visits/new.html", {"form": form, "member": member})


@login_required
def life_event_new(request: HttpRequest) -> HttpResponse:
    """Report a member's life event (a hospital stay, a bereavement, a birth…): a visit falls due."""
    user = request.user
    require(user, MANAGE)
    member, found, query = _chosen_member(request)
    if member is None:
        return render(
            request,
            "assistance/visits/pick_member.html",
            {
                "found": found,
                "query": query,
                "title": _("Report a life event"),
                "next": "assistance:life_event_new",
                "section": "life_event",
            },
        )
    form = LifeEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.life_event_report(actor=user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if visit.already_reported:
                messages.info(request, _("This was already reported: the visit below is due."))
            else:
                messages.success(
                    request, _("Reported. A visit is due by %(date)s.") % {"date": visit.due_by.isoformat()}
                )
            return redirect("assistance:visit_detail", pk=visit.pk)
    return render(request, "assistance/visits/life_event.html", {"form": form, "member": member})


# --- campaigns -----------------------------------------------------------------------------------


@login_required
def visit_campaign_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, MANAGE)
    page = selectors.campaign_page(selectors.campaigns_for(user), request.GET.get("after"))
    return render(request, "assistance/visits/campaign_list.html", {"page": page})


@login_required
def visit_campaign_new(request: HttpRequest) -> HttpResponse:
    """A festival campaign: choose whom to visit; the due visits are generated at once."""
    user = request.user
    require(user, MANAGE)
    form = CampaignForm(
        request.POST or None,
        units=selectors.units_for_campaigns(user),
        budget_lines=selectors.budget_lines_for(user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            campaign = services.visit_campaign_create(actor=user, tags=list(data.pop("tags")), **data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            count = campaign.visits.count()
            messages.success(
                request,
                ngettext(
                    "Campaign created: %(count)d visit is due.", "Campaign created: %(count)d visits are due.", count
                )
                % {"count": count},
            )
            return redirect("assistance:visit_campaign_detail", pk=campaign.pk)
    return render(request, "assistance/visits/campaign_new.html", {"form": form})


@login_required
def visit_campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(user, MANAGE)
    campaign = selectors.campaign_for(user, pk)
    today = timezone.localdate()
    context = {
        "campaign": campaign,
        "counts": selectors.status_counts(user, campaign=campaign),
        "branches": selectors.visit_counts_by_branch(user, today=today, campaign=campaign, permission=MANAGE),
        "can_generate": can(user, MANAGE, campaign),
    }
    return render(request, "assistance/visits/campaign_detail.html", context)


@login_required
@require_POST
def visit_campaign_generate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = selectors.campaign_for(user, pk)
    added = services.visit_campaign_generate(actor=user, campaign=campaign)
    messages.success(request, ngettext("%(count)d visit added.", "%(count)d visits added.", added) % {"count": added})
    return redirect("assistance:visit_campaign_detail", pk=campaign.pk)


# --- the member's own visits ---------------------------------------------------------------------


@login_required
def my_visits(request: HttpRequest) -> HttpResponse:
    """A member's own visits (who came, when, what they brought) and a form to report a hospital stay."""
    user = request.user
    member = user.member
    form = HospitalStayForm(request.POST or None) if member is not None else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            visit = services.life_event_report(
                actor=user,
                member=member,
                occasion=Occasion.ILLNESS,
                occurred_on=form.cleaned_data["occurred_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if visit.already_reported:
                messages.info(request, _("Your hospital stay was already reported. Get well soon."))
            else:
                messages.success(
                    request,
                    _("Thank you for telling us. The union will visit you by %(date)s. Get well soon.")
                    % {"date": visit.due_by.isoformat()},
                )
            return redirect("assistance:my_visits")
    visits = list(selectors.own_visits(member)[:100])
    rated = selectors.rated_visit_ids(member, visits)
    for visit in visits:
        visit.rate_url = None
        if visit.status == Visit.Status.DONE and visit.pk not in rated:
            visit.rate_url = _rate_url(visit)
        visit.rated = visit.pk in rated
    return render(request, "assistance/visits/mine.html", {"visits": visits, "form": form, "member": member})


def _rate_url(visit: Visit) -> str | None:
    """The satisfaction page where the visited member rates the visit (if that part exists)."""
    try:
        return reverse("satisfaction:rate", args=[Visit._meta.label_lower, visit.pk])
    except NoReverseMatch:
        return None


# --- rules ---------------------------------------------------------------------------------------


@login_required
def visit_rules(request: HttpRequest) -> HttpResponse:
    """Within how many days each life event makes a visit due, per union; set with ``assistance.configure``."""
    user = request.user
    if not (has_permission_anywhere(user, MANAGE) or has_permission_anywhere(user, "assistance.configure")):
        raise PermissionRefused(MANAGE)
    unions = selectors.rule_unions_for(user)
    if not unions:
        raise OutOfScope
    union = unions[0]
    if union_id := id_param(request.GET.get("union")):
        union = next((u for u in unions if u.pk == union_id), None)
        if union is None:
            raise OutOfScope
    rules = services.visit_rules_for(union)
    can_configure = can(user, "assistance.configure", union)
    form = RulesForm(request.POST or None, rules=rules) if can_configure else None
    if request.method == "POST":
        if form is None:
            raise PermissionRefused("assistance.configure")
        if form.is_valid():
            try:
                services.visit_rules_save(actor=user, union=union, rules=form.rules())
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Visit rules saved."))
                return redirect(reverse("assistance:visit_rules") + f"?union={union.pk}")
    context = {"unions": unions, "union": union, "rules": rules.values(), "form": form}
    return render(request, "assistance/visits/rules.html", context)


urlpatterns = [
    path("visits/", visit_list, name="visit_list"),
    path("visits/calendar/", visit_calendar, name="visit_calendar"),
    path("visits/new/", visit_new, name="visit_new"),
    path("visits/mine/", my_visits, name="my_visits"),
    path("visits/rules/", visit_rules, name="visit_rules"),
    path("visits/life-events/new/", life_event_new, name="life_event_new"),
    path("visits/<int:pk>/", visit_detail, name="visit_detail"),
    path("visits/<int:pk>/record/", visit_record, name="visit_record"),
    path("visits/<int:pk>/cancel/", visit_cancel, name="visit_cancel"),
    path("visits/campaigns/", visit_campaign_list, name="visit_campaign_list"),
    path("visits/campaigns/new/", visit_campaign_new, name="visit_campaign_new"),
    path("visits/campaigns/<int:pk>/", visit_campaign_detail, name="visit_campaign_detail"),
    path("visits/campaigns/<int:pk>/generate/", visit_campaign_generate, name="visit_campaign_generate"),
]
