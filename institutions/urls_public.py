"""Public pages, no login (included into `institutions/urls.py`, namespace "institutions", at the site root)."""

from django.urls import path, re_path

from . import views_public as views

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    re_path(r"^directory/export\.(?P<fmt>xlsx|csv)$", views.directory_export, name="directory_export"),
    path("directory/<str:number>/", views.directory_detail, name="directory_detail"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("announcements/", views.announcement_list, name="announcements"),
]
