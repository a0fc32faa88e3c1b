"""The congress's service lines (see ``unionhome.satisfaction.service_lines``): the proposer's rating of a
department's reply (``services/proposal_handling.py``) and the representatives' rating of a decision's
implementation (``services/tracking.py``). Imported at startup by the satisfaction app."""

from django.utils.translation import gettext_lazy as _

from unionhome.satisfaction.service_lines import ServiceLineSpec, register_service_line

PROPOSAL_REPLIES = "proposal_replies"
DECISION_IMPLEMENTATION = "decision_implementation"

register_service_line(ServiceLineSpec(PROPOSAL_REPLIES, _("Replies to congress proposals"), order=40))
register_service_line(ServiceLineSpec(DECISION_IMPLEMENTATION, _("Implementation of congress decisions"), order=50))
