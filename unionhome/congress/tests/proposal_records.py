"""Proposals in any state for the tests, made through the services (so that every step is real)."""

from unionhome.congress.models import Proposal
from unionhome.congress.services import proposal_handling as handling
from unionhome.congress.services import proposals as services

CONTENT = {
    "title": "关于改善化验室通风条件的提案",
    "category": "safety",
    "reasons": "化验室通风柜老化，夏季异味重，影响职工健康。",
    "measures": "更换通风柜，增加排风量，每季度检测一次。",
}

# The steps that lead to each state, in order.
ROUTE = ["draft", "seconding", "submitted", "accepted", "referred", "replied"]


def draft(congress, *, by: int = 0, title: str | None = None, session=None) -> Proposal:
    content = {**CONTENT, **({"title": title} if title else {})}
    return services.proposal_draft(actor=congress["rep_users"][by], session=session or congress["session"], **content)


def at(congress, status: str, *, by: int = 0, title: str | None = None, seconders=None) -> Proposal:
    """A proposal by representative ``by`` brought to ``status`` (seconded by ``seconders``: by default the
    next two representatives after ``by``)."""
    if seconders is None:
        seconders = [(by + 1) % 8, (by + 2) % 8]
    proposer = congress["rep_users"][by]
    proposal = draft(congress, by=by, title=title)
    if status == "draft":
        return proposal
    services.proposal_submit(actor=proposer, proposal=proposal)
    for i in seconders:
        services.proposal_second(actor=congress["rep_users"][i], proposal=proposal)
    if status == "seconding":
        return refresh(proposal)
    services.proposal_send_for_review(actor=proposer, proposal=proposal)
    if status == "submitted":
        return refresh(proposal)
    if status == "converted":
        reason = "作为建议转有关部门参考"
        return services.proposal_convert(actor=congress["committee"], proposal=proposal, reason=reason)
    services.proposal_accept(actor=congress["committee"], proposal=proposal, reason="符合立案条件")
    if status == "accepted":
        return refresh(proposal)
    services.proposal_refer(actor=congress["committee"], proposal=proposal, department=congress["department"])
    if status == "referred":
        return refresh(proposal)
    handling.proposal_reply(actor=congress["handler"], proposal=proposal, body="已列入年度改造计划，三季度完成。")
    if status == "replied":
        return refresh(proposal)
    if status == "rehandling":
        handling.proposal_rate(actor=proposer, proposal=proposal, rating="dissatisfied", comment="时间太晚")
        return refresh(proposal)
    if status == "closed":
        handling.proposal_rate(actor=proposer, proposal=proposal, rating="satisfied")
        return refresh(proposal)
    raise ValueError(status)


def refresh(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_related("session__congress", "proposer__member", "department").get(pk=proposal.pk)
