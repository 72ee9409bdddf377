"""URL patterns of the dashboard pages (included by supervision/urls.py)."""

urlpatterns = []
