"""The workers' pages: the board (/disclosure/), one notice (read receipt, attachments, questions)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from unionhome.disclosure.audience import active_member_of, cadre_sees, is_disclosure_cadre, may_publish_somewhere
from unionhome.disclosure.forms.questions import QuestionForm
from unionhome.disclosure.models import Notice
from unionhome.disclosure.selectors import notices as selectors
from unionhome.disclosure.selectors.questions import my_waiting_questions, own_waiting_questions, public_questions
from unionhome.disclosure.services.attachments import attachment_read
from unionhome.disclosure.services.questions import question_ask
from unionhome.disclosure.services.reads import notice_mark_read
from unionhome.home.form_errors import form_errors_from


@login_required
def index(request):
    viewer = request.user
    category = request.GET.get("category", "")
    if category not in Notice.Category.values:
        category = ""
    cursor = request.GET.get("after", "")[:300] or None
    page = selectors.board_page(selectors.board_for(viewer, category=category), cursor)
    read = selectors.read_notice_ids(viewer, [n.pk for n in page.items])
    context = {
        "rows": [{"notice": n, "unread": n.pk not in read} for n in page.items],
        "page": page,
        "category": category,
        "categories": Notice.Category.choices,
        "has_member": active_member_of(viewer) is not None,
        "is_cadre": is_disclosure_cadre(viewer),
        "may_publish": may_publish_somewhere(viewer),
        "waiting": my_waiting_questions(viewer),
    }
    return render(request, "disclosure/board/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def notice_detail(request, pk: int):
    viewer = request.user
    notice = selectors.notice_for(viewer, pk)
    reader = selectors.is_reader(viewer, notice)
    form = QuestionForm(request.POST or None) if reader else None
    if request.method == "POST":
        if form is None:
            raise Http404()
        if form.is_valid():
            try:
                question_ask(actor=viewer, notice=notice, body=form.cleaned_data["body"])
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Your question was sent. The answer will appear on this notice."))
                return redirect(f"{request.path}#questions")
    elif reader:
        notice_mark_read(actor=viewer, notice=notice)
    context = {
        "notice": notice,
        "attachments": list(notice.attachments.all()),
        "questions": public_questions(notice),
        "waiting": own_waiting_questions(viewer, notice) if reader else [],
        "form": form,
        "reader": reader,
        "is_cadre": cadre_sees(viewer, notice),
    }
    return render(request, "disclosure/board/notice.html", context)


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    """The file as an attachment, of its checked type, never sniffed; only to those who may open the notice."""
    notice = selectors.notice_for(request.user, pk)
    attachment = notice.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404()
    content = attachment_read(attachment=attachment)
    response = HttpResponse(content.data, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", notice_detail, name="notice"),
    path("<int:pk>/files/<int:attachment_pk>/", attachment_download, name="attachment"),
]
