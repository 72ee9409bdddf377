urlpatterns = []  # filled by the applicant pages
