"""REST API of complaints (registered in filing_portal/api_urls.py).

Complaint is no FSM model: `state` is its status and `available_transitions` comes from the status and the
caller's role (`complaint_available_transitions`); each action is `POST .../<id>/transitions/<name>/`.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from filing_portal.core.api import ErrorSerializer

from .complaints import complaint_answer, complaint_open_case, complaint_start, complaints_visible_to
from .models import Complaint
from .serializers_complaints import (
    AnswerInputSerializer,
    ComplaintSerializer,
    EmptyInputSerializer,
    OpenCaseInputSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
    403: OpenApiResponse(ErrorSerializer, description="Role or jurisdiction forbids it"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or outside the caller's view"),
    409: OpenApiResponse(ErrorSerializer, description="Not allowed from the current status (SUP-02)"),
}


class ComplaintViewSet(viewsets.ReadOnlyModelViewSet):
    """Complaints handled inside the caller's jurisdiction (SUP-02, JUR-03), by response due date."""

    queryset = Complaint.objects.none()
    serializer_class = ComplaintSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return complaints_visible_to(self.request.user).order_by("response_due", "pk")

    def _done(self, complaint):
        complaint = self.get_queryset().get(pk=complaint.pk)
        return Response(self.get_serializer(complaint).data)

    def _ip(self):
        return getattr(self.request, "client_ip", None)

    @extend_schema(request=EmptyInputSerializer, responses={200: ComplaintSerializer, **ERRORS},
                   operation_id="complaint_transition_start", summary="Transition: start", tags=["complaint"])
    @action(detail=True, methods=["post"], url_path="transitions/start", url_name="transition-start")
    def transition_start(self, request, pk=None):
        complaint = complaint_start(complaint=self.get_object(), acting_user=request.user, ip=self._ip())
        return self._done(complaint)

    @extend_schema(request=AnswerInputSerializer, responses={200: ComplaintSerializer, **ERRORS},
                   operation_id="complaint_transition_answer", summary="Transition: answer", tags=["complaint"])
    @action(detail=True, methods=["post"], url_path="transitions/answer", url_name="transition-answer")
    def transition_answer(self, request, pk=None):
        complaint = self.get_object()
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaint_answer(complaint=complaint, acting_user=request.user, ip=self._ip(),
                                     **data.validated_data)
        return self._done(complaint)

    @extend_schema(request=OpenCaseInputSerializer, responses={200: ComplaintSerializer, **ERRORS},
                   operation_id="complaint_transition_open_case", summary="Transition: open_case",
                   tags=["complaint"])
    @action(detail=True, methods=["post"], url_path="transitions/open_case", url_name="transition-open-case")
    def transition_open_case(self, request, pk=None):
        complaint = self.get_object()
        data = OpenCaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint_open_case(complaint=complaint, acting_user=request.user, ip=self._ip(),
                            summary=data.validated_data.get("summary", ""))
        return self._done(complaint)


def register(router) -> None:
    """Register this module's viewsets on the /api/v1/ router."""
    router.register("complaints", ComplaintViewSet, basename="complaint")


urlpatterns = []  # extra (non-router) paths under /api/v1/
