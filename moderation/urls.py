from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [path("photo/<uuid:pk>/", views.submission_photo, name="photo")]
