"""The survey API for driver analysis."""

from ninja import Router

router = Router(tags=["surveys"])
