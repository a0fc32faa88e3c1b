"""Pages of terms and sessions: lists, setup by the congress office, the session page with its live
present count, and the hall page with the check-in QR code. Delegations, check-in and departments
have their own modules; their routes are gathered here."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.access.policy import PermissionRefused, can, has_permission_anywhere
from unionhome.congress.forms.sessions import CongressForm, DelegationForm, SessionForm
from unionhome.congress.models import CongressSession
from unionhome.congress.selectors import sessions as selectors
from unionhome.congress.services import sessions as services
from unionhome.congress.views import sessions_check_in, sessions_delegations, sessions_departments
from unionhome.home.form_errors import form_errors_from
from unionhome.org.models import OrgUnit
from unionhome.org.selectors import units_for

MANAGE = selectors.MANAGE


def _require_some(viewer) -> None:
    """The lists are for cadres following the congress and for representatives."""
    if not (has_permission_anywhere(viewer, selectors.VIEW) or selectors.seat_congress_ids(viewer)):
        raise PermissionRefused(selectors.VIEW)


# --- terms ---------------------------------------------------------------------------------------


@login_required
def term_list(request):
    viewer = request.user
    _require_some(viewer)
    terms = list(selectors.congresses_for(viewer)[:100])
    context = {"terms": terms, "may_create": has_permission_anywhere(viewer, MANAGE)}
    return render(request, "congress/sessions/term_list.html", context)


def _managed_unions(viewer):
    if not has_permission_anywhere(viewer, MANAGE):  # units_for with no grant at all is not empty
        return OrgUnit.objects.none()
    return units_for(viewer, MANAGE).filter(kind=OrgUnit.Kind.UNION)


@login_required
def term_create(request):
    viewer = request.user
    unions = list(_managed_unions(viewer)[:50])
    if not unions:
        raise PermissionRefused(MANAGE)
    form = CongressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        union = next((u for u in unions if str(u.pk) == request.POST.get("union")), unions[0])
        try:
            term = services.congress_create(actor=viewer, union=union, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The term was set up."))
            return redirect("congress:term_detail", term.pk)
    return render(request, "congress/sessions/term_form.html", {"form": form, "unions": unions, "term": None})


@login_required
def term_detail(request, pk: int):
    viewer = request.user
    term = selectors.congress_for(viewer, pk)
    office = can(viewer, selectors.VIEW, term)
    may_manage = can(viewer, MANAGE, term)
    delegations = (
        list(selectors.delegations_of(viewer, term)) if has_permission_anywhere(viewer, selectors.VIEW) else []
    )
    for d in delegations:
        d.open_seats = max(d.quota - d.seated, 0)
    taken = {d.unit_id for d in delegations}
    units = OrgUnit.objects.filter(path__startswith=term.unit_path, depth__gt=term.unit.depth).exclude(pk__in=taken)
    context = {
        "term": term,
        "sessions": list(term.sessions.order_by("number")),
        "composition": selectors.composition(term) if office else None,
        "delegations": delegations,
        "may_manage": may_manage,
        "delegation_form": DelegationForm(units=units.order_by("path")[:500]) if may_manage else None,
    }
    return render(request, "congress/sessions/term_detail.html", context)


@login_required
def term_edit(request, pk: int):
    viewer = request.user
    term = selectors.congress_for(viewer, pk)
    if not can(viewer, MANAGE, term):
        raise PermissionRefused(MANAGE)
    form = CongressForm(request.POST or None, instance=term, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.congress_update(actor=viewer, congress=term, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The term was saved."))
            return redirect("congress:term_detail", term.pk)
    return render(request, "congress/sessions/term_form.html", {"form": form, "term": term, "unions": []})


# --- sessions ------------------------------------------------------------------------------------


@login_required
def session_list(request):
    viewer = request.user
    _require_some(viewer)
    sessions = list(selectors.sessions_for(viewer)[: selectors.PAGE_SIZE])
    return render(request, "congress/sessions/session_list.html", {"sessions": sessions})


@login_required
def session_create(request, term_pk: int):
    viewer = request.user
    term = selectors.congress_for(viewer, term_pk)
    if not can(viewer, MANAGE, term):
        raise PermissionRefused(MANAGE)
    next_number = (term.sessions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    form = SessionForm(request.POST or None, initial={"number": next_number})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=viewer, congress=term, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The session was planned."))
            return redirect("congress:session_detail", session.pk)
    return render(request, "congress/sessions/session_form.html", {"form": form, "term": term, "session": None})


@login_required
def session_edit(request, pk: int):
    viewer = request.user
    session = selectors.session_for(viewer, pk)
    if not can(viewer, MANAGE, session):
        raise PermissionRefused(MANAGE)
    form = SessionForm(request.POST or None, instance=session, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=viewer, session=session, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("congress:session_detail", session.pk)
    context = {"form": form, "term": session.congress, "session": session}
    return render(request, "congress/sessions/session_form.html", context)


def _transition_labels() -> dict[str, str]:
    return {
        CongressSession.Status.IN_PROGRESS: _("Open the session (start check-in)"),
        CongressSession.Status.CLOSED: _("Close the session"),
    }


@login_required
def session_detail(request, pk: int):
    viewer = request.user
    session = selectors.session_for(viewer, pk)
    may_manage = can(viewer, MANAGE, session)
    labels = _transition_labels()
    context = {
        "session": session,
        "term": session.congress,
        "counts": selectors.session_counts(session),
        "my_check_in": selectors.check_in_of(viewer, session),
        "my_seat": session.congress_id in selectors.seat_congress_ids(viewer),
        "may_manage": may_manage,
        "may_check_in": can(viewer, selectors.CHECK_IN, session),
        "may_view": can(viewer, selectors.VIEW, session),
        "transitions": [(to, labels[to]) for to in services.allowed_transitions(session)] if may_manage else [],
        "live": session.status == CongressSession.Status.IN_PROGRESS,
    }
    return render(request, "congress/sessions/session_detail.html", context)


@login_required
@require_POST
def session_status(request, pk: int):
    viewer = request.user
    session = selectors.session_for(viewer, pk)
    try:
        services.session_set_status(actor=viewer, session=session, status=request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The session is now “%(status)s”.") % {"status": session_status_label(pk)})
    return redirect("congress:session_detail", session.pk)


def session_status_label(pk: int) -> str:
    return CongressSession.objects.get(pk=pk).get_status_display()


@login_required
def session_counts(request, pk: int):
    """The live fragment: present / seated, polled every few seconds by the session and hall pages."""
    session = selectors.session_for(request.user, pk)
    context = {"session": session, "counts": selectors.session_counts(session)}
    return render(request, "congress/sessions/_counts.html", context)


def check_in_url(request, session: CongressSession) -> str:
    """The absolute address the hall's QR code encodes."""
    return request.build_absolute_uri(reverse("congress:check_in_qr", args=[session.pk, session.check_in_code]))


def _require_hall(viewer, session) -> None:
    if not can(viewer, MANAGE, session):
        raise PermissionRefused(MANAGE)


@login_required
def session_hall(request, pk: int):
    """The page shown on the hall's screen: the QR code to scan and the present count."""
    viewer = request.user
    session = selectors.session_for(viewer, pk)
    _require_hall(viewer, session)
    context = {
        "session": session,
        "counts": selectors.session_counts(session),
        "check_in_url": check_in_url(request, session),
        "live": session.status == CongressSession.Status.IN_PROGRESS,
    }
    response = render(request, "congress/sessions/hall.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def session_qr(request, pk: int):
    """The check-in QR code as an SVG image (made here with segno; nothing is fetched from elsewhere)."""
    viewer = request.user
    session = selectors.session_for(viewer, pk)
    _require_hall(viewer, session)
    buffer = io.BytesIO()
    segno.make(check_in_url(request, session), error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=False, title=_("Check-in QR code"), svgclass=None, lineclass=None
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def session_new_code(request, pk: int):
    viewer = request.user
    session = selectors.session_for(viewer, pk)
    services.session_new_check_in_code(actor=viewer, session=session)
    messages.success(request, _("A new check-in code was drawn: the old QR code no longer works."))
    return redirect("congress:session_hall", session.pk)


urlpatterns = [
    path("terms/", term_list, name="term_list"),
    path("terms/new/", term_create, name="term_create"),
    path("terms/<int:pk>/", term_detail, name="term_detail"),
    path("terms/<int:pk>/edit/", term_edit, name="term_edit"),
    path("terms/<int:term_pk>/sessions/new/", session_create, name="session_create"),
    path("sessions/", session_list, name="session_list"),
    path("sessions/<int:pk>/", session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", session_edit, name="session_edit"),
    path("sessions/<int:pk>/status/", session_status, name="session_status"),
    path("sessions/<int:pk>/counts/", session_counts, name="session_counts"),
    path("sessions/<int:pk>/hall/", session_hall, name="session_hall"),
    path("sessions/<int:pk>/qr.svg", session_qr, name="session_qr"),
    path("sessions/<int:pk>/new-code/", session_new_code, name="session_new_code"),
    *sessions_check_in.urlpatterns,
    *sessions_delegations.urlpatterns,
    *sessions_departments.urlpatterns,
]
