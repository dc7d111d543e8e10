"""The reports in the admin: the ReportAccess entry (a model with no table) opens the campaign report page."""

from django.contrib import admin
from django.urls import path

from reports import views
from reports.models import ReportAccess


@admin.register(ReportAccess)
class ReportAdmin(admin.ModelAdmin):
    """No rows to list, add or change: its "list" is the report page, for holders of reports.view_reports."""

    def has_view_permission(self, request, obj=None):
        return views.may_see_reports(request.user)

    def has_module_permission(self, request):
        return views.may_see_reports(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        def view(function):
            def wrapped(request, *args, **kwargs):
                return function(self, request, *args, **kwargs)

            return self.admin_site.admin_view(wrapped)

        # The changelist's name, so the admin index links the page; no add, change or delete views.
        return [
            path("", view(views.report_view), name="reports_reportaccess_changelist"),
            path("csv/<slug:chart>/", view(views.report_csv_view), name="reports_csv"),
        ]
