"""URL patterns of the draws and inspections pages (included by supervision/urls.py at the site root)."""

from django.urls import path

from . import views_draws as views

urlpatterns = [
    # the office's
    path("staff/supervision/draws/", views.draws, name="draws"),
    path("staff/supervision/draws/new/", views.draw_new, name="draw_new"),
    path("staff/supervision/draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("staff/supervision/draws/<int:pk>/transitions/<slug:name>/", views.draw_transition_view,
         name="draw_transition"),
    path("staff/supervision/inspections/", views.inspections, name="inspections"),
    path("staff/supervision/inspections/new/", views.inspection_new, name="inspection_new"),
    path("staff/supervision/inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("staff/supervision/inspections/<int:pk>/attachments/", views.inspection_attachment,
         name="inspection_attachment"),
    path("staff/supervision/inspections/<int:pk>/attachments/<int:attachment_pk>/",
         views.inspection_attachment_file, name="inspection_attachment_file"),
    # the public's
    path("supervision/draws/", views.public_draws_page, name="public_draws"),
    path("supervision/draws/<str:reference>/", views.public_draw, name="public_draw"),
]
