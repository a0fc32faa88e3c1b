"""The database session store, remembering when the loaded session is due to expire.

The idle limit of a session is its expiry in the database (``SESSION_COOKIE_AGE`` after the last save).
Saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``) would make every request a write —
for a ballot, a second write transaction beside the ballot itself. Instead
``accounts.middleware.SessionLimitsMiddleware`` renews the expiry once it has run down by
``UNIONHOME_SESSION_RENEW_SECONDS`` (a minute): the idle limit holds to within that minute, and a worker
clicking through pages writes their session about once a minute, not once a page.
"""

import datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    stored_expiry: datetime.datetime | None = None

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()
        self.stored_expiry = stored.expire_date if stored is not None else None
        return stored
