"""URL patterns of the draws pages (included by supervision/urls.py)."""

urlpatterns = []
