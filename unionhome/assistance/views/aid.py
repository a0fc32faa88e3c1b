"""Education-aid pages: campaigns for cadres, applying and following an application for members."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from unionhome.access.policy import OutOfScope, can, has_permission_anywhere, require
from unionhome.assistance.forms.aid import (
    ApplicationForm,
    CampaignForm,
    DocumentForm,
    NoteForm,
    ObjectionForm,
    ReasonForm,
    ResolveForm,
    ReverseForm,
)
from unionhome.assistance.models import AidApplication, AidCampaign, Document, Objection, Payment
from unionhome.assistance.selectors import aid as selectors
from unionhome.assistance.services import aid as services
from unionhome.assistance.services.documents import document_read
from unionhome.audit.recorder import record
from unionhome.home.form_errors import form_errors_from
from unionhome.printing import render_pdf

State = AidCampaign.State
Status = AidApplication.Status


def _show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- campaigns -----------------------------------------------------------------------------------


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Cadres: the campaigns they run or review. Members: campaigns open to them."""
    user = request.user
    cadre = selectors.cadre_campaigns_for(user)[: selectors.MAX_CAMPAIGNS]
    context = {
        "cadre_campaigns": list(cadre),
        "open_campaigns": list(selectors.open_campaigns_for_member(user)),
        "is_member": user.member_id is not None,
        "can_create": has_permission_anywhere(user, "assistance.manage_aid"),
        "max_campaigns": selectors.MAX_CAMPAIGNS,
    }
    return render(request, "assistance/aid/campaign_list.html", context)


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "assistance.manage_aid")
    today = timezone.localdate()
    form = CampaignForm(
        request.POST or None,
        units=selectors.campaign_units_for(request.user),
        budget_lines=selectors.campaign_budget_lines_for(request.user),
        initial={"year": today.year, "require_admission_this_year": True, "publicity_days": 5},
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.aid_campaign_create(
                actor=request.user, unit=form.cleaned_data["unit"], **form.service_fields()
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Campaign saved as a draft. Open it when it is ready."))
            return redirect("assistance:aid_campaign_detail", pk=campaign.pk)
    return render(request, "assistance/aid/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_for(request.user, pk)
    require(request.user, "assistance.manage_aid", campaign)
    form = CampaignForm(
        request.POST or None,
        budget_lines=selectors.campaign_budget_lines_for(request.user),
        initial=CampaignForm.initial_from(campaign),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.aid_campaign_update(actor=request.user, campaign=campaign, **form.service_fields())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assistance:aid_campaign_detail", pk=campaign.pk)
    return render(request, "assistance/aid/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """For cadres: totals, the applications in their scope and the campaign's next step. For members:
    the criteria, their own applications and, once published, the approved list."""
    user = request.user
    campaign = selectors.campaign_for(user, pk)
    cadre = selectors.is_campaign_cadre(user, campaign)
    context = {
        "campaign": campaign,
        "tiers": list(campaign.tiers.all()),
        "cadre": cadre,
        "today": timezone.localdate(),
        "published": selectors.publicity_is_visible(campaign),
        "own": list(selectors.own_applications(user).filter(campaign=campaign)),
    }
    context["can_apply"] = (
        user.member_id is not None
        and campaign.state == State.OPEN
        and campaign.opens_on <= context["today"] <= campaign.closes_on
    )
    if context["published"]:
        context["publicity"] = selectors.publicity_rows(campaign)
    if cadre:
        status = request.GET.get("status", "")
        applications = selectors.applications_for_review(user, campaign=campaign, status=status)
        page = selectors.application_page(applications, request.GET.get("after"))
        rows = [selectors.application_row(user, a) for a in page.items]
        selectors.record_sensitive_listing(user, rows, where="campaign page")
        context.update(
            rows=rows,
            page=page,
            status=status if status in Status.values else "",
            statuses=Status.choices,
            totals=selectors.campaign_totals(campaign),
            can_manage=can(user, "assistance.manage_aid", campaign),
            can_disburse=can(user, "assistance.disburse", campaign),
            can_review=can(user, "assistance.review_aid", campaign) or bool(rows),
            objections=list(selectors.objections_of(campaign, user)) if context["published"] else [],
        )
    return render(request, "assistance/aid/campaign_detail.html", context)


CAMPAIGN_ACTIONS = {
    "open": (services.aid_campaign_open, gettext_lazy("The campaign is open for applications.")),
    "close": (services.aid_campaign_close, gettext_lazy("Applications are closed; the campaign is under review.")),
    "publish": (
        services.aid_campaign_publish,
        gettext_lazy("The approved list is published for the publicity period."),
    ),
    "start-paying": (services.aid_campaign_start_paying, gettext_lazy("Paying has started.")),
    "finish": (services.aid_campaign_finish, gettext_lazy("The campaign is closed.")),
}


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = selectors.campaign_for(request.user, pk)
    if action == "pay-all":
        try:
            result = services.aid_campaign_pay_all(actor=request.user, campaign=campaign)
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s application paid, %(amount)s yuan in all.",
                    "%(n)s applications paid, %(amount)s yuan in all.",
                    len(result.paid),
                )
                % {"n": len(result.paid), "amount": result.total},
            )
            for pk_failed, message in result.failed:
                messages.error(request, _("Application %(id)s: %(message)s") % {"id": pk_failed, "message": message})
        return redirect("assistance:aid_campaign_detail", pk=campaign.pk)
    if action not in CAMPAIGN_ACTIONS:
        raise OutOfScope
    service, done = CAMPAIGN_ACTIONS[action]
    try:
        service(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, str(done))
    return redirect("assistance:aid_campaign_detail", pk=campaign.pk)


@login_required
@require_GET
@never_cache
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The approved list as Excel: children's ID numbers masked, no income; audited."""
    campaign = selectors.campaign_for(request.user, pk)
    data = selectors.approved_list_workbook(viewer=request.user, campaign=campaign)
    response = HttpResponse(data, content_type=selectors.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="aid-{campaign.pk}-approved.xlsx"'
    return response


@login_required
@require_GET
@never_cache
def publicity_pdf(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The publicity notice for the notice board: member, unit, tier and amount; nothing about the child."""
    campaign = selectors.campaign_for(request.user, campaign_pk)
    require(request.user, "assistance.manage_aid", campaign)
    if not selectors.publicity_is_visible(campaign):
        messages.error(request, _("The approved list is not published yet."))
        return redirect("assistance:aid_campaign_detail", pk=campaign.pk)
    rows = selectors.publicity_rows(campaign)
    pdf = render_pdf(
        "assistance/aid/publicity_pdf.html",
        {"campaign": campaign, "rows": rows, "total": sum((r.amount for r in rows), start=0)},
        request=request,
    )
    record(request.user, "assistance.aid_campaign.publicity_printed", campaign, rows=len(rows))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="aid-{campaign.pk}-publicity.pdf"'
    return response


# --- applying ------------------------------------------------------------------------------------


@login_required
def apply(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """A member applies for their child: one short form, proof photo included."""
    campaign = selectors.campaign_for(request.user, campaign_pk)
    if request.user.member_id is None:
        messages.error(request, _("Only members apply for education aid, for their own children."))
        return redirect("assistance:aid_campaign_detail", pk=campaign.pk)
    today = timezone.localdate()
    if request.method == "GET" and not (
        campaign.state == State.OPEN and campaign.opens_on <= today <= campaign.closes_on
    ):
        messages.error(request, _("This campaign is not taking applications."))
        return redirect("assistance:aid_campaign_detail", pk=campaign.pk)
    form = ApplicationForm(
        request.POST or None, request.FILES or None, campaign=campaign, initial={"admitted_year": campaign.year}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.aid_application_submit(
                actor=request.user,
                campaign=campaign,
                child_name=data["child_name"],
                child_id_number=data["child_id_number"],
                school=data["school"],
                admitted_year=data["admitted_year"],
                tier=data["tier"],
                consent=data["consent"],
                proof=data.get("upload"),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Your application is sent. You can follow it here."))
            return redirect("assistance:aid_application_detail", pk=application.pk)
    return render(request, "assistance/aid/apply.html", {"form": form, "campaign": campaign})


@login_required
@require_GET
def my_aid(request: HttpRequest) -> HttpResponse:
    """A member's own applications and the campaigns open to them."""
    context = {
        "applications": list(selectors.own_applications(request.user)[:100]),
        "open_campaigns": list(selectors.open_campaigns_for_member(request.user)),
        "is_member": request.user.member_id is not None,
    }
    return render(request, "assistance/aid/my_aid.html", context)


# --- one application -----------------------------------------------------------------------------


def _application_context(request: HttpRequest, application: AidApplication) -> dict:
    user = request.user
    own = user.member_id is not None and application.member_id == user.member_id
    campaign = application.campaign
    row = selectors.application_row(user, application)
    context = {
        "application": application,
        "campaign": campaign,
        "row": row,
        "own": own,
        "documents": list(application.documents.all()),
        "can_withdraw": own and application.status == Status.SUBMITTED,
        "can_add_document": application.status == Status.SUBMITTED
        and (own or can(user, "assistance.review_aid", application)),
        "document_form": DocumentForm(),
    }
    if own and not can(user, "assistance.review_aid", application):
        return context
    deciding = campaign.state in services.DECIDING
    can_review = can(user, "assistance.review_aid", application) and not own
    can_approve = can(user, "assistance.approve_aid", application) and not own
    context.update(
        cadre=True,
        can_review=can_review and deciding and application.status == Status.SUBMITTED,
        can_approve=can_approve
        and deciding
        and application.status == Status.REVIEWED
        and application.reviewed_by_id != user.pk,
        can_reject=deciding
        and (
            (can_review and application.status == Status.SUBMITTED)
            or (can_approve and application.status in (Status.REVIEWED, Status.APPROVED))
        ),
        can_pay=can(user, "assistance.disburse", application)
        and campaign.state == State.PAYING
        and application.status == Status.APPROVED,
        can_reverse=can(user, "assistance.disburse", application) and application.status == Status.PAID,
        can_object=can(user, "assistance.manage_aid", application)
        and campaign.state == State.PUBLICITY
        and application.status == Status.APPROVED,
        can_resolve=can(user, "assistance.approve_aid", application),
        objections=[
            (objection, ResolveForm(auto_id=f"objection-{objection.pk}-%s"))
            for objection in application.objections.all()
        ],
        payments=list(Payment.objects.filter(aid_application=application).select_related("paid_by")),
        note_form=NoteForm(),
        reason_form=ReasonForm(),
        reverse_form=ReverseForm(),
        objection_form=ObjectionForm(),
        idempotency_key=uuid.uuid4().hex,
    )
    return context


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    context = _application_context(request, application)
    if not context["own"]:  # a cadre opened a child's details: who opened which application
        record(request.user, "assistance.aid_application.viewed", application, unmasked=context["row"]["sensitive"])
    return render(request, "assistance/aid/application_detail.html", context)


def _run(request: HttpRequest, application: AidApplication, action: str) -> str | None:
    """Call the service for ``action``; the message to show on success, or None after showing errors."""
    user, post = request.user, request.POST
    if action == "withdraw":
        services.aid_application_withdraw(actor=user, application=application)
        return _("Your application is withdrawn.")
    if action == "review":
        form = NoteForm(post)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        services.aid_application_review(actor=user, application=application, note=note)
        return _("Reviewed: the application now waits for approval.")
    if action == "approve":
        form = NoteForm(post)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        services.aid_application_approve(actor=user, application=application, note=note)
        return _("Approved; the amount is reserved on the budget line.")
    if action == "reject":
        services.aid_application_reject(actor=user, application=application, reason=post.get("reason", ""))
        return _("Rejected; the applicant sees the reason.")
    if action == "pay":
        result = services.aid_application_pay(
            actor=user, application=application, idempotency_key=post.get("idempotency_key", "")
        )
        return _("This payment was already made.") if result.replayed else _("Paid.")
    if action == "reverse":
        services.aid_payment_reverse(actor=user, application=application, reason=post.get("reason", ""))
        return _("The payment is reversed.")
    if action == "objection":
        services.aid_objection_record(
            actor=user, application=application, summary=post.get("summary", ""), raised_by=post.get("raised_by", "")
        )
        return _("The objection is recorded. Resolve it before paying starts.")
    if action == "document":
        form = DocumentForm(post, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return None
        services.aid_document_add(
            actor=user, application=application, upload=form.cleaned_data["upload"], kind=form.cleaned_data["kind"]
        )
        return _("Document added.")
    raise OutOfScope


@login_required
@require_POST
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    try:
        done = _run(request, application, action)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        if done:
            messages.success(request, done)
    return redirect("assistance:aid_application_detail", pk=application.pk)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = Objection.objects.filter(pk=pk, aid_application__isnull=False).select_related("aid_application").first()
    if objection is None:
        raise OutOfScope
    application = selectors.application_for(request.user, objection.aid_application_id)
    try:
        services.aid_objection_resolve(
            actor=request.user,
            objection=objection,
            resolution=request.POST.get("resolution", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, _("The objection is resolved."))
    return redirect("assistance:aid_application_detail", pk=application.pk)


@login_required
@require_GET
@never_cache
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = Document.objects.filter(pk=pk, aid_application__isnull=False).select_related("aid_application").first()
    if document is None:
        raise OutOfScope
    content = document_read(viewer=request.user, document=document)
    response = HttpResponse(content.data, content_type=document.content_type)
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}{_suffix(document)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _suffix(document: Document) -> str:
    return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(document.content_type, "")


urlpatterns = [
    path("aid/", campaign_list, name="aid_campaign_list"),
    path("aid/new/", campaign_new, name="aid_campaign_new"),
    path("aid/mine/", my_aid, name="my_aid"),
    path("aid/<int:pk>/", campaign_detail, name="aid_campaign_detail"),
    path("aid/<int:pk>/edit/", campaign_edit, name="aid_campaign_edit"),
    path("aid/<int:campaign_pk>/apply/", apply, name="aid_apply"),
    path("aid/<int:campaign_pk>/publicity.pdf", publicity_pdf, name="aid_publicity_pdf"),
    path("aid/<int:pk>/approved.xlsx", campaign_export, name="aid_export"),
    path("aid/<int:pk>/do/<slug:action>/", campaign_action, name="aid_campaign_action"),
    path("aid/applications/<int:pk>/", application_detail, name="aid_application_detail"),
    path("aid/applications/<int:pk>/do/<slug:action>/", application_action, name="aid_application_action"),
    path("aid/objections/<int:pk>/resolve/", objection_resolve, name="aid_objection_resolve"),
    path("aid/documents/<int:pk>/", document_download, name="aid_document"),
]
