from django.urls import include, path
from rest_framework.routers import DefaultRouter

from filing_portal.urls import urlpatterns as portal_urlpatterns

from .api import TicketViewSet

router = DefaultRouter()
router.register("tickets", TicketViewSet, basename="ticket")

urlpatterns = [path("api/v1/test/", include(router.urls)), *portal_urlpatterns]
