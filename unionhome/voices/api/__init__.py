"""The voices API under /api/v1/voices/: one router per concept, same selectors and services as the pages."""

from ninja import Router

from unionhome.voices.api import anonymous, appeals, config, handling, signals

router = Router(tags=["voices"])
router.add_router("", appeals.router)
router.add_router("", anonymous.router)
router.add_router("", handling.router)
router.add_router("", signals.router)
router.add_router("", config.router)
