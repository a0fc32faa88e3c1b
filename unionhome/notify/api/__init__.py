"""The notify API under /api/v1/notify/: the caller's inbox and notification preferences.

(The project mounts this router at the API's root, so the paths below carry the ``/notify`` prefix.)"""

from ninja import Router

from unionhome.notify.api.inbox import router as inbox_router
from unionhome.notify.api.preferences import router as preferences_router

router = Router(tags=["notifications"])
router.add_router("/notify", inbox_router)
router.add_router("/notify", preferences_router)
