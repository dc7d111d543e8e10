from django.urls import path

from reports import export_views

app_name = "reports_exports"

urlpatterns = [
    path("", export_views.export_index, name="index"),
    path("<uuid:pk>/", export_views.export_job, name="job"),
    path("<uuid:pk>/status/", export_views.export_job_status, name="status"),
    path("<uuid:pk>/download/", export_views.export_download, name="download"),
]
