"""A draft survey's questions, for its builders: add one, change one, remove one, move one up or down.

The rules (conditions on earlier questions only, one overall question, options and scales) are the
services'; a refused change is shown beside its field with what was typed kept, or, for a removal or a
move, as a message on the survey's page.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.surveys import selectors_build as selectors
from unionhome.surveys.forms_build import KIND_FIELDS, QuestionForm, question_errors_from, question_initial
from unionhome.surveys.models import Question, Survey
from unionhome.surveys.services import question_add, question_remove, question_update, questions_reorder


def _draft(request, pk: int) -> tuple[Survey, bool]:
    survey = selectors.managed_survey(request.user, pk)
    if survey.status != Survey.Status.DRAFT:
        messages.error(request, _("Only a draft survey can be changed."))
        return survey, False
    return survey, True


def _question_page(request, pk: int, question_pk: int | None):
    """The question form of a draft, to add a question (``question_pk`` None) or change one: on a valid POST
    the service saves it and the survey's page says so; a refusal shows beside its field (422), what was
    typed kept."""
    survey, draft = _draft(request, pk)
    if not draft:
        return redirect("surveys:detail", survey.pk)
    if question_pk is None:
        question, initial = None, {"kind": Question.Kind.SINGLE}
        earlier = selectors.questions_of(survey)
        save, done = partial(question_add, actor=request.user, survey=survey), _("The question was added.")
    else:
        question = selectors.survey_question(survey, question_pk)
        initial = question_initial(question)
        earlier = [q for q in selectors.questions_of(survey) if q.position < question.position]
        save, done = partial(question_update, actor=request.user, question=question), _("The question was saved.")
    form = QuestionForm(request.POST or None, earlier=earlier, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(**form.service_fields())
        except ValidationError as exc:
            question_errors_from(form, exc)
        else:
            messages.success(request, done)
            return redirect("surveys:detail", survey.pk)
    context = {"survey": survey, "form": form, "question": question, "kind_fields": KIND_FIELDS}
    return render(request, "surveys/build/question_form.html", context, status=422 if request.method == "POST" else 200)


@login_required
def question_new(request, pk: int):
    return _question_page(request, pk, None)


@login_required
def question_edit(request, pk: int, question_pk: int):
    return _question_page(request, pk, question_pk)


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_POST
def question_drop(request, pk: int, question_pk: int):
    survey, draft = _draft(request, pk)
    if draft:
        question = selectors.survey_question(survey, question_pk)
        try:
            question_remove(actor=request.user, question=question)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The question was removed."))
    return redirect("surveys:detail", survey.pk)


@login_required
@require_POST
def question_move(request, pk: int, question_pk: int):
    """Swap a question with the one above (``direction=up``) or below (``down``)."""
    survey, draft = _draft(request, pk)
    if draft:
        question = selectors.survey_question(survey, question_pk)
        order = [q.pk for q in selectors.questions_of(survey)]
        index = order.index(question.pk)
        other = index - 1 if request.POST.get("direction") == "up" else index + 1
        if 0 <= other < len(order):
            order[index], order[other] = order[other], order[index]
            try:
                questions_reorder(actor=request.user, survey=survey, order=order)
            except ValidationError as exc:
                _refused(request, exc)
            else:
                messages.success(request, _("The question was moved."))
    return redirect(f"{reverse('surveys:detail', args=[survey.pk])}#question-{question_pk}")
