from rest_framework import serializers

from filing_portal.core.api import WorkflowSerializerMixin
from filing_portal.personal_data import IdType, mask_id_number

from .models import Certificate


class CertificateSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    """A certificate for staff and institutions; the ID number is masked (PUB-04)."""

    id_number_masked = serializers.SerializerMethodField()
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    # ASM-06: from the certificate's NationalUpload row (the viewset selects it with the certificate)
    uploaded_to_national = serializers.BooleanField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Certificate
        fields = [
            "id", "number", "holder_name", "id_type", "id_number_masked", "employer", "occupation_code",
            "occupation_name", "work_type", "level", "level_display", "issue_date", "institution_name",
            "filing_number", "status", "status_display", "void_reason", "voided_on", "uploaded_to_national",
            "uploaded_at", "state", "available_transitions",
        ]
        read_only_fields = fields

    def get_id_number_masked(self, obj) -> str:
        return mask_id_number(obj.id_number)


class VerifyRequestSerializer(serializers.Serializer):
    """Either {"number", "name"} or {"name", "id_type", "id_number"} (CERT-05).

    The fields are built here for each instance rather than declared: DRF deep-copies declared fields for
    every serializer, and for this one, on the busiest path of the portal, that copy (mostly of the ID
    types' translated labels) was about a tenth of a verification's Python time (docs/PERFORMANCE.md)."""

    def get_fields(self):
        return {
            "number": serializers.CharField(required=False, max_length=30),
            "name": serializers.CharField(max_length=100),
            "id_type": serializers.ChoiceField(choices=IdType.choices, required=False),
            "id_number": serializers.CharField(required=False, max_length=40),
        }

    def validate(self, attrs):
        by_number = bool(attrs.get("number"))
        by_identity = bool(attrs.get("id_type")) and bool(attrs.get("id_number"))
        if by_number == by_identity:
            raise serializers.ValidationError(
                "Give either number and name, or name, id_type and id_number.", code="CERT-05")
        return attrs


class PublicCertificateSerializer(serializers.Serializer):
    number = serializers.CharField()
    holder_name = serializers.CharField()
    id_type = serializers.CharField()
    id_type_display = serializers.CharField()
    id_number_masked = serializers.CharField()
    occupation_code = serializers.CharField()
    occupation_name = serializers.CharField()
    work_type = serializers.CharField()
    level = serializers.IntegerField()
    level_display = serializers.CharField()
    issue_date = serializers.DateField()
    institution_name = serializers.CharField()
    filing_number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    voided_on = serializers.DateField(allow_null=True)


class VerifyResponseSerializer(serializers.Serializer):
    found = serializers.BooleanField()
    certificates = PublicCertificateSerializer(many=True)
    message = serializers.CharField()


class FilingNumberStatusSerializer(serializers.Serializer):
    """A filing number looked up (NUM-03/04): in use or retired, why, when, and its successor."""

    number = serializers.CharField()
    status = serializers.ChoiceField(choices=["active", "retired"])
    holder_name = serializers.CharField()
    allocated_on = serializers.DateField()
    retired_reason = serializers.CharField(allow_blank=True)
    retired_reason_display = serializers.CharField(allow_blank=True)
    retired_on = serializers.DateField(allow_null=True)
    successor = serializers.CharField(allow_null=True)
    successor_holder_name = serializers.CharField(allow_blank=True)
    successor_status = serializers.CharField(allow_null=True)
