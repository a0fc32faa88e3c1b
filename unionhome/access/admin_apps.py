"""Installs the admin with ``PolicyAdminSite`` as ``admin.site`` (this module stays import-light on purpose:
it is loaded while the app registry is still being populated)."""

from django.contrib.admin.apps import AdminConfig


class PolicyAdminConfig(AdminConfig):
    default_site = "unionhome.access.admin_policy.PolicyAdminSite"
