"""/api/v1/: every app's router is registered here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from filing_portal.accounts import api as accounts_api

router = DefaultRouter()

urlpatterns = [
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    *router.urls,
]
