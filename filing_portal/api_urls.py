"""/api/v1/: every app's router is registered here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from assessments import api as assessments_api
from certificates import api as certificates_api
from filing_portal.accounts import api as accounts_api
from institutions import api as institutions_api
from renewals import api as renewals_api
from supervision import api_cases, api_complaints, api_draws, api_public

router = DefaultRouter()
router.register("certificates", certificates_api.CertificateViewSet, basename="certificate")
router.register("institutions", institutions_api.InstitutionViewSet, basename="institution")
router.register("filing-applications", institutions_api.FilingApplicationViewSet, basename="filing-application")
router.register("filings", institutions_api.FilingViewSet, basename="filing")
router.register("batches", assessments_api.BatchViewSet, basename="batch")
SUPERVISION_APIS = (api_draws, api_cases, api_complaints, api_public)
for module in (*SUPERVISION_APIS, renewals_api):
    module.register(router)

urlpatterns = [
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("public/institutions/", institutions_api.PublicDirectoryView.as_view(), name="api-public-directory"),
    path("public/notices/", institutions_api.PublicNoticeListView.as_view(), name="api-public-notices"),
    path("public/notices/<int:pk>/objections/", institutions_api.PublicObjectionView.as_view(),
         name="api-public-objection"),
    path("public/announcements/", institutions_api.PublicAnnouncementListView.as_view(),
         name="api-public-announcements"),
    path("public/certificates/verify/", certificates_api.PublicVerifyView.as_view(), name="api-public-verify"),
    path("filing-numbers/<str:number>/", certificates_api.FilingNumberLookupView.as_view(),
         name="api-filing-number"),
    *(pattern for module in (*SUPERVISION_APIS, renewals_api) for pattern in module.urlpatterns),
    *router.urls,
]
