from django.urls import path

from unionhome.satisfaction import views, views_index

app_name = "satisfaction"
urlpatterns = [
    path("", views.pending, name="pending"),
    path("rate/<str:item_type>/<int:item_id>/", views.rate, name="rate"),
    path("index/", views_index.dashboard, name="index"),
]
