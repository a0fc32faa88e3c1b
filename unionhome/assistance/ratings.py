"""What a member can rate in the centre (see ``unionhome.satisfaction.ratable``): assistance once
delivered, a visit once done, education aid once paid. Imported at startup by the satisfaction app."""

from django.db.models import Q
from django.utils.translation import gettext as _

from unionhome.assistance.models import AidApplication, Assistance, Visit
from unionhome.satisfaction.models import ServiceLine
from unionhome.satisfaction.ratable import Ratable, register


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


register(
    Ratable(
        model=Assistance,
        service_line=ServiceLine.HARDSHIP_ASSISTANCE,
        ready=Q(status=Assistance.Status.DELIVERED),
        describe=describe_assistance,
        cadre_field="responsible",
        served_on_field="delivered_on",
    )
)
register(
    Ratable(
        model=Visit,
        service_line=ServiceLine.VISITS,
        ready=Q(status=Visit.Status.DONE),
        describe=describe_visit,
        cadre_field="recorded_by",
        served_on_field="visited_on",
    )
)
register(
    Ratable(
        model=AidApplication,
        service_line=ServiceLine.EDUCATION_AID,
        ready=Q(status=AidApplication.Status.PAID),
        describe=describe_aid,
        cadre_field="decided_by",
        served_on_field="decided_at",
        select_related=("campaign",),
    )
)
