from django.contrib.auth.backends import ModelBackend

from unionhome.accounts.models import User


def find_user(login: str) -> User | None:
    """The account for a login id: the account's username, a member's employee number or mobile.

    An employee number shared by members of two unions is ambiguous and finds nobody.
    """
    login = (login or "").strip()
    if not login or len(login) > 64:
        return None
    user = User.objects.filter(username=login).first()
    if user is not None:
        return user
    matches = list(User.objects.filter(member__employee_no=login)[:2])
    if len(matches) == 1:
        return matches[0]
    digits = login.replace(" ", "").removeprefix("+86")
    if digits.isdigit() and len(digits) == 11:
        return User.objects.filter(member__mobile=digits).first()
    return None


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
