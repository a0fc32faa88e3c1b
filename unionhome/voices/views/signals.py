"""Pages of the first signal: the cadres' dashboard (/voices/signals/, ``voices.view_signals``), marking an
alert seen, and the hot-issues board every member reads (/voices/hot/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.home.params import id_param
from unionhome.voices.selectors import hot_board
from unionhome.voices.selectors.signals import DEFAULT_WEEKS, PERIODS, signal_alert_for, signals_dashboard
from unionhome.voices.services.signals import signal_mark_seen


def _weeks(value: str) -> int:
    number = id_param(value)
    return number if number in PERIODS else DEFAULT_WEEKS


@login_required
def dashboard(request):
    viewer = request.user
    board = signals_dashboard(
        viewer, unit_id=id_param(request.GET.get("unit")), weeks=_weeks(request.GET.get("weeks", ""))
    )
    context = {
        "board": board,
        "periods": PERIODS,
        "line_chart": board.line_chart(),
        "unit_chart": board.unit_chart(),
        "drill_url": reverse("voices:signals"),
    }
    return render(request, "voices/signals/dashboard.html", context)


@login_required
@require_POST
def alert_seen(request, pk: int):
    alert = signal_alert_for(request.user, pk)
    signal_mark_seen(actor=request.user, alert=alert)
    messages.success(request, _("The alert is marked as seen."))
    back = f"{reverse('voices:signals')}?unit={id_param(request.POST.get('unit')) or alert.branch_id}"
    weeks = id_param(request.POST.get("weeks"))
    if weeks in PERIODS:
        back += f"&weeks={weeks}"
    return redirect(f"{back}#alerts")


@login_required
def hot(request):
    unit, units = hot_board.board_unit(request.user, id_param(request.GET.get("unit")))
    after = id_param(request.GET.get("after"))
    context = {
        "unit": unit,
        "units": units,
        "topics": hot_board.hot_topics(unit) if unit is not None else [],
        "done": hot_board.done_page(unit, after=after) if unit is not None else None,
        "after": after,
        "since": hot_board.board_since(timezone.localdate()),
        "min_appeals": hot_board.MIN_APPEALS,
    }
    return render(request, "voices/signals/hot.html", context)


urlpatterns = [
    path("signals/", dashboard, name="signals"),
    path("signals/alerts/<int:pk>/seen/", alert_seen, name="signal_seen"),
    path("hot/", hot, name="hot"),
]
