"""Proposal pages: the list (filters by status, session, department, unit), writing a proposal (a seated
representative) or a suggestion (any member), one proposal with its history, secondings, replies and
progress and the forms for the next steps this viewer may take; the dashboard and the proposal book are
in ``proposal_reports.py`` (their addresses are listed here, since ``congress/urls.py`` includes these)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from unionhome.access.policy import has_permission_anywhere
from unionhome.congress import proposal_workflow as workflow
from unionhome.congress.forms.proposals import (
    FilterForm,
    ProgressForm,
    ProposalForm,
    RateForm,
    ReferForm,
    ReplyForm,
    ReviewForm,
)
from unionhome.congress.models import CongressSession, Proposal
from unionhome.congress.selectors import proposals as selectors
from unionhome.congress.services import proposal_handling as handling
from unionhome.congress.services import proposal_rating
from unionhome.congress.services import proposals as services
from unionhome.congress.views import proposal_reports
from unionhome.home.form_errors import form_errors_from


def _filters(request, choices: dict) -> tuple[FilterForm, selectors.Filters]:
    form = FilterForm(request.GET or None, choices=choices)
    filters = selectors.Filters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        by_id = {key: {obj.pk: obj for obj in choices[key]} for key in ("sessions", "departments", "units")}
        filters = selectors.Filters(
            status=data["status"],
            session=by_id["sessions"].get(data["session"]),
            department=by_id["departments"].get(data["department"]),
            unit=by_id["units"].get(data.get("unit")),
            mine=data["mine"],
        )
    return form, filters


@login_required
def proposal_list(request):
    """Proposals the viewer may see, newest first, a page at a time."""
    choices = selectors.filter_choices(request.user)
    form, filters = _filters(request, choices)
    found = selectors.proposals_for(request.user, filters)
    page = selectors.proposal_page(found, request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "may_draft": bool(selectors.seated_terms(request.user)),
        "may_suggest": request.user.member_id is not None,
        "may_report": has_permission_anywhere(request.user, "congress.view_reports"),
    }
    return render(request, "congress/proposals/list.html", context)


def _write(request, *, suggestion: bool):
    user = request.user
    sessions = selectors.sessions_for_suggesting(user) if suggestion else selectors.sessions_for_drafting(user)
    if not sessions:
        return render(request, "congress/proposals/form.html", {"suggestion": suggestion, "closed": True})
    queryset = CongressSession.objects.filter(pk__in=[s.pk for s in sessions]).order_by("-starts_at")
    form = ProposalForm(request.POST or None, sessions=queryset, initial={"session": sessions[0].pk})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        session = data.pop("session")
        try:
            if suggestion:
                proposal = services.proposal_suggest(actor=user, session=session, **data)
            else:
                proposal = services.proposal_draft(actor=user, session=session, **data)
                if "submit_now" in request.POST:
                    services.proposal_submit(actor=user, proposal=proposal)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if suggestion:
                messages.success(request, _("Your suggestion was sent; a representative may adopt it as a proposal."))
            elif proposal.status == Proposal.Status.SECONDING:
                messages.success(request, _("Your proposal is open for seconding by other representatives."))
            else:
                messages.success(request, _("The draft was saved. Submit it when it is complete."))
            return redirect("congress:proposal_detail", pk=proposal.pk)
    return render(request, "congress/proposals/form.html", {"form": form, "suggestion": suggestion})


@login_required
def proposal_new(request):
    """A seated representative writes a proposal (saved as a draft, or submitted at once)."""
    if not selectors.seated_terms(request.user):
        raise workflow.ActionRefused(_("Only seated representatives of this congress term can write proposals."))
    return _write(request, suggestion=False)


@login_required
def proposal_suggest(request):
    """Any member suggests a proposal for a representative to adopt."""
    if request.user.member_id is None:
        raise workflow.ActionRefused(_("Only members can suggest proposals."))
    return _write(request, suggestion=True)


@login_required
def proposal_edit(request, pk: int):
    proposal = selectors.proposal_for(request.user, pk)
    if not workflow.is_proposer(request.user, proposal):
        raise workflow.ActionRefused(_("Only the proposer can do this."))
    if proposal.status != Proposal.Status.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("congress:proposal_detail", pk=pk)
    initial = {k: getattr(proposal, k) for k in ("title", "category", "reasons", "measures")}
    form = ProposalForm(request.POST or None, initial=initial, with_session=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_update(actor=request.user, proposal=proposal, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("congress:proposal_detail", pk=pk)
    return render(request, "congress/proposals/form.html", {"form": form, "proposal": proposal, "editing": True})


# --- one proposal --------------------------------------------------------------------------------


def _forms(viewer, proposal: Proposal, detail: dict, bound: dict | None = None) -> dict:
    bound = bound or {}
    actions = detail["actions"]
    forms = {}
    if "accept" in actions:
        forms["review_form"] = bound.get("review") or ReviewForm(candidates=selectors.merge_candidates(proposal))
    if "refer" in actions:
        forms["refer_form"] = bound.get("refer") or ReferForm(
            departments=selectors.departments_of(proposal),
            default_due=services.default_reply_due_on(proposal),
        )
    if "reply" in actions:
        forms["reply_form"] = bound.get("reply") or ReplyForm()
    if detail["may_record_progress"]:
        forms["progress_form"] = bound.get("progress") or ProgressForm()
    if detail["awaiting_rating"] is not None and detail["is_proposer"]:
        forms["rate_form"] = bound.get("rate") or RateForm()
    if detail["is_proposer"]:
        forms.update(_rating_change(proposal, detail["replies"], bound.get("change_rating")))
    return forms


def _rating_change(proposal: Proposal, replies: list, bound: RateForm | None) -> dict:
    """The proposer's given rating of the latest reply: the form to change it while the window is open, or
    until when it could be changed."""
    until = proposal_rating.rating_change_until(proposal, replies)
    if until is None:
        return {}
    if timezone.now() > until:
        return {"rating_change": {"open": False, "over": True, "until": until}}
    latest = replies[-1]
    initial = {"rating": latest.rating, "comment": latest.rating_comment}
    return {
        "rating_change": {"open": True, "over": False, "until": until},
        "rerate_form": bound or RateForm(prefix="rerate", initial=initial),
    }


def _render_detail(request, proposal: Proposal, bound: dict | None = None, status: int = 200):
    detail = selectors.proposal_detail(request.user, proposal)
    context = {**detail, **_forms(request.user, proposal, detail, bound), "today": timezone.localdate()}
    return render(request, "congress/proposals/detail.html", context, status=status)


@login_required
def proposal_detail(request, pk: int):
    return _render_detail(request, selectors.proposal_for(request.user, pk))


SIMPLE = {
    "submit": (services.proposal_submit, gettext_lazy("Your proposal is open for seconding by other representatives.")),
    "adopt": (services.proposal_adopt, gettext_lazy("You adopted this suggestion; edit it if needed, then submit it.")),
    "second": (services.proposal_second, gettext_lazy("You seconded this proposal.")),
    "send_for_review": (
        services.proposal_send_for_review,
        gettext_lazy("The proposal was sent to the proposal committee."),
    ),
}


def _simple(request, proposal: Proposal, action: str):
    service, done = SIMPLE[action]
    try:
        service(actor=request.user, proposal=proposal)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(done))
    return redirect("congress:proposal_detail", pk=proposal.pk)


def _with_form(request, proposal: Proposal, action: str):
    user = request.user
    if action == "review":
        form = ReviewForm(request.POST, candidates=selectors.merge_candidates(proposal))
    elif action == "refer":
        form = ReferForm(request.POST, departments=selectors.departments_of(proposal))
    elif action == "reply":
        form = ReplyForm(request.POST)
    elif action == "progress":
        form = ProgressForm(request.POST)
    elif action == "change_rating":
        form = RateForm(request.POST, prefix="rerate")
    else:
        form = RateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "review":
                services.proposal_review(
                    actor=user, proposal=proposal, decision=data["decision"], reason=data["reason"], into=data["into"]
                )
                done = _("The decision was recorded; the proposer is told.")
            elif action == "refer":
                services.proposal_refer(
                    actor=user,
                    proposal=proposal,
                    department=data["department"],
                    reply_due_on=data["reply_due_on"],
                    note=data["note"],
                )
                done = _("The proposal was referred; the department's handlers are told.")
            elif action == "reply":
                handling.proposal_reply(actor=user, proposal=proposal, body=data["body"])
                done = _("Your reply was sent to the proposer.")
            elif action == "progress":
                handling.proposal_progress_record(
                    actor=user, proposal=proposal, note=data["note"], percent=data["percent"]
                )
                done = _("The progress was recorded.")
            elif action == "change_rating":
                proposal_rating.proposal_rating_change(
                    actor=user, proposal=proposal, rating=data["rating"], comment=data["comment"]
                )
                done = _("Your rating was changed. Thank you.")
            else:
                handling.proposal_rate(actor=user, proposal=proposal, rating=data["rating"], comment=data["comment"])
                done = _("Thank you for your rating.")
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, done)
            return redirect("congress:proposal_detail", pk=proposal.pk)
    return _render_detail(request, selectors.proposal_for(user, proposal.pk), {action: form}, status=422)


@login_required
@require_POST
def proposal_action(request, pk: int, action: str):
    proposal = selectors.proposal_for(request.user, pk)
    if action in SIMPLE:
        return _simple(request, proposal, action)
    if action in {"review", "refer", "reply", "progress", "rate", "change_rating"}:
        return _with_form(request, proposal, action)
    raise Http404


urlpatterns = [
    path("proposals/", proposal_list, name="proposal_list"),
    path("proposals/new/", proposal_new, name="proposal_new"),
    path("proposals/suggest/", proposal_suggest, name="proposal_suggest"),
    path("proposals/<int:pk>/", proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/<slug:action>/", proposal_action, name="proposal_action"),
    *proposal_reports.urlpatterns,
]
