"""Login and the role-aware home page."""

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from .models import Role

# Each role's home lists what that role comes to the portal for; entries are added
# as the apps land (url name, label, description).
_CALENDAR = ("workdays:upcoming", _("Working-day calendar"), _("The next working days, holidays marked"))
_REGISTER = ("certificates:register", _("Certificate register"), _("Search, void and print certificates"))
_VERIFY = ("certificates:verify", _("Verify a certificate"), _("Check a certificate by number and name"))
_MY_BATCHES = ("assessments:my_batches", _("Assessment batches"),
               _("Plan batches, list candidates, record and report results, issue certificates"))
_BATCH_QUEUE = ("assessments:staff_batches", _("Assessment plans"),
                _("Approve or return plans, spot checks, result and certificate exports"))
HOME_LINKS: dict[str, list[tuple[str, str, str]]] = {
    Role.INSTITUTION: [
        ("institutions:my_applications", _("Filing applications"), _("Apply, supplement, follow and download receipts")),
        _MY_BATCHES,
        ("certificates:register", _("Our certificates"), _("Certificates your institution issued")), _VERIFY,
    ],
    Role.CITY_STAFF: [_BATCH_QUEUE, _REGISTER, _CALENDAR, _VERIFY],
    Role.PROVINCE_STAFF: [_BATCH_QUEUE, _REGISTER, _CALENDAR, _VERIFY],
    Role.EXPERT: [_VERIFY],
    Role.INSPECTOR: [_VERIFY],
    Role.ADMIN: [
        ("admin:index", _("Administration"), _("Users, regions, policy profiles, calendars")),
        _BATCH_QUEUE, _REGISTER, _CALENDAR, _VERIFY,
    ],
}


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    links = HOME_LINKS.get(request.user.role, [])
    return render(request, "home.html", {"links": links, "role_label": Role(request.user.role).label})
