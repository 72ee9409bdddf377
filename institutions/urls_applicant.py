"""The institution's pages (included into `institutions/urls.py`, namespace "institutions", at the site root)."""

from django.urls import path

from . import views_applicant as views

urlpatterns = [
    path("my/applications/", views.my_applications, name="my_applications"),
    path("my/applications/new/", views.application_new, name="application_new"),
    path("my/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("my/applications/<int:pk>/edit/", views.application_edit_start, name="application_edit_start"),
    path("my/applications/<int:pk>/edit/<slug:step>/", views.application_edit, name="application_edit"),
    path("my/applications/<int:pk>/withdraw/", views.application_withdraw_view, name="application_withdraw"),
    path("my/applications/<int:pk>/receipt.pdf", views.application_receipt, name="application_receipt"),
    path("my/applications/<int:pk>/termination.pdf", views.application_termination_notice,
         name="application_termination_notice"),
    path("my/institution/", views.institution_details_view, name="institution_details"),
    path("my/filings/<int:pk>/terminate/", views.filing_termination_view, name="filing_termination"),
    path("applications/attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
