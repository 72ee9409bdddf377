"""URL patterns of the cases pages (included by supervision/urls.py)."""

urlpatterns = []
