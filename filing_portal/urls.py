from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from filing_portal.accounts import views as account_views
from filing_portal.core.views import healthz

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("filing_portal.accounts.urls")),  # the second factor (TOTP)
    path("healthz/", healthz, name="healthz"),
    # Before the "" includes: the public verification API is the busiest path, resolved in a few patterns.
    path("api/v1/", include("filing_portal.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/calendar/", include("filing_portal.workdays.urls")),
    path("", include("certificates.urls")),
    path("", include("institutions.urls")),
    path("", include("assessments.urls")),
    path("", include("supervision.urls")),
    path("", include("renewals.urls")),
    path("notifications/", include("filing_portal.notifications.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

# A database that cannot be reached answers 503 with Retry-After, any other error the usual 500.
handler500 = "filing_portal.core.views.server_error"
# A URL under /api/ that no route matches answers the API's JSON error, not the HTML page (tests/fuzz).
handler404 = "filing_portal.core.views.not_found"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
