from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from unionhome.api.api import api

handler400 = "unionhome.home.views.bad_request"
handler403 = "unionhome.home.views.permission_denied"
handler404 = "unionhome.home.views.not_found"
handler500 = "unionhome.home.views.server_error"

urlpatterns = [
    path("", include("unionhome.home.urls")),
    path("accounts/", include("unionhome.accounts.urls")),
    path("org/", include("unionhome.org.urls")),
    path("audit/", include("unionhome.audit.urls")),
    path("assistance/", include("unionhome.assistance.urls")),
    path("congress/", include("unionhome.congress.urls")),
    path("disclosure/", include("unionhome.disclosure.urls")),
    path("voices/", include("unionhome.voices.urls")),
    path("notify/", include("unionhome.notify.urls")),
    path("satisfaction/", include("unionhome.satisfaction.urls")),
    path("surveys/", include("unionhome.surveys.urls")),
    path("reports/", include("unionhome.work_report.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
