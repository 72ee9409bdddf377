"""URL patterns of the dashboard pages (included by supervision/urls.py)."""

from django.urls import path

from . import views_dashboard as views

urlpatterns = [
    path("staff/supervision/", views.dashboard, name="dashboard"),
    path("staff/supervision/institutions/<int:pk>/file/", views.staff_institution_file, name="institution_file"),
    path("my/supervision/file/", views.my_file, name="my_file"),
]
