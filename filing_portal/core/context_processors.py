from django.conf import settings


def portal(request):
    """Role, region and calendar warnings for the base layout."""
    from filing_portal.workdays.calendar import uncovered_years_ahead

    user = getattr(request, "user", None)
    context = {"portal_debug": settings.DEBUG}
    if user is not None and user.is_authenticated and (user.is_office_staff or user.role == "admin"):
        context["calendar_uncovered_years"] = uncovered_years_ahead()
    return context
