"""Pages under ``/voices/anonymous/``: sending an appeal (named or not, see ``views/appeals.py``), the
confirmation with the follow-up code, and everything an anonymous submitter does with their code.

These pages keep no state: the code is posted with every request (never in a URL), nothing is put in the
session or in flash messages, every answer is ``no-store``, and nothing here is logged. A wrong code gets
one message; guessing is limited per client address and overall (``follow_up_codes``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from unionhome.home.form_errors import form_errors_from
from unionhome.home.params import id_param
from unionhome.voices.forms.appeals import AppealForm, CodeForm
from unionhome.voices.selectors import appeals as selectors
from unionhome.voices.services.appeals import appeal_submit
from unionhome.voices.views.appeal_parts import bound_action_form, detail_context, file_response, index_context, perform


def client_of(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


def private(response):
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # no-referrer would send "Origin: null" and fail CSRF
    return response


@login_required
@require_http_methods(["GET", "POST"])
def send(request):
    """Send an appeal (the form is on the front page)."""
    if request.method != "POST":
        return redirect("voices:index")
    form = AppealForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            appeal, code = appeal_submit(
                actor=request.user,
                kind=data["kind"],
                category=data["category"],
                title=data["title"],
                body=data["body"],
                anonymous=data["anonymous"],
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if code is None:
                messages.success(request, _("Your appeal was sent. You will be told when it is answered."))
                return redirect("voices:appeal_detail", pk=appeal.pk)
            return private(render(request, "voices/appeals/sent.html", {"appeal": appeal, "code": code}))
    return private(render(request, "voices/index.html", index_context(request, form=form)))


def _by_code(request, form: CodeForm):
    """The appeal of the posted code, or None with the reason on ``form``."""
    if not form.is_valid():
        return None
    try:
        return selectors.appeal_by_code(form.cleaned_data["code"], client=client_of(request))
    except selectors.CodeRefused as exc:
        form.add_error("code", exc.messages[0])
        return None


def _show(request, appeal, code: str, done: str = "", **forms):
    context = detail_context(selectors.submitter_view(appeal), **forms)
    context.update({"code": code, "done": done})
    return private(render(request, "voices/appeals/detail.html", context))


def _ask_code(request, form: CodeForm):
    return private(render(request, "voices/appeals/code.html", {"code_form": form}))


@login_required
@require_http_methods(["GET", "POST"])
def read(request):
    """Enter the code (GET), read the appeal (POST)."""
    if request.method != "POST":
        return _ask_code(request, CodeForm())
    form = CodeForm(request.POST)
    appeal = _by_code(request, form)
    if appeal is None:
        return _ask_code(request, form)
    return _show(request, appeal, form.cleaned_data["code"])


def _act(request, action: str):
    if request.method != "POST":  # e.g. back from the language switch: start from the code again
        return redirect("voices:anonymous")
    code_form = CodeForm(request.POST)
    appeal = _by_code(request, code_form)
    if appeal is None:
        return _ask_code(request, code_form)
    code = code_form.cleaned_data["code"]
    form, context_name = bound_action_form(action, request.POST)
    if form.is_valid():
        try:
            done = perform(action, actor=request.user, appeal=appeal, data=form.cleaned_data, code=code)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            appeal.refresh_from_db()
            return _show(request, appeal, code, done)
    appeal.refresh_from_db()
    return _show(request, appeal, code, **{context_name: form})


@login_required
def write(request):
    return _act(request, "write")


@login_required
def rate(request):
    return _act(request, "rate")


@login_required
def change_rating(request):
    return _act(request, "change_rating")


@login_required
def reopen(request):
    return _act(request, "reopen")


@login_required
def withdraw(request):
    return _act(request, "withdraw")


@login_required
def download(request):
    """A file of the appeal, asked with the code (a form button, so that the code stays out of URLs)."""
    if request.method != "POST":
        return redirect("voices:anonymous")
    code_form = CodeForm(request.POST)
    appeal = _by_code(request, code_form)
    if appeal is None:
        return _ask_code(request, code_form)
    attachment = appeal.attachments.filter(pk=id_param(request.POST.get("attachment"))).first()
    if attachment is None:
        return _show(request, appeal, code_form.cleaned_data["code"])
    return private(file_response(attachment))


urlpatterns = [
    path("anonymous/", read, name="anonymous"),
    path("anonymous/send/", send, name="send"),
    path("anonymous/write/", write, name="anonymous_write"),
    path("anonymous/rate/", rate, name="anonymous_rate"),
    path("anonymous/rating/", change_rating, name="anonymous_rating_change"),
    path("anonymous/reopen/", reopen, name="anonymous_reopen"),
    path("anonymous/withdraw/", withdraw, name="anonymous_withdraw"),
    path("anonymous/file/", download, name="anonymous_file"),
]
