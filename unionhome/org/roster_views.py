"""Pages for the Excel roster: upload an import, follow its progress, download the template, export."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from unionhome.access.policy import OutOfScope, can, require, scope_roots
from unionhome.home.form_errors import form_errors_from
from unionhome.org.models import Member, MemberImport, OrgUnit
from unionhome.org.roster_columns import COLUMNS
from unionhome.org.roster_export import XLSX_CONTENT_TYPE, roster_export
from unionhome.org.roster_import import (
    PERMISSION,
    roster_import_progress,
    roster_import_start,
)
from unionhome.org.roster_template import roster_import_template

# The multipart envelope around the file (boundaries, the CSRF token, the unit field) is small.
ENVELOPE_BYTES = 64 * 1024


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    unit = forms.ModelChoiceField(label=gettext_lazy("Import into"), queryset=OrgUnit.objects.none())

    def __init__(self, *args, roots: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if len(roots) > 1:
            self.fields["unit"].queryset = OrgUnit.objects.filter(path__in=roots).order_by("path")
        else:
            del self.fields["unit"]


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the size limit, so nothing big reaches memory or disk."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.request.upload_too_big = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _too_big_message() -> str:
    limit = settings.UNIONHOME_MAX_UPLOAD_BYTES
    return _("The file is larger than %(size)s MB.") % {"size": f"{limit / 1024 / 1024:.0f}"}


def _import_page(request, form, *, status: int = 200):
    context = {
        "form": form,
        "columns": [(c.label(request.LANGUAGE_CODE), c.required, c.help) for c in COLUMNS],
        "recent": MemberImport.objects.filter(created_by=request.user).select_related("scope_unit")[:10],
        "max_mb": f"{settings.UNIONHOME_MAX_UPLOAD_BYTES / 1024 / 1024:.0f}",
    }
    return render(request, "org/roster_import.html", context, status=status)


@csrf_exempt  # the CSRF check runs in _roster_import, after the size-limited upload handler is in place
@login_required
def roster_import(request):
    require(request.user, PERMISSION)
    if request.method == "POST":
        limit = settings.UNIONHOME_MAX_UPLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + ENVELOPE_BYTES:  # refuse before reading the body
            form = RosterImportForm(roots=scope_roots(request.user, PERMISSION))
            form.add_error(None, _too_big_message())
            return _import_page(request, form, status=413)
        request.upload_handlers.insert(0, LimitedUploadHandler(request, limit))
    return _roster_import(request)


@csrf_protect
def _roster_import(request):
    roots = scope_roots(request.user, PERMISSION)
    if request.method != "POST":
        return _import_page(request, RosterImportForm(roots=roots))
    form = RosterImportForm(request.POST, request.FILES, roots=roots)
    if getattr(request, "upload_too_big", False):
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", _too_big_message())
        return _import_page(request, form, status=413)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    try:
        job = roster_import_start(
            actor=request.user,
            upload=form.cleaned_data["file"],
            unit=form.cleaned_data.get("unit"),
            language=request.LANGUAGE_CODE,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            form_errors_from(form, exc)
        else:
            for message in exc.messages:
                form.add_error("file", message)
        too_big = any(e.code == "too_big" for e in getattr(exc, "error_list", []))
        return _import_page(request, form, status=413 if too_big else 400)
    messages.success(request, _("The file was received and is being checked."))
    return redirect("org:roster_import_detail", pk=job.pk)


def _visible_import(viewer, pk: int) -> MemberImport:
    job = MemberImport.objects.select_related("created_by", "scope_unit").filter(pk=pk).first()
    if job is None or not (job.created_by_id == viewer.pk or can(viewer, PERMISSION, job)):
        raise OutOfScope
    return job


def _progress_context(job: MemberImport) -> dict:
    return {"job": job, "progress": roster_import_progress(job)}


@login_required
@require_GET
def roster_import_detail(request, pk: int):
    job = _visible_import(request.user, pk)
    return render(request, "org/roster_import_detail.html", _progress_context(job))


@login_required
@require_GET
@never_cache
def roster_import_progress_fragment(request, pk: int):
    """The progress bar and, once finished, the counts or the error table; polled by htmx until then."""
    job = _visible_import(request.user, pk)
    return render(request, "org/roster_import_progress.html", _progress_context(job))


@login_required
@require_GET
@never_cache
def roster_import_template_download(request):
    output = roster_import_template(actor=request.user)
    return FileResponse(output, as_attachment=True, filename="roster-template.xlsx", content_type=XLSX_CONTENT_TYPE)


@login_required
@require_GET
@never_cache
def roster_export_download(request):
    status = request.GET.get("status", "")
    export = roster_export(actor=request.user, status=status if status in Member.Status.values else None)
    return FileResponse(export.file, as_attachment=True, filename=export.filename, content_type=XLSX_CONTENT_TYPE)
