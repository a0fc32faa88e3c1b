"""The centre's API under /api/v1/assistance/: one router per concept, same policy as the pages."""

from ninja import Router

router = Router(tags=["assistance"])
