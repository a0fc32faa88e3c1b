"""The office's actions on a decision and its opinion calls, and a representative's inspection.

Each is a POST from the decision page (or the opinion call page) that calls one service, then returns
to the page; a refusal shows the page again with the errors next to the form that was sent."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.access.policy import PermissionRefused
from unionhome.congress.forms import decisions as forms
from unionhome.congress.selectors import decisions as selectors
from unionhome.congress.services import decisions as decision_services
from unionhome.congress.services import opinion_calls as call_services
from unionhome.congress.services import tracking as tracking_services
from unionhome.home.form_errors import form_errors_from


def _managed_decision(request: HttpRequest, pk: int):
    decision = selectors.decision_for(request.user, pk)
    if not selectors.may_manage(request.user, decision):
        raise PermissionRefused(selectors.PERMISSION)
    return decision


def _detail_again(request, decision, name: str, form) -> HttpResponse:
    from unionhome.congress.views.decisions import detail_context

    context = detail_context(request, decision, {name: form})
    return render(request, "congress/decisions/detail.html", context, status=422)


def _form_action(
    request: HttpRequest, decision, name: str, form, action: Callable[[dict], object], done: str
) -> HttpResponse:
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, done)
            return redirect("congress:decision_detail", pk=decision.pk)
    return _detail_again(request, decision, name, form)


def _plain_action(request: HttpRequest, decision, name: str, action: Callable[[], object], done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        from unionhome.congress.views.decisions import detail_context

        context = detail_context(request, decision, {name: exc.messages})
        return render(request, "congress/decisions/detail.html", context, status=422)
    messages.success(request, done)
    return redirect("congress:decision_detail", pk=decision.pk)


@login_required
@require_POST
def link_motion(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _managed_decision(request, pk)
    form = forms.LinkMotionForm(request.POST, motions=selectors.motions_to_link(request.user, decision))
    return _form_action(
        request,
        decision,
        "motion",
        form,
        lambda data: decision_services.decision_link_motion(
            actor=request.user, decision=decision, motion=data["motion"]
        ),
        _("The decision goes to the congress with this motion."),
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _managed_decision(request, pk)
    return _plain_action(
        request,
        decision,
        "decide_errors",
        lambda: decision_services.decision_mark_decided(actor=request.user, decision=decision),
        _("Marked as decided."),
    )


@login_required
@require_POST
def link_notice(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _managed_decision(request, pk)
    form = forms.LinkNoticeForm(request.POST, notices=selectors.notices_to_link(request.user, decision))
    return _form_action(
        request,
        decision,
        "notice",
        form,
        lambda data: decision_services.decision_link_notice(
            actor=request.user, decision=decision, notice=data["notice"]
        ),
        _("The disclosure notice is linked."),
    )


@login_required
@require_POST
def drop(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _managed_decision(request, pk)
    return _form_action(
        request,
        decision,
        "drop",
        forms.DropForm(request.POST),
        lambda data: decision_services.decision_drop(actor=request.user, decision=decision, reason=data["reason"]),
        _("The decision was dropped."),
    )


@login_required
@require_POST
def start_tracking(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _managed_decision(request, pk)
    return _form_action(
        request,
        decision,
        "tracking",
        forms.TrackingForm(request.POST),
        lambda data: tracking_services.tracking_start(actor=request.user, decision=decision, **data),
        _("The implementation is now tracked. Add its milestones."),
    )


@login_required
@require_POST
def add_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _managed_decision(request, pk)
    tracking = getattr(decision, "tracking", None)
    if tracking is None:
        return _plain_action(
            request, decision, "complete_errors", lambda: _refuse(_("Start tracking the implementation first.")), ""
        )
    return _form_action(
        request,
        decision,
        "milestone",
        forms.MilestoneForm(request.POST),
        lambda data: tracking_services.milestone_add(actor=request.user, tracking=tracking, **data),
        _("Milestone added."),
    )


def _refuse(message: str):
    raise ValidationError(message)


@login_required
@require_POST
def update_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = selectors.milestone_for(request.user, pk)
    decision = _managed_decision(request, milestone.tracking.decision_id)
    return _form_action(
        request,
        decision,
        f"m{milestone.pk}",
        forms.MilestoneUpdateForm(request.POST, prefix=f"m{milestone.pk}"),
        lambda data: tracking_services.milestone_update(actor=request.user, milestone=milestone, **data),
        _("Progress saved."),
    )


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _managed_decision(request, pk)
    return _plain_action(
        request,
        decision,
        "complete_errors",
        lambda: tracking_services.decision_complete(actor=request.user, decision=decision),
        _("Marked as implemented."),
    )


@login_required
@require_POST
def inspect(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_for(request.user, pk)
    tracking = getattr(decision, "tracking", None)
    form = forms.InspectionForm(request.POST)
    if tracking is None:
        form.is_valid()
        form.add_error(None, _("The implementation can be inspected once it has started."))
        return _detail_again(request, decision, "inspect", form)
    return _form_action(
        request,
        decision,
        "inspect",
        form,
        lambda data: tracking_services.tracking_inspect(actor=request.user, tracking=tracking, **data),
        _("Thank you. Your inspection and rating are on record."),
    )


# --- On the opinion call page ---------------------------------------------------------------------


def _call_again(request, call, name: str, form) -> HttpResponse:
    from unionhome.congress.views.decisions import call_context

    return render(request, "congress/decisions/call.html", call_context(request, call, {name: form}), status=422)


def _managed_call(request: HttpRequest, pk: int):
    call = selectors.opinion_call_for(request.user, pk)
    if not selectors.may_manage(request.user, call):
        raise PermissionRefused(selectors.PERMISSION)
    return call


@login_required
@require_POST
def mark_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for(request.user, pk)
    call = comment.call
    form = forms.AdoptionForm(request.POST, prefix=f"c{comment.pk}")
    if form.is_valid():
        try:
            call_services.opinion_comment_mark(actor=request.user, comment=comment, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{call_url(call)}#comment-{comment.pk}")
    return _call_again(request, call, f"c{comment.pk}", form)


def call_url(call) -> str:
    from django.urls import reverse

    return reverse("congress:opinion_call", args=[call.pk])


@login_required
@require_POST
def summarise(request: HttpRequest, pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    form = forms.SummaryForm(request.POST)
    if form.is_valid():
        try:
            call_services.opinion_call_summarise(actor=request.user, call=call, summary=form.cleaned_data["summary"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The adoption summary is published."))
            return redirect("congress:opinion_call", pk=call.pk)
    return _call_again(request, call, "summary", form)


@login_required
@require_POST
def close_call(request: HttpRequest, pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    try:
        call_services.opinion_call_close(actor=request.user, call=call)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The opinion call is closed."))
    return redirect("congress:opinion_call", pk=call.pk)


urlpatterns = [
    path("decisions/<int:pk>/motion/", link_motion, name="decision_link_motion"),
    path("decisions/<int:pk>/decided/", decide, name="decision_decide"),
    path("decisions/<int:pk>/notice/", link_notice, name="decision_link_notice"),
    path("decisions/<int:pk>/drop/", drop, name="decision_drop"),
    path("decisions/<int:pk>/tracking/", start_tracking, name="decision_tracking_start"),
    path("decisions/<int:pk>/milestones/", add_milestone, name="decision_milestone_add"),
    path("decisions/milestones/<int:pk>/", update_milestone, name="decision_milestone_update"),
    path("decisions/<int:pk>/complete/", complete, name="decision_complete"),
    path("decisions/<int:pk>/inspect/", inspect, name="decision_inspect"),
    path("decisions/comments/<int:pk>/adoption/", mark_comment, name="opinion_comment_mark"),
    path("decisions/calls/<int:pk>/summary/", summarise, name="opinion_call_summarise"),
    path("decisions/calls/<int:pk>/close/", close_call, name="opinion_call_close"),
]
