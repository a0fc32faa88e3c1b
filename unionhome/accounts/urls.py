from django.urls import path

from unionhome.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("password/", views.password_change_view, name="password_change"),
    path("me/", views.my_data, name="my_data"),
    path("me/email/", views.email_change, name="email_change"),
    path("me/download/", views.my_data_download, name="my_data_download"),
    path("me/download.xlsx", views.my_data_download_xlsx, name="my_data_download_xlsx"),
    path("manage/", views.manage_list, name="manage"),
    path("manage/members/<int:pk>/", views.manage_member, name="manage_member"),
    path("manage/members/<int:pk>/create/", views.manage_create_login, name="manage_create_login"),
    path("manage/members/<int:pk>/reset-password/", views.manage_reset_password, name="manage_reset_password"),
    path("manage/members/<int:pk>/active/", views.manage_set_active, name="manage_set_active"),
    path(
        "manage/members/<int:pk>/reset-second-factor/",
        views.manage_reset_second_factor,
        name="manage_reset_second_factor",
    ),
]
