"""Workers' voices (职工诉求): appeals, their routing and deadlines, and the first-signal counts."""

from unionhome.voices.models.appeals import (  # noqa: F401
    Appeal,
    AppealAttachment,
    AppealCategory,
    AppealEvent,
    AppealKind,
    AppealReply,
)
from unionhome.voices.models.routing import CategoryPolicy, RoutingRule  # noqa: F401
from unionhome.voices.models.signals import (  # noqa: F401
    AppealCount,
    AppealVolume,
    SignalAlert,
    TopicCount,
    TopicVolume,
)
