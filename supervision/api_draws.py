"""REST API of draws (registered in filing_portal/api_urls.py)."""


def register(router) -> None:
    """Register this module's viewsets on the /api/v1/ router."""


urlpatterns = []  # extra (non-router) paths under /api/v1/
