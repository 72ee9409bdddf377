from rest_framework import serializers, viewsets

from filing_portal.core.api import ReasonInputSerializer, WorkflowSerializerMixin, WorkflowViewSetMixin

from .models import Ticket


class TicketSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["id", "title", "state", "available_transitions", "due_on", "reject_reason"]


class TicketViewSet(WorkflowViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Ticket.objects.select_related("region").order_by("id")
    serializer_class = TicketSerializer
    transition_inputs = {"reject": ReasonInputSerializer}

    def get_queryset(self):
        user = self.request.user
        qs = super().get_queryset()
        if user.role == "institution":
            return qs.filter(institution_id=user.institution_id)
        if user.role == "province_staff":
            return qs.filter(region__province_id=user.region_id) | qs.filter(region_id=user.region_id)
        if user.role == "city_staff":
            return qs.filter(region_id=user.region_id)
        return qs.none()
