"""The project's URLs plus a stand-in for the exports page (reports.export_urls), to test the report's link."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project_urls

exports = ([path("new/", lambda request: HttpResponse(), name="new")], "reports_exports")
urlpatterns = [path("reports/exports/", include(exports)), *project_urls]
