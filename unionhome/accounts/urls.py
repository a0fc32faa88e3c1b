from django.urls import path

from unionhome.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("password/", views.password_change_view, name="password_change"),
    path("me/", views.my_data, name="my_data"),
    path("me/download/", views.my_data_download, name="my_data_download"),
]
