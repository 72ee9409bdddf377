"""Batch verification URLs, included into `certificates.urls` (namespace "certificates")."""

from django.urls import path

from . import batch_views as views

urlpatterns = [
    path("verify/batch/", views.batch_verify, name="batch_verify"),
    path("verify/batch/template.xlsx", views.batch_verify_template, name="batch_verify_template"),
]
