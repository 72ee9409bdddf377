"""The public result publication (结果公示, ASM-05): masked candidates and the objection form."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from filing_portal.core.errors import DomainError
from filing_portal.core.ratelimit import Limit, rate_limit_hit
from filing_portal.personal_data import mask_id_number

from ..forms import PublicObjectionForm
from ..selectors import batch_candidates, published_batch
from ..services import result_objection_raise
from .common import error_text

OBJECTION_LIMITS = (Limit(5, 3600), Limit(20, 86400))


@require_http_methods(["GET", "POST"])
def public_results(request, plan_number: str):
    """/results/<plan_number>/: only while the batch's results are public; IDs masked (PUB-04)."""
    batch = published_batch(plan_number)
    if batch is None:
        raise Http404
    form, status, context = PublicObjectionForm(), 200, {}
    if request.method == "POST":
        verdict = rate_limit_hit("result-objection", getattr(request, "client_ip", None) or "unknown",
                                 OBJECTION_LIMITS)
        if not verdict.allowed:
            form = PublicObjectionForm(initial={k: request.POST.get(k, "") for k in PublicObjectionForm.base_fields})
            context = {"rate_limited": True, "retry_after": verdict.retry_after}
            status = 429
        else:
            form = PublicObjectionForm(request.POST)
            if form.is_valid():
                try:
                    objection = result_objection_raise(batch=batch, **form.cleaned_data)
                except DomainError as exc:
                    form.add_error(None, error_text(exc))
                else:
                    messages.success(request, _("Your objection was received (reference %(ref)s). The assessment "
                                                "office examines it before the results are reported.")
                                     % {"ref": objection.pk})
                    return redirect(reverse("assessments:public_results", args=[batch.plan_number]) + "#main")
            else:
                status = 400
    rows = [(c, mask_id_number(c.id_number)) for c in batch_candidates(batch)]
    response = render(request, "assessments/public_results.html",
                      {"batch": batch, "rows": rows, "form": form, **context}, status=status)
    if status == 429:
        response["Retry-After"] = str(context["retry_after"])
    return response
