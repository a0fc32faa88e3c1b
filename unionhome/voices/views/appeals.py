"""Pages of workers' voices for the worker: the front page (send an appeal, my appeals, read with a
code), my appeals, one named appeal and what its member does with it. The pages of an anonymous appeal
are in ``views/anonymous.py``, all under ``/voices/anonymous/`` (the access log leaves that prefix out).

Sending is posted to ``/voices/anonymous/send/`` whether the appeal is named or not: were named appeals
posted elsewhere, the log would show every named submission, and a submission missing from it would
point at an anonymous one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from unionhome.home.form_errors import form_errors_from
from unionhome.home.params import id_param
from unionhome.voices.selectors import appeals as selectors
from unionhome.voices.views import anonymous
from unionhome.voices.views.appeal_parts import bound_action_form, detail_context, file_response, index_context, perform


@login_required
def index(request):
    return render(request, "voices/index.html", index_context(request))


@login_required
def my_appeals(request):
    page = selectors.my_appeals_page(request.user, request.GET.get("after", "")[:300] or None)
    return render(request, "voices/appeals/mine.html", {"page": page, "appeals": page.items})


@login_required
def appeal_detail(request, pk: int):
    appeal = selectors.own_appeal(request.user, pk)
    return render(request, "voices/appeals/detail.html", detail_context(selectors.submitter_view(appeal)))


# --- the member's actions on a named appeal --------------------------------------------------------------


def _act(request, pk: int, action: str):
    appeal = selectors.own_appeal(request.user, pk)
    if request.method != "POST":
        return redirect("voices:appeal_detail", pk=appeal.pk)
    form, context_name = bound_action_form(action, request.POST)
    if form.is_valid():
        try:
            done = perform(action, actor=request.user, appeal=appeal, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, done)
            return redirect("voices:appeal_detail", pk=appeal.pk)
    view = selectors.submitter_view(selectors.own_appeal(request.user, pk))
    return render(request, "voices/appeals/detail.html", detail_context(view, **{context_name: form}))


@login_required
def appeal_write(request, pk: int):
    return _act(request, pk, "write")


@login_required
def appeal_rate_page(request, pk: int):
    return _act(request, pk, "rate")


@login_required
def appeal_rating_change_page(request, pk: int):
    return _act(request, pk, "change_rating")


@login_required
def appeal_reopen_page(request, pk: int):
    return _act(request, pk, "reopen")


@login_required
def appeal_withdraw_page(request, pk: int):
    return _act(request, pk, "withdraw")


@login_required
def appeal_file(request, pk: int, attachment_pk: int):
    appeal = selectors.own_appeal(request.user, pk)
    return file_response(selectors.attachment_of(appeal, id_param(str(attachment_pk))))


urlpatterns = [
    path("", index, name="index"),
    path("mine/", my_appeals, name="mine"),
    path("<int:pk>/", appeal_detail, name="appeal_detail"),
    path("<int:pk>/write/", appeal_write, name="appeal_write"),
    path("<int:pk>/rate/", appeal_rate_page, name="appeal_rate"),
    path("<int:pk>/rating/", appeal_rating_change_page, name="appeal_rating_change"),
    path("<int:pk>/reopen/", appeal_reopen_page, name="appeal_reopen"),
    path("<int:pk>/withdraw/", appeal_withdraw_page, name="appeal_withdraw"),
    path("<int:pk>/files/<int:attachment_pk>/", appeal_file, name="appeal_file"),
    *anonymous.urlpatterns,
]
