"""Menu entries for the admins of notifications (a person's own preferences are linked from the inbox)."""

from django.utils.translation import gettext_lazy as _

from unionhome.home.navigation import NavItem, register

register(NavItem(_("Deliveries"), "notify:deliveries", "notify.view_deliveries", order=90))
register(NavItem(_("Group robots"), "notify:robots", "notify.manage_robots", order=91))
