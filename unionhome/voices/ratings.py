"""The voices' service line (see ``unionhome.satisfaction.service_lines``): the submitter's rating of the
answer to their appeal (``services/feedback.py``). Imported at startup by the satisfaction app."""

from django.utils.translation import gettext_lazy as _

from unionhome.satisfaction.service_lines import ServiceLineSpec, register_service_line

APPEALS = "appeals"

register_service_line(ServiceLineSpec(APPEALS, _("Answers to workers' appeals"), order=60))
