from django.urls import path

from unionhome.org import views

app_name = "org"
urlpatterns = [
    path("tree/", views.tree, name="tree"),
    path("members/", views.directory, name="directory"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/status/", views.member_status, name="member_status"),
]
