"""TERM-01/03: the institution notifies its office that it ends its filing; the page lists the duties that remain."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from filing_portal.core.errors import DomainError

from ..forms_applicant import TerminationNotifyForm
from ..models import TerminationNotice
from ..selectors import filings_visible_to
from ..services.filings import TERMINATION_DUTIES, filing_termination_notify
from .common import error_text, institution_required


@institution_required
def filing_termination_view(request, pk: int):
    """GET: the form and the follow-up duties (TERM-03); POST: the notice (the office confirms it)."""
    filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
    form = TerminationNotifyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                filing_termination_notify(filing=filing, reason=form.cleaned_data["reason"],
                                          terminate_on=form.cleaned_data["terminate_on"], acting_user=request.user)
            except DomainError as exc:
                form.add_error(None, error_text(exc))
                status = exc.status
            else:
                messages.success(request, _("Your office has been notified; the filing ends when it confirms."))
                return redirect("institutions:filing_termination", pk=filing.pk)
        else:
            status = 400
    pending = filing.termination_notices.filter(status=TerminationNotice.Status.NOTIFIED).first()
    summary = [("", e) for e in form.non_field_errors()] + [
        (form[name].auto_id, f"{form[name].label}: {' '.join(errors)}") for name, errors in form.errors.items()
        if name != "__all__"]
    return render(request, "institutions/applicant/termination.html", {
        "filing": filing, "form": form, "pending": pending, "duties": TERMINATION_DUTIES, "summary": summary,
    }, status=status)
