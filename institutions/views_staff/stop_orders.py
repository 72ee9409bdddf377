"""/staff/stop-orders/: orders to stop assessing against unfiled bodies (TERM-05), recorded and published."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from filing_portal.core.errors import DomainError
from filing_portal.regions.selectors import regions_visible_to

from ..forms_staff import StopOrderForm
from ..models import StopOrder
from ..services.filings import stop_order_record
from .common import FILING_ROLES, error_summary, error_text, roles_required


@roles_required(*FILING_ROLES)
def staff_stop_orders_view(request):
    regions = regions_visible_to(request.user).order_by("code")
    form = StopOrderForm(request.POST or None, regions=regions, prefix="stop")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                stop_order_record(name=data["name"], uscc=data["uscc"], region=data["region"], facts=data["facts"],
                                  acting_user=request.user)
            except DomainError as exc:
                form.add_error(None, error_text(exc))
                status = exc.status
            else:
                messages.success(request, _("The stop order is recorded and published."))
                return redirect("institutions:staff_stop_orders")
        else:
            status = 400
    orders = (StopOrder.objects.filter(region__in=regions).select_related("region", "ordered_by", "announcement")
              .order_by("-ordered_on", "-id")[:100])
    return render(request, "institutions/staff/stop_orders.html", {
        "form": form, "orders": orders, "summary": error_summary({"stop": form}) if form.errors else [],
    }, status=status)
