"""Reads for account administration, already scoped to the viewer."""

from django.db.models import QuerySet

from unionhome.access.policy import scope_q


def members_for_account_admin(viewer, query: str = "") -> QuerySet:
    """Members whose login the viewer may manage (``accounts.manage`` on their unit), with unit and account
    joined: one query whatever the page size."""
    from unionhome.org.models import Member
    from unionhome.org.selectors import member_search

    members = Member.objects.filter(scope_q(viewer, "accounts.manage", "unit_path")).select_related("unit", "user")
    return member_search(members, query)
