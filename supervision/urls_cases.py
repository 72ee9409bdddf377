"""URL patterns of the cases pages (included by supervision/urls.py)."""

from django.urls import path

from . import views_cases as views

urlpatterns = [
    path("staff/supervision/cases/", views.staff_cases, name="cases"),
    path("staff/supervision/cases/new/", views.staff_case_new, name="case_new"),
    path("staff/supervision/cases/<int:pk>/", views.staff_case_detail, name="case_detail"),
    path("staff/supervision/cases/<int:pk>/<slug:action>/", views.staff_case_action, name="case_action"),
    path("supervision/cases/<int:pk>/notice.pdf", views.case_notice, name="case_notice_pdf"),
    path("my/supervision/cases/", views.my_cases, name="my_cases"),
    path("my/supervision/cases/<int:pk>/", views.my_case_detail, name="my_case_detail"),
]
