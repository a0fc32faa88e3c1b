"""Decision pages: the list, one decision's timeline (from the opinion call to the implementation), the
opinion call with its draft and comments, and the office's forms to start a decision and open a call.

The office's other actions (summarise, link a motion, mark decided, track…) are in
``decision_actions.py``; they post here and, on a refusal, show this page again with the errors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import PermissionRefused
from unionhome.congress.forms import decisions as forms
from unionhome.congress.models import Decision, OpinionCall
from unionhome.congress.selectors import decisions as selectors
from unionhome.congress.services import decisions as decision_services
from unionhome.congress.services import opinion_calls as call_services
from unionhome.home.form_errors import form_errors_from


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    cursor = request.GET.get("after", "")[:300] or None
    page = selectors.decision_page(selectors.decisions_for(viewer), cursor)
    return render(
        request,
        "congress/decisions/list.html",
        {"page": page, "may_create": selectors.may_create(viewer), "stages": Decision.Stage},
    )


@login_required
def decision_new(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    if not selectors.may_create(viewer):
        raise PermissionRefused(selectors.PERMISSION)
    unions = selectors.unions_for(viewer)
    form = forms.DecisionForm(request.POST or None, unions=unions)
    if request.method == "POST" and form.is_valid():
        try:
            decision = decision_services.decision_create(
                actor=viewer,
                union=form.cleaned_data["union"],
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Decision started. Open an opinion call on its draft."))
            return redirect("congress:decision_detail", pk=decision.pk)
    return render(request, "congress/decisions/new.html", {"form": form})


def detail_context(request: HttpRequest, decision: Decision, bound: dict | None = None) -> dict:
    """The decision page's context; ``bound`` holds a form that came back with errors, by name."""
    viewer = request.user
    bound = bound or {}
    timeline = selectors.decision_timeline(decision)
    manage = selectors.may_manage(viewer, decision)
    seat = selectors.current_seat(viewer, decision.unit_path)
    context = {
        "decision": decision,
        "t": timeline,
        "manage": manage,
        "stages": Decision.Stage,
        "may_inspect": seat is not None
        and decision.stage in (Decision.Stage.IMPLEMENTING, Decision.Stage.DONE)
        and timeline.tracking is not None,
        "inspect_form": bound.get("inspect") or forms.InspectionForm(),
    }
    if manage:
        stage = decision.stage
        context.update(
            {
                "can_open_call": stage == Decision.Stage.CONSULTING,
                "can_link_motion": decision_services.allowed(decision, "link_motion"),
                "can_decide": decision_services.allowed(decision, "decide"),
                "can_link_notice": stage in decision_services.NOTICE_STAGES,
                "can_drop": decision_services.allowed(decision, "drop"),
                "can_track": decision_services.allowed(decision, "start_tracking"),
                "can_complete": decision_services.allowed(decision, "complete"),
                "motion_form": bound.get("motion")
                or forms.LinkMotionForm(motions=selectors.motions_to_link(viewer, decision)),
                "notice_form": bound.get("notice")
                or forms.LinkNoticeForm(notices=selectors.notices_to_link(viewer, decision)),
                "drop_form": bound.get("drop") or forms.DropForm(),
                "tracking_form": bound.get("tracking") or forms.TrackingForm(),
                "milestone_form": bound.get("milestone") or forms.MilestoneForm(),
                "decide_errors": bound.get("decide_errors", []),
                "complete_errors": bound.get("complete_errors", []),
                "milestone_update_forms": {
                    m.pk: bound.get(f"m{m.pk}") or forms.MilestoneUpdateForm(prefix=f"m{m.pk}")
                    for m in timeline.milestones
                },
            }
        )
    return context


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_for(request.user, pk)
    return render(request, "congress/decisions/detail.html", detail_context(request, decision))


@login_required
def opinion_call_new(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    decision = selectors.decision_for(viewer, pk)
    if not selectors.may_manage(viewer, decision):
        raise PermissionRefused(selectors.PERMISSION)
    form = forms.OpinionCallForm(
        request.POST or None,
        audiences=selectors.audiences_for(viewer, decision),
        initial={"title": decision.title, "audience": decision.unit_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            call = call_services.opinion_call_open(actor=viewer, decision=decision, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The opinion call is open."))
            return redirect("congress:opinion_call", pk=call.pk)
    return render(request, "congress/decisions/call_new.html", {"decision": decision, "form": form})


def call_context(request: HttpRequest, call: OpinionCall, bound: dict | None = None) -> dict:
    viewer = request.user
    bound = bound or {}
    manage = selectors.may_manage(viewer, call)
    comments = selectors.call_comments(viewer, call)
    member = selectors.member_of(viewer)
    accepting = call_services.accepting_comments(call)
    in_audience = call_services.in_audience(member, call)
    over = call_services.comments_over(call)
    summarised = call.status == OpinionCall.Status.SUMMARISED
    context = {
        "call": call,
        "decision": call.decision,
        "comments": comments,
        "manage": manage,
        "public": selectors.comments_public(call),
        "accepting": accepting,
        "not_yet_open": call.status == OpinionCall.Status.OPEN and timezone.now() < call.opens_at,
        "over": over,
        "summarised": summarised,
        "in_audience": in_audience,
        "named_count": selectors.named_comment_count(viewer, call) if in_audience else 0,
        "named_limit": call_services.NAMED_COMMENTS_PER_MEMBER,
        "comment_form": bound.get("comment") or forms.CommentForm(),
        "taken_up": [c for c in comments if c.adoption in selectors.TAKEN_UP] if summarised else [],
    }
    if manage and over and not summarised:
        context["adoption_forms"] = {
            c.pk: bound.get(f"c{c.pk}")
            or forms.AdoptionForm(prefix=f"c{c.pk}", initial={"adoption": c.adoption, "note": c.adoption_note})
            for c in comments
        }
        context["summary_form"] = bound.get("summary") or forms.SummaryForm()
        context["pending"] = sum(1 for c in comments if c.adoption == "pending")
    return context


@login_required
def opinion_call(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft and its comments; members of the audience comment here while the call is open."""
    viewer = request.user
    call = selectors.opinion_call_for(viewer, pk)
    bound = {}
    if request.method == "POST":
        form = forms.CommentForm(request.POST)
        if form.is_valid():
            anonymous = form.cleaned_data["anonymous"]
            try:
                call_services.opinion_comment_submit(
                    actor=viewer, call=call, body=form.cleaned_data["body"], anonymous=anonymous
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                if anonymous:
                    messages.success(request, _("Thank you. Your comment was received anonymously."))
                else:
                    messages.success(request, _("Thank you. Your comment was received."))
                return redirect("congress:opinion_call", pk=call.pk)
        bound["comment"] = form
    return render(request, "congress/decisions/call.html", call_context(request, call, bound))


from unionhome.congress.views import decision_actions  # noqa: E402  (its views use the contexts above)

urlpatterns = [
    path("decisions/", decision_list, name="decisions"),
    path("decisions/new/", decision_new, name="decision_new"),
    path("decisions/<int:pk>/", decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/calls/new/", opinion_call_new, name="opinion_call_new"),
    path("decisions/calls/<int:pk>/", opinion_call, name="opinion_call"),
    *decision_actions.urlpatterns,
]
