"""The cadres' queue of questions waiting for an answer, and answering one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from unionhome.access.policy import PermissionRefused
from unionhome.disclosure.audience import ANSWER
from unionhome.disclosure.forms.questions import AnswerForm
from unionhome.disclosure.selectors import questions as selectors
from unionhome.disclosure.services.questions import question_answer
from unionhome.home.form_errors import form_errors_from


@login_required
def question_queue(request):
    viewer = request.user
    if not selectors.may_answer_somewhere(viewer):
        raise PermissionRefused(ANSWER)
    cursor = request.GET.get("after", "")[:300] or None
    page = selectors.queue_page(selectors.question_queue(viewer), cursor)
    return render(request, "disclosure/questions/queue.html", {"page": page})


@login_required
def answer(request, pk: int):
    viewer = request.user
    if not selectors.may_answer_somewhere(viewer):
        raise PermissionRefused(ANSWER)
    question = selectors.question_to_answer(viewer, pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question_answer(actor=viewer, question=question, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Answer published on the notice."))
            return redirect("disclosure:questions")
    return render(request, "disclosure/questions/answer.html", {"question": question, "form": form})


urlpatterns = [
    path("questions/", question_queue, name="questions"),
    path("questions/<int:pk>/answer/", answer, name="question_answer"),
]
