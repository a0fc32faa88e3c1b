from django.contrib.auth.backends import ModelBackend

from unionhome.accounts.models import User

LOGIN_MAX_LENGTH = 64


def find_user(login: str) -> User | None:
    """The account for a login id: the account's username, a member's employee number or mobile.

    An employee number shared by members of two unions is ambiguous and finds nobody.
    """
    login = (login or "").strip()
    if not login or len(login) > LOGIN_MAX_LENGTH:
        return None
    user = User.objects.filter(username=login).first()
    if user is not None:
        return user
    matches = list(User.objects.filter(member__employee_no=login)[:2])
    if len(matches) == 1:
        return matches[0]
    digits = login.replace(" ", "").replace("-", "").removeprefix("+86")
    if digits.isdigit() and len(digits) == 11:
        return User.objects.filter(member__mobile=digits).first()
    return None


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The name django-axes counts failed logins under (``AXES_USERNAME_CALLABLE``).

    A person may log in by username, employee number or mobile; all three count against the one
    account, so switching between them gives no extra attempts, and a successful login (which axes
    reports under the account's username) resets the failures made under any of them.
    Logins that match no account are counted under the login as typed.
    """
    if credentials is not None:
        login = credentials.get("login") or credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        login = data.get("login")
    if login is None:
        return None
    login = str(login).strip()
    cache = getattr(request, "_unionhome_axes_usernames", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._unionhome_axes_usernames = cache
    if login not in cache:
        user = find_user(login)
        cache[login] = user.username if user is not None else login[:255]
    return cache[login]


class LoginIdBackend(ModelBackend):
    """Password login by username, employee number or mobile (argon2 hashes)."""

    def authenticate(self, request, login=None, password=None, username=None, **kwargs):
        login = login or username
        if login is None or password is None:
            return None
        user = find_user(login)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
