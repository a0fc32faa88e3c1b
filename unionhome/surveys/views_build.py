"""The survey builder's pages (``satisfaction.manage_surveys``): the list of the cadre's surveys, a new
survey, a draft's fields, one survey with its questions and live response rate, the rate as JSON (polled
every 30 s by ``static/js/survey-build.js``) and a preview of the questionnaire as members see it.

Questions are in ``views_build_questions.py``; opening, closing and reminding in ``views_build_actions.py``.
Every write goes through ``surveys/services``; a refused change comes back beside its field, with what was
typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from unionhome.home.form_errors import form_errors_from
from unionhome.satisfaction.service_lines import service_line_label
from unionhome.surveys import selectors_build as selectors
from unionhome.surveys.forms_build import SurveyForm, survey_initial
from unionhome.surveys.models import Question, Survey, default_min_group
from unionhome.surveys.selectors import response_rate
from unionhome.surveys.services import survey_create, survey_update
from unionhome.surveys.structure import CHOICE_KINDS, SCALES


@login_required
def manage_list(request):
    viewer = request.user
    selectors.require_builder(viewer)
    status = request.GET.get("status", "")
    if status not in Survey.Status.values:
        status = ""
    cursor = request.GET.get("after", "")[:300] or None
    page = selectors.manage_page(selectors.managed_surveys(viewer, status=status), cursor)
    rates = selectors.rates_for([s.pk for s in page.items])
    rows = [(survey, rates[survey.pk]) for survey in page.items]
    context = {"page": page, "rows": rows, "status": status, "statuses": Survey.Status.choices}
    return render(request, "surveys/build/list.html", context)


def _survey_form(viewer, data=None, *, survey: Survey | None = None, initial=None) -> SurveyForm:
    return SurveyForm(
        data,
        units=selectors.builder_units(viewer),
        audience_units=selectors.audience_unit_choices(viewer, survey),
        tags=selectors.tag_choices(),
        survey=survey,
        initial=initial,
    )


@login_required
def survey_new(request):
    viewer = request.user
    selectors.require_builder(viewer)
    initial = {"min_group": default_min_group(), "unit": selectors.builder_units(viewer).first()}
    form = _survey_form(viewer, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            survey = survey_create(actor=viewer, unit=form.cleaned_data["unit"], **form.service_fields())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The draft survey was saved. Now add its questions."))
            return redirect("surveys:detail", survey.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "surveys/build/form.html", {"form": form, "survey": None}, status=status)


@login_required
def survey_edit(request, pk: int):
    viewer = request.user
    survey = selectors.managed_survey(viewer, pk)
    if survey.status != Survey.Status.DRAFT:
        messages.error(request, _("Only a draft survey can be changed."))
        return redirect("surveys:detail", survey.pk)
    units, tags = selectors.audience_of(survey)
    initial = survey_initial(survey, units, tags)
    form = _survey_form(viewer, request.POST or None, survey=survey, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            survey_update(actor=viewer, survey=survey, **form.service_fields())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The draft survey was saved."))
            return redirect("surveys:detail", survey.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "surveys/build/form.html", {"form": form, "survey": survey}, status=status)


def condition_text(question: Question, by_pk: dict[int, Question]) -> str:
    """When a question is shown, in words ("" when always)."""
    target = by_pk.get(question.condition_question_id)
    if target is None:
        return ""
    if target.kind in CHOICE_KINDS:
        values = [target.options[v] for v in question.condition_values if 0 <= v < len(target.options)]
    else:
        values = [str(v) for v in question.condition_values]
    return _("Shown when question %(position)s is answered with: %(values)s") % {
        "position": target.position,
        "values": " / ".join(values),
    }


def results_url(survey: Survey) -> str | None:
    """The results page (another part of the app); None until it exists."""
    try:
        return reverse("surveys:results", args=[survey.pk])
    except NoReverseMatch:
        return None


def question_rows(questions: list[Question]) -> list[dict]:
    """Each question with what the page says about it: its condition in words, its service line's label
    and the scores it is answered with."""
    by_pk = {q.pk: q for q in questions}
    return [
        {
            "question": q,
            "condition": condition_text(q, by_pk),
            "line": service_line_label(q.service_line) if q.service_line else "",
            "scale": list(SCALES.get(q.kind, ())),
        }
        for q in questions
    ]


def detail_context(viewer, survey: Survey, **extra) -> dict:
    units, tags = selectors.audience_of(survey)
    rate = response_rate(survey)
    return {
        "survey": survey,
        "draft": survey.status == Survey.Status.DRAFT,
        "questions": question_rows(selectors.questions_of(survey)),
        "audience_units": units,
        "audience_tags": tags,
        "rate": rate,
        "rate_percent": rate_json(rate)["percent"],
        "results_url": results_url(survey),
        "open_errors": [],
        **extra,
    }


@login_required
def survey_detail(request, pk: int):
    survey = selectors.managed_survey(request.user, pk)
    return render(request, "surveys/build/detail.html", detail_context(request.user, survey))


def rate_json(rate) -> dict:
    return {
        "invited": rate.invited,
        "responded": rate.responded,
        "rate": round(rate.rate, 4) if rate.rate is not None else None,
        "percent": f"{rate.rate * 100:.1f}" if rate.rate is not None else "—",
    }


@login_required
@require_GET
def survey_rate(request, pk: int):
    """The live response rate: invited, answered, rate (one query after the permission check)."""
    survey = selectors.managed_survey(request.user, pk)
    return JsonResponse(rate_json(response_rate(survey)))


@login_required
def survey_preview(request, pk: int):
    """The questionnaire as a member sees it, read-only."""
    survey = selectors.managed_survey(request.user, pk)
    context = {"survey": survey, "questions": question_rows(selectors.questions_of(survey))}
    return render(request, "surveys/build/preview.html", context)
