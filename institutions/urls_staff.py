"""The staff workbench (included into `institutions/urls.py`, namespace "institutions", at the site root)."""

from django.urls import path

from . import views_staff as views

urlpatterns = [
    path("staff/applications/", views.staff_queue_view, name="staff_queue"),
    path("staff/applications/<int:pk>/", views.staff_application_view, name="staff_application"),
    path("staff/applications/<int:pk>/actions/<slug:action>/", views.staff_application_action,
         name="staff_application_action"),
    path("staff/applications/<int:pk>/objections/<int:objection_pk>/<slug:decision>/",
         views.staff_objection_action, name="staff_objection_action"),
    path("staff/filings/", views.staff_filings_view, name="staff_filings"),
    path("staff/stop-orders/", views.staff_stop_orders_view, name="staff_stop_orders"),
    path("staff/filings/<int:pk>/", views.staff_filing_view, name="staff_filing"),
    path("staff/filings/<int:pk>/actions/<slug:action>/", views.staff_filing_action, name="staff_filing_action"),
    path("staff/filings/<int:pk>/termination-notices/<int:notice_pk>/confirm/", views.staff_termination_confirm,
         name="staff_termination_confirm"),
    path("staff/filings/<int:pk>/changes/<int:application_pk>/override/", views.staff_change_override,
         name="staff_change_override"),
]
