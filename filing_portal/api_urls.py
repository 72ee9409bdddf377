"""/api/v1/: every app's router is registered here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from certificates import api as certificates_api
from filing_portal.accounts import api as accounts_api

router = DefaultRouter()
router.register("certificates", certificates_api.CertificateViewSet, basename="certificate")

urlpatterns = [
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("public/certificates/verify/", certificates_api.PublicVerifyView.as_view(), name="api-public-verify"),
    *router.urls,
]
