"""How a member is shown to a viewer: the same masking on pages, in the API and in exports."""

from unionhome.access.policy import can
from unionhome.org.identity import mask_id_number, mask_mobile
from unionhome.org.models import Member


def member_row(viewer, member: Member) -> dict:
    """The member with ID number and mobile unmasked only when the viewer may see them (no query)."""
    sensitive = can(viewer, "org.view_member_sensitive", member)
    return {
        "member": member,
        "id_number": member.id_number if sensitive else mask_id_number(member.id_number),
        "mobile": member.mobile if sensitive else mask_mobile(member.mobile),
        "sensitive": sensitive,
    }
