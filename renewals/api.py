"""REST API of renewals (registered in filing_portal/api_urls.py): /api/v1/renewals/.

Institutions see and create their own renewals; the office sees those of the filings it holds (JUR-03).
Each transition is its own endpoint: submit, start_evaluation, approve, reject (with reasons).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from filing_portal.core.api import ErrorSerializer, WorkflowViewSetMixin
from filing_portal.core.errors import PermissionDeniedError
from institutions.selectors import filings_visible_to

from .eligibility import renewal_eligibility
from .models import RenewalApplication, RenewalPlan
from .selectors import renewals_visible_to
from .serializers import (
    CheckSerializer,
    RejectInputSerializer,
    RenewalCreateSerializer,
    RenewalDetailSerializer,
    RenewalSerializer,
    RenewalUpdateSerializer,
)
from .services import renewal_application_start, renewal_plans_choose, renewal_transition_run, renewal_update

ERRORS = {403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class RenewalViewSet(WorkflowViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                     viewsets.ReadOnlyModelViewSet):
    """Renewal applications (DESIGN.md "Renewal application")."""

    queryset = RenewalApplication.objects.order_by("-created_at", "-pk")
    serializer_class = RenewalSerializer
    filterset_fields = ["state", "in_grace"]
    transition_inputs = {"reject": RejectInputSerializer}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (renewals_visible_to(self.request.user)
                .prefetch_related(Prefetch("plans", queryset=RenewalPlan.objects.order_by("position")))
                .order_by("-created_at", "-pk"))

    def get_serializer_class(self):
        if self.action == "retrieve":
            return RenewalDetailSerializer
        return super().get_serializer_class()

    @extend_schema(summary="Start a renewal (draft, pre-filled)", request=RenewalCreateSerializer,
                   description="By the filing's institution, from the window's opening (REN-01) to the end of the "
                   "grace period (REN-03); 409 names the rule. The 6 most recent reported batches are the plans.",
                   responses={201: RenewalDetailSerializer, **ERRORS}, tags=["renewalapplication"])
    def create(self, request, *args, **kwargs):
        user = request.user
        # The role first: a caller who may never apply gets 403, not the form's field errors.
        if getattr(user, "role", None) != "institution" or not user.institution_id:
            raise PermissionDeniedError(_("Only the filed institution applies for the renewal of its filing."),
                                        rule="REN-01")
        data = RenewalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        filing = filings_visible_to(user).filter(institution_id=user.institution_id,
                                                 number=data.validated_data["filing_number"].strip()).first()
        if filing is None:
            raise ValidationError({"filing_number": [_("Not one of your filings.")]})
        application = renewal_application_start(filing=filing, acting_user=user)
        return Response(RenewalDetailSerializer(self.get_queryset().get(pk=application.pk),
                                                context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change the draft's fields and plans", request=RenewalUpdateSerializer,
                   responses={200: RenewalDetailSerializer, 400: ErrorSerializer, **ERRORS},
                   tags=["renewalapplication"])
    def partial_update(self, request, *args, **kwargs):
        application = self.get_object()
        data = RenewalUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        plans = fields.pop("plans", None)
        renewal_update(application=application, acting_user=request.user, **fields)
        if plans is not None:
            renewal_plans_choose(application=application, batch_ids=plans, acting_user=request.user)
        return Response(RenewalDetailSerializer(self.get_queryset().get(pk=application.pk),
                                                context=self.get_serializer_context()).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(summary="The eligibility checks (REN-04, REN-05)", responses={200: CheckSerializer(many=True),
                                                                                  404: ErrorSerializer},
                   tags=["renewalapplication"])
    @action(detail=True, methods=["get"], url_path="eligibility", url_name="eligibility", filter_backends=[],
            pagination_class=None)
    def eligibility(self, request, pk=None):
        application = self.get_object()
        return Response([c.as_dict() for c in renewal_eligibility(application.filing, application=application)])

    def perform_transition(self, obj, name, params):
        renewal_transition_run(obj, name, self.request.user, reasons=params.get("reasons", ""),
                               comment=params.get("comment", ""), ip=getattr(self.request, "client_ip", None))
        return self.get_queryset().get(pk=obj.pk)


def register(router) -> None:
    """Register this module's viewsets on the /api/v1/ router."""
    router.register("renewals", RenewalViewSet, basename="renewal")


urlpatterns = []
