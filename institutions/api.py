"""REST: /api/v1/institutions/, /filing-applications/ (with transitions), /filings/, and the public lists."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from filing_portal.core.api import ErrorSerializer, ReasonInputSerializer, WorkflowViewSetMixin
from filing_portal.core.pagination import CachedCountPagination, search_count_key
from filing_portal.core.ratelimit import Limit, rate_limit_hit

from . import selectors
from .models import Filing, FilingApplication, FilingScope, Objection
from .serializers import (
    AnnouncementSerializer,
    CancellationInputSerializer,
    DismissObjectionInputSerializer,
    EvaluationInputSerializer,
    FilingApplicationSerializer,
    FilingSerializer,
    InstitutionSerializer,
    ObjectionInputSerializer,
    ObjectionSerializer,
    PublicFilingSerializer,
    PublicNoticeSerializer,
    SupplementInputSerializer,
    TerminationInputSerializer,
)
from .services import applications as app_services
from .services import filings as filing_services

OBJECTION_LIMITS = (Limit(5, 3600), Limit(20, 86400))


class InstitutionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = InstitutionSerializer
    queryset = selectors.Institution.objects.none()

    def get_queryset(self):
        return selectors.institutions_visible_to(self.request.user).order_by("name", "pk")


class FilingApplicationViewSet(WorkflowViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Applications inside the caller's view; each transition is its own endpoint (DESIGN.md)."""

    queryset = FilingApplication.objects.order_by("pk")
    serializer_class = FilingApplicationSerializer
    filterset_fields = ["state", "kind"]
    transition_inputs = {
        "reject": ReasonInputSerializer,
        "request_supplement": SupplementInputSerializer,
        "record_evaluation": EvaluationInputSerializer,
        "dismiss_objection": DismissObjectionInputSerializer,
        "raise_objection": ObjectionInputSerializer,
    }

    def get_queryset(self):
        return (selectors.applications_visible_to(self.request.user)
                .prefetch_related("occupations__occupation", "venues", "opinions", "objections")
                .order_by("pk"))

    def perform_transition(self, obj, name, params):
        user, ip = self.request.user, getattr(self.request, "client_ip", None)
        calls = {
            "submit": lambda: app_services.application_submit(application=obj, acting_user=user, ip=ip),
            "request_supplement": lambda: app_services.application_request_supplement(
                application=obj, items=params["items"], acting_user=user, ip=ip),
            "resubmit": lambda: app_services.application_resubmit(application=obj, acting_user=user, ip=ip),
            "accept": lambda: app_services.application_accept(application=obj, acting_user=user, ip=ip),
            "pass_initial_review": lambda: app_services.application_pass_initial_review(
                application=obj, acting_user=user, ip=ip),
            "record_evaluation": lambda: app_services.application_record_evaluation(
                application=obj, opinion=params["opinion"], expert_names=params["expert_name"], acting_user=user,
                ip=ip),
            "start_public_notice": lambda: app_services.application_start_public_notice(
                application=obj, acting_user=user, ip=ip),
            "raise_objection": lambda: app_services.objection_raise(
                application=obj, contact=params["contact"], content=params["content"],
                name=params.get("name", ""), acting_user=user, ip=ip).application,
            "dismiss_objection": lambda: app_services.objection_dismiss(
                objection=get_object_or_404(Objection, pk=params["objection_id"], application=obj),
                reason=params["reason"], acting_user=user, ip=ip).application,
            "complete_notice": lambda: app_services.application_complete_notice(
                application=obj, acting_user=user, ip=ip),
            "approve_change": lambda: app_services.application_approve_change(application=obj, acting_user=user, ip=ip),
            "reject": lambda: app_services.application_reject(application=obj, reason=params["reason"],
                                                              acting_user=user, ip=ip),
            "withdraw": lambda: app_services.application_withdraw(application=obj, acting_user=user, ip=ip),
        }
        if name in calls:
            calls[name]()
            return self.get_queryset().get(pk=obj.pk)
        return super().perform_transition(obj, name, params)


class FilingViewSet(WorkflowViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Filing.objects.order_by("number")
    serializer_class = FilingSerializer
    filterset_fields = ["state"]
    transition_inputs = {"suspend": ReasonInputSerializer, "revoke": CancellationInputSerializer,
                         "terminate": TerminationInputSerializer}

    def get_queryset(self):
        return (selectors.filings_visible_to(self.request.user)
                .prefetch_related(Prefetch("scope", queryset=FilingScope.objects.select_related("occupation")))
                .order_by("number"))

    def perform_transition(self, obj, name, params):
        user, ip = self.request.user, getattr(self.request, "client_ip", None)
        if name == "suspend":
            filing_services.filing_suspend(filing=obj, reason=params["reason"], acting_user=user, ip=ip)
        elif name == "reinstate":
            filing_services.filing_reinstate(filing=obj, acting_user=user, reason=params.get("comment", ""), ip=ip)
        elif name == "revoke":
            filing_services.filing_revoke(filing=obj, reason=params["reason"], ground=params.get("ground", ""),
                                          acting_user=user, ip=ip)
        elif name == "terminate":
            filing_services.filing_terminate(filing=obj, reason=params["reason"], kind=params.get("kind", "voluntary"),
                                             ground=params.get("ground", ""), acting_user=user, ip=ip)
        elif name == "renew":
            filing_services.filing_renew(filing=obj, acting_user=user, ip=ip)
        else:
            return super().perform_transition(obj, name, params)
        return self.get_queryset().get(pk=obj.pk)


class PublicDirectoryView(generics.ListAPIView):
    """PUB-01: the directory of filed institutions."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    serializer_class = PublicFilingSerializer
    pagination_class = CachedCountPagination  # the total may be a minute old; the rows never are

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("number", str),
                               OpenApiParameter("region", str), OpenApiParameter("occupation", str),
                               OpenApiParameter("level", int)], tags=["public"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def search_kwargs(self) -> dict:
        p = self.request.query_params
        level = p.get("level")
        return {"q": p.get("q", ""), "number": p.get("number", ""), "region_code": p.get("region", ""),
                "occupation": p.get("occupation", ""), "level": int(level) if level and level.isdigit() else None}

    def count_key(self) -> str:
        """CachedCountPagination's key: the search's arguments (compiling the SQL for a key cost a tenth)."""
        return search_count_key("public_directory", self.search_kwargs())

    def get_queryset(self):
        return selectors.public_directory(**self.search_kwargs(), listing=True)


class PublicNoticeListView(generics.ListAPIView):
    """PUB-02: applications in public notice now."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    serializer_class = PublicNoticeSerializer

    def get_queryset(self):
        return selectors.notices_in_progress()


class PublicAnnouncementListView(generics.ListAPIView):
    """PUB-02: published filings, changes, terminations, revocations and rectification orders."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    serializer_class = AnnouncementSerializer

    def get_queryset(self):
        return selectors.announcements(self.request.query_params.get("kind"))


class PublicObjectionView(APIView):
    """FIL-07: anyone may object during a notice; a contact is required; rate-limited per client."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(request=ObjectionInputSerializer,
                   responses={201: ObjectionSerializer, 409: ErrorSerializer,
                              429: OpenApiResponse(ErrorSerializer, description="Too many objections")},
                   tags=["public"])
    def post(self, request, pk: int):
        verdict = rate_limit_hit("objection", getattr(request, "client_ip", None) or "unknown", OBJECTION_LIMITS)
        if not verdict.allowed:
            return Response({"code": "rate_limited", "rule": None, "retry_after": verdict.retry_after,
                             "message": _("Too many objections from your network; please try again later.")},
                            status=429)
        application = get_object_or_404(selectors.notices_in_progress(), pk=pk)
        data = ObjectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = app_services.objection_raise(application=application, acting_user=request.user,
                                                 ip=getattr(request, "client_ip", None), **data.validated_data)
        return Response(ObjectionSerializer(objection).data, status=201)
