"""REST: /api/v1/batches/ with one endpoint per transition, the candidates, the results and the two exports."""

from __future__ import annotations

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from filing_portal.core.api import ErrorSerializer, ReasonInputSerializer, WorkflowViewSetMixin

from .models import AssessmentBatch
from .selectors import batch_candidates, batches_visible_to, with_counts
from .serializers import (
    BatchSerializer,
    CandidateInputSerializer,
    CandidateSerializer,
    ResultsRecordedSerializer,
    RowErrorsSerializer,
    ScoreInputSerializer,
)
from .services import CandidateData, ScoreData, candidates_add, results_record
from .transitions import batch_transition_run
from .views.common import XLSX, xlsx_response

EXPORT_ACTIONS = ("export_result_summary", "export_certificate_info")

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
                   description="Served at `exports/certificate-info.xlsx` (the `.xlsx` format suffix).",
                   responses=EXPORT_RESPONSES,
                   tags=["assessmentbatch"])
    @action(detail=True, methods=["get"], url_path="exports/certificate-info", url_name="export-certificate-info",
            renderer_classes=[XlsxRenderer], filter_backends=[])
    def export_certificate_info(self, request, pk=None, **kwargs):
        batch = self.get_object()
        from .exports import certificate_info_xlsx

        certificates = batch.certificates.order_by("number")
        return xlsx_response(lambda out: certificate_info_xlsx(certificates, out),
                             f"certificate-info-{batch.plan_number}.xlsx")
