"""Pages: public verification (CERT-05, PUB-04) and the staff certificate register."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filing_portal.audit.services import audit_events_for
from filing_portal.core.errors import DomainError
from filing_portal.core.workflow import available_transitions
from filing_portal.personal_data import mask_id_number, personal_data_reveal

from . import selectors
from .forms import CertificateSearchForm, RevealForm, VerifyByIdentityForm, VerifyByNumberForm, VoidForm
from .models import PdfJob
from .services import MAX_PDF_JOB, certificate_void, pdf_job_create
from .verification import NOT_FOUND, public_answer, qr_signature_valid, verify_rate_limit

logger = logging.getLogger(__name__)


def _limited(request):
    verdict = verify_rate_limit(getattr(request, "client_ip", None))
    if verdict.allowed:
        return None
    typed = request.POST
    # Keep what the user typed (unbound forms with initial values: no error messages for the other form).
    response = render(request, "certificates/verify.html", {
        "number_form": VerifyByNumberForm(prefix="n", initial={
            "number": typed.get("n-number", ""), "name": typed.get("n-name", "")}),
        "identity_form": VerifyByIdentityForm(prefix="i", initial={
            "name": typed.get("i-name", ""), "id_type": typed.get("i-id_type", "201"),
            "id_number": typed.get("i-id_number", "")}),
        "mode": typed.get("mode", "number"), "rate_limited": True, "retry_after": verdict.retry_after,
    }, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def verify(request):
    """Anyone may verify a certificate; inputs by POST, never in the URL (DESIGN.md "Personal data")."""
    number_form, identity_form = VerifyByNumberForm(prefix="n"), VerifyByIdentityForm(prefix="i")
    context = {"mode": "number"}
    if request.method == "POST":
        limited = _limited(request)
        if limited:
            return limited
        mode = request.POST.get("mode", "number")
        context["mode"] = mode
        if mode == "identity":
            identity_form = VerifyByIdentityForm(request.POST, prefix="i")
            if identity_form.is_valid():
                found = selectors.certificates_verify_by_identity(**identity_form.cleaned_data)
                context["results"] = [public_answer(c) for c in found]
                context["searched"] = True
        else:
            number_form = VerifyByNumberForm(request.POST, prefix="n")
            if number_form.is_valid():
                cert = selectors.certificate_verify_by_number(**number_form.cleaned_data)
                context["results"] = [public_answer(cert)] if cert else []
                context["searched"] = True
    context.update(number_form=number_form, identity_form=identity_form, not_found=NOT_FOUND)
    return render(request, "certificates/verify.html", context)


def verify_qr(request, number: str, signature: str):
    """The page a certificate's QR code opens. A changed number or signature is reported as forged."""
    limited = _limited(request)
    if limited:
        return limited
    if not qr_signature_valid(number, signature):
        return render(request, "certificates/verify_qr.html", {"forged": True}, status=400)
    cert = selectors.certificate_by_number(number)
    if cert is None:  # signed by us but no longer present: never deleted, so this is a broken key
        raise Http404
    return render(request, "certificates/verify_qr.html", {"result": public_answer(cert)})


def _staff(user):
    if not user.is_authenticated:
        return False
    return user.role in ("city_staff", "province_staff", "admin", "institution")


@login_required
def register(request):
    """The certificate register: search inside the caller's jurisdiction (JUR-03)."""
    if not _staff(request.user):
        raise PermissionDenied
    form = CertificateSearchForm(request.GET or None)
    qs = selectors.certificates_visible_to(request.user).order_by("-issue_date", "number")
    filing_lookup = None
    if form.is_valid():
        qs = selectors.certificates_search(request.user, **form.cleaned_data)
        filing_lookup = _filing_lookup(form.cleaned_data)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [{"cert": c, "id_masked": mask_id_number(c.id_number)} for c in page.object_list]
    return render(request, "certificates/register.html", {"form": form, "page": page, "rows": rows,
                                                          "filing_lookup": filing_lookup})


def _filing_lookup(data: dict):
    """NUM-03/04: a searched filing number (the field, or 13 characters typed in the search box), resolved
    whether in use or retired; an error message when it is malformed or was never allocated."""
    from .numbers import NumberFormatError

    number = (data.get("filing_number") or "").strip()
    q = (data.get("q") or "").strip()
    if not number and len(q) == 13 and q[0] in "YSys" and q[1:].isdigit():
        number = q
    if not number:
        return None
    try:
        found = selectors.filing_number_lookup(number)
    except NumberFormatError as exc:
        return {"error": str(exc)}
    if found is None:
        return {"error": _("Filing number %(n)s was never allocated.") % {"n": number.upper()}}
    return {"found": found}


def _visible_or_404(user, pk):
    cert = selectors.certificates_visible_to(user).filter(pk=pk).first()
    if cert is None:
        raise Http404
    return cert


@login_required
def detail(request, pk: int):
    if not _staff(request.user):
        raise PermissionDenied
    cert = _visible_or_404(request.user, pk)
    # Both forms have a "reason" field: their own id prefixes keep each label on its own field (WCAG 4.1.2).
    return render(request, "certificates/detail.html", {
        "cert": cert, "answer": public_answer(cert), "void_form": VoidForm(auto_id="void_%s"),
        "reveal_form": RevealForm(auto_id="reveal_%s"),
        "can_void": "void" in available_transitions(cert, request.user),
        "history": audit_events_for(cert),
    })


@login_required
@require_POST
def void(request, pk: int):
    cert = _visible_or_404(request.user, pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            certificate_void(certificate=cert, reason=form.cleaned_data["reason"], acting_user=request.user,
                             ip=request.client_ip)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Certificate %(n)s is voided.") % {"n": cert.number})
    else:
        messages.error(request, _("A reason is required to void a certificate."))
    return redirect("certificates:detail", pk=cert.pk)


@login_required
@require_POST
def reveal(request, pk: int):
    """Show the full ID number once, to staff who give a reason; the reveal is audited (PUB-04)."""
    cert = _visible_or_404(request.user, pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason to see the full ID number."))
        return redirect("certificates:detail", pk=cert.pk)
    try:
        full = personal_data_reveal(obj=cert, field="id_number", acting_user=request.user,
                                    reason=form.cleaned_data["reason"], ip=request.client_ip)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("certificates:detail", pk=cert.pk)
    response = render(request, "certificates/revealed.html", {"cert": cert, "full": full})
    response["Cache-Control"] = "no-store"
    return response


def pdf_unavailable(request, exc: Exception):
    """CERT-04: without the Kai font no certificate can be printed; say so (503), log the details."""
    from .documents import PDF_UNAVAILABLE

    logger.error("certificate PDF unavailable: %s", exc)
    response = render(request, "certificates/pdf_unavailable.html", {"message": PDF_UNAVAILABLE}, status=503)
    response["Retry-After"] = "3600"
    return response


@login_required
def pdf(request, pk: int):
    cert = _visible_or_404(request.user, pk)
    from .documents import certificate_pdf_bytes
    from .fonts import KaiFontMissing

    try:
        content = certificate_pdf_bytes(cert)
    except KaiFontMissing as exc:
        return pdf_unavailable(request, exc)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    return response


@login_required
@require_POST
def print_search(request):
    """Queue one PDF of every certificate the current search finds (a Celery job with progress)."""
    if not _staff(request.user):
        raise PermissionDenied
    form = CertificateSearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The search is not valid."))
        return redirect("certificates:register")
    ids = list(selectors.certificates_search(request.user, **form.cleaned_data).values_list("pk", flat=True)[
        :MAX_PDF_JOB + 1])
    try:
        job = pdf_job_create(certificate_ids=ids, acting_user=request.user,
                             title=_("%(n)d certificates") % {"n": len(ids)})
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("certificates:register")
    return _queued(request, job)


@login_required
@require_POST
def print_batch(request, batch_id: int):
    """Queue one PDF of every certificate of an assessment batch the caller may see (the batch pages' button)."""
    if not _staff(request.user):
        raise PermissionDenied
    certs = selectors.certificates_search(request.user, batch_id=batch_id).order_by("number")
    rows = list(certs.values_list("pk", "batch__plan_number")[:MAX_PDF_JOB + 1])
    if not rows:
        raise Http404  # no such batch, none of its certificates visible, or none issued yet
    try:
        job = pdf_job_create(certificate_ids=[pk for pk, _plan in rows], acting_user=request.user,
                             title=_("Batch %(plan)s: %(n)d certificates") % {"plan": rows[0][1], "n": len(rows)})
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('certificates:register')}?batch={rows[0][1]}")
    return _queued(request, job)


def _queued(request, job):
    if getattr(job, "sent", None) is False:  # the task queue is down: the job is saved and starts later
        messages.warning(request, _("The print queue is not available at the moment. Your request is saved "
                                    "and starts by itself once the queue is back; you may leave this page."))
    return redirect("certificates:pdf_job", pk=job.pk)


def _own_job(request, pk):
    job = PdfJob.objects.filter(pk=pk).first()
    if job is None or (job.requested_by_id != request.user.pk and request.user.role != "admin"):
        raise Http404
    return job


@login_required
def pdf_job(request, pk):
    job = _own_job(request, pk)
    return render(request, "certificates/pdf_job.html", {"job": job, "refresh": job.status in ("queued", "running")})


@login_required
def pdf_job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != PdfJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=f"certificates-{job.pk}.pdf",
                        content_type="application/pdf")
