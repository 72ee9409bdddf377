urlpatterns = []  # filled by the staff pages
