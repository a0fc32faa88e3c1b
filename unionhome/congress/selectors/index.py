"""What the congress's front page shows a person: their seats, the sessions and the cadre entry points."""

from django.db.models import Exists, OuterRef

from unionhome.access.policy import has_permission_anywhere
from unionhome.congress import seats
from unionhome.congress.models import CheckIn, CongressSession, Representative

# Permissions that decide which cadre sections the page shows.
_PAGE_PERMISSIONS = [
    "congress.view",
    "congress.manage",
    "congress.check_in",
    "congress.run_votes",
    "congress.view_proposals",
    "congress.review_proposals",
    "congress.manage_departments",
    "congress.manage_decisions",
    "congress.view_reports",
]
CURRENT_SESSIONS = 20


def seat_list(user) -> list[Representative]:
    """The user's seats as a representative, current terms first."""
    return list(
        seats.seats_of(user).select_related("congress", "delegation__unit").order_by("-congress__starts_on", "-id")
    )


def current_sessions_of(user, seats: list[Representative]) -> list[CongressSession]:
    """Sessions of the user's terms that are planned or in progress, each with ``checked_in`` (one query)."""
    if not seats:
        return []
    mine = CheckIn.objects.filter(session_id=OuterRef("pk"), representative__member_id=user.member_id)
    return list(
        CongressSession.objects.filter(congress_id__in=[s.congress_id for s in seats])
        .exclude(status=CongressSession.Status.CLOSED)
        .annotate(checked_in=Exists(mine))
        .select_related("congress")
        .order_by("starts_at", "id")[:CURRENT_SESSIONS]
    )


def congress_front_page(user) -> dict:
    seats = seat_list(user)
    can = {p.split(".", 1)[1]: has_permission_anywhere(user, p) for p in _PAGE_PERMISSIONS}
    sessions = current_sessions_of(user, seats)
    return {
        "seats": seats,
        "sessions": sessions,
        "can": can,
        "is_cadre": any(can.values()),
        "in_progress": [s for s in sessions if s.status == CongressSession.Status.IN_PROGRESS],
    }
