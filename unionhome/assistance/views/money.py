"""Money pages: budget lines and their payment ledger, assistance requests, decisions, payment and reversal,
and a member's own assistance. Thin: selectors read, services write; every POST redirects on success."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.access.policy import OutOfScope, can, has_permission_anywhere, require, scope_q
from unionhome.assistance.forms.money import (
    AssistanceForm,
    BudgetAdjustForm,
    BudgetLineForm,
    DisburseForm,
    NoteForm,
    ReasonForm,
)
from unionhome.assistance.models import Assistance, HardshipFile, Payment
from unionhome.assistance.selectors import money as selectors
from unionhome.assistance.services import assistance as services
from unionhome.assistance.services.budget import HOLDING_KINDS, budget_line_adjust, budget_line_create
from unionhome.audit.recorder import record
from unionhome.home.form_errors import form_errors_from
from unionhome.home.params import id_param
from unionhome.org.selectors import member_search, members_for, units_for

MEMBER_RESULTS = 20


def _yuan(amount) -> str:
    return number_format(amount, 2, force_grouping=True)


# --- budget lines --------------------------------------------------------------------------------


@login_required
def budget_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "assistance.view_money")
    years = selectors.budget_years(request.user)
    year = id_param(request.GET.get("year"))
    if year is None and years:
        year = timezone.localdate().year if timezone.localdate().year in years else years[0]
    lines = list(selectors.budget_lines_for(request.user, year=year)[: selectors.BUDGET_LIST_LIMIT + 1])
    context = {
        "lines": lines[: selectors.BUDGET_LIST_LIMIT],
        "truncated": len(lines) > selectors.BUDGET_LIST_LIMIT,
        "years": years,
        "year": year,
        "can_create": has_permission_anywhere(request.user, "assistance.manage_budget"),
    }
    return render(request, "assistance/money/budget_list.html", context)


@login_required
def budget_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "assistance.manage_budget")
    units = units_for(request.user, "assistance.manage_budget").filter(kind__in=HOLDING_KINDS)
    initial = {"year": timezone.localdate().year, "fund_source": "union_funds"}
    form = BudgetLineForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            line = budget_line_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Budget line created."))
            return redirect("assistance:budget_detail", pk=line.pk)
    return render(request, "assistance/money/budget_new.html", {"form": form})


@login_required
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.budget_line_for(request.user, pk)
    page = selectors.line_payments(line, after=request.GET.get("after"))
    context = {
        "line": line,
        "page": page,
        "can_adjust": can(request.user, "assistance.manage_budget", line),
    }
    return render(request, "assistance/money/budget_detail.html", context)


@login_required
def budget_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.budget_line_for(request.user, pk)
    require(request.user, "assistance.manage_budget", line)
    form = BudgetAdjustForm(request.POST or None, initial={"amount": line.amount})
    if request.method == "POST" and form.is_valid():
        try:
            budget_line_adjust(actor=request.user, line=line, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The amount of the budget line was changed."))
            return redirect("assistance:budget_detail", pk=line.pk)
    return render(request, "assistance/money/budget_adjust.html", {"form": form, "line": line})


# --- assistance lists ----------------------------------------------------------------------------

LIST_VIEWS = {
    "approval": (selectors.awaiting_approval, "assistance.approve"),
    "payment": (selectors.awaiting_payment, "assistance.disburse"),
    "delivery": (selectors.awaiting_delivery, "assistance.request"),
}


@login_required
def assistance_list(request: HttpRequest) -> HttpResponse:
    """Assistance in the viewer's scope: awaiting my approval, awaiting payment or delivery, or all."""
    user = request.user
    require(user, "assistance.view_money")
    tabs = [name for name, (_rows, permission) in LIST_VIEWS.items() if has_permission_anywhere(user, permission)]
    show = request.GET.get("show") or (tabs[0] if tabs else "all")
    if show not in tabs:
        show = "all"
    rows = LIST_VIEWS[show][0](user) if show != "all" else selectors.assistances_for(user)
    member_id = id_param(request.GET.get("member"))
    if member_id:
        rows = rows.filter(member_id=member_id)
    page = selectors.assistance_page(rows, request.GET.get("after"))
    context = {
        "page": page,
        "show": show,
        "tabs": tabs,
        "member_id": member_id,
        "can_request": has_permission_anywhere(user, "assistance.request"),
    }
    return render(request, "assistance/money/assistance_list.html", context)


# --- request -------------------------------------------------------------------------------------


def _chosen_member_and_file(request: HttpRequest):
    """The member (and hardship file) preselected by ``?file=`` or ``?member=``, in the actor's scope."""
    file_id = id_param(request.GET.get("file"))
    if file_id:
        file = (
            HardshipFile.objects.filter(scope_q(request.user, "assistance.view_file", "unit_path"), pk=file_id)
            .select_related("member__unit")
            .first()
        )
        if file is None:
            raise OutOfScope
        return file.member, file
    member_id = id_param(request.GET.get("member"))
    if member_id:
        member = members_for(request.user, "assistance.request").filter(pk=member_id).first()
        if member is None:
            raise OutOfScope
        return member, None
    if request.GET.get("member") or request.GET.get("file"):
        raise OutOfScope
    return None, None


@login_required
def assistance_new(request: HttpRequest) -> HttpResponse:
    """Request help: find the member (search in the actor's scope), then say what, how much and from where."""
    user = request.user
    require(user, "assistance.request")
    member, file = _chosen_member_and_file(request)
    if member is None:
        query = request.GET.get("q", "")[:50]
        found = []
        if query.strip():
            found = list(
                member_search(members_for(user, "assistance.request"), query).order_by("name_pinyin", "id")[
                    :MEMBER_RESULTS
                ]
            )
        context = {"query": query, "found": found, "searched": bool(query.strip())}
        if request.htmx and not request.htmx.boosted:
            return render(request, "assistance/money/_member_results.html", context)
        return render(request, "assistance/money/assistance_pick_member.html", context)
    lines = selectors.chargeable_lines(member).filter(year__gte=timezone.localdate().year - 1)
    responsibles = selectors.responsible_choices(member)
    initial = {"responsible": user.pk} if responsibles.filter(pk=user.pk).exists() else {}
    form = AssistanceForm(request.POST or None, lines=lines, responsibles=responsibles, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assistance = services.assistance_request(actor=user, member=member, hardship_file=file, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The request was recorded. Another cadre must approve it."))
            return redirect("assistance:assistance_detail", pk=assistance.pk)
    return render(request, "assistance/money/assistance_new.html", {"form": form, "member": member, "file": file})


# --- one assistance ------------------------------------------------------------------------------


def _detail(request: HttpRequest, assistance: Assistance, *, bound: dict | None = None):
    """The assistance page with the actions the viewer may take now; ``bound`` replaces a form that failed."""
    user = request.user
    bound = bound or {}
    row = selectors.assistance_row(user, assistance)
    if row["sensitive"] and assistance.description:
        record(user, "assistance.assistance.sensitive_viewed", assistance)
    payments = selectors.assistance_payments(assistance)
    reversed_ids = {p.reverses_id for p in payments if p.reverses_id}
    waiting = assistance.status == Assistance.Status.REQUESTED
    approved = assistance.status == Assistance.Status.APPROVED
    can_decide = waiting and can(user, "assistance.approve", assistance)
    own_request = assistance.requested_by_id == user.pk
    can_cancel = (waiting and can(user, "assistance.request", assistance)) or (
        approved and can(user, "assistance.approve", assistance)
    )
    can_pay = approved and assistance.amount is not None and can(user, "assistance.disburse", assistance)
    can_deliver = approved and assistance.amount is None and can(user, "assistance.request", assistance)
    can_reverse = can(user, "assistance.disburse", assistance)
    reversible = [
        {
            "payment": p,
            "form": bound.get(f"reverse-{p.pk}") or ReasonForm(prefix=f"reverse-{p.pk}"),
        }
        for p in payments
        if can_reverse and p.kind == Payment.Kind.PAYMENT and p.pk not in reversed_ids
    ]
    context = {
        **row,
        "payments": payments,
        "follow_ups": list(assistance.follow_ups.all()) if assistance.status != Assistance.Status.REQUESTED else [],
        "can_decide": can_decide and not own_request,
        "own_request_waiting": waiting and own_request,
        "approve_form": bound.get("approve") or NoteForm(prefix="approve"),
        "reject_form": bound.get("reject") or ReasonForm(prefix="reject"),
        "can_cancel": can_cancel,
        "cancel_form": bound.get("cancel") or ReasonForm(prefix="cancel"),
        "can_pay": can_pay,
        "pay_form": DisburseForm(prefix="pay", initial={"idempotency_key": uuid.uuid4().hex}),
        "can_deliver": can_deliver,
        "reversible": reversible,
        "action_errors": bound.get("errors", []),
        "may_see_file": assistance.hardship_file_id is not None
        and can(user, "assistance.view_file", assistance.hardship_file),
    }
    return render(request, "assistance/money/assistance_detail.html", context)


@login_required
def assistance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.assistance_for(request.user, pk))


def _act(request: HttpRequest, pk: int, name: str, form_class, call, success: str) -> HttpResponse:
    """Run one decision form: the service on success (then redirect), the page with errors otherwise."""
    assistance = selectors.assistance_for(request.user, pk)
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        try:
            call(assistance, **form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # a refused step, not a field: shown at the top of the page
                return _detail(request, assistance, bound={name: form, "errors": exc.messages})
            form_errors_from(form, exc)
        else:
            messages.success(request, success)
            return redirect("assistance:assistance_detail", pk=assistance.pk)
    return _detail(request, assistance, bound={name: form})


@login_required
@require_POST
def assistance_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "approve",
        NoteForm,
        lambda a, note: services.assistance_approve(actor=request.user, assistance=a, note=note),
        _("Approved. The money is reserved on the budget line."),
    )


@login_required
@require_POST
def assistance_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "reject",
        ReasonForm,
        lambda a, reason: services.assistance_reject(actor=request.user, assistance=a, reason=reason),
        _("The request was turned down."),
    )


@login_required
@require_POST
def assistance_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "cancel",
        ReasonForm,
        lambda a, reason: services.assistance_cancel(actor=request.user, assistance=a, reason=reason),
        _("Cancelled."),
    )


@login_required
@require_POST
def assistance_disburse(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay out. The key came with the page, so a double click or a resubmitted form pays once."""
    assistance = selectors.assistance_for(request.user, pk)
    key = request.POST.get("pay-idempotency_key", "")
    try:
        result = services.assistance_disburse(actor=request.user, assistance=assistance, idempotency_key=key)
    except ValidationError as exc:
        return _detail(request, assistance, bound={"errors": exc.messages})
    payment = result.payment
    values = {"amount": _yuan(payment.amount), "number": payment.pk}
    if result.replayed:
        messages.info(request, _("This payment was already recorded (payment %(number)s, %(amount)s yuan).") % values)
    else:
        messages.success(request, _("Paid %(amount)s yuan (payment %(number)s).") % values)
    return redirect("assistance:assistance_detail", pk=assistance.pk)


@login_required
@require_POST
def assistance_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    assistance = selectors.assistance_for(request.user, pk)
    try:
        services.assistance_deliver(actor=request.user, assistance=assistance)
    except ValidationError as exc:
        return _detail(request, assistance, bound={"errors": exc.messages})
    messages.success(request, _("Recorded as delivered. Follow-ups are scheduled."))
    return redirect("assistance:assistance_detail", pk=assistance.pk)


@login_required
@require_POST
def payment_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_for(request.user, pk)
    if payment.assistance_id is None:
        raise OutOfScope
    assistance = selectors.assistance_for(request.user, payment.assistance_id)
    name = f"reverse-{payment.pk}"
    form = ReasonForm(request.POST, prefix=name)
    if form.is_valid():
        try:
            services.assistance_reverse(actor=request.user, payment=payment, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _detail(request, assistance, bound={name: form, "errors": exc.messages})
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The payment was reversed; the money is back on the budget line."))
            return redirect("assistance:assistance_detail", pk=assistance.pk)
    return _detail(request, assistance, bound={name: form})


# --- a member's own ------------------------------------------------------------------------------


@login_required
def my_assistance(request: HttpRequest) -> HttpResponse:
    """The help the member has been given: what, how much, when. No cadre notes."""
    rows = list(selectors.own_assistance(request.user.member_id)[:200])
    items = [{"assistance": a, "status": selectors.own_status_label(a.status)} for a in rows]
    return render(
        request,
        "assistance/money/my_assistance.html",
        {"items": items, "is_member": request.user.member_id is not None},
    )


urlpatterns = [
    path("budget/", budget_list, name="budget_list"),
    path("budget/new/", budget_new, name="budget_new"),
    path("budget/<int:pk>/", budget_detail, name="budget_detail"),
    path("budget/<int:pk>/adjust/", budget_adjust, name="budget_adjust"),
    path("help/", assistance_list, name="assistance_list"),
    path("help/new/", assistance_new, name="assistance_new"),
    path("help/mine/", my_assistance, name="my_assistance"),
    path("help/<int:pk>/", assistance_detail, name="assistance_detail"),
    path("help/<int:pk>/approve/", assistance_approve, name="assistance_approve"),
    path("help/<int:pk>/reject/", assistance_reject, name="assistance_reject"),
    path("help/<int:pk>/cancel/", assistance_cancel, name="assistance_cancel"),
    path("help/<int:pk>/pay/", assistance_disburse, name="assistance_disburse"),
    path("help/<int:pk>/deliver/", assistance_deliver, name="assistance_deliver"),
    path("payments/<int:pk>/reverse/", payment_reverse, name="payment_reverse"),
]
