"""Delegation pages: a unit's seats and representatives (pinyin order), seating a member found by
search, changing the quota, withdrawing a representative."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.access.policy import PermissionRefused, can
from unionhome.congress.forms.sessions import DelegationForm, QuotaForm, SeatForm, WithdrawForm
from unionhome.congress.selectors import sessions as selectors
from unionhome.congress.services import representatives as services
from unionhome.org.models import Member, OrgUnit

MANAGE = selectors.MANAGE


def _errors_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@require_POST
def delegation_create(request, term_pk: int):
    viewer = request.user
    term = selectors.congress_for(viewer, term_pk)
    if not can(viewer, MANAGE, term):
        raise PermissionRefused(MANAGE)
    units = OrgUnit.objects.filter(path__startswith=term.unit_path, depth__gt=term.unit.depth)
    form = DelegationForm(request.POST, units=units)
    if form.is_valid():
        try:
            delegation = services.delegation_create(actor=viewer, congress=term, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        else:
            messages.success(request, _("The delegation of %(unit)s was added.") % {"unit": delegation.unit.name})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("congress:term_detail", term.pk)


def _query(request) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return "".join(ch for ch in source.get("q", "") if ch.isprintable()).strip()[:50]


@login_required
def delegation_detail(request, pk: int):
    viewer = request.user
    delegation = selectors.delegation_for(viewer, pk)
    may_manage = can(viewer, MANAGE, delegation)
    query = _query(request) if may_manage else ""
    candidates = list(selectors.seat_candidates(delegation, query)) if query else []
    seat_form = SeatForm(request.POST or None, candidates=candidates) if may_manage else None
    if request.method == "POST":
        if not may_manage:
            raise PermissionRefused(MANAGE)
        if seat_form.is_valid():
            member = Member.objects.get(pk=seat_form.cleaned_data["member"])
            try:
                rep = services.representative_seat(
                    actor=viewer,
                    delegation=delegation,
                    member=member,
                    category=seat_form.cleaned_data["category"],
                    elected_on=seat_form.cleaned_data["elected_on"],
                )
            except ValidationError as exc:
                seat_form.add_error(None, _errors_text(exc))
            else:
                messages.success(request, _("%(name)s is seated.") % {"name": rep.member.name})
                return redirect("congress:delegation_detail", delegation.pk)
    reps = list(selectors.representatives_of(delegation))
    context = {
        "delegation": delegation,
        "term": delegation.congress,
        "representatives": reps,
        "may_manage": may_manage,
        "query": query,
        "searched": bool(query),
        "seat_form": seat_form,
        "quota_form": QuotaForm(initial={"quota": delegation.quota}) if may_manage else None,
        "withdraw_form": WithdrawForm() if may_manage else None,
        "full": delegation.seated >= delegation.quota,
    }
    return render(request, "congress/sessions/delegation_detail.html", context)


@login_required
@require_POST
def delegation_quota(request, pk: int):
    viewer = request.user
    delegation = selectors.delegation_for(viewer, pk)
    form = QuotaForm(request.POST)
    if not can(viewer, MANAGE, delegation):
        raise PermissionRefused(MANAGE)
    if form.is_valid():
        try:
            services.delegation_set_quota(actor=viewer, delegation=delegation, quota=form.cleaned_data["quota"])
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        else:
            messages.success(request, _("The number of seats was saved."))
    else:
        messages.error(request, " ".join(form.errors["quota"]))
    return redirect("congress:delegation_detail", delegation.pk)


@login_required
@require_POST
def representative_withdraw(request, pk: int):
    viewer = request.user
    rep = selectors.representative_for(viewer, pk)
    if not can(viewer, MANAGE, rep):
        raise PermissionRefused(MANAGE)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.representative_withdraw(actor=viewer, representative=rep, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        else:
            messages.success(request, _("%(name)s was withdrawn.") % {"name": rep.member.name})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("congress:delegation_detail", rep.delegation_id)


urlpatterns = [
    path("terms/<int:term_pk>/delegations/new/", delegation_create, name="delegation_create"),
    path("delegations/<int:pk>/", delegation_detail, name="delegation_detail"),
    path("delegations/<int:pk>/quota/", delegation_quota, name="delegation_quota"),
    path("representatives/<int:pk>/withdraw/", representative_withdraw, name="representative_withdraw"),
]
