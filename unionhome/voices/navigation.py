"""The voices menu entry, a cadre's work queue of appeals and the prompts on a worker's home page."""

from django.utils.translation import gettext_lazy as _

from unionhome.home.member_prompts import register_prompts
from unionhome.home.navigation import NavItem, register
from unionhome.home.work_queue import register_provider
from unionhome.voices.selectors.appeals import appeal_prompts
from unionhome.voices.selectors.queue import appeal_work_items

register(NavItem(_("Voices"), "voices:index", None, order=35))
register(NavItem(_("First signals"), "voices:signals", "voices.view_signals", order=36))
register(NavItem(_("Hot issues"), "voices:hot", None, order=37))

register_provider(appeal_work_items, _("Workers' appeals"))
register_prompts(appeal_prompts, _("My appeals"))
