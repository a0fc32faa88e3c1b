"""The survey API for results."""

from ninja import Router

router = Router(tags=["surveys"])
