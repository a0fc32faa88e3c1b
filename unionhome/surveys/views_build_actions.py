"""Sending a survey, for its builders: open it (a confirmation page saying how many members will be
invited, then ``survey_open``; a refusal lists every problem on the survey's page), close it (confirmed
likewise) and remind those who have not answered now (``survey_remind``; how many were reminded)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from unionhome.surveys import selectors_build as selectors
from unionhome.surveys.audience import audience_members
from unionhome.surveys.models import Survey
from unionhome.surveys.selectors import response_rate
from unionhome.surveys.services import survey_close, survey_open, survey_remind
from unionhome.surveys.views_build import detail_context
from unionhome.surveys.workflow import is_answerable


def _confirm(request, survey: Survey, action: str, **extra):
    return render(request, "surveys/build/confirm.html", {"survey": survey, "action": action, **extra})


@login_required
def survey_open_view(request, pk: int):
    """GET: what opening does, to confirm; POST: open, or show every problem on the survey's page."""
    viewer = request.user
    survey = selectors.managed_survey(viewer, pk)
    if survey.status != Survey.Status.DRAFT:
        messages.error(request, _("Only a draft survey can be opened."))
        return redirect("surveys:detail", survey.pk)
    if request.method != "POST":
        return _confirm(request, survey, "open", audience=audience_members(survey).count())
    try:
        survey = survey_open(actor=viewer, survey=survey)
    except ValidationError as exc:
        survey.refresh_from_db()
        context = detail_context(viewer, survey, open_errors=exc.messages)
        return render(request, "surveys/build/detail.html", context, status=422)
    if survey.invitations_done_at is None:  # a large audience: the task worker invites it in batches
        size = survey.audience_size or 0
        message = ngettext(
            "The survey is open: %(count)s member is being invited in the background.",
            "The survey is open: %(count)s members are being invited in the background.",
            size,
        ) % {"count": size}
    else:
        invited = response_rate(survey).invited
        message = ngettext(
            "The survey is open: %(count)s member was invited.",
            "The survey is open: %(count)s members were invited.",
            invited,
        ) % {"count": invited}
    messages.success(request, message)
    return redirect("surveys:detail", survey.pk)


@login_required
def survey_close_view(request, pk: int):
    """GET: confirm closing; POST: close (nobody can answer any more; final)."""
    viewer = request.user
    survey = selectors.managed_survey(viewer, pk)
    if survey.status != Survey.Status.OPEN:
        messages.error(request, _("Only an open survey can be closed."))
        return redirect("surveys:detail", survey.pk)
    if request.method != "POST":
        return _confirm(request, survey, "close", rate=response_rate(survey))
    try:
        survey_close(actor=viewer, survey=survey)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The survey is closed: nobody can answer it any more."))
    return redirect("surveys:detail", survey.pk)


@login_required
@require_POST
def survey_remind_view(request, pk: int):
    """Remind now the invited members who have not answered (each at most once a day)."""
    survey = selectors.managed_survey(request.user, pk)
    if not is_answerable(survey, timezone.now()):
        messages.error(request, _("Reminders are sent only while the survey can be answered."))
        return redirect("surveys:detail", survey.pk)
    sent = survey_remind(survey=survey, actor=request.user)
    if sent:
        messages.success(
            request,
            ngettext("%(count)s member was reminded.", "%(count)s members were reminded.", sent) % {"count": sent},
        )
    else:
        messages.info(request, _("Nobody to remind: everyone who has not answered was reminded today already."))
    return redirect("surveys:detail", survey.pk)
