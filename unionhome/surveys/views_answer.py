"""The member's survey pages: their surveys (``/surveys/``), one questionnaire to answer on one page
(``/surveys/<id>/``) and the thank-you page. Thin: the reads are ``selectors_answer``, the write is
``response_submit``. A survey the member was not invited to is 404 (its existence is not revealed)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from unionhome.surveys import selectors_answer
from unionhome.surveys.answer_form import answers_from_post, shown_questions
from unionhome.surveys.services.answering import NotInvited, member_of, response_submit

STATE_STATUS = {"answered": 409, "closed": 400, "not_open": 400}


@login_required
def mine(request):
    member = member_of(request.user)
    context = {"is_member": member is not None}
    if member is not None:
        context["surveys"] = selectors_answer.my_surveys(member)
    return render(request, "surveys/answer/mine.html", context)


def _state_message(found: selectors_answer.ForAnswer) -> str:
    survey = found.survey
    if found.state == "answered":
        return _("You have already answered this survey. Thank you.")
    if found.state == "not_open":
        return _("This survey opens on %(date)s.") % {
            "date": timezone.localtime(survey.opens_at).strftime("%Y-%m-%d %H:%M")
        }
    return _("This survey is closed: answers are no longer accepted.")


def _page(request, found, questions, answers, errors, *, message="", status=200):
    context = {
        "survey": found.survey,
        "state": found.state,
        "state_message": message or (_state_message(found) if found.state != "open" else ""),
        "questions": shown_questions(questions, answers, errors) if found.state == "open" else [],
        "errors": errors,
        "error_count": len([k for k in errors if k.startswith("q")]),
        "general_errors": [v for k, v in errors.items() if not k.startswith("q")],
    }
    return render(request, "surveys/answer/answer.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, pk: int):
    found = selectors_answer.survey_for_answer(request.user, pk)
    questions = selectors_answer.questions_of(found.survey) if found.state == "open" else []
    if request.method == "GET" or found.state != "open":
        return _page(
            request, found, questions, {}, {}, status=200 if request.method == "GET" else STATE_STATUS[found.state]
        )
    answers = answers_from_post(questions, request.POST)
    try:
        response_submit(actor=request.user, survey=found.survey, answers=answers)
    except NotInvited:
        raise  # the invitation was just found: only a member who left since ends here (403)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            errors = {key: " ".join(messages) for key, messages in exc.message_dict.items()}
            return _page(request, found, questions, answers, errors, status=422)
        found = selectors_answer.survey_for_answer(request.user, pk)  # answered or closed meanwhile
        status = STATE_STATUS.get(found.state, 400)
        return _page(request, found, [], {}, {}, message=" ".join(exc.messages), status=status)
    return redirect("surveys:thanks", pk=found.survey.pk)


@login_required
def thanks(request, pk: int):
    found = selectors_answer.survey_for_answer(request.user, pk)
    if not found.answered:
        return redirect("surveys:answer", pk=found.survey.pk)
    return render(request, "surveys/answer/thanks.html", {"survey": found.survey})
