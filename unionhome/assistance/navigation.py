"""The centre's menu entry, the providers of a cadre's work queue (home page), and the sections of a
member's own data (``personal_data.py``)."""

from django.utils.translation import gettext_lazy as _

from unionhome.assistance import personal_data  # noqa: F401  (registers the member's own-data sections)
from unionhome.assistance.selectors.aid import aid_work_items
from unionhome.assistance.selectors.files import file_work_items
from unionhome.assistance.selectors.follow_ups import follow_up_work_items
from unionhome.assistance.selectors.money import approvals_queue, payments_queue
from unionhome.assistance.selectors.visits import visit_work_items
from unionhome.home.navigation import NavItem, register
from unionhome.home.work_queue import register_provider

# Everyone: members apply, follow their cases and rate the help; cadres find their work there.
register(NavItem(_("Assistance"), "assistance:index", None, order=30))

register_provider(file_work_items, _("Hardship files"))
register_provider(approvals_queue, _("Assistance to approve"))
register_provider(payments_queue, _("Assistance to pay or deliver"))
register_provider(follow_up_work_items, _("Follow-ups"))
register_provider(aid_work_items, _("Education aid"))
register_provider(visit_work_items, _("Visits"))
