"""The satisfaction menu entries: "you said, we did" for everyone, the index dashboard for cadres with
``satisfaction.view_index``."""

from django.utils.translation import gettext_lazy as _

from unionhome.home.navigation import NavItem, register

register(NavItem(_("You said, we did"), "satisfaction:you_said", None, order=37.5))
register(NavItem(_("Satisfaction index"), "satisfaction:index", "satisfaction.view_index", order=38))
