"""The main menu. Each app registers its entries in ``AppConfig.ready``; a permission hides an entry."""

from dataclasses import dataclass

from django.urls import reverse

from unionhome.access.policy import has_permission_anywhere


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None
    order: int = 100


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if item not in _ITEMS:
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: i.order)


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    return [
        {"label": i.label, "url": reverse(i.url_name)}
        for i in _ITEMS
        if i.permission is None or has_permission_anywhere(user, i.permission)
    ]
