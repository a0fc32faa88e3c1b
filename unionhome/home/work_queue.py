"""A cadre's work queue: later features (hardship reviews, overdue follow-ups, proposals to handle,
appeals to answer) register a provider that yields the items waiting for this user."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkItem:
    title: str
    url: str
    due: str = ""
    kind: str = ""


Provider = Callable[[object], Iterable[WorkItem]]
_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def work_queue_for(user) -> list[WorkItem]:
    items: list[WorkItem] = []
    for provider in _PROVIDERS:
        items.extend(provider(user))
    return items
