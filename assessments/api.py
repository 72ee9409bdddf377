"""REST: /api/v1/batches/ with one endpoint per transition, the candidates, the results and the two exports."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from filing_portal.core.api import ErrorSerializer, ReasonInputSerializer, WorkflowViewSetMixin
from filing_portal.core.errors import PermissionDeniedError

from .models import AssessmentBatch
from .selectors import batch_candidates, batches_visible_to, with_counts
from .serializers import (
    BatchCreateInputSerializer,
    BatchSerializer,
    CandidateInputSerializer,
    CandidateSerializer,
    ResultsRecordedSerializer,
    RowErrorsSerializer,
    ScoreInputSerializer,
)
from .services import (
    CandidateData,
    PlanItem,
    PlanPerson,
    ScoreData,
    batch_create,
    candidates_add,
    results_record,
)
from .transitions import batch_transition_run
from .views.common import XLSX, xlsx_response

EXPORT_ACTIONS = ("export_result_summary", "export_certificate_info")
MARK_UPLOADED_ROLES = ("city_staff", "province_staff", "admin")  # as the staff export page (ASM-06)

ERRORS = {
    403: OpenApiResponse(ErrorSerializer, description="Role or jurisdiction forbids it"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or outside the caller's view"),
    409: OpenApiResponse(ErrorSerializer, description="Not allowed in the batch's current state"),
}
# The spreadsheet endpoints answer errors in JSON (see `handle_exception`).
EXPORT_RESPONSES = {(200, XLSX): OpenApiTypes.BINARY, (403, "application/json"): ERRORS[403],
                    (404, "application/json"): ERRORS[404]}


class XlsxRenderer(renderers.BaseRenderer):
    """Lets `.xlsx` work as a format suffix: `/exports/result-summary.xlsx` is the export's address."""

    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data, default=str).encode()


class BatchViewSet(WorkflowViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Assessment batches inside the caller's view (JUR-03/04); each transition is its own endpoint (DESIGN.md)."""

    queryset = AssessmentBatch.objects.order_by("-exam_start", "-pk")
    serializer_class = BatchSerializer
    filterset_fields = ["state", "copied_to_province"]
    transition_inputs = {"return_for_changes": ReasonInputSerializer, "cancel": ReasonInputSerializer}

    def get_queryset(self):
        return (with_counts(batches_visible_to(self.request.user)).prefetch_related("staff")
                .order_by("-exam_start", "-pk"))

    @extend_schema(summary="Create a batch plan (draft)",
                   description="The plan form's fields; the same service as the page (`batch_create`). 201 with the "
                   "draft; 400 for bad input (an unknown filing or occupation too); 409 `REN-02` for a filing that "
                   "is not active (recorded, SUP-07), `ELIG-10` for a venue that was not filed.",
                   request=BatchCreateInputSerializer, responses={201: BatchSerializer, 400: ErrorSerializer, **ERRORS},
                   tags=["assessmentbatch"])
    def create(self, request, *args, **kwargs):
        from rest_framework.exceptions import ValidationError

        from institutions.models import Occupation
        from institutions.selectors import filings_visible_to

        user = request.user
        # The role first: a caller who may never plan batches gets 403, not the form's field errors.
        if getattr(user, "role", None) != "institution" or not user.institution_id:
            raise PermissionDeniedError(_("Only the filed institution plans its batches."), rule="JUR-03")
        data = BatchCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        filing = filings_visible_to(user).filter(institution_id=user.institution_id,
                                                 number=d["filing_number"].strip()).first()
        if filing is None:
            raise ValidationError({"filing_number": [_("Not one of your filings.")]})
        codes = {i["occupation_code"].strip() for i in d["items"]}
        occupations = dict(Occupation.objects.filter(code__in=codes).values_list("code", "pk"))
        unknown = sorted(codes - set(occupations))
        if unknown:
            raise ValidationError({"items": [_("Unknown occupation codes: %(codes)s.") % {"codes": ", ".join(unknown)}]})
        batch = batch_create(
            filing=filing, acting_user=user, exam_start=d["exam_start"], exam_end=d["exam_end"],
            venue_address=d["venue_address"].strip(), candidate_source=d["candidate_source"].strip(),
            planned_count=d["planned_count"], theory=d["theory"], practical=d["practical"],
            comprehensive=d["comprehensive"], method=d["method"],
            items=[PlanItem(occupation_id=occupations[i["occupation_code"].strip()], level=i["level"],
                            work_type=i["work_type"].strip()) for i in d["items"]],
            staff=[PlanPerson(role=p["role"], name=p["name"].strip(), phone=p["phone"].strip(),
                              organisation=p["organisation"].strip(), is_trainer=p["is_trainer"]) for p in d["staff"]])
        return Response(self.get_serializer(self.get_queryset().get(pk=batch.pk)).data,
                        status=status.HTTP_201_CREATED)

    def perform_transition(self, obj, name, params):
        batch_transition_run(obj, name, self.request.user, ip=getattr(self.request, "client_ip", None),
                             reason=params.get("reason", ""))
        return self.get_queryset().get(pk=obj.pk)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if self.action in EXPORT_ACTIONS:  # errors of the spreadsheet endpoints are JSON like every other error
            self.request.accepted_renderer = renderers.JSONRenderer()
            self.request.accepted_media_type = renderers.JSONRenderer.media_type
        return response

    @extend_schema(methods=["GET"], summary="The batch's candidates (ID numbers masked)",
                   description="Candidates in the order they were added; ID numbers masked (PUB-04).",
                   responses={200: CandidateSerializer(many=True), 404: ERRORS[404]}, tags=["assessmentbatch"])
    @extend_schema(methods=["POST"], summary="Add candidates (all or nothing)",
                   description="A JSON list of candidates. 400 names every bad row (`rows`: row number, 1 = the "
                   "first item → field → message) and saves nothing.",
                   request=CandidateInputSerializer(many=True),
                   responses={201: CandidateSerializer(many=True),
                              400: OpenApiResponse(RowErrorsSerializer, description="Bad rows; nothing saved"),
                              **ERRORS}, tags=["assessmentbatch"])
    @action(detail=True, methods=["get", "post"], url_path="candidates", url_name="candidates",
            filter_backends=[])
    def candidates(self, request, pk=None):
        batch = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(batch_candidates(batch))
            return self.get_paginated_response(CandidateSerializer(page, many=True).data)
        data = CandidateInputSerializer(data=request.data, many=True)
        data.is_valid(raise_exception=True)
        created = candidates_add(batch=batch, rows=[CandidateData(**row) for row in data.validated_data],
                                 acting_user=request.user)
        ids = [c.pk for c in created]
        saved = batch_candidates(batch).filter(pk__in=ids)
        return Response(CandidateSerializer(saved, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Record results (all or nothing)",
                   description="Scores per candidate in the batch's subjects (ASM-07); the result follows from "
                   "the pass mark. 400 names every bad row.",
                   request=ScoreInputSerializer(many=True),
                   responses={200: ResultsRecordedSerializer,
                              400: OpenApiResponse(RowErrorsSerializer, description="Bad rows; nothing saved"),
                              **ERRORS}, tags=["assessmentbatch"])
    @action(detail=True, methods=["post"], url_path="results", url_name="results",
            filter_backends=[])
    def results(self, request, pk=None):
        batch = self.get_object()
        data = ScoreInputSerializer(data=request.data, many=True)
        data.is_valid(raise_exception=True)
        count = results_record(batch=batch, scores=[ScoreData(**row) for row in data.validated_data],
                               acting_user=request.user)
        return Response({"recorded": count})

    @extend_schema(summary="Result summary (AH20 annex 4, ASM-05) as .xlsx",
                   description="Served at `exports/result-summary.xlsx` (the `.xlsx` format suffix).",
                   responses=EXPORT_RESPONSES,
                   tags=["assessmentbatch"])
    @action(detail=True, methods=["get"], url_path="exports/result-summary", url_name="export-result-summary",
            renderer_classes=[XlsxRenderer], filter_backends=[])
    def export_result_summary(self, request, pk=None, **kwargs):
        batch = self.get_object()
        from .exports import result_summary_xlsx  # the colleague's module, imported when used

        batches = AssessmentBatch.objects.filter(pk=batch.pk)
        return xlsx_response(lambda out: result_summary_xlsx(batches, out), f"result-summary-{batch.plan_number}.xlsx")

    @extend_schema(summary="Certificate information table (AH20 annex 5, ASM-06) as .xlsx",
                   description="Served at `exports/certificate-info.xlsx` (the `.xlsx` format suffix); valid "
                   "certificates only. With `mark_uploaded=true` (office staff) the exported certificates are marked "
                   "uploaded to the national lookup, as on the staff export page.",
                   parameters=[OpenApiParameter("mark_uploaded", OpenApiTypes.BOOL, required=False)],
                   responses=EXPORT_RESPONSES,
                   tags=["assessmentbatch"])
    @action(detail=True, methods=["get"], url_path="exports/certificate-info", url_name="export-certificate-info",
            renderer_classes=[XlsxRenderer], filter_backends=[])
    def export_certificate_info(self, request, pk=None, **kwargs):
        batch = self.get_object()
        from .exports import certificate_info_xlsx

        mark = str(request.query_params.get("mark_uploaded", "")).lower() in ("1", "true", "yes")
        if mark and request.user.role not in MARK_UPLOADED_ROLES:
            raise PermissionDeniedError(_("Only the office marks certificates as uploaded to the national lookup."),
                                        rule="ASM-06")
        certificates = batch.certificates.filter(status="valid").order_by("number")  # voided ones are not reported
        return xlsx_response(lambda out: certificate_info_xlsx(certificates, out, mark_uploaded=mark,
                                                               acting_user=request.user),
                             f"certificate-info-{batch.plan_number}.xlsx")
