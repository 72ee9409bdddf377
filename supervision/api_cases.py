"""REST API of cases (registered in filing_portal/api_urls.py): /api/v1/cases/, one endpoint per transition."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from filing_portal.core.api import (
    ErrorSerializer,
    ReasonInputSerializer,
    TransitionInputSerializer,
    WorkflowViewSetMixin,
)
from filing_portal.core.errors import PermissionDeniedError

from . import cases as services
from .models import Case
from .selectors import cases_visible_to
from .serializers_cases import (
    CaseCreateInputSerializer,
    CaseSerializer,
    DecideInputSerializer,
    EscalateInputSerializer,
    RectificationInputSerializer,
)

STAFF_ROLES = ("city_staff", "province_staff", "admin")


def _decide(case, user, ip, data):
    from assessments.models import AssessmentBatch

    plan_number = (data.pop("void_batch", "") or "").strip()
    batch = None
    if plan_number:
        batch = AssessmentBatch.objects.filter(plan_number=plan_number, institution_id=case.institution_id).first()
        if batch is None:
            raise ValidationError({"void_batch": [_("Not a batch of this institution.")]})
    return services.case_decide(case=case, acting_user=user, ip=ip, void_batch=batch, **data)


# name -> the service it runs (input already validated by the transition's serializer)
RUNS = {
    "confirm": lambda case, user, ip, d: services.case_confirm(case=case, acting_user=user, ip=ip, **d),
    "dismiss": lambda case, user, ip, d: services.case_dismiss(case=case, acting_user=user, ip=ip, **d),
    "investigate": lambda case, user, ip, d: services.case_investigate(case=case, acting_user=user, ip=ip, **d),
    "decide": _decide,
    "submit_rectification": lambda case, user, ip, d: services.case_submit_rectification(
        case=case, acting_user=user, ip=ip, **d),
    "verify": lambda case, user, ip, d: services.case_verify_rectification(case=case, acting_user=user, ip=ip, **d),
    "reject_rectification": lambda case, user, ip, d: services.case_reject_rectification(
        case=case, acting_user=user, ip=ip, **d),
    "escalate": lambda case, user, ip, d: services.case_escalate(case=case, acting_user=user, ip=ip, **d),
}


class CaseViewSet(WorkflowViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Supervision cases in the caller's view: staff their jurisdiction's, an institution its own decided ones.
    Each transition is its own endpoint (DESIGN.md "REST API"); `close` is the system's."""

    queryset = Case.objects.order_by("-opened_on", "-pk")
    serializer_class = CaseSerializer
    filterset_fields = ["state", "tier", "origin", "detection"]
    transition_inputs = {
        "confirm": TransitionInputSerializer, "dismiss": ReasonInputSerializer, "investigate": TransitionInputSerializer,
        "decide": DecideInputSerializer, "submit_rectification": RectificationInputSerializer,
        "verify": TransitionInputSerializer, "reject_rectification": ReasonInputSerializer,
        "escalate": EscalateInputSerializer,
    }

    def get_queryset(self):
        return cases_visible_to(self.request.user).order_by("-opened_on", "-pk")

    def perform_transition(self, obj, name, params):
        run = RUNS.get(name)
        if run is None:
            return super().perform_transition(obj, name, params)
        run(obj, self.request.user, getattr(self.request, "client_ip", None), params)
        return self.get_queryset().get(pk=obj.pk)

    @extend_schema(summary="Open a case (staff)",
                   description="About a filing (by number) or an institution (by id) in the caller's jurisdiction; "
                   "the case is `open`. 403 `JUR-03` outside it.",
                   request=CaseCreateInputSerializer, responses={201: CaseSerializer, 400: ErrorSerializer,
                                                                 403: ErrorSerializer}, tags=["case"])
    def create(self, request, *args, **kwargs):
        from institutions.selectors import filings_visible_to, institutions_visible_to

        user = request.user
        if getattr(user, "role", None) not in STAFF_ROLES:
            raise PermissionDeniedError(_("Only office staff open cases."), rule="JUR-03")
        data = CaseCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        number = (d.get("filing_number") or "").strip()
        filing = institution = None
        if number:
            filing = filings_visible_to(user).filter(number=number).first()
            if filing is None:
                raise ValidationError({"filing_number": [_("No filing with this number in your view.")]})
            institution = filing.institution
        else:
            institution = institutions_visible_to(user).filter(pk=d["institution"]).first()
            if institution is None:
                raise ValidationError({"institution": [_("No such institution in your view.")]})
        case = services.case_open(institution=institution, filing=filing, acting_user=user,
                                  region=filing.handling_region if filing else institution.region,
                                  origin=Case.Origin.STAFF, summary=d["summary"])
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data,
                        status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Register this module's viewsets on the /api/v1/ router."""
    router.register("cases", CaseViewSet, basename="case")


urlpatterns = []  # extra (non-router) paths under /api/v1/
