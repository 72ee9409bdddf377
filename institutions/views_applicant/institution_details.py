"""/my/institution/: the institution edits its fee standards (PUB-03) and subsidiaries (ELIG-02).

Name, legal representative, head and contacts are not edited here: they change through an
information change, approved by the filing office and published (CHG-02).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from filing_portal.core.errors import DomainError

from ..forms_applicant import formset_rows, public_details_formsets
from ..models import Institution
from ..services.institution_details import institution_public_details_update
from .common import error_text, institution_required


@institution_required
def institution_details_view(request):
    institution = Institution.objects.get(pk=request.user.institution_id)
    formsets = public_details_formsets(request.POST or None, institution=institution)
    status, error = 200, ""
    if request.method == "POST":
        if all(fs.is_valid() for fs in formsets.values()):
            try:
                institution_public_details_update(
                    institution=institution, fees=formset_rows(formsets["fees"]),
                    subsidiaries=formset_rows(formsets["subsidiaries"]) if "subsidiaries" in formsets else [],
                    acting_user=request.user)
            except DomainError as exc:
                error, status = error_text(exc), exc.status
            else:
                messages.success(request, _("Saved: the fee standards are public in the directory."))
                return redirect("institutions:institution_details")
        else:
            status = 400
    return render(request, "institutions/applicant/institution_details.html", {
        "institution": institution, "formsets": formsets, "error": error,
    }, status=status)
