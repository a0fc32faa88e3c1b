"""The congress's menu entries and the providers of a cadre's work queue."""

from django.utils.translation import gettext_lazy as _

from unionhome.congress.selectors.decisions import decision_work_items
from unionhome.congress.selectors.proposals import proposal_prompts, proposal_work_items
from unionhome.congress.selectors.sessions import session_work_items
from unionhome.congress.selectors.votes import open_vote_prompts
from unionhome.home.member_prompts import register_prompts
from unionhome.home.navigation import NavItem, register
from unionhome.home.work_queue import register_provider

register(NavItem(_("Congress"), "congress:index", None, order=40))

register_provider(session_work_items, _("Congress check-in"))
register_provider(proposal_work_items, _("Proposals"))
register_provider(decision_work_items, _("Decisions"))
register_prompts(open_vote_prompts, _("Votes open for you"))
register_prompts(proposal_prompts, _("Proposals waiting for you"))
