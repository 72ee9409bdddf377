"""Supervision pages: staff under /staff/supervision/, the public under /supervision/."""

from django.urls import include, path

app_name = "supervision"

urlpatterns = [
    path("", include("supervision.urls_draws")),
    path("", include("supervision.urls_cases")),
    path("", include("supervision.urls_complaints")),
    path("", include("supervision.urls_public")),
    path("", include("supervision.urls_dashboard")),
]
