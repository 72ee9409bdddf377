"""URL patterns of the public pages (included by supervision/urls.py)."""

from django.urls import path

from . import views_public as views

urlpatterns = [
    path("supervision/disclosures/", views.disclosure_list, name="disclosures"),
]
