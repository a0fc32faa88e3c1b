"""The external channels. Each ``send_*`` either returns (the channel took the message) or raises
``TemporaryFailure`` (try again later: a timeout, a 5xx, an unreachable host, the platform's error code)
or ``PermanentFailure`` (trying again cannot help: an address refused, a webhook no longer allowed).
The reason is a sentence an admin reads on the deliveries page."""

from dataclasses import dataclass

from django.conf import settings


class ChannelFailure(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason[:500]


class TemporaryFailure(ChannelFailure):
    pass


class PermanentFailure(ChannelFailure):
    pass


@dataclass(frozen=True)
class Outgoing:
    title: str
    body: str
    url: str
    idempotency_key: str

    @property
    def link(self) -> str:
        """The absolute address of ``url`` when the site's address is known, else empty."""
        if self.url.startswith("/") and not self.url.startswith("//") and settings.UNIONHOME_SITE_URL:
            return settings.UNIONHOME_SITE_URL + self.url
        return ""
