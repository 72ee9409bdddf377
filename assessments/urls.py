"""Pages of the assessments app (included at the site root)."""

from django.urls import path

from . import views
from .views import ledger as ledger_views

app_name = "assessments"

urlpatterns = [
    # the institution's
    path("my/batches/", views.my_batches, name="my_batches"),
    path("my/batches/new/", views.batch_new, name="batch_new"),
    path("my/batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("my/batches/<int:pk>/edit/", views.batch_edit, name="batch_edit"),
    path("my/batches/<int:pk>/candidates/<int:candidate_pk>/", views.batch_candidate_edit,
         name="batch_candidate_edit"),
    path("my/batches/<int:pk>/candidates/<int:candidate_pk>/delete/", views.batch_candidate_delete,
         name="batch_candidate_delete"),
    path("my/batches/<int:pk>/candidates/<int:candidate_pk>/eligibility/", views.batch_candidate_eligibility,
         name="batch_candidate_eligibility"),
    path("my/batches/<int:pk>/candidates/import/", views.batch_candidates_import, name="batch_candidates_import"),
    path("my/batches/<int:pk>/candidates/add/", views.batch_candidate_add, name="batch_candidate_add"),
    path("my/batches/<int:pk>/candidates/template.xlsx", views.batch_candidates_template,
         name="batch_candidates_template"),
    path("my/batches/<int:pk>/import-errors/<slug:kind>.xlsx", views.batch_import_errors, name="batch_import_errors"),
    path("my/batches/<int:pk>/results/", views.batch_results, name="batch_results"),
    path("my/batches/<int:pk>/results/import/", views.batch_results_import, name="batch_results_import"),
    path("my/batches/<int:pk>/results/template.xlsx", views.batch_results_template, name="batch_results_template"),
    # both the institution's and the office's
    path("batches/<int:pk>/transitions/<slug:name>/", views.batch_transition, name="batch_transition"),
    path("batches/<int:pk>/exports/result-summary.xlsx", views.batch_export_result_summary,
         name="batch_export_result_summary"),
    path("batches/<int:pk>/exports/certificate-info.xlsx", views.batch_export_certificate_info,
         name="batch_export_certificate_info"),
    # the office's
    path("staff/batches/", views.staff_batches, name="staff_batches"),
    path("staff/batches/exports/", views.staff_batch_exports, name="staff_batch_exports"),
    path("staff/batches/<int:pk>/", views.staff_batch, name="staff_batch"),
    path("staff/batches/<int:pk>/objections/<int:objection_pk>/resolve/", views.staff_objection_resolve,
         name="staff_objection_resolve"),
    path("staff/batches/<int:pk>/spot-checks/", views.staff_spot_check, name="staff_spot_check"),
    path("staff/batches/<int:pk>/candidates/<int:candidate_pk>/ineligible/", views.staff_candidate_ineligible,
         name="staff_candidate_ineligible"),
    # the work ledger (REC-03): the institution's and the office's view of it
    path("my/ledger/", ledger_views.my_ledger, name="my_ledger"),
    path("my/ledger/ledger.xlsx", ledger_views.my_ledger_export, name="my_ledger_export"),
    path("staff/institutions/<int:pk>/ledger/", ledger_views.staff_ledger, name="staff_ledger"),
    path("staff/institutions/<int:pk>/ledger/ledger.xlsx", ledger_views.staff_ledger_export,
         name="staff_ledger_export"),
    # the public's
    path("results/<str:plan_number>/", views.public_results, name="public_results"),
]
