import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from unionhome.access.policy import OutOfScope, require, requires_second_factor
from unionhome.accounts import selectors, services
from unionhome.accounts.forms import EmailForm, LoginForm, PasswordChangeForm, TokenForm
from unionhome.accounts.models import User
from unionhome.accounts.personal_data import personal_data_of, personal_data_xlsx
from unionhome.audit.recorder import record
from unionhome.home.form_errors import form_errors_from

GENERIC_LOGIN_ERROR = services.GENERIC_LOGIN_ERROR


def _next_url(request) -> str:
    """The ``next`` parameter when it points into this site; the home page otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _posted(request):
    """The POST data for a form, bound even when empty (so missing fields are reported)."""
    return request.POST if request.method == "POST" else None


def _is_verified(user) -> bool:
    """Whether this session passed the second factor (django-otp adds ``is_verified`` in its middleware only)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if is_verified is not None else False


def _after_password_step(request, user: User) -> HttpResponse:
    """Where a user goes once the password is right: second factor, forced password change, or ``next``."""
    target = _next_url(request)
    if requires_second_factor(user) and not _is_verified(user):
        return redirect(f"{reverse('accounts:second_factor')}?{urlencode({'next': target})}")
    if user.must_change_password:
        return redirect("accounts:password_change")
    return redirect(target)


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    form = LoginForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, login=form.cleaned_data["login"], password=form.cleaned_data["password"])
        if user is not None:
            login(request, user, backend="unionhome.accounts.backends.LoginIdBackend")
            return _after_password_step(request, request.user)
        form.add_error(None, GENERIC_LOGIN_ERROR)
    if request.method == "GET" and request.GET.get("expired"):
        messages.info(request, _("Your session ended. Please log in again."))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


def locked_out(request, *args, **kwargs):
    """django-axes lockout (``AXES_LOCKOUT_CALLABLE``): the same generic message as any failed login, with 429."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(GENERIC_LOGIN_ERROR), "code": "locked"}, status=429)
    form = LoginForm(_posted(request))
    form.is_valid()
    form.add_error(None, GENERIC_LOGIN_ERROR)
    return render(request, "accounts/login.html", {"form": form, "next": request.POST.get("next", "")}, status=429)


@login_required
@never_cache
def second_factor(request):
    """Verify a TOTP code; a first-time cadre enrols an authenticator app here."""
    user = request.user
    if _is_verified(user) or not requires_second_factor(user):
        return _after_password_step(request, user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
    form = TokenForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        try:
            if enrolling:
                services.second_factor_enrol(actor=user, device=device, token=token)
            else:
                services.second_factor_verify(actor=user, device=device, token=token)
        except services.SecondFactorRefused as exc:
            form_errors_from(form, exc)
            status = 429 if exc.retry_after is not None else 200
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            otp_login(request, device)
            return _after_password_step(request, user)
    context = {"form": form, "enrolling": enrolling, "next": request.POST.get("next") or request.GET.get("next", "")}
    if enrolling:
        import base64

        import segno

        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/second_factor.html", context, status=status)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record(request.user, "accounts.logged_out", request.user)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("old_password", "new_password", "new_password_again")
@login_required
@never_cache
def password_change_view(request):
    user = request.user
    forced = user.must_change_password
    form = PasswordChangeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key,
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            update_session_auth_hash(request, user)  # this session stays; it gets a new key
            services.session_remember(user=user, session_key=request.session.session_key)
            messages.success(request, _("Your password was changed. Your other sessions have ended."))
            return redirect("home:index" if forced else "accounts:my_data")
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


# --- The member's own data (PIPL right of access and portability) ------------------------------------------


@login_required
@never_cache
def my_data(request):
    return _my_data_page(request, EmailForm(initial={"email": request.user.email}))


def _my_data_page(request, email_form, *, status: int = 200):
    data = personal_data_of(request.user)
    record(request.user, "accounts.personal_data_viewed", request.user)
    records = [
        {
            "title": section["title"],
            "headings": [heading for _key, heading in section["columns"]],
            "rows": [[(heading, row.get(key)) for key, heading in section["columns"]] for row in section["rows"]],
        }
        for section in data["records"]
    ]
    context = {"data": data, "records": records, "email_form": email_form}
    return render(request, "accounts/my_data.html", context, status=status)


@require_POST
@login_required
def email_change(request):
    """Set or remove the address for notification emails (a small form on the account page)."""
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            services.account_set_email(actor=request.user, email=form.cleaned_data["email"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("Notifications will also be emailed to you.")
                if form.cleaned_data["email"]
                else _("Notifications will no longer be emailed to you."),
            )
            return redirect("accounts:my_data")
    return _my_data_page(request, form, status=422)


@login_required
def my_data_download(request):
    """Everything we hold about the user, as JSON."""
    data = personal_data_of(request.user)
    record(request.user, "accounts.personal_data_downloaded", request.user, format="json")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="unionhome-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_data_download_xlsx(request):
    """Everything we hold about the user, as an Excel workbook with one sheet per section."""
    data = personal_data_of(request.user)
    record(request.user, "accounts.personal_data_downloaded", request.user, format="xlsx")
    response = HttpResponse(
        personal_data_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="unionhome-my-data.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


# --- Account administration (accounts.manage) ----------------------------------------------------------


def _managed_member(viewer, pk: int):
    member = selectors.members_for_account_admin(viewer).filter(pk=pk).first()
    if member is None:
        raise OutOfScope
    return member


@login_required
def manage_list(request):
    """Members in the viewer's scope with the state of their login; search by name, pinyin or employee number."""
    require(request.user, services.MANAGE)
    from unionhome.org.selectors import member_page

    query = request.GET.get("q", "")[:50]
    page = member_page(selectors.members_for_account_admin(request.user, query), request.GET.get("after"))
    return render(request, "accounts/manage_list.html", {"page": page, "query": query})


@login_required
@never_cache
def manage_member(request, pk: int):
    require(request.user, services.MANAGE)
    member = _managed_member(request.user, pk)
    account = User.objects.filter(member=member).first()
    context = {
        "member": member,
        "account": account,
        "can_manage": account is None or services.can_manage_account(request.user, account),
        "is_self": account is not None and account.pk == request.user.pk,
        "has_second_factor": account is not None and TOTPDevice.objects.filter(user=account, confirmed=True).exists(),
    }
    return render(request, "accounts/manage_member.html", context)


def _one_time_password_page(request, member, account: User, password: str, created: bool) -> HttpResponse:
    response = render(
        request,
        "accounts/one_time_password.html",
        {"member": member, "account": account, "password": password, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


def _manage_action(request, pk: int, action):
    require(request.user, services.MANAGE)
    member = _managed_member(request.user, pk)
    try:
        return action(member)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect("accounts:manage_member", pk=member.pk)


def _account_of(member) -> User:
    account = User.objects.filter(member=member).first()
    if account is None:
        raise ValidationError(_("%(member)s has no login yet.") % {"member": member})
    return account


@require_POST
@login_required
def manage_create_login(request, pk: int):
    def create(member):
        account, password = services.account_create_for_member(actor=request.user, member=member)
        return _one_time_password_page(request, member, account, password, created=True)

    return _manage_action(request, pk, create)


@require_POST
@login_required
def manage_reset_password(request, pk: int):
    def reset(member):
        account = _account_of(member)
        password = services.password_reset(actor=request.user, user=account)
        return _one_time_password_page(request, member, account, password, created=False)

    return _manage_action(request, pk, reset)


@require_POST
@login_required
def manage_set_active(request, pk: int):
    active = request.POST.get("active") == "1"

    def set_active(member):
        services.account_set_active(actor=request.user, user=_account_of(member), active=active)
        messages.success(request, _("The login is enabled.") if active else _("The login is disabled."))
        return redirect("accounts:manage_member", pk=member.pk)

    return _manage_action(request, pk, set_active)


@require_POST
@login_required
def manage_reset_second_factor(request, pk: int):
    def reset(member):
        services.second_factor_reset(actor=request.user, user=_account_of(member))
        messages.success(request, _("The authenticator was removed. A new one is set up at the next login."))
        return redirect("accounts:manage_member", pk=member.pk)

    return _manage_action(request, pk, reset)
