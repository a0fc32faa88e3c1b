"""A cadre's work queue: later features (hardship reviews, overdue follow-ups, proposals to handle,
appeals to answer) register a provider that yields the items waiting for this user, under a heading."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class WorkItem:
    title: str
    url: str
    due: str = ""
    kind: str = ""


Provider = Callable[[object], Iterable[WorkItem]]
_PROVIDERS: list[tuple[Provider, str | Promise]] = []


def register_provider(provider: Provider, label: str | Promise = "") -> None:
    """Add ``provider``; its items are shown under ``label`` (a heading) on the home page."""
    if all(p is not provider for p, _ in _PROVIDERS):
        _PROVIDERS.append((provider, label))


def work_queue_groups(user) -> list[tuple[str, list[WorkItem]]]:
    """The non-empty groups of the user's queue, as (heading, items), in registration order."""
    groups: list[tuple[str, list[WorkItem]]] = []
    for provider, label in _PROVIDERS:
        items = list(provider(user))
        if items:
            groups.append((str(label), items))
    return groups


def work_queue_for(user) -> list[WorkItem]:
    return [item for _, items in work_queue_groups(user) for item in items]
