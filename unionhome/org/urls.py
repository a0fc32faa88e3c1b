from django.urls import path

from unionhome.org import roster_views, views

app_name = "org"
urlpatterns = [
    path("tree/", views.tree, name="tree"),
    path("members/", views.directory, name="directory"),
    path("members/new/", views.member_new, name="member_new"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/status/", views.member_status, name="member_status"),
    path("roster/import/", roster_views.roster_import, name="roster_import"),
    path("roster/import/template.xlsx", roster_views.roster_import_template_download, name="roster_import_template"),
    path("roster/import/<int:pk>/", roster_views.roster_import_detail, name="roster_import_detail"),
    path(
        "roster/import/<int:pk>/progress/", roster_views.roster_import_progress_fragment, name="roster_import_progress"
    ),
    path("roster/export/", roster_views.roster_export_download, name="roster_export"),
]
