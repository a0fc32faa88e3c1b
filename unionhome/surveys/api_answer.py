"""The survey API for answer."""

from ninja import Router

router = Router(tags=["surveys"])
