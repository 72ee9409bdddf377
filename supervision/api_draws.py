"""REST API of draws and inspections (registered in filing_portal/api_urls.py).

- `/api/v1/draws/` (office staff): list, retrieve, create; `POST /api/v1/draws/<id>/transitions/<name>/` for
  `commit`, `run`, `publish_results`.
- `/api/v1/inspections/` (office staff and inspectors of the team): list, retrieve with findings, create
  (office staff: an exam supervision by plan number, ASM-04, or a special inspection by filing number);
  `POST /api/v1/inspections/<id>/record/` with the findings; `POST .../attachments/` (multipart `file`).
- public: `/api/v1/public/draws/`, `/api/v1/public/draws/<reference>/`, and
  `POST /api/v1/public/draws/<reference>/verify/` — a server-side re-run anyone can call.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, parsers, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from filing_portal.core.api import ErrorSerializer, WorkflowViewSetMixin
from filing_portal.core.errors import PermissionDeniedError
from filing_portal.regions.models import Region
from institutions.occupations import Occupation

from .draws import draw_create, draw_transition, draw_verify, draws_visible_to, public_draws
from .inspections import (
    inspection_attachment_add,
    inspection_create,
    inspection_record,
    inspections_visible_to,
)
from .models import OFFICE_ROLES, Draw, Inspection, InspectorProfile
from .serializers_draws import (
    AttachmentSerializer,
    DrawCreateInputSerializer,
    DrawSerializer,
    InspectionCreateInputSerializer,
    InspectionSerializer,
    PublicDrawSerializer,
    RecordInputSerializer,
    VerifyInputSerializer,
    VerifyResultSerializer,
)

ERRORS = {
    403: OpenApiResponse(ErrorSerializer, description="Role or jurisdiction forbids it"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or outside the caller's view"),
    409: OpenApiResponse(ErrorSerializer, description="A rule refused it (the body names it)"),
}


def _inspections_prefetch(queryset=None):
    qs = queryset if queryset is not None else Inspection.objects.all()
    return Prefetch("inspections", queryset=qs.select_related("filing", "institution").order_by("reference"))


class DrawViewSet(WorkflowViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Random inspection draws of the offices in the caller's jurisdiction (SUP-01, JUR-03)."""

    queryset = Draw.objects.order_by("-created_at", "-pk")
    serializer_class = DrawSerializer
    filterset_fields = ["state"]

    def get_queryset(self):
        if getattr(self.request.user, "role", None) not in OFFICE_ROLES:
            return Draw.objects.none()
        return (draws_visible_to(self.request.user)
                .prefetch_related("inspectors", _inspections_prefetch()).order_by("-created_at", "-pk"))

    @extend_schema(summary="Define a draw (draft)", request=DrawCreateInputSerializer,
                   responses={201: DrawSerializer, 400: ErrorSerializer, **ERRORS}, tags=["draw"])
    def create(self, request, *args, **kwargs):
        user = request.user
        # The role first: a caller who may never define draws gets 403, not the form's field errors.
        if getattr(user, "role", None) not in OFFICE_ROLES:
            raise PermissionDeniedError(_("Only staff of an office define random inspection draws."),
                                        rule="SUP-01")
        data = DrawCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        office = user.region
        if d.get("office"):
            office = Region.objects.filter(code=d["office"]).first()
            if office is None:
                raise ValidationError({"office": [_("Unknown region code.")]})
        filter_region = None
        if d.get("filter_region"):
            filter_region = Region.objects.filter(code=d["filter_region"]).first()
            if filter_region is None:
                raise ValidationError({"filter_region": [_("Unknown region code.")]})
        codes = sorted(set(d["inspectors"]))
        inspectors = list(InspectorProfile.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {p.code for p in inspectors})
        if unknown:
            raise ValidationError({"inspectors": [_("Unknown inspector codes: %(codes)s.")
                                                  % {"codes": ", ".join(unknown)}]})
        draw = draw_create(
            title=d["title"], sample_size=d["sample_size"], team_size=d["team_size"], inspectors=inspectors,
            acting_user=user, region=office, filter_region=filter_region,
            filter_kind=d.get("filter_kind", ""),
            filter_occupation=Occupation.objects.filter(code=d.get("filter_occupation") or "").first(),
            filter_supervision_mode=d.get("filter_supervision_mode", ""), inspect_from=d.get("inspect_from"),
            inspect_until=d.get("inspect_until"))
        return Response(self.get_serializer(self.get_queryset().get(pk=draw.pk)).data,
                        status=status.HTTP_201_CREATED)

    def perform_transition(self, obj, name, params):
        draw_transition(draw=obj, name=name, acting_user=self.request.user,
                        ip=getattr(self.request, "client_ip", None))
        return self.get_queryset().get(pk=obj.pk)


class InspectionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Inspections: the office's in its jurisdiction, an inspector's own teams' (SUP-01, ASM-04)."""

    serializer_class = InspectionSerializer
    filterset_fields = ["outcome", "kind"]

    def get_queryset(self):
        return (inspections_visible_to(self.request.user)
                .prefetch_related("team", "findings", "attachments").order_by("-planned_on", "-pk"))

    @extend_schema(summary="Plan an exam supervision (ASM-04) or a special inspection",
                   request=InspectionCreateInputSerializer,
                   responses={201: InspectionSerializer, 400: ErrorSerializer, **ERRORS}, tags=["inspection"])
    def create(self, request, *args, **kwargs):
        from assessments.selectors import batches_visible_to
        from institutions.selectors import filings_visible_to

        user = request.user
        # The role first: a caller who may never plan inspections gets 403, not the form's field errors.
        if getattr(user, "role", None) not in OFFICE_ROLES:
            raise PermissionDeniedError(_("Only the office plans inspections."), rule="JUR-03")
        data = InspectionCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        batch = filing = None
        if d["kind"] == Inspection.Kind.EXAM:
            batch = batches_visible_to(user).filter(plan_number=(d.get("plan_number") or "").strip()).first()
            if batch is None:
                raise ValidationError({"plan_number": [_("Not a batch plan of your office.")]})
        else:
            number = (d.get("filing_number") or "").strip().upper()
            filing = filings_visible_to(user).filter(number=number).first()
            if filing is None:
                raise ValidationError({"filing_number": [_("Not a filing of your office.")]})
        codes = sorted(set(d.get("team") or []))
        team = list(InspectorProfile.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {p.code for p in team})
        if unknown:
            raise ValidationError({"team": [_("Unknown inspector codes: %(codes)s.")
                                            % {"codes": ", ".join(unknown)}]})
        inspection = inspection_create(kind=d["kind"], acting_user=user, filing=filing, batch=batch,
                                       planned_on=d.get("planned_on"), team=team)
        return Response(self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="Record the findings and the outcome",
                   description="Findings per checklist item (FJ23 Art.8–14); a fail needs an item not "
                   "compliant or a summary (409 SUP-01). The third failed external inspection in a calendar "
                   "year proposes a tier-3 case (FJ23 Art.23(11)).",
                   request=RecordInputSerializer,
                   responses={200: InspectionSerializer, 400: ErrorSerializer, **ERRORS},
                   tags=["inspection"])
    @action(detail=True, methods=["post"], url_path="record", url_name="record", filter_backends=[])
    def record(self, request, pk=None):
        inspection = self.get_object()
        data = RecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        inspection_record(inspection=inspection, acting_user=request.user, inspected_on=d["inspected_on"],
                          outcome=d["outcome"], summary=d.get("summary", ""),
                          findings={f["item"]: (f["compliant"], f.get("note", "")) for f in d["findings"]})
        return Response(self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data)

    @extend_schema(summary="Add a photo (JPEG/PNG) or a PDF document, ≤ 10 MB",
                   request={"multipart/form-data": {"type": "object", "properties": {
                       "file": {"type": "string", "format": "binary"}}}},
                   responses={201: AttachmentSerializer, 400: ErrorSerializer, **ERRORS}, tags=["inspection"])
    @action(detail=True, methods=["post"], url_path="attachments", url_name="attachments", filter_backends=[],
            parser_classes=[parsers.MultiPartParser])
    def attachments(self, request, pk=None):
        inspection = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Choose a file.")]})
        attachment = inspection_attachment_add(inspection=inspection, upload=upload, acting_user=request.user)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class _PublicDrawMixin:
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    serializer_class = PublicDrawSerializer

    def get_queryset(self):
        return public_draws().prefetch_related(_inspections_prefetch())


class PublicDrawListView(_PublicDrawMixin, generics.ListAPIView):
    """SUP-01 一公开: every draw from its commitment on; the seed and selection after the run."""

    @extend_schema(tags=["public"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PublicDrawDetailView(_PublicDrawMixin, generics.RetrieveAPIView):
    lookup_field = "reference"

    @extend_schema(tags=["public"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PublicDrawVerifyView(APIView):
    """Re-run a published draw from a seed on the server: does it match the commitment, and the selection?"""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(request=VerifyInputSerializer, tags=["public"],
                   responses={200: VerifyResultSerializer, 400: ErrorSerializer, 404: ERRORS[404]})
    def post(self, request, reference: str):
        draw = get_object_or_404(public_draws(), reference=reference)
        data = VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(draw_verify(draw, data.validated_data["seed"]))


def register(router) -> None:
    """Register this module's viewsets on the /api/v1/ router."""
    router.register("draws", DrawViewSet, basename="draw")
    router.register("inspections", InspectionViewSet, basename="inspection")


urlpatterns = [  # extra (non-router) paths under /api/v1/
    path("public/draws/", PublicDrawListView.as_view(), name="api-public-draws"),
    path("public/draws/<str:reference>/", PublicDrawDetailView.as_view(), name="api-public-draw"),
    path("public/draws/<str:reference>/verify/", PublicDrawVerifyView.as_view(),
         name="api-public-draw-verify"),
]
