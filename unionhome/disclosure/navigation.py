"""The disclosure board's menu entry and the providers of a cadre's work queue."""

from django.utils.translation import gettext_lazy as _

from unionhome.disclosure.selectors.notices import notice_prompts
from unionhome.disclosure.selectors.questions import question_work_items
from unionhome.home.member_prompts import register_prompts
from unionhome.home.navigation import NavItem, register
from unionhome.home.work_queue import register_provider

register(NavItem(_("Disclosure"), "disclosure:index", None, order=45))

register_provider(question_work_items, _("Questions on notices"))
register_prompts(notice_prompts, _("Factory-affairs notices"))
