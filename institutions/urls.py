"""Pages of the institutions app: the applicant's, the staff workbench and the public ones."""

from . import urls_applicant, urls_public, urls_staff

app_name = "institutions"

urlpatterns = [*urls_applicant.urlpatterns, *urls_staff.urlpatterns, *urls_public.urlpatterns]
