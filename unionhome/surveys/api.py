"""The survey API for cadres, mounted at ``/api/v1/satisfaction/surveys``: building and sending
(``api_build``), results and exports (``api_results``), driver analysis (``api_drivers``)."""

from ninja import Router

from unionhome.surveys.api_build import router as build_router
from unionhome.surveys.api_drivers import router as drivers_router
from unionhome.surveys.api_results import router as results_router

router = Router(tags=["surveys"])
router.add_router("", build_router)
router.add_router("", results_router)
router.add_router("", drivers_router)

# Surveys to answer and answering (``api_answer``) are mounted at ``/api/v1/satisfaction`` itself, with
# their own ``/surveys…`` paths: the list is ``/surveys``, with no trailing slash, like every other list.
