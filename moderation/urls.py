from django.urls import path

from moderation import redaction_views, views

app_name = "moderation"

urlpatterns = [
    path("photo/<uuid:pk>/", views.submission_photo, name="photo"),
    path("redaction/<uuid:pk>/", redaction_views.redaction_apply_view, name="redaction"),
]
