from django.urls import path

from promo import api

app_name = "api"

# A malformed id (`<uuid:pk>` does not match) or any other unknown path under /api/ is a JSON 404 with code
# `not_found` (config.errors), with DEBUG on or off.
urlpatterns = [
    path("campaigns/", api.CampaignListApi.as_view(), name="campaign-list"),
    path("campaigns/<slug:slug>/", api.CampaignDetailApi.as_view(), name="campaign-detail"),
    path("campaigns/<slug:slug>/submissions/", api.SubmissionCreateApi.as_view(), name="submission-create"),
    path("submissions/<uuid:pk>/", api.SubmissionDetailApi.as_view(), name="submission-detail"),
    path("submissions/<uuid:pk>/appeal/", api.SubmissionAppealApi.as_view(), name="submission-appeal"),
]
