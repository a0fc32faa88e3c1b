"""What the worker's pages share, named or anonymous: the front page's context, one appeal's page and its
forms, the submitter's actions, and file downloads."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.access.policy import has_permission_anywhere
from unionhome.satisfaction.edit_window import change_until
from unionhome.voices.forms.appeals import AppealForm, CodeForm, MessageForm, RateForm, ReopenForm, WithdrawForm
from unionhome.voices.handlers import handles_anything
from unionhome.voices.selectors import appeals as selectors
from unionhome.voices.services.appeals import active_member, appeal_follow_up, appeal_withdraw
from unionhome.voices.services.attachments import attachment_read
from unionhome.voices.services.feedback import appeal_rate, appeal_rating_change, appeal_reopen, rating_changeable

INDEX_APPEALS = 5


def _holding(permission: str):
    return lambda user: has_permission_anywhere(user, permission)


# Pages other parts of workers' voices add, shown on the front page when they exist and the viewer may
# use them: (url name, label, whether the viewer may use it).
OTHER_PAGES = [
    ("voices:hot", gettext_lazy("Hot issues and what was done"), lambda user: True),
    ("voices:queue", gettext_lazy("Appeals to handle"), handles_anything),
    ("voices:signals", gettext_lazy("First-signal dashboard"), _holding("voices.view_signals")),
    ("voices:settings", gettext_lazy("Routing and deadlines"), _holding("voices.configure")),
]


def _other_pages(user) -> list[tuple[str, str]]:
    links = []
    for name, label, shown_to in OTHER_PAGES:
        if not shown_to(user):
            continue
        try:
            links.append((str(label), reverse(name)))
        except NoReverseMatch:
            continue
    return links


def index_context(request, form: AppealForm | None = None, code_form: CodeForm | None = None) -> dict:
    user = request.user
    return {
        "form": form or AppealForm(),
        "code_form": code_form or CodeForm(),
        "is_member": active_member(user) is not None,
        "recent": selectors.my_appeals_page(user, None, size=INDEX_APPEALS).items,
        "other_pages": _other_pages(user),
    }


def rating_change_context(view: selectors.SubmitterView, form: RateForm | None = None) -> dict:
    """Whether the submitter may still change their rating of the answer (``open``), until when, or that
    the time is over (``over``: the appeal is still closed with that answer); the form, pre-filled."""
    rating, appeal = view.rating, view.appeal
    if rating is None or view.answer is None or appeal.status != appeal.Status.CLOSED:
        return {"rating_change": {"open": False, "over": False}, "rerate_form": form}
    is_open = rating_changeable(appeal, view.answer, rating)
    initial = {"score": rating.score, "comment": rating.comment}
    return {
        "rating_change": {"open": is_open, "over": not is_open, "until": change_until(rating.rated_at)},
        "rerate_form": form or RateForm(prefix="rerate", initial=initial),
    }


def detail_context(view: selectors.SubmitterView, **forms) -> dict:
    return {
        **rating_change_context(view, forms.get("rerate_form")),
        "view": view,
        "appeal": view.appeal,
        "anonymous": view.appeal.is_anonymous,
        "message_form": forms.get("message_form") or MessageForm(prefix="message"),
        "rate_form": forms.get("rate_form") or RateForm(prefix="rate"),
        "reopen_form": forms.get("reopen_form") or ReopenForm(prefix="reopen"),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(prefix="withdraw"),
        # Refusals not about one field (the appeal's state, the reopening window) shown at the top, since
        # the form that was sent may no longer be shown.
        "problems": [e for form in forms.values() if form is not None for e in form.non_field_errors()],
    }


ACTIONS = {
    # action: (form class, prefix of its fields, name of the form in the page's context)
    "write": (MessageForm, "message", "message_form"),
    "rate": (RateForm, "rate", "rate_form"),
    "change_rating": (RateForm, "rerate", "rerate_form"),
    "reopen": (ReopenForm, "reopen", "reopen_form"),
    "withdraw": (WithdrawForm, "withdraw", "withdraw_form"),
}


def perform(action: str, *, actor, appeal, data: dict, code: str | None = None) -> str:
    """Call the service of ``action`` with the form's cleaned data; returns the message to show."""
    if action == "write":
        appeal_follow_up(actor=actor, appeal=appeal, body=data["body"], code=code)
        return _("Your message was sent to the handler.")
    if action == "rate":
        appeal_rate(actor=actor, appeal=appeal, score=data["score"], comment=data.get("comment", ""), code=code)
        return _("Thank you: your rating was saved.")
    if action == "change_rating":
        appeal_rating_change(
            actor=actor, appeal=appeal, score=data["score"], comment=data.get("comment", ""), code=code
        )
        return _("Your rating was changed. Thank you.")
    if action == "reopen":
        appeal_reopen(actor=actor, appeal=appeal, reason=data["reason"], code=code)
        return _("The appeal was reopened and goes back to the handler with new deadlines.")
    appeal_withdraw(actor=actor, appeal=appeal, reason=data.get("reason", ""), code=code)
    return _("The appeal was withdrawn.")


def bound_action_form(action: str, data):
    form_class, prefix, context_name = ACTIONS[action]
    return form_class(data, prefix=prefix), context_name


def file_response(attachment) -> HttpResponse:
    """The file as a download, of its checked type, never sniffed nor cached."""
    response = HttpResponse(attachment_read(attachment), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
