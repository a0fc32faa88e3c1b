"""The annual report's menu entry, for cadres who may read the satisfaction index (its gate)."""

from django.utils.translation import gettext_lazy as _

from unionhome.home.navigation import NavItem, register

register(NavItem(_("Annual work report"), "work_report:annual", "satisfaction.view_index", order=39))
