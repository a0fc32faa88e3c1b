"""Vote pages: the list, the live vote (ballot, turnout, chair's controls, result and receipts), setting
up motions and votes, and the scrutineers' paper-ballot desk.

After a secret ballot is cast the receipt is shown in the answer to that POST and kept nowhere (not
in the session either: that would tie it to the voter). Sending the same form again — a reload, a
double click, a retry after a lost connection — carries the same ballot key and shows the same receipt.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.access.policy import OutOfScope, PermissionRefused, can
from unionhome.congress.forms.votes import MotionForm, VoteForm
from unionhome.congress.live import live_response
from unionhome.congress.models import CongressSession, Motion, MotionDocument, Representative, Vote, VoteOption
from unionhome.congress.selectors import votes as selectors
from unionhome.congress.services.ballots import (
    AlreadyVoted,
    NotRepresentative,
    ballot_cast,
    paper_ballot_enter,
    paper_participation_record,
)
from unionhome.congress.services.motions import motion_create, motion_document_add, motion_document_bytes, motion_update
from unionhome.congress.services.votes import VoteSpec, vote_close, vote_create, vote_open
from unionhome.home.form_errors import form_errors_from
from unionhome.home.params import id_param


def _session_for(viewer, pk) -> CongressSession:
    session = CongressSession.objects.select_related("congress").filter(pk=pk).first()
    if session is None or not (can(viewer, "congress.view", session) or can(viewer, "congress.manage", session)):
        raise OutOfScope()
    return session


@login_required
def vote_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    votes = selectors.vote_list(request.user, status=status)
    return render(
        request, "congress/votes/list.html", {"votes": votes, "status": status, "statuses": Vote.Status.choices}
    )


def ballot_marks(vote: Vote, post) -> list:
    """The marks as the ballot form sends them: ``option`` (one or several ids) or ``mark-<id>`` per candidate."""
    if vote.method == Vote.Method.PER_CANDIDATE:
        return [[o.pk, post.get(f"mark-{o.pk}")] for o in vote.options.all() if post.get(f"mark-{o.pk}")]
    return post.getlist("option")


def _detail_context(request: HttpRequest, vote: Vote, **extra) -> dict:
    viewer = request.user
    state = selectors.voter_state(viewer, vote)
    receipt_query = request.GET.get("receipt", "").strip()[:16]
    ballots, cursor = selectors.published_ballots(vote, receipt=receipt_query, after=request.GET.get("after", "")[:20])
    return {
        "vote": vote,
        "options": list(vote.options.all()),
        "live": selectors.vote_live(vote),
        "state": state,
        "may_run": selectors.may_run(viewer, vote),
        "may_enter_paper": selectors.may_enter_paper(viewer, vote, state),
        "ballot_key": secrets.token_urlsafe(24),
        "ballots": ballots,
        "next_cursor": cursor,
        "receipt_query": receipt_query,
        "marks": [
            (m.value, m.label) for m in (VoteOption.Meaning.FOR, VoteOption.Meaning.AGAINST, VoteOption.Meaning.ABSTAIN)
        ],
        **extra,
    }


@login_required
def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vote = selectors.vote_for(request.user, pk)
    if request.method == "POST":
        return _cast(request, vote)
    return render(request, "congress/votes/detail.html", _detail_context(request, vote))


def _cast(request: HttpRequest, vote: Vote) -> HttpResponse:
    """Cast the ballot. The ballot form posts with htmx and is answered with the receipt alone (the page
    around it stays); without JavaScript it is a plain POST answered with a page. A refusal sent by htmx
    comes back as the ballot form with the message (status 200, so that htmx shows it)."""
    try:
        cast = ballot_cast(
            actor=request.user,
            vote=vote,
            marks=ballot_marks(vote, request.POST),
            ballot_key=request.POST.get("ballot_key", ""),
        )
    except NotRepresentative as exc:
        raise PermissionDenied(str(exc)) from None
    except ValidationError as exc:
        message = exc.messages[0] if isinstance(exc, AlreadyVoted) else " ".join(exc.messages)
        if request.htmx:
            context = _detail_context(request, vote, ballot_error=message)
            return render(request, "congress/votes/ballot_form.html", context)
        status = 409 if isinstance(exc, AlreadyVoted) else 400
        return render(
            request, "congress/votes/detail.html", _detail_context(request, vote, error=message), status=status
        )
    template = "congress/votes/cast_receipt.html" if request.htmx else "congress/votes/cast.html"
    return render(request, template, {"vote": vote, "cast": cast})


@login_required
def vote_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The turnout fragment the vote page polls (htmx). Once the vote closes the page reloads for the result."""
    vote = selectors.vote_for(request.user, pk)
    # Plain signed-in members of the union are usually answered before this view, by the fast path in
    # congress/live.py (same fragment, same counts); this view serves everyone else.
    return live_response(vote.pk, selectors.vote_live(vote), request.GET.get("seen"))


@login_required
@require_POST
def vote_run(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    vote = selectors.vote_for(request.user, pk)
    service = {"open": vote_open, "close": vote_close}[action]
    try:
        service(actor=request.user, vote=vote)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        selectors.forget_live(vote)
        messages.success(request, _("The vote is open.") if action == "open" else _("The vote is closed and counted."))
    return redirect("congress:vote_detail", pk=vote.pk)


@login_required
def vote_new(request: HttpRequest) -> HttpResponse:
    session = _session_for(request.user, id_param(request.GET.get("session")) or 0)
    if not can(request.user, "congress.manage", session):
        raise PermissionRefused("congress.manage")
    form = VoteForm(request.POST or None, session=session, initial={"motion": id_param(request.GET.get("motion"))})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        motion = Motion.objects.filter(session=session, pk=data["motion"]).first() if data["motion"] else None
        spec = VoteSpec(
            title=data["title"],
            kind=data["kind"],
            secrecy=data["secrecy"],
            method=data["method"],
            seats=data["seats"] or 1,
            options=data["options"].splitlines(),
            candidates=data["candidates"],
            quorum=data["quorum"],
            threshold=data["threshold"],
            threshold_base=data["threshold_base"],
            threshold_strict=data["threshold_strict"],
            scrutineers=list(Representative.objects.filter(pk__in=data["scrutineers"])),
        )
        try:
            vote = vote_create(actor=request.user, session=session, spec=spec, motion=motion)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The vote is set up. Open it when the hall is ready."))
            return redirect("congress:vote_detail", pk=vote.pk)
    return render(request, "congress/votes/new.html", {"form": form, "session": session})


@login_required
def motion_new(request: HttpRequest) -> HttpResponse:
    session = _session_for(request.user, id_param(request.GET.get("session")) or 0)
    if not can(request.user, "congress.manage", session):
        raise PermissionRefused("congress.manage")
    form = MotionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            motion = motion_create(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The motion is on the agenda."))
            return redirect("congress:motion_detail", pk=motion.pk)
    return render(request, "congress/votes/motion_form.html", {"form": form, "session": session})


@login_required
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    motion = selectors.motion_for(request.user, pk)
    votes = selectors.votes_of_motion(motion)
    may_manage = can(request.user, "congress.manage", motion)
    if request.method == "POST" and "upload" in request.FILES:
        if not may_manage:
            raise PermissionRefused("congress.manage")
        try:
            motion_document_add(actor=request.user, motion=motion, upload=request.FILES["upload"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The document is laid before the congress."))
        return redirect("congress:motion_detail", pk=motion.pk)
    form = MotionForm(
        request.POST or None, initial={"kind": motion.kind, "title": motion.title, "summary": motion.summary}
    )
    if request.method == "POST":
        if not may_manage:
            raise PermissionRefused("congress.manage")
        if form.is_valid():
            try:
                motion_update(actor=request.user, motion=motion, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The motion is saved."))
                return redirect("congress:motion_detail", pk=motion.pk)
    return render(
        request,
        "congress/votes/motion.html",
        {"motion": motion, "votes": votes, "may_manage": may_manage, "form": form, "documents": motion.documents.all()},
    )


@login_required
def motion_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    motion = selectors.motion_for(request.user, pk)
    document = get_object_or_404(MotionDocument, pk=document_pk, motion=motion)
    response = HttpResponse(motion_document_bytes(document), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(False, document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def paper_desk(request: HttpRequest, pk: int) -> HttpResponse:
    """The scrutineers' desk: record who put a paper ballot in the box, then enter the ballots."""
    vote = selectors.vote_for(request.user, pk)
    state = selectors.voter_state(request.user, vote)
    if not (state.scrutineer or can(request.user, "congress.manage", vote)):
        raise PermissionDenied(_("Only the scrutineers of this vote and the congress office enter paper ballots."))
    if request.method == "POST":
        try:
            if request.POST.get("step") == "voter":
                rep = Representative.objects.filter(pk=id_param(request.POST.get("representative")) or 0).first()
                if rep is None:
                    raise ValidationError(_("Choose the representative."))
                paper_participation_record(actor=request.user, vote=vote, representative=rep)
                messages.success(request, _("%(name)s is recorded as voting on paper.") % {"name": rep.member.name})
            else:
                rep = Representative.objects.filter(pk=id_param(request.POST.get("representative")) or 0).first()
                paper_ballot_enter(
                    actor=request.user, vote=vote, marks=ballot_marks(vote, request.POST), representative=rep
                )
                messages.success(request, _("The paper ballot is entered."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("congress:vote_paper", pk=vote.pk)
    context = _detail_context(request, vote)
    context["paper_voters"] = selectors.paper_voters(vote)
    context["paper_counts"] = selectors.paper_counts(vote)
    return render(request, "congress/votes/paper.html", context)


urlpatterns = [
    path("votes/", vote_list, name="votes"),
    path("votes/new/", vote_new, name="vote_new"),
    path("votes/<int:pk>/", vote_detail, name="vote_detail"),
    path("votes/<int:pk>/live/", vote_live, name="vote_live"),
    path("votes/<int:pk>/open/", vote_run, {"action": "open"}, name="vote_open"),
    path("votes/<int:pk>/close/", vote_run, {"action": "close"}, name="vote_close"),
    path("votes/<int:pk>/paper/", paper_desk, name="vote_paper"),
    path("motions/new/", motion_new, name="motion_new"),
    path("motions/<int:pk>/", motion_detail, name="motion_detail"),
    path("motions/<int:pk>/documents/<int:document_pk>/", motion_document, name="motion_document"),
]
