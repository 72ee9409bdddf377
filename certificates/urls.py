from django.urls import path

from . import batch_urls, views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/c/<str:number>/<str:signature>/", views.verify_qr, name="qr"),
    path("certificates/", views.register, name="register"),
    path("certificates/<int:pk>/", views.detail, name="detail"),
    path("certificates/<int:pk>/void/", views.void, name="void"),
    path("certificates/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("certificates/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("certificates/print/", views.print_search, name="print_search"),
    path("certificates/print/batch/<int:batch_id>/", views.print_batch, name="print_batch"),
    path("certificates/pdf-jobs/<uuid:pk>/", views.pdf_job, name="pdf_job"),
    path("certificates/pdf-jobs/<uuid:pk>/download/", views.pdf_job_download, name="pdf_job_download"),
]

urlpatterns += batch_urls.urlpatterns  # /verify/batch/: employers' batch verification
