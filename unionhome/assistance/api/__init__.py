"""The centre's API under /api/v1/assistance/: one router per concept, same policy as the pages."""

from ninja import Router

router = Router(tags=["assistance"])

from unionhome.assistance.api.follow_ups import router as follow_ups_router  # noqa: E402

router.add_router("", follow_ups_router)

from unionhome.assistance.api.money import router as money_router  # noqa: E402

router.add_router("", money_router)

from unionhome.assistance.api.aid import router as aid_router  # noqa: E402

router.add_router("", aid_router)

from unionhome.assistance.api.reports import router as reports_router  # noqa: E402

router.add_router("", reports_router)

from unionhome.assistance.api.files import router as files_router  # noqa: E402

router.add_router("", files_router)

from unionhome.assistance.api.visits import router as visits_router  # noqa: E402

router.add_router("", visits_router)
