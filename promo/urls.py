from django.urls import path

from promo import views

app_name = "promo"

urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("c/<slug:slug>/", views.upload, name="upload"),
    path("s/<uuid:pk>/", views.status, name="status"),
    path("s/<uuid:pk>/appeal/", views.appeal, name="appeal"),
    path("s/<uuid:pk>/live/", views.status_live, name="status-live"),
    path("c/<slug:slug>/mine/<str:token>/", views.mine, name="mine"),
]
