"""REST API of public (registered in filing_portal/api_urls.py): complaints and their follow-up (SUP-02), the
disclosures (PUB-02). No login; the writes are rate-limited per client like the pages."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from filing_portal.core.api import ErrorSerializer
from filing_portal.core.ratelimit import rate_limit_hit
from filing_portal.regions.models import Region

from .complaints import complaint_submit
from .disclosures import disclosures
from .models import Complaint
from .serializers_complaints import (
    ComplaintAckSerializer,
    ComplaintFollowSerializer,
    DisclosureSerializer,
    FollowInputSerializer,
    PublicComplaintInputSerializer,
)
from .views_complaints import FOLLOW_LIMITS, SUBMIT_LIMITS

LIMITED = OpenApiResponse(ErrorSerializer, description="Too many requests from the client")


def _limited(request, scope, limits):
    verdict = rate_limit_hit(scope, getattr(request, "client_ip", None) or "unknown", limits)
    if verdict.allowed:
        return None
    response = Response({"code": "rate_limited", "rule": None, "retry_after": verdict.retry_after,
                         "message": _("Too many requests from your network; please try again later.")}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


class PublicComplaintView(APIView):
    """SUP-02: make a complaint; the answer holds the acknowledgement number to follow it with."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=PublicComplaintInputSerializer,
                   responses={201: ComplaintAckSerializer, 400: ErrorSerializer, 429: LIMITED}, tags=["public"])
    def post(self, request):
        refused = _limited(request, "complaint", SUBMIT_LIMITS)
        if refused:
            return refused
        data = PublicComplaintInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        d.pop("plan_number", None)
        complaint = complaint_submit(**d, batch=getattr(data, "batch", None), acting_user=request.user,
                                     ip=getattr(request, "client_ip", None))
        return Response(ComplaintAckSerializer(complaint).data, status=201)


class PublicComplaintFollowView(APIView):
    """SUP-02: status, due date and, once answered, outcome and response of a complaint (number by POST)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(request=FollowInputSerializer,
                   responses={200: ComplaintFollowSerializer, 404: ErrorSerializer, 429: LIMITED}, tags=["public"])
    def post(self, request):
        refused = _limited(request, "complaint-follow", FOLLOW_LIMITS)
        if refused:
            return refused
        data = FollowInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = get_object_or_404(Complaint.objects.select_related("region"),
                                      ack_number=data.validated_data["ack_number"].strip().upper())
        return Response(ComplaintFollowSerializer(complaint).data)


class PublicDisclosureListView(generics.ListAPIView):
    """PUB-02: revocations, rectification orders, terminations, stop orders and draw results, newest first."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    serializer_class = DisclosureSerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        code = (params.get("region") or "").strip()
        region = Region.objects.filter(code=code).first() if code else None
        if code and region is None:
            return []
        return disclosures(kind=(params.get("kind") or "").strip(), region=region)

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=["revocation", "suspension", "termination",
                                                                   "stop_order", "draw_results"]),
                               OpenApiParameter("region", str, description="GB/T 2260 code (a province includes "
                                                                           "its cities)")],
                   tags=["public"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def register(router) -> None:
    """Register this module's viewsets on the /api/v1/ router."""


urlpatterns = [  # extra (non-router) paths under /api/v1/
    path("public/complaints/", PublicComplaintView.as_view(), name="api-public-complaints"),
    path("public/complaints/follow/", PublicComplaintFollowView.as_view(), name="api-public-complaint-follow"),
    path("public/disclosures/", PublicDisclosureListView.as_view(), name="api-public-disclosures"),
]
