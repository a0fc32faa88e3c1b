from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from unionhome.access.policy import has_permission_anywhere, is_cadre
from unionhome.home.member_prompts import prompt_groups
from unionhome.home.work_queue import work_queue_groups
from unionhome.org.selectors import TREE_PAGE_UNITS, unit_tree_for
from unionhome.satisfaction.selectors import pending_ratings


@login_required
def index(request):
    """Home per role: a member sees their services and notices; a cadre also sees a work queue."""
    user = request.user
    can_view_tree = has_permission_anywhere(user, "org.view_tree")
    context = {
        "member": user.member,
        "is_cadre": is_cadre(user),
        "work_queue": work_queue_groups(user),
        "prompts": prompt_groups(user),
        "can_view_tree": can_view_tree,
        "unit_chart": _unit_chart(user) if can_view_tree else None,
        "can_view_members": has_permission_anywhere(user, "org.view_members"),
        "can_view_audit": has_permission_anywhere(user, "audit.view"),
        # Served items waiting for this worker's verdict: asked on the first page they see.
        "pending_ratings": len(pending_ratings(user.member)) if user.member_id else 0,
    }
    return render(request, "home/index.html", context)


def _unit_chart(user) -> dict | None:
    """Active members per unit one level below the top of the viewer's scope (from the unit counters)."""
    roots = unit_tree_for(user, max_units=TREE_PAGE_UNITS)
    if not roots:
        return None
    nodes = roots[0].children if len(roots) == 1 and roots[0].children else roots
    return {
        "title": roots[0].unit.name if len(roots) == 1 else "",
        "labels": [n.unit.name for n in nodes],
        "values": [n.subtree_count for n in nodes],
        "rows": [(n.unit.name, n.subtree_count) for n in nodes],
        "height": 48 + 30 * len(nodes),
    }


def csrf_failure(request, reason=""):
    return render(
        request,
        "home/error.html",
        {"title": _("The form expired"), "message": _("Reload the page and try again. Your changes were not saved.")},
        status=403,
    )


def permission_denied(request, exception=None):
    return render(
        request,
        "home/error.html",
        {"title": _("Not allowed"), "message": str(exception) if exception else _("You may not open this page.")},
        status=403,
    )


def not_found(request, exception=None):
    return render(
        request, "home/error.html", {"title": _("Not found"), "message": _("There is nothing here.")}, status=404
    )


def server_error(request):
    return render(
        request,
        "home/error.html",
        {"title": _("Something went wrong"), "message": _("The error was logged. Please try again later.")},
        status=500,
    )


def bad_request(request, exception=None):
    return render(
        request,
        "home/error.html",
        {"title": _("Bad request"), "message": _("The request could not be understood.")},
        status=400,
    )
