"""What waits for a worker on the home page, whatever their role: a vote open for them, a proposal to
second, the latest disclosure notices. Each app registers a provider that yields the prompts for this
user, shown under a heading (like the cadre's work queue in ``work_queue.py``)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Prompt:
    title: str
    url: str
    note: str = ""  # a short line beside the title: a date, "unread", "open now"
    urgent: bool = False


Provider = Callable[[object], Iterable[Prompt]]
_PROVIDERS: list[tuple[Provider, str | Promise]] = []


def register_prompts(provider: Provider, label: str | Promise) -> None:
    if all(p is not provider for p, _ in _PROVIDERS):
        _PROVIDERS.append((provider, label))


def prompt_groups(user) -> list[tuple[str, list[Prompt]]]:
    """The non-empty groups of prompts for ``user``, as (heading, prompts), in registration order."""
    groups = []
    for provider, label in _PROVIDERS:
        prompts = list(provider(user))
        if prompts:
            groups.append((str(label), prompts))
    return groups
