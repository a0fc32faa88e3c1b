"""The survey API, mounted at ``/api/v1/satisfaction/surveys``: surveys to answer and answering
(``api_answer``), building and sending (``api_build``), results and exports (``api_results``),
driver analysis (``api_drivers``)."""

from ninja import Router

from unionhome.surveys.api_answer import router as answer_router
from unionhome.surveys.api_build import router as build_router
from unionhome.surveys.api_drivers import router as drivers_router
from unionhome.surveys.api_results import router as results_router

router = Router(tags=["surveys"])
router.add_router("", answer_router)
router.add_router("", build_router)
router.add_router("", results_router)
router.add_router("", drivers_router)
