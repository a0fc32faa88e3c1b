"""The audit trail for the audit committee: a filtered, paged list, one event, exports."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, has_permission_anywhere, require
from unionhome.audit import selectors, services
from unionhome.audit.change_summary import change_rows
from unionhome.audit.forms import EventFilterForm


def _filter_query(form: EventFilterForm) -> str:
    """The filters in use as a query string (for page, export and "first page" links)."""
    return urlencode(form.event_filter().as_dict()) if form.is_valid() else ""


@login_required
def event_list(request):
    """Newest first, 50 a page by keyset; htmx swaps the result table only."""
    require(request.user, "audit.view")
    form = EventFilterForm(request.GET, viewer=request.user)
    page, status = None, 200
    if form.is_valid():
        events = selectors.filter_events(selectors.events_for(request.user), form.event_filter())
        page = selectors.event_page(events, form.cleaned_data["after"])
    elif not request.htmx:
        status = 400
    context = {
        "form": form,
        "page": page,
        "query": _filter_query(form),
        "can_export": has_permission_anywhere(request.user, "audit.export"),
    }
    partial = request.htmx and not request.htmx.boosted
    template = "audit/_event_results.html" if partial else "audit/event_list.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])  # a partial and a full page share one URL
    return response


@login_required
def event_detail(request, pk: int):
    require(request.user, "audit.view")
    event = selectors.event_for(request.user, pk)
    if event is None:
        raise OutOfScope
    unit_paths = {event.unit_path, event.union_path} - {""}
    rows = change_rows(event)
    names = selectors.unit_names(unit_paths | {p for r in rows for p in r.unit_paths})
    for row in rows:
        row.resolve_units(names)
    context = {
        "event": event,
        "rows": rows,
        "has_changes": any(r.is_change for r in rows),
        "unit_name": names.get(event.unit_path, ""),
        "union_name": names.get(event.union_path, ""),
        "object_query": urlencode({"object_type": event.object_type, "object_id": event.object_id}),
    }
    return render(request, "audit/event_detail.html", context)


@login_required
def event_export(request):
    """The filtered trail as .xlsx or .csv, from a temporary file; the export itself is audited."""
    require(request.user, "audit.export")
    form = EventFilterForm(request.GET, viewer=request.user, permission="audit.export")
    fmt = request.GET.get("format", "xlsx")
    valid = form.is_valid()
    if fmt not in services.FORMATS:
        form.add_error(None, _("Choose Excel (xlsx) or CSV."))
        valid = False
    if not valid:
        context = {"form": form, "page": None, "query": "", "can_export": True}
        return render(request, "audit/event_list.html", context, status=400)
    export = services.audit_export(actor=request.user, event_filter=form.event_filter(), fmt=fmt)
    response = FileResponse(export.file, as_attachment=True, filename=export.filename, content_type=export.content_type)
    response["Cache-Control"] = "no-store"
    return response
