from django.urls import path

from promo import api

app_name = "api"

urlpatterns = [
    path("campaigns/<slug:slug>/submissions/", api.SubmissionCreateApi.as_view(), name="submission-create"),
    path("submissions/<uuid:pk>/", api.SubmissionDetailApi.as_view(), name="submission-detail"),
    path("submissions/<uuid:pk>/appeal/", api.SubmissionAppealApi.as_view(), name="submission-appeal"),
]
