"""URL patterns of the complaints pages (included by supervision/urls.py)."""

from django.urls import path

from . import views_complaints as views

urlpatterns = [
    # the public's
    path("supervision/complaints/new/", views.complaint_new, name="complaint_new"),
    path("supervision/complaints/received/", views.complaint_received, name="complaint_received"),
    path("supervision/complaints/follow/", views.complaint_follow, name="complaint_follow"),
    # the office's
    path("staff/supervision/complaints/", views.complaints_queue, name="complaints_queue"),
    path("staff/supervision/complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("staff/supervision/complaints/<int:pk>/start/", views.complaint_start_view, name="complaint_start"),
    path("staff/supervision/complaints/<int:pk>/answer/", views.complaint_answer_view, name="complaint_answer"),
    path("staff/supervision/complaints/<int:pk>/open-case/", views.complaint_open_case_view,
         name="complaint_open_case"),
    path("staff/supervision/complaints/<int:pk>/attachments/<int:attachment_pk>/", views.complaint_attachment,
         name="complaint_attachment"),
]
