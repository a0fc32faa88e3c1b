"""What a worker can rate: a registry of served-item models.

An app registers each model whose items its members can rate (an assistance, a visit, an
education-aid payment…), saying which service line it belongs to, which field holds the served
member, the unit path and the answerable cadre, and which items are ready to rate (a filter, so
that "what is waiting for my rating" is one query per registered model)::

    register(Ratable(model=Visit, service_line=VISITS, ready=Q(status="done"),
                     cadre_field="recorded_by", served_on_field="visited_on", describe=...))

``describe`` names the item in detail (a visit's occasion, a child's name…) for the signed-in pages where the
member sees their own item. ``notice_title`` names it neutrally for what may leave the site (the rating
request's inbox title, its email and robot message); by default ``neutral_notice``: the line's label and the
served date, nothing else (``Ratable.notice_of``).

Registrations live in each app's ``ratings.py`` module, imported at startup by the satisfaction
app (``SatisfactionConfig.ready``).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.satisfaction.service_lines import service_line_label


@dataclass(frozen=True)
class Ratable:
    model: type[models.Model]
    service_line: str
    ready: Q  # items in this filter may be rated
    describe: Callable[[Any], str]  # a short, translated line naming the item for the member, on signed-in pages
    member_field: str = "member"
    unit_path_field: str = "unit_path"
    cadre_field: str = ""  # the user answerable for the service ("" when none)
    served_on_field: str = ""  # a date or datetime field: when the member was served
    select_related: tuple[str, ...] = field(default=())
    # A neutral, translated name of the item for notices leaving the site; None: ``neutral_notice``.
    notice_title: Callable[[Any], str] | None = None

    @property
    def item_type(self) -> str:
        """How ratings name this model (``Rating.item_type``), e.g. ``"assistance.assistance"``."""
        return self.model._meta.label_lower

    def member_id_of(self, item) -> int | None:
        return getattr(item, f"{self.member_field}_id")

    def unit_path_of(self, item) -> str:
        return getattr(item, self.unit_path_field)

    def cadre_id_of(self, item) -> int | None:
        return getattr(item, f"{self.cadre_field}_id") if self.cadre_field else None

    def served_on(self, item) -> datetime.date | None:
        value = getattr(item, self.served_on_field, None) if self.served_on_field else None
        if isinstance(value, datetime.datetime):
            return timezone.localdate(value) if timezone.is_aware(value) else value.date()
        return value

    def notice_of(self, item) -> str:
        """The item named for a notice (inbox title, email, robot): no detail beyond the line and the date."""
        if self.notice_title is not None:
            return self.notice_title(item)
        return neutral_notice(service_line_label(self.service_line), self.served_on(item))

    def is_ready(self, item) -> bool:
        """Whether the item is ready to rate, asked of the database with the same filter as the lists."""
        return self.model._default_manager.filter(self.ready, pk=item.pk).exists()

    def rate_url(self, item) -> str:
        return reverse("satisfaction:rate", args=[self.item_type, item.pk])


def neutral_notice(line: str, served_on: datetime.date | None) -> str:
    """Neutral: "the service you received on 2026-11-20 (Visits and condolences)", in the active language."""
    if served_on is None:
        return _("the service you received (%(line)s)") % {"line": line}
    return _("the service you received on %(date)s (%(line)s)") % {"date": served_on.isoformat(), "line": line}


_REGISTRY: dict[str, Ratable] = {}


def register(ratable: Ratable) -> Ratable:
    _REGISTRY[ratable.item_type] = ratable
    return ratable


def unregister(item_type: str) -> None:
    _REGISTRY.pop(item_type, None)


def ratable_types() -> list[Ratable]:
    return sorted(_REGISTRY.values(), key=lambda r: r.item_type)


def ratable_for_type(item_type: str) -> Ratable | None:
    return _REGISTRY.get(item_type)


def ratable_for(item) -> Ratable | None:
    return _REGISTRY.get(item._meta.label_lower)
