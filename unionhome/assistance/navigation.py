"""The centre's menu entries and the providers of a cadre's work queue."""

from django.utils.translation import gettext_lazy as _

from unionhome.home.navigation import NavItem, register

register(NavItem(_("Assistance"), "assistance:index", None, order=30))
