"""Check-in pages: the address in the hall's QR code (a representative's phone opens it) and the
clerk's search-and-check-in page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from unionhome.access.policy import OutOfScope, PermissionRefused, can
from unionhome.congress.models import CongressSession, Representative
from unionhome.congress.selectors import sessions as selectors
from unionhome.congress.services.check_in import check_in_by_clerk, check_in_by_code

CODE_LIMIT = 100


@never_cache
@login_required
def check_in_qr(request, session_pk: int, code: str):
    """Opening the QR code's address checks the logged-in representative in and says so.

    A session the person cannot see (not a representative of its term, no congress role) is 404;
    a wrong or replaced code, a session not in progress, a withdrawn seat: a page saying why."""
    viewer = request.user
    session = selectors.session_for(viewer, session_pk)
    result, error = None, None
    try:
        result = check_in_by_code(actor=viewer, session=session, code=code[:CODE_LIMIT])
    except ValidationError as exc:
        error = " ".join(exc.messages)
    counts = selectors.session_counts(session) if result else None
    context = {"session": session, "result": result, "error": error, "counts": counts}
    return render(request, "congress/sessions/check_in_done.html", context, status=200 if result else 409)


@login_required
def clerk_check_in(request, pk: int):
    """Find a representative by name, pinyin initials or employee number, and check them in."""
    viewer = request.user
    session = selectors.session_for(viewer, pk)
    if not can(viewer, selectors.CHECK_IN, session):
        raise PermissionRefused(selectors.CHECK_IN)
    query = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable()).strip()[:50]
    if request.method == "POST":
        query = "".join(ch for ch in request.POST.get("q", "") if ch.isprintable()).strip()[:50]
        try:
            rep_pk = int(request.POST.get("representative", ""))
        except ValueError:
            raise OutOfScope from None
        rep = Representative.objects.filter(pk=rep_pk, congress_id=session.congress_id).select_related("member").first()
        if rep is None:
            raise OutOfScope
        try:
            result = check_in_by_clerk(actor=viewer, session=session, representative=rep)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if result.created:
                messages.success(request, _("%(name)s is checked in.") % {"name": rep.member.name})
            else:
                messages.info(request, _("%(name)s was already checked in.") % {"name": rep.member.name})
        return redirect(f"{request.path}?{urlencode({'q': query})}" if query else request.path)
    found = list(selectors.session_representatives(session, query)[: selectors.SEARCH_RESULTS]) if query else []
    context = {
        "session": session,
        "query": query,
        "found": found,
        "searched": bool(query),
        "counts": selectors.session_counts(session),
        "open": session.status == CongressSession.Status.IN_PROGRESS,
    }
    template = "congress/sessions/_clerk_results.html" if request.htmx else "congress/sessions/clerk_check_in.html"
    return render(request, template, context)


urlpatterns = [
    path("check-in/<int:session_pk>/<str:code>/", check_in_qr, name="check_in_qr"),
    path("sessions/<int:pk>/check-in/", clerk_check_in, name="clerk_check_in"),
]
