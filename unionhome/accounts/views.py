import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from unionhome.access.policy import requires_second_factor
from unionhome.accounts import services
from unionhome.accounts.forms import LoginForm, PasswordChangeForm, TokenForm
from unionhome.accounts.personal_data import personal_data_of
from unionhome.audit.recorder import record

GENERIC_LOGIN_ERROR = "generic"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, login=form.cleaned_data["login"], password=form.cleaned_data["password"])
        if user is not None:
            login(request, user, backend="unionhome.accounts.backends.LoginIdBackend")
            if requires_second_factor(user):
                return redirect(f"{_second_factor_url()}?next={_next_url(request)}")
            return redirect(_next_url(request))
        form.add_error(None, _("The login or password is wrong, or the account is locked. Try again later."))
    if request.GET.get("expired"):
        messages.info(request, _("Your session ended. Please log in again."))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes lockout: the same generic message as any failed login, with 429."""
    form = LoginForm(request.POST or None)
    form.is_valid()
    form.add_error(None, _("The login or password is wrong, or the account is locked. Try again later."))
    return render(request, "accounts/login.html", {"form": form}, status=429)


def _second_factor_url() -> str:
    from django.urls import reverse

    return reverse("accounts:second_factor")


@login_required
def second_factor(request):
    """Verify a TOTP code; a first-time cadre enrols an authenticator app here."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        try:
            if enrolling:
                services.second_factor_enrol(actor=user, device=device, token=token)
            elif not device.verify_token(token):
                raise ValidationError({"token": _("The code is wrong or has expired. Try the current one.")})
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            otp_login(request, device)
            record(user, "accounts.second_factor_passed", user)
            return redirect(_next_url(request))
    context = {"form": form, "enrolling": enrolling, "next": request.GET.get("next", "")}
    if enrolling:
        import base64

        import segno

        secret = base64.b32encode(device.bin_key).decode()
        context["secret"] = secret
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/second_factor.html", context)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record(request.user, "accounts.logged_out", request.user)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                for error in exc.messages:
                    form.add_error("new_password", error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed. Your other sessions have ended."))
            return redirect("accounts:my_data")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def my_data(request):
    data = personal_data_of(request.user)
    record(request.user, "accounts.personal_data_viewed", request.user)
    return render(request, "accounts/my_data.html", {"data": data})


@login_required
def my_data_download(request):
    """PIPL right of access and portability: everything we hold about the user, as JSON."""
    data = personal_data_of(request.user)
    record(request.user, "accounts.personal_data_downloaded", request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="unionhome-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


__all__ = ["GENERIC_LOGIN_ERROR"]
