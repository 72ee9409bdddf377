"""REST: the certificate register (/api/v1/certificates/) and public verification (/api/v1/public/...)."""

import logging

import django_filters
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from filing_portal.core.api import ErrorSerializer, ReasonInputSerializer, WorkflowViewSetMixin

from . import selectors
from .models import Certificate
from .serializers import (
    CertificateSerializer,
    FilingNumberStatusSerializer,
    VerifyRequestSerializer,
    VerifyResponseSerializer,
)
from .services import certificate_void
from .verification import NOT_FOUND, public_answer, verify_rate_limit

logger = logging.getLogger(__name__)


class CertificateFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(field_name="number")
    holder_name = django_filters.CharFilter(field_name="holder_name", lookup_expr="startswith")
    filing_number = django_filters.CharFilter(field_name="filing_number")
    institution_name = django_filters.CharFilter(field_name="institution_name", lookup_expr="contains")
    batch = django_filters.NumberFilter(field_name="batch_id", help_text="the assessment batch's id")
    batch_plan_number = django_filters.CharFilter(field_name="batch__plan_number",
                                                  help_text="the assessment batch's plan number")
    issued_from = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte")
    issued_to = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte")

    class Meta:
        model = Certificate
        fields = ["number", "holder_name", "filing_number", "institution_name", "level", "status"]


class CertificateViewSet(WorkflowViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Certificates inside the caller's jurisdiction (JUR-03); `void` needs a reason."""

    queryset = Certificate.objects.order_by("-issue_date", "number")
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    transition_inputs = {"void": ReasonInputSerializer}

    def get_queryset(self):
        return (selectors.certificates_visible_to(self.request.user).select_related("national_upload")
                .order_by("-issue_date", "number"))

    def perform_transition(self, obj, name, params):
        if name == "void":
            return certificate_void(certificate=obj, reason=params["reason"], acting_user=self.request.user,
                                    ip=getattr(self.request, "client_ip", None))
        return super().perform_transition(obj, name, params)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              503: OpenApiResponse(ErrorSerializer, description="The Kai font is not installed")},
                   tags=["certificate"])
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The certificate as printed (CERT-04), A4 landscape; 503 when the server lacks the Kai font."""
        from .documents import PDF_UNAVAILABLE, certificate_pdf_bytes
        from .fonts import KaiFontMissing

        cert = self.get_object()
        try:
            content = certificate_pdf_bytes(cert)
        except KaiFontMissing as exc:
            logger.error("certificate PDF unavailable: %s", exc)
            return Response({"code": "pdf_unavailable", "rule": "CERT-04", "message": str(PDF_UNAVAILABLE)},
                            status=503, headers={"Retry-After": "3600"})
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
        return response


class FilingNumberLookupView(APIView):
    """NUM-03/04: staff look up any filing number, in use or retired (reason, date, successor)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: FilingNumberStatusSerializer,
                   400: OpenApiResponse(ErrorSerializer, description="Not a filing number (NUM-01)"),
                   403: OpenApiResponse(ErrorSerializer, description="Staff only"),
                   404: OpenApiResponse(ErrorSerializer, description="Never allocated")},
        tags=["certificate"],
    )
    def get(self, request, number: str):
        user = request.user
        if not (user.is_office_staff or user.role == "admin"):
            raise exceptions.PermissionDenied(_("Only appraisal-centre staff may look up filing numbers."))
        found = selectors.filing_number_lookup(number)  # NumberFormatError → 400 with its rule
        if found is None:
            raise exceptions.NotFound(_("Filing number %(n)s was never allocated.") % {"n": number.strip().upper()})
        return Response(FilingNumberStatusSerializer(found.as_dict()).data)


class PublicVerifyView(APIView):
    """CERT-05: anyone may verify. 'Not found' and 'name does not match' give the same answer."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        request=VerifyRequestSerializer,
        responses={200: VerifyResponseSerializer, 400: ErrorSerializer,
                   429: OpenApiResponse(ErrorSerializer, description="Too many lookups from this client")},
        tags=["public"],
    )
    def post(self, request):
        verdict = verify_rate_limit(getattr(request, "client_ip", None))
        if not verdict.allowed:
            return Response({"code": "rate_limited", "rule": None, "retry_after": verdict.retry_after,
                             "message": _("Too many lookups from your network. Please try again in %(s)d seconds.")
                             % {"s": verdict.retry_after}}, status=429, headers={"Retry-After": str(verdict.retry_after)})
        data = VerifyRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v.get("number"):
            cert = selectors.certificate_verify_by_number(number=v["number"], name=v["name"])
            found = [cert] if cert else []
        else:
            found = selectors.certificates_verify_by_identity(name=v["name"], id_type=v["id_type"],
                                                              id_number=v["id_number"])
        return Response({
            "found": bool(found), "certificates": [public_answer(c) for c in found],
            "message": "" if found else str(NOT_FOUND),
        })
