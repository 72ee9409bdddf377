"""Serializers of /api/v1/renewals/."""

from __future__ import annotations

from rest_framework import serializers

from filing_portal.core.api import WorkflowSerializerMixin

from .eligibility import MAX_PLANS
from .models import RenewalApplication, RenewalPlan
from .services import FORM_FIELDS


class RenewalPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = RenewalPlan
        fields = ["position", "batch", "plan_number", "occupation", "work_type", "level", "assessed", "passed",
                  "uploaded", "year"]


class CheckSerializer(serializers.Serializer):
    rule = serializers.CharField()
    key = serializers.CharField()
    title = serializers.CharField()
    ok = serializers.BooleanField()
    level = serializers.CharField(help_text="ok | warning | block")
    blocking = serializers.BooleanField()
    message = serializers.CharField()
    figures = serializers.DictField()


class RenewalSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    """A renewal application: its form (FJ22 附件1/2), the plans, the dates of its evaluation."""

    filing_number = serializers.CharField(source="filing.number", read_only=True)
    filing_office = serializers.CharField(source="filing.handling_region.code", read_only=True)
    plans = RenewalPlanSerializer(many=True, read_only=True)

    class Meta:
        model = RenewalApplication
        fields = ["id", "reference", "filing_number", "filing_office", "state", "available_transitions",
                  "expires_on", *FORM_FIELDS, "plans", "submitted_on", "in_grace", "evaluation_started_on",
                  "evaluation_due", "evaluation_due_provisional", "decided_on", "decision_reasons",
                  "new_expires_on"]
        read_only_fields = fields


class RenewalDetailSerializer(RenewalSerializer):
    """One renewal with its eligibility panel (REN-04, REN-05)."""

    eligibility = serializers.SerializerMethodField()

    class Meta(RenewalSerializer.Meta):
        fields = [*RenewalSerializer.Meta.fields, "eligibility"]
        read_only_fields = fields

    def get_eligibility(self, obj) -> list[dict]:
        from .eligibility import renewal_eligibility

        return [c.as_dict() for c in renewal_eligibility(obj.filing, application=obj)]


class RenewalCreateSerializer(serializers.Serializer):
    filing_number = serializers.CharField(max_length=13)


class RenewalUpdateSerializer(serializers.ModelSerializer):
    """The draft's fields; `plans` lists up to 6 batch ids in the order they go on the form (REN-06)."""

    plans = serializers.ListField(child=serializers.IntegerField(), max_length=MAX_PLANS, required=False)

    class Meta:
        model = RenewalApplication
        fields = [*FORM_FIELDS, "plans"]
        extra_kwargs = {f: {"required": False} for f in FORM_FIELDS}


class RejectInputSerializer(serializers.Serializer):
    """A rejection gives its reasons (REN-05)."""

    reasons = serializers.CharField(max_length=4000)
