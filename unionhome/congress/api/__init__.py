"""The congress's API under /api/v1/congress/: one router per concept, same policy as the pages."""

from ninja import Router

router = Router(tags=["congress"])

from unionhome.congress.api.sessions import router as sessions_router  # noqa: E402

router.add_router("", sessions_router)

from unionhome.congress.api.votes import router as votes_router  # noqa: E402

router.add_router("", votes_router)

from unionhome.congress.api.proposals import router as proposals_router  # noqa: E402

router.add_router("", proposals_router)

from unionhome.congress.api.decisions import router as decisions_router  # noqa: E402

router.add_router("", decisions_router)
