"""The congress's front page: a representative's sessions, votes and proposals; a cadre's entry points."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from unionhome.congress.selectors.index import congress_front_page


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "congress/index.html", congress_front_page(request.user))
