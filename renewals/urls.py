"""Renewal pages (institution under /my/renewals/, staff under /staff/renewals/)."""

from django.urls import path

from . import views

app_name = "renewals"

urlpatterns = [
    path("my/renewals/", views.my_renewals, name="my_renewals"),
    path("my/renewals/new/", views.my_renewal_new, name="my_renewal_new"),
    path("my/renewals/<int:pk>/", views.my_renewal_detail, name="my_renewal_detail"),
    path("staff/renewals/", views.staff_renewals, name="staff_renewals"),
    path("staff/renewals/<int:pk>/", views.staff_renewal_detail, name="staff_renewal_detail"),
    path("renewals/<int:pk>/form.pdf", views.renewal_form_pdf, name="renewal_form_pdf"),
    path("renewals/<int:pk>/form.xlsx", views.renewal_form_xlsx, name="renewal_form_xlsx"),
    path("renewals/<int:pk>/work-summary.pdf", views.renewal_summary_pdf, name="renewal_summary_pdf"),
    path("renewals/<int:pk>/filing-letter.pdf", views.filing_letter_pdf, name="filing_letter_pdf"),
]
