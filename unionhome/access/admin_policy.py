"""The Django admin under the one permission policy.

Who may enter ``/admin/`` at all: active platform staff (``is_staff``), past the second factor
(``accounts.middleware.SecondFactorMiddleware``). Cadres are not staff. An authenticated user who is
not staff gets 403, recorded as ``access.denied``; anyone else is sent to the platform's own login
page (lockout and second factor apply), never to a second login form.

What staff may see and do there: whatever ``access.policy`` grants them, exactly as on the pages.
``PolicyModelAdmin`` answers ``get_queryset`` with the policy's scope filter and every
``has_*_permission`` with ``policy.can``; Django's model permissions (``user.has_perm``, groups, the
superuser flag) play no part. A platform admin, whose role carries no member permissions, therefore
sees no member record. Writes go through the apps' services (permission check and audit event in one
transaction): a ``PolicyModelAdmin`` that allows adding, changing or deleting must override
``save_model`` / ``delete_model``; the base class refuses to write. Bulk deletion is not offered.

Django's admin change log (``LogEntry``) is not written: the audit trail is the record of every change.

``PolicyAdminSite.register`` refuses a ``ModelAdmin`` that is not a ``PolicyModelAdmin`` for UnionHome's
own models, and ignores those that third-party apps register (auth groups, TOTP devices with their
secret keys, login attempts, task results): they would follow Django's permissions instead of the policy.
"""

from functools import update_wrapper
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.access.policy import OutOfScope, can, has_permission_anywhere, scope_q

OWN_APPS_PREFIX = "unionhome."


class StaffOnly(PermissionDenied):
    """An authenticated user who is not platform staff tried to open the admin."""

    def __init__(self):
        super().__init__(_("Only platform staff may open the administration site."))


class PolicyAdminSite(admin.AdminSite):
    site_header = gettext_lazy("UnionHome administration")
    site_title = gettext_lazy("UnionHome administration")
    index_title = gettext_lazy("Configuration")
    enable_nav_sidebar = False

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise StaffOnly
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, view)

    def login(self, request, extra_context=None):
        """The platform's login page, not the admin's own form (lockout and second factor apply)."""
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            target = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise StaffOnly
            return redirect(target)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    def logout(self, request, extra_context=None):
        from unionhome.accounts.views import logout_view

        return logout_view(request)

    def password_change(self, request, extra_context=None):
        return redirect("accounts:password_change")

    def get_urls(self):
        # No "view on site" shortcut: it would look objects up by content type outside the policy.
        return [url for url in super().get_urls() if getattr(url, "name", None) != "view_on_site"]

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else list(model_or_iterable)
        if admin_class is not None and issubclass(admin_class, PolicyModelAdmin):
            return super().register(models, admin_class, **options)
        own = [m for m in models if m.__module__.startswith(OWN_APPS_PREFIX)]
        if own:
            raise ImproperlyConfigured(
                f"{own[0].__name__} must be registered with a PolicyModelAdmin (unionhome.access.admin_policy)"
            )
        return None  # a third-party admin outside the policy: not installed


class CappedCountPaginator(Paginator):
    """Counts at most ``CAP`` rows, so that a list over millions of rows does not count them all."""

    CAP = 10_000

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            self._capped_count = self.object_list[: self.CAP].count()
        return self._capped_count


class PolicyModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every answer comes from ``access.policy``.

    Subclasses name the policy permissions: ``view_permission`` (required; also the scope of the
    queryset), ``change_permission``, ``add_permission``, ``delete_permission`` (None: never). The
    queryset is restricted with ``scope_q(user, view_permission, scope_path)``, or by overriding
    ``policy_queryset``. Object-level checks use ``policy_object(obj)``, the record whose org unit
    the permission applies to (the object itself by default).
    """

    view_permission: str = ""
    change_permission: str | None = None
    add_permission: str | None = None
    delete_permission: str | None = None
    scope_path: str = "unit_path"
    view_on_site = False
    actions = None
    show_full_result_count = False

    # --- who may do what ----------------------------------------------------------------------

    def policy_object(self, obj: Any) -> Any:
        return obj

    def _allowed(self, request, permission: str | None, obj: Any = None) -> bool:
        user = request.user
        if not permission or not (user.is_active and user.is_staff):
            return False
        if obj is None:
            return has_permission_anywhere(user, permission)
        return can(user, permission, self.policy_object(obj))

    def has_module_permission(self, request) -> bool:
        return self._allowed(request, self.view_permission)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request, self.view_permission, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request, self.change_permission, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._allowed(request, self.add_permission)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request, self.delete_permission, obj)

    # --- what may be seen ----------------------------------------------------------------------

    def policy_queryset(self, request):
        return self.model._default_manager.filter(scope_q(request.user, self.view_permission, self.scope_path))

    def get_queryset(self, request):
        if not (request.user.is_active and request.user.is_staff):
            return self.model._default_manager.none()
        qs = self.policy_queryset(request)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """An object outside the viewer's scope (or absent) is "not found" and recorded as a denial,
        as on the pages, instead of the admin's "perhaps it was deleted" redirect."""
        raise OutOfScope

    def history_view(self, request, object_id, extra_context=None):
        """The audit trail is the history: auditors are sent there; others see the (empty) admin log."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise OutOfScope
        if has_permission_anywhere(request.user, "audit.view"):
            query = urlencode({"object_type": obj._meta.label_lower, "object_id": str(obj.pk)})
            return redirect(f"{reverse('audit:event_list')}?{query}")
        return super().history_view(request, object_id, extra_context)

    # --- writes go through services ----------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:  # a service refused the write (e.g. raced with another change)
            return self._refused(request, exc)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            return self._refused(request, exc)

    def _refused(self, request, exc: ValidationError):
        """Nothing was written (the admin view's transaction rolled back): say why and show the page again."""
        for text in exc.messages:
            messages.error(request, text)
        return redirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        raise PermissionDenied(_("This record cannot be changed here."))

    def delete_model(self, request, obj):
        raise PermissionDenied(_("This record cannot be deleted here."))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        """Many-to-many fields and inlines are written by the service in ``save_model``, if at all."""

    # --- the audit trail is the change log -------------------------------------------------------

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None
