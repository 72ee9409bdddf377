urlpatterns = []  # filled by the public pages
