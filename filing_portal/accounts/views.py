"""Login (password, then the second factor for staff), and the role-aware home page."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import otp
from .forms import OneTimeCodeForm
from .models import Role
from .security import RULE_SECOND_FACTOR, second_factor_required

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


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def _already_verified(request) -> bool:
    return not second_factor_required(request.user) or request.user.is_verified()


@never_cache
@sensitive_post_parameters("otp_token")
@login_required
def otp_setup(request):
    """First login of a staff user: scan the QR code (or type the secret), then confirm with one code."""
    if _already_verified(request):
        return redirect(_next_url(request))
    if otp.confirmed_device(request.user):
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': _next_url(request)})}")
    device = otp.pending_device(request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.device_confirm(request=request, device=device, token=form.cleaned_data["otp_token"]):
            return redirect(_next_url(request))
        form.add_error("otp_token", _("The code does not match. Check the time on your phone and try again."))
    context = {"form": form, "qr_svg": otp.qr_svg(device), "secret": otp.secret_for_manual_entry(device),
               "next": _next_url(request), "rule": RULE_SECOND_FACTOR}
    return render(request, "registration/otp_setup.html", context, status=400 if form.errors else 200)


@never_cache
@sensitive_post_parameters("otp_token")
@login_required
def otp_verify(request):
    """Every login of a staff user with a device: the current code before any staff page opens."""
    if _already_verified(request):
        return redirect(_next_url(request))
    if not otp.confirmed_device(request.user):
        return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _next_url(request)})}")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.session_verify(request=request, token=form.cleaned_data["otp_token"]):
            return redirect(_next_url(request))
        form.add_error("otp_token", _("The code does not match or was already used. Wait for the next code."))
    context = {"form": form, "next": _next_url(request), "rule": RULE_SECOND_FACTOR}
    return render(request, "registration/otp_verify.html", context, status=400 if form.errors else 200)
