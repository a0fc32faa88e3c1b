"""Steps of the login journey, driven through the real pages."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

GENERIC = "The login or password is wrong, or the account is locked. Try again later."


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post_login(client: Client, login: str, password: str, next_url: str | None = None, **extra):
    data = {"login": login, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/accounts/login/", data, **extra)


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)
