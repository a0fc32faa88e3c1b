"""The centre's service lines and what a member can rate in them (see ``unionhome.satisfaction``'s
``service_lines`` and ``ratable``): assistance once delivered, a visit once done, education aid once paid.
Imported at startup by the satisfaction app.

``describe_*`` name an item in detail (a visit's occasion, a child's name, an assistance's kind): only for the
signed-in pages where the member sees their own item. What leaves those pages (the rating request in the inbox,
by email or robot) names it neutrally (``Ratable.notice_of``): the line and the date, or for education aid the
campaign (``notice_aid``)."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.assistance.models import AidApplication, Assistance, Visit
from unionhome.satisfaction.ratable import Ratable, register
from unionhome.satisfaction.service_lines import ServiceLineSpec, register_service_line

HARDSHIP_ASSISTANCE = "hardship_assistance"
EDUCATION_AID = "education_aid"
VISITS = "visits"

register_service_line(ServiceLineSpec(HARDSHIP_ASSISTANCE, gettext_lazy("Hardship assistance"), order=10))
register_service_line(ServiceLineSpec(EDUCATION_AID, gettext_lazy("Education aid"), order=20))
register_service_line(ServiceLineSpec(VISITS, gettext_lazy("Visits and condolences"), order=30))


def _date(value) -> str:
    return value.isoformat() if value else "—"


def describe_assistance(item: Assistance) -> str:
    return _("%(kind)s delivered on %(date)s") % {"kind": item.get_kind_display(), "date": _date(item.delivered_on)}


def describe_visit(item: Visit) -> str:
    return _("Visit (%(occasion)s) on %(date)s") % {
        "occasion": item.get_occasion_display(),
        "date": _date(item.visited_on),
    }


def describe_aid(item: AidApplication) -> str:
    return _("Education aid for %(child)s (%(campaign)s)") % {"child": item.child_name, "campaign": item.campaign.name}


def notice_aid(item: AidApplication) -> str:
    """Neutral: the campaign only, never the child."""
    return _("your education aid (%(campaign)s)") % {"campaign": item.campaign.name}


register(
    Ratable(
        model=Assistance,
        service_line=HARDSHIP_ASSISTANCE,
        ready=Q(status=Assistance.Status.DELIVERED),
        describe=describe_assistance,
        cadre_field="responsible",
        served_on_field="delivered_on",
    )
)
register(
    Ratable(
        model=Visit,
        service_line=VISITS,
        ready=Q(status=Visit.Status.DONE),
        describe=describe_visit,
        cadre_field="recorded_by",
        served_on_field="visited_on",
    )
)
register(
    Ratable(
        model=AidApplication,
        service_line=EDUCATION_AID,
        ready=Q(status=AidApplication.Status.PAID),
        describe=describe_aid,
        notice_title=notice_aid,
        cadre_field="decided_by",
        served_on_field="decided_at",
        select_related=("campaign",),
    )
)
