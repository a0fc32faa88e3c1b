"""Reads of ratings for the served member: what waits for their rating, what they rated.

Ratings are not anonymous (each is tied to the served member, so it cannot be given twice), but
no page or endpoint shows a cadre the raw ratings: the coming satisfaction index reads them in
aggregate only. The rated cadre never learns who gave which score.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from unionhome.access.policy import OutOfScope
from unionhome.satisfaction.edit_window import change_until, open_for_change
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.ratable import Ratable, ratable_for_type, ratable_types
from unionhome.satisfaction.service_lines import service_line_label

# Items per type on the pending list: older help the member never rated falls off eventually.
PENDING_PER_TYPE = 50


@dataclass(frozen=True)
class PendingRating:
    item_type: str
    item_id: int
    service_line: str
    service_line_label: str
    title: str
    served_on: datetime.date | None
    url: str


def pending_ratings(member) -> list[PendingRating]:
    """Items served to ``member``, ready to rate and not rated yet, across every registered type,
    the most recent first. One query per registered type, whatever the number of items."""
    if member is None:
        return []
    pending: list[PendingRating] = []
    for ratable in ratable_types():
        rated = Rating.objects.filter(item_type=ratable.item_type, member=member).values("item_id")
        order = [f"-{ratable.served_on_field}", "-pk"] if ratable.served_on_field else ["-pk"]
        items = (
            ratable.model._default_manager.filter(ratable.ready, **{ratable.member_field: member})
            .exclude(pk__in=rated)
            .select_related(*ratable.select_related)
            .order_by(*order)[:PENDING_PER_TYPE]
        )
        for item in items:
            pending.append(_pending(ratable, item))
    return sorted(pending, key=lambda p: (p.served_on or datetime.date.min, p.item_id), reverse=True)


def _pending(ratable: Ratable, item) -> PendingRating:
    return PendingRating(
        item_type=ratable.item_type,
        item_id=item.pk,
        service_line=ratable.service_line,
        service_line_label=service_line_label(ratable.service_line),
        title=ratable.describe(item),
        served_on=ratable.served_on(item),
        url=ratable.rate_url(item),
    )


def ratings_given(member) -> QuerySet[Rating]:
    """The member's own ratings, newest first (theirs to see; nobody else reads them one by one)."""
    return Rating.objects.filter(member=member).order_by("-rated_at", "-id")


@dataclass(frozen=True)
class GivenRating:
    rating: Rating
    service_line_label: str
    change_until: datetime.datetime
    change_url: str  # the rate page where it can still be changed; "" once it cannot


def given_ratings(member, limit: int) -> list[GivenRating]:
    """The member's ``limit`` latest ratings with their line's label and, while it may still be changed,
    where to change it. One query."""
    if member is None:
        return []
    now = timezone.now()
    return [
        GivenRating(
            rating=r,
            service_line_label=service_line_label(r.service_line),
            change_until=change_until(r.rated_at),
            change_url=reverse("satisfaction:rate", args=[r.item_type, r.item_id]) if open_for_change(r, now) else "",
        )
        for r in ratings_given(member)[:limit]
    ]


def own_rating(user, rating_id: int) -> Rating:
    """The caller's own named rating ``rating_id``; ``OutOfScope`` (404) for anyone else's or an unknown one."""
    member_id = getattr(user, "member_id", None)
    rating = Rating.objects.filter(pk=rating_id, member_id=member_id).first() if member_id is not None else None
    if rating is None:
        raise OutOfScope
    return rating


def rateable_item_for(user, item_type: str, item_id: int):
    """The ratable item ``item_type``/``item_id`` when ``user`` is the member it served, with its
    registration; ``OutOfScope`` (404) for an unknown type, an unknown item, or someone else's."""
    ratable = ratable_for_type(item_type)
    member_id = getattr(user, "member_id", None)
    if ratable is None or member_id is None:
        raise OutOfScope
    item = (
        ratable.model._default_manager.select_related(*ratable.select_related)
        .filter(pk=item_id, **{f"{ratable.member_field}_id": member_id})
        .first()
    )
    if item is None:
        raise OutOfScope
    return ratable, item


def rating_of(user, ratable: Ratable, item) -> Rating | None:
    return Rating.objects.filter(item_type=ratable.item_type, item_id=item.pk, member_id=user.member_id).first()
