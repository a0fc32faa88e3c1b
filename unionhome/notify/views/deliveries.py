"""Deliveries for the admins who watch them: failed and uncertain ones with their reason, and resending."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhome.notify.models import Channel, Delivery
from unionhome.notify.selectors import deliveries as selectors
from unionhome.notify.services.sending import delivery_resend


@login_required
def delivery_list(request):
    viewer = request.user
    selectors.require_viewer(viewer)
    f = selectors.DeliveryFilter.from_params(request.GET)
    cursor = request.GET.get("after", "")[:300] or None
    page = selectors.delivery_page(selectors.delivery_list(viewer, f), cursor)
    return render(
        request,
        "notify/deliveries/list.html",
        {
            "page": page,
            "filter": f,
            "statuses": Delivery.Status.choices,
            "channels": Channel.choices,
            "counts": selectors.status_counts(viewer),
        },
    )


@login_required
def delivery_detail(request, pk: int):
    delivery = selectors.delivery_for(request.user, pk)
    return render(request, "notify/deliveries/detail.html", {"delivery": delivery})


@require_POST
@login_required
def resend(request, pk: int):
    delivery = selectors.delivery_for(request.user, pk)
    try:
        delivery_resend(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The delivery is queued to be sent again."))
    return redirect("notify:delivery", pk=delivery.pk)


urlpatterns = [
    path("deliveries/", delivery_list, name="deliveries"),
    path("deliveries/<int:pk>/", delivery_detail, name="delivery"),
    path("deliveries/<int:pk>/resend/", resend, name="delivery_resend"),
]
