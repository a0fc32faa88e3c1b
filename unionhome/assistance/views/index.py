"""The centre's front page: a member's own cases and what they can ask for; a cadre's entry points."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from unionhome.access.policy import has_permission_anywhere

# Permissions that decide which cadre sections the page shows.
_PAGE_PERMISSIONS = [
    "assistance.view_file",
    "assistance.request",
    "assistance.view_money",
    "assistance.follow_up",
    "assistance.manage_aid",
    "assistance.review_aid",
    "assistance.manage_visits",
    "assistance.view_reports",
    "assistance.configure",
]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    can = {p.split(".", 1)[1]: has_permission_anywhere(user, p) for p in _PAGE_PERMISSIONS}
    return render(
        request,
        "assistance/index.html",
        {"can": can, "is_member": user.member_id is not None, "is_cadre": any(can.values())},
    )
