"""A person's seats in the congress: the one place that says who is a seated representative.

Being a representative is not a permission but a seated ``Representative`` row of a term whose member is
the user's member record (an active account only).
"""

from typing import Any

from django.db.models import QuerySet

from unionhome.congress.models import Representative


def seats_of(user: Any) -> QuerySet[Representative]:
    """The user's seated representative rows, in every term (none for an inactive account or no member)."""
    member_id = getattr(user, "member_id", None)
    if member_id is None or not getattr(user, "is_active", False):
        return Representative.objects.none()
    return Representative.objects.filter(member_id=member_id, status=Representative.Status.SEATED)


def seat_in(user: Any, congress_id: int) -> Representative | None:
    """The user's seat in this term, or None."""
    return seats_of(user).filter(congress_id=congress_id).first()
