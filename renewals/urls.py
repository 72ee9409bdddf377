"""Renewal pages (institution under /my/renewals/, staff under /staff/renewals/)."""

app_name = "renewals"

urlpatterns = []
