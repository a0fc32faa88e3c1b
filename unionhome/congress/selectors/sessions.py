"""Reads of terms, sessions, delegations, representatives, check-ins and handling departments.

Who sees what:

* a term and its sessions: whoever holds ``congress.view`` on the union or on a unit inside it (a
  branch chair follows their union's congress), and every representative seated in the term;
* the composition and every delegation: ``congress.view`` on the union (the congress office, chairs);
  a branch cadre sees the delegations of their own units;
* departments: ``congress.manage_departments``, reviewers of proposals, and the department's handlers.

Anything else is ``OutOfScope`` (404). Counts are computed in the database, one query each.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, can, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.accounts.models import User
from unionhome.congress.models import CheckIn, Congress, CongressSession, Delegation, HandlingDepartment, Representative
from unionhome.home.work_queue import WorkItem
from unionhome.org.models import Member, OrgUnit
from unionhome.org.selectors import member_search

VIEW = "congress.view"
MANAGE = "congress.manage"
CHECK_IN = "congress.check_in"
DEPARTMENTS = "congress.manage_departments"
SEARCH_RESULTS = 30
PAGE_SIZE = 50
WORK_QUEUE_ITEMS = 10
_DAY = datetime.timedelta(days=1)

Seated = Representative.Status.SEATED


# --- scope ---------------------------------------------------------------------------------------


def seat_congress_ids(user) -> list[int]:
    """Terms in which the user holds a seat (one query; cached on the user object)."""
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return []
    cached = getattr(user, "_congress_seat_ids", None)
    if cached is None:
        cached = list(
            Representative.objects.filter(member_id=member_id, status=Seated).values_list("congress_id", flat=True)
        )
        user._congress_seat_ids = cached
    return cached


def _unions_above(roots: list[str]) -> set[str]:
    """The paths of every unit above (and at) the roots: a branch grant follows its union's congress."""
    return {root[:end] for root in roots for end in range(OrgUnit.steplen, len(root) + 1, OrgUnit.steplen)}


def _term_visible_q(viewer) -> Q:
    """Rows (terms or sessions, by their union's ``unit_path``) visible through ``congress.view``."""
    roots = scope_roots(viewer, VIEW)
    q = paths_scope_q(roots)
    above = _unions_above(roots)
    if above:
        q |= Q(unit_path__in=above)
    return q


def congresses_for(viewer) -> QuerySet[Congress]:
    """Terms the viewer may see, newest first."""
    q = _term_visible_q(viewer)
    seats = seat_congress_ids(viewer)
    if seats:
        q |= Q(pk__in=seats)
    return Congress.objects.filter(q).select_related("unit").order_by("-starts_on", "-id")


def congress_for(viewer, pk: int) -> Congress:
    term = congresses_for(viewer).filter(pk=pk).first()
    if term is None:
        raise OutOfScope
    return term


def sessions_for(viewer) -> QuerySet[CongressSession]:
    """Sessions the viewer may see (those of visible terms), newest first."""
    q = _term_visible_q(viewer)
    seats = seat_congress_ids(viewer)
    if seats:
        q |= Q(congress_id__in=seats)
    return CongressSession.objects.filter(q).select_related("congress").order_by("-starts_at", "-id")


def session_for(viewer, pk: int) -> CongressSession:
    session = sessions_for(viewer).filter(pk=pk).first()
    if session is None:
        raise OutOfScope
    return session


def managed_sessions_for(viewer, permission: str = MANAGE) -> QuerySet[CongressSession]:
    return CongressSession.objects.filter(paths_scope_q(scope_roots(viewer, permission))).select_related("congress")


# --- counts and composition ----------------------------------------------------------------------


def session_counts(session: CongressSession) -> dict[str, int]:
    """``{"seated": …, "present": …}``: the term's seated representatives, and those of them checked in
    at ``session``. One aggregate query over the term's seated rows (an index probe per row)."""
    checked_in = CheckIn.objects.filter(session_id=session.pk, representative_id=OuterRef("pk"))
    counts = Representative.objects.filter(congress_id=session.congress_id, status=Seated).aggregate(
        seated=Count("pk"), present=Count("pk", filter=Exists(checked_in))
    )
    return {"seated": counts["seated"] or 0, "present": counts["present"] or 0}


@dataclass(frozen=True)
class CompositionCheck:
    code: str  # front_line, women, management
    label: str
    count: int
    total: int
    threshold: int  # percent
    at_least: bool  # True: count must reach the threshold; False: must stay within it

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.total, 1) if self.total else 0.0

    @property
    def met(self) -> bool:
        if not self.total:
            return False
        if self.at_least:
            return self.count * 100 >= self.threshold * self.total
        return self.count * 100 <= self.threshold * self.total


def composition(congress: Congress) -> list[CompositionCheck]:
    """Front-line workers, women and management among the seated representatives against the term's
    thresholds. One aggregate query."""
    counts = Representative.objects.filter(congress_id=congress.pk, status=Seated).aggregate(
        total=Count("pk"),
        front_line=Count("pk", filter=Q(category=Representative.Category.FRONT_LINE)),
        women=Count("pk", filter=Q(member__gender=Member.Gender.FEMALE)),
        management=Count("pk", filter=Q(category=Representative.Category.MANAGEMENT)),
    )
    total = counts["total"] or 0
    return [
        CompositionCheck(
            "front_line", _("Front-line workers"), counts["front_line"], total, congress.min_front_line_percent, True
        ),
        CompositionCheck("women", _("Women"), counts["women"], total, congress.min_women_percent, True),
        CompositionCheck(
            "management", _("Management"), counts["management"], total, congress.max_management_percent, False
        ),
    ]


def delegations_of(viewer, congress: Congress) -> QuerySet[Delegation]:
    """The term's delegations the viewer may see, each with ``seated`` (seats filled), in unit order."""
    delegations = Delegation.objects.filter(congress_id=congress.pk)
    if not can(viewer, VIEW, congress):
        delegations = delegations.filter(paths_scope_q(scope_roots(viewer, VIEW)))
    return (
        delegations.select_related("unit")
        .annotate(seated=Count("representatives", filter=Q(representatives__status=Seated)))
        .order_by("unit_path")
    )


def delegation_for(viewer, pk: int) -> Delegation:
    delegation = (
        Delegation.objects.filter(paths_scope_q(scope_roots(viewer, VIEW)), pk=pk)
        .select_related("unit", "congress")
        .annotate(seated=Count("representatives", filter=Q(representatives__status=Seated)))
        .first()
    )
    if delegation is None:
        raise OutOfScope
    return delegation


# --- representatives -----------------------------------------------------------------------------


def representatives_of(delegation: Delegation, *, include_withdrawn: bool = True) -> QuerySet[Representative]:
    """A delegation's representatives in pinyin order (seated first when withdrawn ones are shown)."""
    reps = Representative.objects.filter(delegation_id=delegation.pk)
    if not include_withdrawn:
        reps = reps.filter(status=Seated)
    return reps.select_related("member__unit").order_by("-status", "member__name_pinyin", "id")


def representative_for(viewer, pk: int) -> Representative:
    rep = (
        Representative.objects.filter(paths_scope_q(scope_roots(viewer, VIEW)), pk=pk)
        .select_related("member", "delegation__unit", "congress")
        .first()
    )
    if rep is None:
        raise OutOfScope
    return rep


def seat_candidates(delegation: Delegation, query: str) -> QuerySet[Member]:
    """Active members of the delegation's unit subtree not seated in the term, matching ``query``."""
    seated = Representative.objects.filter(congress_id=delegation.congress_id, status=Seated, member_id=OuterRef("pk"))
    members = Member.objects.filter(paths_scope_q([delegation.unit_path]), status=Member.Status.ACTIVE).exclude(
        Exists(seated)
    )
    return member_search(members, query).select_related("unit").order_by("name_pinyin", "id")[:SEARCH_RESULTS]


def session_representatives(session: CongressSession, query: str = "") -> QuerySet[Representative]:
    """The term's seated representatives with ``checked_in`` (at ``session``), in pinyin order; ``query``
    finds them by name, pinyin initials or employee number as the member directory does."""
    reps = Representative.objects.filter(congress_id=session.congress_id, status=Seated)
    if query:
        found = member_search(Member.objects.filter(union_id=session.congress.unit_id), query)
        reps = reps.filter(member_id__in=found.values("pk"))
    return (
        reps.annotate(
            checked_in=Exists(CheckIn.objects.filter(session_id=session.pk, representative_id=OuterRef("pk")))
        )
        .select_related("member", "delegation__unit")
        .order_by("member__name_pinyin", "id")
    )


def check_in_of(user, session: CongressSession) -> CheckIn | None:
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return None
    return CheckIn.objects.filter(session_id=session.pk, representative__member_id=member_id).first()


# --- departments ---------------------------------------------------------------------------------


def _department_q(viewer) -> Q:
    q = Q()
    for permission in (DEPARTMENTS, "congress.review_proposals", "congress.view_proposals"):
        q |= paths_scope_q(scope_roots(viewer, permission))
    return q | Q(handlers=viewer.pk) if getattr(viewer, "pk", None) else q


def departments_for(viewer) -> QuerySet[HandlingDepartment]:
    """Departments the viewer may see, with their handlers (one more query for all of them)."""
    ids = HandlingDepartment.objects.filter(_department_q(viewer)).values("pk")
    return (
        HandlingDepartment.objects.filter(pk__in=ids)
        .prefetch_related(Prefetch("handlers", queryset=User.objects.select_related("member").order_by("username")))
        .order_by("unit_path", "-is_active", "name")
    )


def managed_departments_for(viewer) -> QuerySet[HandlingDepartment]:
    """Departments the viewer sets up (``congress.manage_departments``)."""
    return departments_for(viewer).filter(paths_scope_q(scope_roots(viewer, DEPARTMENTS)))


def managed_department_for(viewer, pk: int) -> HandlingDepartment:
    department = (
        HandlingDepartment.objects.filter(paths_scope_q(scope_roots(viewer, DEPARTMENTS)), pk=pk)
        .prefetch_related(Prefetch("handlers", queryset=User.objects.select_related("member").order_by("username")))
        .first()
    )
    if department is None:
        raise OutOfScope
    return department


def handler_candidates(viewer, department: HandlingDepartment, query: str) -> list[User]:
    """Active accounts found by exact username, or by their member's name/pinyin/employee number among
    the members the viewer may see, not yet handlers of ``department``."""
    from unionhome.org.selectors import members_for

    query = "".join(ch for ch in query if ch.isprintable()).strip()[:50]
    if not query:
        return []
    by_member = member_search(members_for(viewer), query).filter(user__isnull=False).values("user")
    users = (
        User.objects.filter(Q(username=query) | Q(pk__in=by_member), is_active=True)
        .exclude(handling_departments=department)
        .select_related("member__unit")
        .order_by("username")[:SEARCH_RESULTS]
    )
    return list(users)


# --- work queue ----------------------------------------------------------------------------------


def session_work_items(user) -> list[WorkItem]:
    """The work-queue provider: today's sessions in progress, for those who check representatives in."""
    if not getattr(user, "is_authenticated", False):
        return []
    roots = scope_roots(user, CHECK_IN)
    if not roots:
        return []
    now = timezone.now()
    today = timezone.localdate()
    sessions = (
        CongressSession.objects.filter(
            paths_scope_q(roots), status=CongressSession.Status.IN_PROGRESS, starts_at__lte=now + _DAY, ends_at__gte=now
        )
        .select_related("congress")
        .order_by("starts_at", "id")[:WORK_QUEUE_ITEMS]
    )
    return [
        WorkItem(
            title=_("Check-in is open: %(session)s") % {"session": s.title},
            url=reverse("congress:session_hall", args=[s.pk]),
            due=_("today") if timezone.localtime(s.starts_at).date() <= today else "",
            kind="congress.check_in",
        )
        for s in sessions
    ]
