from django.urls import path

from safetynet.core.campaigns import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_page, name="campaign"),
]
