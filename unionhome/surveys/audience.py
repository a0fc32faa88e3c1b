"""Who a survey is sent to: ``audience_members(survey)``.

The active members whose unit lies in the subtree of one of ``audience_units`` (one indexed prefix match
on ``Member.unit_path`` per disjoint subtree); when ``audience_tags`` are set, only those carrying at least
one of them; when ``representatives_only`` is set, only seated representatives (``Representative`` with
status "seated", the one record of a seat, as in ``congress/seats.py``) of a congress term running on the
day asked (``starts_on <= day <= ends_on``).
"""

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from unionhome.access.scope import paths_scope_q
from unionhome.congress.models import Representative
from unionhome.org.models import Member
from unionhome.surveys.models import Survey


def disjoint_roots(paths: list[str]) -> list[str]:
    """The top-most of ``paths``: a path under another one adds nothing to a subtree filter."""
    roots: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def seated_representatives(day: datetime.date) -> QuerySet[Representative]:
    """Seats held on ``day``: seated representatives of a term running then."""
    return Representative.objects.filter(
        status=Representative.Status.SEATED, congress__starts_on__lte=day, congress__ends_on__gte=day
    )


def audience_members(survey: Survey, *, day: datetime.date | None = None) -> QuerySet[Member]:
    """The members ``survey`` is for (see the module's description), as a queryset without an order."""
    roots = disjoint_roots(list(survey.audience_units.values_list("path", flat=True)))
    members = Member.objects.filter(status=Member.Status.ACTIVE).filter(paths_scope_q(roots, "unit_path"))
    tag_ids = list(survey.audience_tags.values_list("pk", flat=True))
    if tag_ids:
        tagged = Member.tags.through.objects.filter(member_id=OuterRef("pk"), membertag_id__in=tag_ids)
        members = members.filter(Exists(tagged))
    if survey.representatives_only:
        seats = seated_representatives(day or timezone.localdate()).filter(member_id=OuterRef("pk"))
        members = members.filter(Exists(seats))
    return members.order_by()
