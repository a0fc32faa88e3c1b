"""The surveys' menu entries and the prompt on a member's home page."""

from django.utils.translation import gettext_lazy as _

from unionhome.home.member_prompts import register_prompts
from unionhome.home.navigation import NavItem, register
from unionhome.surveys.selectors_answer import survey_prompts

register(NavItem(_("Surveys"), "surveys:mine", None, order=39))
register_prompts(survey_prompts, _("Surveys waiting for your answer"))
register(NavItem(_("Survey building"), "surveys:manage", "satisfaction.manage_surveys", order=40))
