"""URL patterns of the public pages (included by supervision/urls.py)."""

urlpatterns = []
