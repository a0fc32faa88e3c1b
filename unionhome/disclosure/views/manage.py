"""The disclosure office's pages: its notices, a new notice, a draft's edits and attachments, publishing
and withdrawing. Cadres who follow receipts or answer questions see the notices that concern them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.access.policy import OutOfScope, PermissionRefused, can
from unionhome.disclosure.audience import (
    PUBLISH,
    RECEIPTS,
    cadre_sees,
    follow_roots,
    is_disclosure_cadre,
    may_publish_somewhere,
)
from unionhome.disclosure.forms.notices import AttachmentForm, NoticeForm, WithdrawForm
from unionhome.disclosure.models import Notice
from unionhome.disclosure.selectors import notices as selectors
from unionhome.disclosure.selectors.questions import notice_questions, public_questions
from unionhome.disclosure.services import attachments as attachment_services
from unionhome.disclosure.services import notices as services
from unionhome.home.form_errors import form_errors_from
from unionhome.printing import render_pdf


def _managed(viewer, pk: int) -> Notice:
    notice = selectors.notice_for(viewer, pk)
    if not cadre_sees(viewer, notice):
        raise OutOfScope()
    return notice


@login_required
def manage_list(request):
    viewer = request.user
    if not is_disclosure_cadre(viewer):
        raise PermissionRefused(PUBLISH)
    status = request.GET.get("status", "")
    if status not in Notice.Status.values:
        status = ""
    cursor = request.GET.get("after", "")[:300] or None
    page = selectors.manage_page(selectors.managed_notices(viewer, status=status), cursor)
    context = {
        "page": page,
        "status": status,
        "statuses": Notice.Status.choices,
        "may_publish": may_publish_somewhere(viewer),
    }
    return render(request, "disclosure/manage/list.html", context)


def _notice_fields(form: NoticeForm) -> dict:
    data = form.cleaned_data
    return {
        "audience": data["audience"],
        "category": data["category"],
        "title": data["title"],
        "body": data["body"],
        "publish_from": data["publish_from"],
        "publish_until": data.get("publish_until"),
        "pinned": data.get("pinned", False),
    }


@login_required
def notice_new(request):
    viewer = request.user
    if not may_publish_somewhere(viewer):
        raise PermissionRefused(PUBLISH)
    initial = {"publish_from": timezone.localtime().replace(second=0, microsecond=0)}
    form = NoticeForm(request.POST or None, actor=viewer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(actor=viewer, **_notice_fields(form))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Draft saved. Add attachments if needed, then publish it."))
            return redirect("disclosure:notice_manage", notice.pk)
    return render(request, "disclosure/manage/form.html", {"form": form, "notice": None})


@login_required
def notice_edit(request, pk: int):
    viewer = request.user
    notice = _managed(viewer, pk)
    if not can(viewer, PUBLISH, notice):
        raise PermissionRefused(PUBLISH)
    if notice.status != Notice.Status.DRAFT:
        messages.error(request, _("A published notice cannot be changed. Withdraw it and publish a new one."))
        return redirect("disclosure:notice_manage", notice.pk)
    initial = {
        "title": notice.title,
        "category": notice.category,
        "audience": notice.audience_id,
        "body": notice.body,
        "publish_from": timezone.localtime(notice.publish_from),
        "publish_until": timezone.localtime(notice.publish_until) if notice.publish_until else None,
        "pinned": notice.pinned,
    }
    form = NoticeForm(request.POST or None, actor=viewer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_update(actor=viewer, notice=notice, **_notice_fields(form))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("disclosure:notice_manage", notice.pk)
    return render(request, "disclosure/manage/form.html", {"form": form, "notice": notice})


def _detail_context(viewer, notice: Notice, **forms) -> dict:
    publisher = can(viewer, PUBLISH, notice)
    draft = notice.status == Notice.Status.DRAFT
    return {
        "notice": notice,
        "attachments": list(notice.attachments.all()),
        "questions": notice_questions(notice),
        "publisher": publisher,
        "draft": draft,
        "attachment_form": forms.get("attachment_form") or (AttachmentForm() if publisher and draft else None),
        "withdraw_form": forms.get("withdraw_form")
        or (WithdrawForm() if publisher and notice.status == Notice.Status.PUBLISHED else None),
        "publish_errors": forms.get("publish_errors", []),
        "sees_receipts": notice.status != Notice.Status.DRAFT and bool(follow_roots(viewer, RECEIPTS, notice)),
    }


@login_required
def notice_manage(request, pk: int):
    notice = _managed(request.user, pk)
    return render(request, "disclosure/manage/detail.html", _detail_context(request.user, notice))


@login_required
@require_POST
def notice_publish(request, pk: int):
    viewer = request.user
    notice = _managed(viewer, pk)
    try:
        services.notice_publish(actor=viewer, notice=notice)
    except ValidationError as exc:
        notice.refresh_from_db()
        context = _detail_context(viewer, notice, publish_errors=exc.messages)
        return render(request, "disclosure/manage/detail.html", context, status=422)
    messages.success(request, _("The notice is published."))
    return redirect("disclosure:notice_manage", notice.pk)


@login_required
@require_POST
def notice_withdraw(request, pk: int):
    viewer = request.user
    notice = _managed(viewer, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.notice_withdraw(actor=viewer, notice=notice, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The notice was withdrawn."))
            return redirect("disclosure:notice_manage", notice.pk)
    return render(
        request, "disclosure/manage/detail.html", _detail_context(viewer, notice, withdraw_form=form), status=422
    )


@login_required
@require_POST
def attachment_add(request, pk: int):
    viewer = request.user
    notice = _managed(viewer, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment_services.attachment_add(actor=viewer, notice=notice, upload=form.cleaned_data["upload"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("File attached."))
            return redirect("disclosure:notice_manage", notice.pk)
    context = _detail_context(viewer, notice, attachment_form=form)
    return render(request, "disclosure/manage/detail.html", context, status=422)


@login_required
@require_POST
def attachment_remove(request, pk: int, attachment_pk: int):
    viewer = request.user
    notice = _managed(viewer, pk)
    attachment = notice.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404()
    try:
        attachment_services.attachment_remove(actor=viewer, attachment=attachment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("disclosure:notice_manage", notice.pk)


@login_required
def notice_print(request, pk: int):
    """The notice (and its public answers) as an A4 PDF for the factory-affairs board on the wall."""
    notice = _managed(request.user, pk)
    context = {
        "notice": notice,
        "paragraphs": [line for line in notice.body.splitlines() if line.strip()],
        "questions": public_questions(notice),
    }
    response = HttpResponse(
        render_pdf("disclosure/print/notice.html", context, request=request), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(False, f"notice-{notice.pk}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("manage/", manage_list, name="manage"),
    path("manage/new/", notice_new, name="notice_new"),
    path("manage/<int:pk>/", notice_manage, name="notice_manage"),
    path("manage/<int:pk>/edit/", notice_edit, name="notice_edit"),
    path("manage/<int:pk>/print/", notice_print, name="notice_print"),
    path("manage/<int:pk>/publish/", notice_publish, name="notice_publish"),
    path("manage/<int:pk>/withdraw/", notice_withdraw, name="notice_withdraw"),
    path("manage/<int:pk>/attachments/", attachment_add, name="attachment_add"),
    path("manage/<int:pk>/attachments/<int:attachment_pk>/remove/", attachment_remove, name="attachment_remove"),
]
