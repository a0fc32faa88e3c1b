"""The centre in the admin, under the permission policy.

Hardship files: a read-only, scoped list (``assistance.view_file``, the same scope as the officers' list
page) with no health or income columns; opening one goes to the file's real page, where the open is
recorded and the same masking applies. A platform admin, whose role carries no assistance permission,
sees no file here. Nothing about a file is written in the admin.
"""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from unionhome.access.admin_policy import CappedCountPaginator, PolicyModelAdmin
from unionhome.access.policy import OutOfScope
from unionhome.assistance.models import HardshipFile
from unionhome.assistance.selectors.files import files_for


@admin.register(HardshipFile)
class HardshipFileAdmin(PolicyModelAdmin):
    view_permission = "assistance.view_file"
    list_display_links = None
    list_filter = ["state", "level"]
    list_per_page = 50
    paginator = CappedCountPaginator

    def policy_queryset(self, request):
        return files_for(request.user)

    def get_list_display(self, request):
        return [self.member_link, self.unit_name, "state", "level", "updated_at"]

    @admin.display(description=_("member"))
    def member_link(self, file):
        return format_html('<a href="{}">{}</a>', reverse("assistance:file_detail", args=[file.pk]), file.member.name)

    @admin.display(description=_("unit"))
    def unit_name(self, file):
        return file.member.unit.name

    def change_view(self, request, object_id, form_url="", extra_context=None):
        file = self.get_object(request, object_id)
        if file is None:
            raise OutOfScope
        return redirect("assistance:file_detail", pk=file.pk)
