"""The printable publicity notice (公示) of hardship files, for the notice board.

It shows what publicity needs and nothing more: each member's name, unit, level and the period.
Never health, income, household or the situation.
"""

from dataclasses import dataclass

from django.utils import timezone

from unionhome.assistance.selectors.files import PublicityRow, publicity_notices_for_union
from unionhome.assistance.services.settings import settings_for
from unionhome.audit.recorder import record
from unionhome.org.models import OrgUnit
from unionhome.printing import render_pdf

TEMPLATE = "assistance/files/publicity_print.html"


@dataclass
class PublicityNotice:
    union: OrgUnit
    rows: list[PublicityRow]
    publicity_days: int


def publicity_notice(union: OrgUnit) -> PublicityNotice:
    return PublicityNotice(union, publicity_notices_for_union(union.pk), settings_for(union).publicity_days)


def publicity_notice_pdf(*, viewer, union: OrgUnit, request=None) -> bytes:
    """The union's current publicity notice as A4 PDF; printing it is recorded (who printed which list)."""
    notice = publicity_notice(union)
    content = render_pdf(
        TEMPLATE,
        {"notice": notice, "union": union, "printed_on": timezone.localdate()},
        request=request,
    )
    record(viewer, "assistance.publicity.printed", union, rows=len(notice.rows))
    return content
