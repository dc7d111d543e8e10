"""The exports' entry on the admin index: "Submission exports" under Reports, for holders of
reports.export_submissions; it opens the exports page (reports.export_views), which lists one's own jobs.

Registered from ReportsConfig.ready rather than reports/admin.py, which the reports page owns.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from reports import exports
from reports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return exports.can_export(request.user)

    def has_view_permission(self, request, obj=None):
        return exports.can_export(request.user) and (
            obj is None or obj.user_id == request.user.pk or request.user.is_superuser
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)  # the admin's own refusal
        return HttpResponseRedirect(reverse("reports_exports:index"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("reports_exports:job", args=[object_id]))
