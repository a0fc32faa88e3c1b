from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from unionhome.access.policy import require
from unionhome.audit.selectors import events_for


@login_required
def event_list(request):
    require(request.user, "audit.view")
    events = events_for(request.user)[:100]
    return render(request, "audit/event_list.html", {"events": events})
