"""Decisions in the API (决策前建议、决策中参与、决策后监督): the list and one decision's timeline, an opinion
call with its comments, commenting (by name or anonymously), and the office's and representatives' actions.
Same selectors and services as the pages: a decision the caller may not follow is 404, an action the
caller may not take 403, a refused action 422 with the reason. Schemas in ``decision_schemas.py``."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from unionhome.access.policy import PermissionRefused
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID
from unionhome.congress.api.decision_schemas import (
    AdoptionIn,
    CommentIn,
    CommentOut,
    CommentReceivedOut,
    DecisionDetailOut,
    DecisionId,
    DecisionIn,
    DecisionPageOut,
    DropIn,
    InspectionIn,
    ListFilters,
    MilestoneIn,
    MilestoneUpdateIn,
    MotionLinkIn,
    NoticeLinkIn,
    OpinionCallDetailOut,
    OpinionCallIn,
    SummaryIn,
    TrackingIn,
    call_out,
    comment_out,
    decision_out,
    detail_out,
)
from unionhome.congress.models import Decision, DecisionTracking, OpinionCall, OpinionComment
from unionhome.congress.selectors import decisions as selectors
from unionhome.congress.services import decisions as decision_services
from unionhome.congress.services import opinion_calls as call_services
from unionhome.congress.services import tracking as tracking_services

router = Router(tags=["congress: decisions"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _detail(request: HttpRequest, decision_id: int) -> dict:
    return detail_out(selectors.decision_for(request.auth, decision_id))


def _managed(request: HttpRequest, decision_id: int) -> Decision:
    decision = selectors.decision_for(request.auth, decision_id)
    if not selectors.may_manage(request.auth, decision):
        raise PermissionRefused(selectors.PERMISSION)
    return decision


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


# --- reading -------------------------------------------------------------------------------------


@router.get(
    "/decisions",
    response={200: DecisionPageOut, **ERRORS},
    operation_id="congress_decision_list",
    summary="Decisions the caller may follow",
)
def decision_list(request: HttpRequest, filters: Query[ListFilters]):
    """Newest first, a page at a time: those whose opinion calls reach the caller, those of the caller's union
    that went to the congress, and all of them for the congress office."""
    page = selectors.decision_page(selectors.decisions_for(request.auth), filters.after, size=filters.limit)
    return {"items": [decision_out(d) for d in page.items], "next": page.next_cursor}


@router.get(
    "/decisions/{decision_id}",
    response={200: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_detail",
    summary="One decision's timeline",
)
def decision_detail(request: HttpRequest, decision_id: int = DecisionId):
    """The opinion calls (comment counts, adoption summaries, comments taken up), the motion and its votes
    (counts only once closed), the disclosure notice, and the implementation's milestones and inspections."""
    return _detail(request, decision_id)


@router.get(
    "/decisions/opinion-calls/{call_id}",
    response={200: OpinionCallDetailOut, **ERRORS},
    operation_id="congress_opinion_call_detail",
    summary="An opinion call with its draft and comments",
)
def opinion_call_detail(request: HttpRequest, call_id: int = Path(..., ge=1, le=MAX_ID)):
    call = selectors.opinion_call_for(request.auth, call_id)
    comments = selectors.call_comments(request.auth, call)
    summarised = call.status == OpinionCall.Status.SUMMARISED
    taken_up = [c for c in comments if c.adoption in selectors.TAKEN_UP] if summarised else []
    count = call.comments.count()
    return {**call_out(call, taken_up, count), "draft": call.draft, "comments": [comment_out(c) for c in comments]}


# --- commenting ----------------------------------------------------------------------------------


@router.post(
    "/decisions/opinion-calls/{call_id}/comments",
    response={201: CommentReceivedOut, **ERRORS},
    operation_id="congress_opinion_comment_submit",
    summary="Comment on a draft (by name or anonymously)",
)
def opinion_comment_submit(request: HttpRequest, payload: CommentIn, call_id: int = Path(..., ge=1, le=MAX_ID)):
    """Members of the call's audience, while it is open. An anonymous comment keeps no member, no unit and
    only the date, and nothing about it is audited; the answer does not name it either. At most five named
    comments per member and call (anonymous ones cannot be counted per member)."""
    call = selectors.opinion_call_for(request.auth, call_id)
    comment = call_services.opinion_comment_submit(
        actor=request.auth, call=call, body=payload.body, anonymous=payload.anonymous
    )
    left = None
    if not payload.anonymous:
        left = max(0, call_services.NAMED_COMMENTS_PER_MEMBER - selectors.named_comment_count(request.auth, call))
    return Status(
        201, {"anonymous": payload.anonymous, "submitted_on": comment.submitted_on, "named_comments_left": left}
    )


# --- the office ----------------------------------------------------------------------------------


@router.post(
    "/decisions",
    response={201: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_create",
    summary="Start a decision",
)
def decision_create(request: HttpRequest, payload: DecisionIn):
    """The congress office or chair (``congress.manage_decisions``) of the union."""
    viewer = request.auth
    if not selectors.may_create(viewer):
        raise PermissionRefused(selectors.PERMISSION)
    union = selectors.unions_for(viewer).filter(pk=payload.union_id).first()
    if union is None:
        raise _invalid("union_id", _("Choose a union where you run decisions."))
    decision = decision_services.decision_create(
        actor=viewer, union=union, title=payload.title, summary=payload.summary
    )
    return Status(201, _detail(request, decision.pk))


@router.post(
    "/decisions/{decision_id}/opinion-calls",
    response={201: OpinionCallDetailOut, **ERRORS},
    operation_id="congress_opinion_call_open",
    summary="Open an opinion call on the draft",
)
def opinion_call_open(request: HttpRequest, payload: OpinionCallIn, decision_id: int = DecisionId):
    decision = _managed(request, decision_id)
    audience = selectors.audiences_for(request.auth, decision).filter(pk=payload.audience_id).first()
    if audience is None:
        raise _invalid("audience_id", _("Choose a unit of this union."))
    call = call_services.opinion_call_open(
        actor=request.auth,
        decision=decision,
        audience=audience,
        title=payload.title,
        draft=payload.draft,
        closes_at=payload.closes_at,
        opens_at=payload.opens_at,
        allow_anonymous=payload.allow_anonymous,
    )
    return Status(201, opinion_call_detail(request, call.pk))


def _managed_call(request: HttpRequest, call_id: int) -> OpinionCall:
    call = selectors.opinion_call_for(request.auth, call_id)
    if not selectors.may_manage(request.auth, call):
        raise PermissionRefused(selectors.PERMISSION)
    return call


@router.post(
    "/decisions/opinion-calls/{call_id}/close",
    response={200: OpinionCallDetailOut, **ERRORS},
    operation_id="congress_opinion_call_close",
    summary="Close an opinion call before its deadline",
)
def opinion_call_close(request: HttpRequest, call_id: int = Path(..., ge=1, le=MAX_ID)):
    call_services.opinion_call_close(actor=request.auth, call=_managed_call(request, call_id))
    return opinion_call_detail(request, call_id)


@router.post(
    "/decisions/opinion-comments/{comment_id}/adoption",
    response={200: CommentOut, **ERRORS},
    operation_id="congress_opinion_comment_mark",
    summary="Mark a comment adopted, partly adopted or not adopted",
)
def opinion_comment_mark(request: HttpRequest, payload: AdoptionIn, comment_id: int = Path(..., ge=1, le=MAX_ID)):
    """After the deadline and before the summary; "partly" and "not_adopted" need a note."""
    comment = selectors.comment_for(request.auth, comment_id)
    comment = call_services.opinion_comment_mark(
        actor=request.auth, comment=comment, adoption=payload.adoption, note=payload.note
    )
    comment = OpinionComment.objects.select_related("author").get(pk=comment.pk)
    comment.number = OpinionComment.objects.filter(
        Q(submitted_on__lt=comment.submitted_on) | Q(submitted_on=comment.submitted_on, id__lte=comment.pk),
        call_id=comment.call_id,
    ).count()
    return comment_out(comment)


@router.post(
    "/decisions/opinion-calls/{call_id}/summary",
    response={200: OpinionCallDetailOut, **ERRORS},
    operation_id="congress_opinion_call_summarise",
    summary="Publish the adoption summary",
)
def opinion_call_summarise(request: HttpRequest, payload: SummaryIn, call_id: int = Path(..., ge=1, le=MAX_ID)):
    """Once the call has closed and every comment is marked; the comments then become public to the audience."""
    call_services.opinion_call_summarise(
        actor=request.auth, call=_managed_call(request, call_id), summary=payload.summary
    )
    return opinion_call_detail(request, call_id)


@router.post(
    "/decisions/{decision_id}/motion",
    response={200: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_link_motion",
    summary="Put the decision to a congress motion",
)
def decision_link_motion(request: HttpRequest, payload: MotionLinkIn, decision_id: int = DecisionId):
    decision = _managed(request, decision_id)
    motion = selectors.motions_to_link(request.auth, decision).filter(pk=payload.motion_id).first()
    if motion is None:
        raise _invalid("motion_id", _("Choose a motion of this union's congress."))
    decision_services.decision_link_motion(actor=request.auth, decision=decision, motion=motion)
    return _detail(request, decision_id)


@router.post(
    "/decisions/{decision_id}/decided",
    response={200: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_mark_decided",
    summary="Mark the decision decided (its motion passed)",
)
def decision_mark_decided(request: HttpRequest, decision_id: int = DecisionId):
    decision_services.decision_mark_decided(actor=request.auth, decision=_managed(request, decision_id))
    return _detail(request, decision_id)


@router.post(
    "/decisions/{decision_id}/notice",
    response={200: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_link_notice",
    summary="Link the disclosure notice that announces the decision",
)
def decision_link_notice(request: HttpRequest, payload: NoticeLinkIn, decision_id: int = DecisionId):
    decision = _managed(request, decision_id)
    notice = selectors.notices_to_link(request.auth, decision).filter(pk=payload.notice_id).first()
    if notice is None:
        raise _invalid("notice_id", _("Choose a published notice of this union."))
    decision_services.decision_link_notice(actor=request.auth, decision=decision, notice=notice)
    return _detail(request, decision_id)


@router.post(
    "/decisions/{decision_id}/drop",
    response={200: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_drop",
    summary="Drop a decision before it is decided",
)
def decision_drop(request: HttpRequest, payload: DropIn, decision_id: int = DecisionId):
    decision_services.decision_drop(actor=request.auth, decision=_managed(request, decision_id), reason=payload.reason)
    return _detail(request, decision_id)


@router.post(
    "/decisions/{decision_id}/tracking",
    response={200: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_tracking_start",
    summary="Start tracking the implementation",
)
def tracking_start(request: HttpRequest, payload: TrackingIn, decision_id: int = DecisionId):
    tracking_services.tracking_start(
        actor=request.auth,
        decision=_managed(request, decision_id),
        responsible=payload.responsible,
        target_on=payload.target_on,
    )
    return _detail(request, decision_id)


def _tracking_of(decision: Decision) -> DecisionTracking:
    tracking = DecisionTracking.objects.filter(decision=decision).select_related("decision").first()
    if tracking is None:
        raise ValidationError(_("Start tracking the implementation first."))
    return tracking


@router.post(
    "/decisions/{decision_id}/milestones",
    response={200: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_milestone_add",
    summary="Add a milestone to the implementation",
)
def milestone_add(request: HttpRequest, payload: MilestoneIn, decision_id: int = DecisionId):
    tracking = _tracking_of(_managed(request, decision_id))
    tracking_services.milestone_add(actor=request.auth, tracking=tracking, title=payload.title, due_on=payload.due_on)
    return _detail(request, decision_id)


@router.post(
    "/decisions/milestones/{milestone_id}",
    response={200: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_milestone_update",
    summary="Note progress on a milestone, or mark it done",
)
def milestone_update(request: HttpRequest, payload: MilestoneUpdateIn, milestone_id: int = Path(..., ge=1, le=MAX_ID)):
    milestone = selectors.milestone_for(request.auth, milestone_id)
    decision = _managed(request, milestone.tracking.decision_id)
    tracking_services.milestone_update(
        actor=request.auth, milestone=milestone, progress_note=payload.progress_note, done=payload.done
    )
    return _detail(request, decision.pk)


@router.post(
    "/decisions/{decision_id}/complete",
    response={200: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_complete",
    summary="Mark the decision implemented (every milestone done)",
)
def decision_complete(request: HttpRequest, decision_id: int = DecisionId):
    tracking_services.decision_complete(actor=request.auth, decision=_managed(request, decision_id))
    return _detail(request, decision_id)


@router.post(
    "/decisions/{decision_id}/inspections",
    response={200: DecisionDetailOut, **ERRORS},
    operation_id="congress_decision_inspect",
    summary="A representative inspects and rates the implementation",
)
def tracking_inspect(request: HttpRequest, payload: InspectionIn, decision_id: int = DecisionId):
    """Seated representatives of the union's current congress term (403 for anyone else), once a day each;
    the score is also a satisfaction rating of the decision's implementation."""
    decision = selectors.decision_for(request.auth, decision_id)
    tracking_services.tracking_inspect(
        actor=request.auth, tracking=_tracking_of(decision), score=payload.score, findings=payload.findings
    )
    return _detail(request, decision_id)
