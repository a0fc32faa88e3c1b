"""The centre's records about a member, for their "my data" page and download (PIPL right of access).

Everything the member may see of their own cases: files with household and consents, help received,
education-aid applications (their own child's details in full), visits (without cadres' notes) and the
ratings they gave. Registered with ``accounts.personal_data.register_section`` at start-up."""

from django.utils.translation import gettext as _

from unionhome.accounts.personal_data import Section, register_section
from unionhome.assistance.models import AidApplication, ConsentRecord, HardshipFile, HouseholdMember, Visit
from unionhome.assistance.selectors.money import own_assistance
from unionhome.satisfaction.models import Rating


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value) -> str | None:
    return str(value) if value is not None else None


def _files(member) -> list[dict]:
    files = HardshipFile.objects.filter(member=member).prefetch_related("causes").order_by("-created_at", "-id")
    return [
        {
            "file": f.pk,
            "state": str(f.get_state_display()),
            "level": str(f.get_level_display()) if f.level else "",
            "causes": "、".join(str(c.get_cause_display()) for c in f.causes.all()),
            "situation": f.situation,
            "household_size": f.household_size,
            "income_per_head": _money(f.income_per_head),
            "submitted_at": _iso(f.submitted_at),
            "active_since": _iso(f.activated_on),
            "next_review_due": _iso(f.next_review_due),
            "closed_on": _iso(f.closed_on),
            "reason": f.close_reason,
        }
        for f in files
    ]


def _household(member) -> list[dict]:
    rows = HouseholdMember.objects.filter(file__member=member).order_by("file_id", "id")
    return [
        {
            "file": p.file_id,
            "relation": str(p.get_relation_display()),
            "age": p.age,
            "health": str(p.get_health_display()),
            "health_note": p.health_note,
            "monthly_income": _money(p.monthly_income),
            "employment": str(p.get_employment_display()),
        }
        for p in rows
    ]


def _consents(member) -> list[dict]:
    return [
        {
            "given_at": _iso(c.given_at),
            "purpose": c.purpose,
            "method": str(c.get_method_display()),
            "withdrawn_at": _iso(c.withdrawn_at),
        }
        for c in ConsentRecord.objects.filter(member=member).order_by("-given_at", "-id")
    ]


def _help(member) -> list[dict]:
    return [
        {
            "requested_at": _iso(a.requested_at),
            "kind": str(a.get_kind_display()),
            "amount": _money(a.amount),
            "status": str(a.get_status_display()),
            "delivered_on": _iso(a.delivered_on),
        }
        for a in own_assistance(member)
    ]


def _aid(member) -> list[dict]:
    applications = AidApplication.objects.filter(member=member).select_related("campaign", "tier")
    return [
        {
            "campaign": a.campaign.name,
            "child_name": a.child_name,
            "child_id_number": a.child_id_number,
            "school": a.school,
            "admitted_year": a.admitted_year,
            "tier": a.tier.name,
            "amount": _money(a.amount),
            "status": str(a.get_status_display()),
            "reason": a.decision_note,
            "submitted_at": _iso(a.submitted_at),
        }
        for a in applications.order_by("-submitted_at", "-id")
    ]


def _visits(member) -> list[dict]:
    visits = Visit.objects.filter(member=member).exclude(status=Visit.Status.CANCELLED)
    return [
        {
            "occasion": str(v.get_occasion_display()),
            "status": str(v.get_status_display()),
            "due_by": _iso(v.due_by),
            "visited_on": _iso(v.visited_on),
            "gifts": v.gifts,
            "amount": _money(v.amount),
        }
        for v in visits.order_by("-created_at", "-id")
    ]


def _ratings(member) -> list[dict]:
    return [
        {
            "rated_at": _iso(r.rated_at),
            "service": r.service_line_label,
            "score": r.score,
            "comment": r.comment,
        }
        for r in Rating.objects.filter(member=member).order_by("-rated_at", "-id")
    ]


for section in (
    Section(
        "hardship_files",
        lambda: _("Hardship files"),
        lambda: [
            ("file", _("File")),
            ("state", _("State")),
            ("level", _("Level")),
            ("causes", _("Causes")),
            ("situation", _("The household's situation")),
            ("household_size", _("Household size")),
            ("income_per_head", _("Monthly income per head")),
            ("submitted_at", _("Submitted")),
            ("active_since", _("Active since")),
            ("next_review_due", _("Next re-review due")),
            ("closed_on", _("Closed on")),
            ("reason", _("Reason")),
        ],
        _files,
    ),
    Section(
        "household",
        lambda: _("Household"),
        lambda: [
            ("file", _("File")),
            ("relation", _("Relation")),
            ("age", _("Age")),
            ("health", _("Health")),
            ("health_note", _("Health details")),
            ("monthly_income", _("Monthly income (yuan)")),
            ("employment", _("Employment")),
        ],
        _household,
    ),
    Section(
        "consents",
        lambda: _("Consents"),
        lambda: [
            ("given_at", _("Given at")),
            ("purpose", _("Purpose")),
            ("method", _("How consent was given")),
            ("withdrawn_at", _("Withdrawn at")),
        ],
        _consents,
    ),
    Section(
        "assistance",
        lambda: _("Help I have received"),
        lambda: [
            ("requested_at", _("Requested")),
            ("kind", _("Kind")),
            ("amount", _("Amount (yuan)")),
            ("status", _("Status")),
            ("delivered_on", _("Delivered on")),
        ],
        _help,
    ),
    Section(
        "education_aid",
        lambda: _("Education aid applications"),
        lambda: [
            ("campaign", _("Campaign")),
            ("child_name", _("Child's name")),
            ("child_id_number", _("Child's ID number")),
            ("school", _("School or university")),
            ("admitted_year", _("Year of admission")),
            ("tier", _("Tier")),
            ("amount", _("Amount (yuan)")),
            ("status", _("Status")),
            ("reason", _("Reason")),
            ("submitted_at", _("Submitted")),
        ],
        _aid,
    ),
    Section(
        "visits",
        lambda: _("Visits"),
        lambda: [
            ("occasion", _("Occasion")),
            ("status", _("Status")),
            ("due_by", _("Due by")),
            ("visited_on", _("Visited on")),
            ("gifts", _("Gifts")),
            ("amount", _("Money given (yuan)")),
        ],
        _visits,
    ),
    Section(
        "ratings",
        lambda: _("Ratings I gave"),
        lambda: [
            ("rated_at", _("Rated at")),
            ("service", _("Service")),
            ("score", _("Score")),
            ("comment", _("Comment")),
        ],
        _ratings,
    ),
):
    register_section(section)
