"""Hardship-file pages: apply (a member on their phone, or a cadre for a member), the officers' list and
export, one file with its history, documents, objections and the next steps this viewer may take, the
member's own files, the publicity notice board (and its PDF), and the centre's settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.access.policy import (
    OutOfScope,
    PermissionRefused,
    can,
    has_permission_anywhere,
    require,
    scope_roots,
)
from unionhome.assistance import hardship_workflow as workflow
from unionhome.assistance.forms.files import (
    ACTION_FORMS,
    ApplicationForm,
    DocumentForm,
    FileFilterForm,
    HouseholdFormSet,
    MemberSearchForm,
    ObjectionForm,
    ResolveObjectionForm,
    SettingsForm,
    household_rows,
)
from unionhome.assistance.models import Document, HardshipFile, Objection
from unionhome.assistance.pdf import publicity_notice, publicity_notice_pdf
from unionhome.assistance.selectors import files as selectors
from unionhome.assistance.selectors.money import assistances_for
from unionhome.assistance.services import documents
from unionhome.assistance.services import files as services
from unionhome.assistance.services.settings import assistance_settings_update, settings_for
from unionhome.home.form_errors import form_errors_from
from unionhome.home.params import id_param
from unionhome.org.models import Member, OrgUnit
from unionhome.org.selectors import member_search, members_for

HOUSEHOLD_PREFIX = "household"
MEMBER_SEARCH_LIMIT = 20
MEMBER_OWN_DOCUMENT_STATES = (HardshipFile.State.DRAFT,)


# --- the officers' list and export ---------------------------------------------------------------


def _filters(request) -> tuple[FileFilterForm, str, str]:
    form = FileFilterForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["state"], form.cleaned_data["q"].strip()
    return form, "", ""


@login_required
def file_list(request):
    """Files in the viewer's scope: name, unit, level, state and causes (never health or income)."""
    require(request.user, "assistance.view_file")
    form, state, query = _filters(request)
    files = selectors.files_for(request.user, state=state or None, query=query or None)
    page = selectors.file_page(files, request.GET.get("after"))
    context = {
        "form": form,
        "page": page,
        "state": state,
        "query": query,
        "can_open": has_permission_anywhere(request.user, "assistance.manage_file"),
    }
    return render(request, "assistance/files/list.html", context)


@login_required
def file_export(request):
    """The list as .xlsx (incomes masked without ``assistance.view_sensitive``); an audit event."""
    require(request.user, "assistance.view_file")
    _form, state, query = _filters(request)
    export = services.files_export(actor=request.user, state=state or None, query=query)
    response = HttpResponse(export.content, content_type=services.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["Cache-Control"] = "private, no-store"
    return response


# --- applying ------------------------------------------------------------------------------------


def _applicant_for(request) -> Member | None:
    """The member the new file is for: ``?member=<id>`` (a cadre, or the member themself), else the viewer."""
    user = request.user
    wanted = id_param(request.GET.get("member"))
    if wanted is None:
        if has_permission_anywhere(user, "assistance.manage_file"):
            return None  # a cadre first finds the member
        if user.member_id is None:
            raise PermissionRefused("assistance.manage_file")
        return user.member
    if wanted == user.member_id:
        return user.member
    member = Member.objects.select_related("unit").filter(pk=wanted).first()
    if member is None:
        if has_permission_anywhere(user, "assistance.manage_file"):
            raise OutOfScope()
        raise PermissionRefused("assistance.manage_file")
    services.require_manage_member(user, member)
    return member


def _household_formset(request, *, initial: list[dict]):
    """The household rows; "add another person" (without JavaScript) posts back with one row more."""
    if request.method != "POST":
        return HouseholdFormSet(prefix=HOUSEHOLD_PREFIX, initial=initial), False
    data = request.POST
    adding = "add_person" in data
    if adding:
        data = data.copy()
        key = f"{HOUSEHOLD_PREFIX}-TOTAL_FORMS"
        total = id_param(data.get(key)) or 0
        data[key] = str(min(total + 1, services.MAX_HOUSEHOLD))
    return HouseholdFormSet(data, prefix=HOUSEHOLD_PREFIX, initial=initial), adding


def _service_errors(form: ApplicationForm, exc: ValidationError) -> list[str]:
    """Put a service's errors next to the fields; household problems are returned for the household block."""
    if not hasattr(exc, "error_dict"):
        form_errors_from(form, exc)
        return []
    errors = dict(exc.message_dict)
    household = errors.pop("household", [])
    if "consent_method" in errors and "consent_method" not in form.fields:
        errors["consent"] = errors.pop("consent_method")
    if errors:
        form_errors_from(form, ValidationError(errors))
    return household


@login_required
def file_new(request):
    """A member applies for themselves; a cadre finds a member (or follows ``?member=<id>``) and opens a
    file on their behalf, recording how the member's consent was given."""
    user = request.user
    member = _applicant_for(request)
    if member is None:
        return _member_search(request)
    on_behalf = member.pk != user.member_id
    form = ApplicationForm(request.POST or None, on_behalf=on_behalf)
    formset, adding = _household_formset(request, initial=[{"relation": "self"}])
    household_errors: list[str] = []
    if request.method == "POST" and not adding:
        valid = form.is_valid()
        rows_valid = formset.is_valid()
        if valid and rows_valid:
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    file = services.file_open(
                        actor=user,
                        member=member,
                        causes=data["causes"],
                        household=household_rows(formset),
                        situation=data["situation"],
                        consent_method=form.consent_method(),
                        level=data.get("level") or None,
                    )
                    if "submit_now" in request.POST:
                        services.file_submit(actor=user, file=file)
            except ValidationError as exc:
                household_errors = _service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The application was submitted for branch review.")
                    if "submit_now" in request.POST
                    else _("The draft was saved. Submit it when it is complete."),
                )
                return redirect("assistance:file_detail", pk=file.pk)
    context = {
        "member": member,
        "on_behalf": on_behalf,
        "form": form,
        "formset": formset,
        "show_errors": request.method == "POST" and not adding,
        "household_errors": household_errors,
    }
    return render(request, "assistance/files/new.html", context)


def _member_search(request):
    form = MemberSearchForm(request.GET if "q" in request.GET else None)
    found = []
    if form.is_valid():
        members = members_for(request.user, "assistance.manage_file").filter(status__in=services.OPEN_STATUSES)
        found = list(member_search(members, form.cleaned_data["q"]).order_by("name_pinyin", "id")[:MEMBER_SEARCH_LIMIT])
    context = {"search_form": form, "found": found, "searched": form.is_bound}
    return render(request, "assistance/files/new.html", context)


@login_required
def file_edit(request, pk: int):
    """Change a draft: the applicant, or a cadre with ``assistance.manage_file``."""
    user = request.user
    file = selectors.file_for(user, pk, audit=request.method != "POST")
    own = workflow.is_applicant(user, file)
    if not own:
        require(user, "assistance.manage_file", file)
    if file.state != HardshipFile.State.DRAFT:
        messages.error(request, _("Only a draft can be changed; ask the officer to return the file to you."))
        return redirect("assistance:file_detail", pk=file.pk)
    initial = {"causes": list(file.causes.values_list("cause", flat=True)), "situation": file.situation}
    if not own:
        initial["level"] = file.level
    form = ApplicationForm(request.POST or None, initial=initial, on_behalf=not own, with_consent=False)
    rows = [
        {
            "relation": p.relation,
            "age": p.age,
            "health": p.health,
            "health_note": p.health_note,
            "monthly_income": p.monthly_income,
            "employment": p.employment,
        }
        for p in file.household.all()
    ]
    formset, adding = _household_formset(request, initial=rows)
    household_errors: list[str] = []
    if request.method == "POST" and not adding:
        valid = form.is_valid()
        rows_valid = formset.is_valid()
        if valid and rows_valid:
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.file_update(
                        actor=user,
                        file=file,
                        causes=data["causes"],
                        household=household_rows(formset),
                        situation=data["situation"],
                        level=(data.get("level") or None) if not own else None,
                    )
                    if "submit_now" in request.POST:
                        services.file_submit(actor=user, file=file)
            except ValidationError as exc:
                household_errors = _service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("assistance:file_detail", pk=file.pk)
    context = {
        "file": file,
        "member": file.member,
        "on_behalf": not own,
        "form": form,
        "formset": formset,
        "show_errors": request.method == "POST" and not adding,
        "household_errors": household_errors,
    }
    return render(request, "assistance/files/edit.html", context)


# --- one file ------------------------------------------------------------------------------------


def _detail_context(request, file: HardshipFile, bound: dict | None = None) -> dict:
    """The detail page: the file as this viewer may see it, and the forms of the steps they may take."""
    user = request.user
    bound = bound or {}
    detail = selectors.file_detail(user, file)
    own = workflow.is_applicant(user, file)
    closed = file.state in workflow.CLOSED
    actions = []
    for transition in workflow.available(user, file):
        form = bound.get(transition.action)
        if form is None:
            initial = {"level": file.level} if transition.action in ("branch_review", "re_review") else None
            form = ACTION_FORMS[transition.action](prefix=transition.action, initial=initial)
        actions.append({"transition": transition, "form": form})
    may_upload = not closed and (
        can(user, "assistance.manage_file", file) or (own and file.state in MEMBER_OWN_DOCUMENT_STATES)
    )
    may_object = file.state == HardshipFile.State.PUBLICITY and not own and can(user, "assistance.manage_file", file)
    may_resolve = (
        file.state == HardshipFile.State.PUBLICITY and not own and can(user, "assistance.approve_file", file.union)
    )
    objections = [
        {
            "objection": objection,
            "form": bound.get(f"resolve-{objection.pk}") or ResolveObjectionForm(prefix=f"resolve-{objection.pk}"),
        }
        for objection in detail["objections"]
    ]
    rendered = {a["transition"].action for a in actions}
    rendered |= {
        f"resolve-{o.pk}" for o in detail["objections"] if may_resolve and o.resolution == Objection.Resolution.OPEN
    }
    rendered |= {key for key, shown in (("document", may_upload), ("objection", may_object)) if shown}
    # A step the viewer cannot take now has no form on the page: its refusal is shown at the top.
    refused = [m for key, form in bound.items() if key not in rendered for ms in form.errors.values() for m in ms]
    return {
        **detail,
        "refused": refused,
        "actions": actions,
        "own": own,
        "may_edit": file.state == HardshipFile.State.DRAFT and (own or can(user, "assistance.manage_file", file)),
        "upload_form": (bound.get("document") or DocumentForm(prefix="document")) if may_upload else None,
        "objection_form": (bound.get("objection") or ObjectionForm(prefix="objection")) if may_object else None,
        "objection_rows": objections,
        "may_resolve": may_resolve,
        # The help given on this file, and a way to ask for more once it is active (cadres only).
        "assistances": (
            list(assistances_for(user).filter(hardship_file=file).order_by("-requested_at", "-id")[:50])
            if not own
            else []
        ),
        "may_request": file.state == HardshipFile.State.ACTIVE and not own and can(user, "assistance.request", file),
    }


@login_required
def file_detail(request, pk: int):
    """One file; each open is recorded in the audit trail."""
    file = selectors.file_for(request.user, pk)
    return render(request, "assistance/files/detail.html", _detail_context(request, file))


def _take(action: str, actor, file: HardshipFile, data: dict) -> None:
    if action == "submit":
        services.file_submit(actor=actor, file=file)
    elif action == "return":
        services.file_return(actor=actor, file=file, note=data["note"])
    elif action == "branch_review":
        services.file_branch_review(actor=actor, file=file, level=data["level"] or None, note=data["note"])
    elif action == "reject":
        services.file_reject(actor=actor, file=file, reason=data["reason"])
    elif action == "approve":
        services.file_approve(actor=actor, file=file, note=data["note"])
    elif action == "activate":
        services.file_activate(actor=actor, file=file)
    elif action == "re_review":
        services.file_re_review(
            actor=actor, file=file, outcome=data["outcome"], level=data["level"] or None, notes=data["notes"]
        )
    elif action == "exit":
        services.file_exit(actor=actor, file=file, reason=data["reason"])


def _again(request, file: HardshipFile, key: str, form) -> HttpResponse:
    """The page again with the refused form and its errors (nothing was changed)."""
    file = selectors.file_for(request.user, file.pk, audit=False)
    return render(request, "assistance/files/detail.html", _detail_context(request, file, {key: form}))


@login_required
@require_POST
def file_action(request, pk: int, action: str):
    if action not in ACTION_FORMS:
        raise Http404()
    file = selectors.file_for(request.user, pk, audit=False)
    form = ACTION_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            _take(action, request.user, file, form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": workflow.TRANSITIONS[action].label})
            return redirect("assistance:file_detail", pk=file.pk)
    return _again(request, file, action, form)


@login_required
@require_POST
def objection_new(request, pk: int):
    file = selectors.file_for(request.user, pk, audit=False)
    form = ObjectionForm(request.POST, prefix="objection")
    if form.is_valid():
        try:
            services.objection_record(actor=request.user, file=file, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The objection was recorded. Resolve it before the file is activated."))
            return redirect("assistance:file_detail", pk=file.pk)
    return _again(request, file, "objection", form)


@login_required
@require_POST
def objection_resolve(request, pk: int, objection_pk: int):
    file = selectors.file_for(request.user, pk, audit=False)
    objection = Objection.objects.filter(pk=objection_pk, hardship_file=file).first()
    if objection is None:
        raise OutOfScope()
    key = f"resolve-{objection.pk}"
    form = ResolveObjectionForm(request.POST, prefix=key)
    if form.is_valid():
        try:
            services.objection_resolve(
                actor=request.user,
                objection=objection,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["resolution_note"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The objection was resolved."))
            return redirect("assistance:file_detail", pk=file.pk)
    return _again(request, file, key, form)


# --- documents -----------------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request, pk: int):
    file = selectors.file_for(request.user, pk, audit=False)
    form = DocumentForm(request.POST, request.FILES, prefix="document")
    if form.is_valid():
        try:
            documents.document_store(
                actor=request.user,
                case=file,
                upload=form.cleaned_data["upload"],
                kind=form.cleaned_data["kind"],
                own_case_states=MEMBER_OWN_DOCUMENT_STATES,
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The document was added."))
            return redirect("assistance:file_detail", pk=file.pk)
    return _again(request, file, "document", form)


@login_required
def document_download(request, pk: int, document_pk: int):
    """The document as an attachment, of its checked type, never sniffed or cached; each read is recorded."""
    document = Document.objects.select_related("hardship_file").filter(pk=document_pk, hardship_file_id=pk).first()
    if document is None:
        raise OutOfScope()
    content = documents.document_read(viewer=request.user, document=document)
    response = HttpResponse(content.data, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the member's own files ----------------------------------------------------------------------


@login_required
def my_files(request):
    """The member's own files: where each stands and what happened, with the reasons they were given."""
    files = list(selectors.own_files(request.user.member).prefetch_related("events"))
    for file in files:
        events = list(file.events.all())
        file.last_note = events[-1].note if events and file.state not in workflow.CLOSED else ""
    can_apply = request.user.member_id is not None and not any(f.state not in workflow.CLOSED for f in files)
    return render(request, "assistance/files/mine.html", {"files": files, "can_apply": can_apply})


# --- publicity -----------------------------------------------------------------------------------


@login_required
def publicity(request):
    """The notice board: files of the viewer's union in their publicity period (name, unit, level only)."""
    union = selectors.publicity_union_for(request.user)
    notice = publicity_notice(union) if union is not None else None
    return render(request, "assistance/files/publicity.html", {"union": union, "notice": notice})


@login_required
def publicity_pdf(request):
    union = selectors.publicity_union_for(request.user)
    if union is None:
        raise OutOfScope()
    content = publicity_notice_pdf(viewer=request.user, union=union, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"publicity-{union.code}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


# --- settings ------------------------------------------------------------------------------------


def _configurable_unions(user):
    roots = scope_roots(user, "assistance.configure")
    if not roots:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(selectors.paths_q(roots, "path"), kind=OrgUnit.Kind.UNION).order_by("path")


@login_required
def settings_page(request):
    """The centre's rules of one union (``assistance.configure``): thresholds, publicity, schedules."""
    require(request.user, "assistance.configure")
    unions = list(_configurable_unions(request.user)[:200])
    if not unions:
        raise PermissionRefused("assistance.configure")
    wanted = id_param(request.GET.get("union"))
    union = next((u for u in unions if u.pk == wanted), None) if wanted else unions[0]
    if union is None:
        raise OutOfScope()
    rules = settings_for(union)
    initial = {f: getattr(rules, f) for f in SettingsForm.base_fields}
    initial["follow_up_days"] = ", ".join(str(d) for d in rules.follow_up_days)
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assistance_settings_update(actor=request.user, union=union, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?union={union.pk}")
    return render(request, "assistance/files/settings.html", {"form": form, "union": union, "unions": unions})


urlpatterns = [
    path("files/", file_list, name="file_list"),
    path("files/export.xlsx", file_export, name="file_export"),
    path("files/new/", file_new, name="file_new"),
    path("files/mine/", my_files, name="my_files"),
    path("files/<int:pk>/", file_detail, name="file_detail"),
    path("files/<int:pk>/edit/", file_edit, name="file_edit"),
    path("files/<int:pk>/act/<slug:action>/", file_action, name="file_action"),
    path("files/<int:pk>/objections/", objection_new, name="objection_new"),
    path("files/<int:pk>/objections/<int:objection_pk>/resolve/", objection_resolve, name="objection_resolve"),
    path("files/<int:pk>/documents/", document_upload, name="document_upload"),
    path("files/<int:pk>/documents/<int:document_pk>/", document_download, name="document_download"),
    path("publicity/", publicity, name="publicity"),
    path("publicity/notice.pdf", publicity_pdf, name="publicity_pdf"),
    path("settings/", settings_page, name="settings"),
]
