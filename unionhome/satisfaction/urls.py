from django.urls import path

from unionhome.satisfaction import views, views_index, views_you_said

app_name = "satisfaction"
urlpatterns = [
    path("", views.pending, name="pending"),
    path("rate/<str:item_type>/<int:item_id>/", views.rate, name="rate"),
    path("index/", views_index.dashboard, name="index"),
    path("you-said/", views_you_said.you_said, name="you_said"),
    path("you-said/manage/", views_you_said.manage, name="you_said_manage"),
    path("you-said/new/", views_you_said.write, name="you_said_new"),
    path("you-said/<int:pk>/edit/", views_you_said.edit, name="you_said_edit"),
]
