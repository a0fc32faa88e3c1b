"""What the hardship-file service tests read back after a step: the file's workflow history (action, from
state, to state) and the kinds of the notifications its member was sent, oldest first."""

from unionhome.assistance.models import FileEvent
from unionhome.notify.models import Notification


def history(file) -> list[tuple[str, str, str]]:
    return list(FileEvent.objects.filter(file=file).values_list("action", "from_state", "to_state"))


def notices(centre) -> list[str]:
    return list(Notification.objects.filter(recipient=centre["member"]).order_by("id").values_list("kind", flat=True))
