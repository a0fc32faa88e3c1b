"""Background work of notifications: email delivery, and an hourly retry of what could not be sent."""

import datetime

from django_tasks import task

from unionhome.notify.services import notification_email, notification_emails_retry
from unionhome.server.scheduler import PeriodicJob, schedule


@task()
def email_notification(notification_id: int) -> bool:
    """Email one notification to its recipient (see ``notification_email``)."""
    return notification_email(notification_id=notification_id)


@task()
def retry_notification_emails() -> int:
    """Queue again the emails that failed in the last day."""
    return notification_emails_retry()


schedule(PeriodicJob("notify.email_retry", retry_notification_emails, every=datetime.timedelta(hours=1)))
