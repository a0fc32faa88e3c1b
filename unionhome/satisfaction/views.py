"""Pages for the served worker: what waits for a rating, and rating one item (1–5 stars) or changing
that rating while the edit window is open."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from unionhome.home.form_errors import form_errors_from
from unionhome.satisfaction import selectors, services
from unionhome.satisfaction.edit_window import change_until, open_for_change
from unionhome.satisfaction.forms import RatingForm

RECENT_RATINGS = 20


@login_required
def pending(request):
    member = request.user.member
    context = {
        "is_member": member is not None,
        "pending": selectors.pending_ratings(member),
        "given": selectors.given_ratings(member, RECENT_RATINGS),
    }
    return render(request, "satisfaction/pending.html", context)


@login_required
def rate(request, item_type: str, item_id: int):
    ratable, item = selectors.rateable_item_for(request.user, item_type, item_id)
    existing = selectors.rating_of(request.user, ratable, item)
    changeable = existing is not None and open_for_change(existing)
    initial = {"score": existing.score, "comment": existing.comment} if changeable else None
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and (existing is None or changeable) and form.is_valid():
        try:
            if existing is None:
                services.rating_submit(actor=request.user, item=item, **form.cleaned_data)
            else:
                services.rating_change(actor=request.user, rating=existing, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if existing is None:
                messages.success(request, _("Thank you. Your rating helps the union do better."))
            else:
                messages.success(request, _("Your rating was changed. Thank you."))
            return redirect("satisfaction:pending")
    context = {
        "item": item,
        "title": ratable.describe(item),
        "served_on": ratable.served_on(item),
        "ready": ratable.is_ready(item),
        "existing": existing,
        "changeable": changeable,
        "change_until": change_until(existing.rated_at) if existing is not None else None,
        "form": form,
    }
    return render(request, "satisfaction/rate.html", context)
