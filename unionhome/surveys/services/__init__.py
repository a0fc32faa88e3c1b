"""Every write of surveys: building (``building.py``, ``questions.py``), inviting and reminding
(``invitations.py``) and answering (``answering.py``)."""

from unionhome.surveys.services.answering import NotInvited, response_submit  # noqa: F401
from unionhome.surveys.services.building import (  # noqa: F401
    survey_close,
    survey_create,
    survey_open,
    survey_update,
)
from unionhome.surveys.services.invitations import survey_invite, survey_remind  # noqa: F401
from unionhome.surveys.services.questions import (  # noqa: F401
    question_add,
    question_remove,
    question_update,
    questions_reorder,
)
