"""URL patterns of the complaints pages (included by supervision/urls.py)."""

urlpatterns = []
