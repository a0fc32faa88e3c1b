"""The survey API for build."""

from ninja import Router

router = Router(tags=["surveys"])
