"""REST representations of batches and candidates; ID numbers only masked (PUB-04)."""

from __future__ import annotations

from rest_framework import serializers

from filing_portal.core.api import ErrorSerializer, WorkflowSerializerMixin
from filing_portal.personal_data import mask_id_number

from .models import AssessmentBatch, BatchItem, BatchStaff, Candidate
from .services import batch_report_overdue


class BatchItemSerializer(serializers.ModelSerializer):
    occupation_code = serializers.CharField(source="occupation.code", read_only=True)
    occupation_name = serializers.CharField(source="occupation.name", read_only=True)

    class Meta:
        model = BatchItem
        fields = ["occupation_code", "occupation_name", "work_type", "level"]
        read_only_fields = fields


class BatchStaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = BatchStaff
        fields = ["role", "name", "phone", "organisation", "is_trainer"]
        read_only_fields = fields


class BatchSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    """A batch (评价计划) with its plan, people, counts and the transitions the caller may take now."""

    filing_number = serializers.CharField(source="filing.number", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    handling_region = serializers.CharField(source="handling_region.code", read_only=True,
                                            help_text="GB/T 2260 code of the office the plan is filed with.")
    items = BatchItemSerializer(many=True, read_only=True)
    staff = BatchStaffSerializer(many=True, read_only=True)
    candidate_count = serializers.IntegerField(read_only=True)
    passed_count = serializers.IntegerField(read_only=True)
    open_objection_count = serializers.IntegerField(read_only=True)
    report_overdue = serializers.SerializerMethodField(help_text="ASM-05: the result report is late.")

    class Meta:
        model = AssessmentBatch
        fields = [
            "id", "plan_number", "filing_number", "institution_name", "handling_region", "copied_to_province",
            "state", "available_transitions", "exam_start", "exam_end", "venue_address", "theory", "practical",
            "comprehensive", "method", "candidate_source", "planned_count", "supervision_mode", "pass_mark",
            "submitted_on", "approved_on", "return_comment", "conducted_on", "publish_from", "publish_until",
            "report_due", "report_overdue", "report_overdue_on", "reported_on", "certificates_issued_on", "cancel_reason", "items",
            "staff", "candidate_count", "passed_count", "open_objection_count",
        ]
        read_only_fields = fields

    def get_report_overdue(self, obj) -> bool:
        return batch_report_overdue(obj)


class CandidateSerializer(serializers.ModelSerializer):
    id_number_masked = serializers.SerializerMethodField()
    occupation_code = serializers.CharField(source="occupation.code", read_only=True)
    certificate_number = serializers.CharField(source="certificate.number", read_only=True, allow_null=True)

    class Meta:
        model = Candidate
        fields = ["id", "name", "gender", "id_type", "id_number_masked", "employer", "city", "occupation_code",
                  "work_type", "level", "theory_score", "practical_score", "review_score", "result",
                  "already_certified", "certificate_number"]
        read_only_fields = fields

    def get_id_number_masked(self, obj) -> str:
        return mask_id_number(obj.id_number)


class CandidateInputSerializer(serializers.Serializer):
    """One candidate; the service checks the content (CERT-02, ASM-02, ELIG-02) and reports every bad row."""

    name = serializers.CharField(max_length=100, allow_blank=True)
    gender = serializers.CharField(max_length=1, allow_blank=True, help_text="M or F (男/女 accepted).")
    id_type = serializers.CharField(max_length=3, default="201", help_text="CERT-02 code; 201 = resident ID card.")
    id_number = serializers.CharField(max_length=40, allow_blank=True, write_only=True)
    occupation_code = serializers.CharField(max_length=16)
    level = serializers.IntegerField(min_value=1, max_value=5)
    work_type = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    employer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        value["gender"] = {"男": "M", "女": "F"}.get(value["gender"], value["gender"])
        return value


SCORE = {"max_digits": 5, "decimal_places": 1, "required": False, "allow_null": True, "default": None}


class ScoreInputSerializer(serializers.Serializer):
    candidate_id = serializers.IntegerField()
    theory = serializers.DecimalField(**SCORE)
    practical = serializers.DecimalField(**SCORE)
    review = serializers.DecimalField(**SCORE)


class ResultsRecordedSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()


class RowErrorsSerializer(ErrorSerializer):
    """400 for rows: row number (1 = the first item sent) → field → message; nothing was saved."""

    rows = serializers.DictField(child=serializers.DictField(child=serializers.CharField()), required=False,
                                 help_text="Only when rows were at fault; a body that is not a list of rows "
                                 "gets the plain `errors`.")


class PlanItemInputSerializer(serializers.Serializer):
    occupation_code = serializers.CharField(max_length=16, help_text="e.g. 4-12-01-01")
    level = serializers.IntegerField(min_value=1, max_value=5)
    work_type = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PlanPersonInputSerializer(serializers.Serializer):
    # A CharField, not a ChoiceField: the schema already has two enums named "role" (users', batch staff's).
    role = serializers.CharField(max_length=11, help_text="invigilator, assessor or supervisor (ASM-03).")
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=30)
    organisation = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    is_trainer = serializers.BooleanField(required=False, default=False)

    def validate_role(self, value: str) -> str:
        if value not in BatchStaff.Role.values:
            raise serializers.ValidationError(f"One of {', '.join(BatchStaff.Role.values)}.")
        return value


class BatchCreateInputSerializer(serializers.Serializer):
    """A new plan (评价计划) as a draft: the same fields and the same service (`batch_create`) as the plan form;
    the service checks the filing's standing (REN-02), the venue (ELIG-10); submitting checks the rest."""

    filing_number = serializers.CharField(max_length=32, help_text="One of the caller's filings (active).")
    exam_start = serializers.DateField()
    exam_end = serializers.DateField()
    venue_address = serializers.CharField(max_length=200, help_text="One of the filing's filed venues (ELIG-10).")
    theory = serializers.BooleanField(required=False, default=True)
    practical = serializers.BooleanField(required=False, default=True)
    comprehensive = serializers.BooleanField(required=False, default=False)
    method = serializers.ChoiceField(choices=AssessmentBatch.Method.choices, required=False, default="exam")
    candidate_source = serializers.CharField(max_length=100)
    planned_count = serializers.IntegerField(min_value=1, max_value=100000)
    items = PlanItemInputSerializer(many=True, allow_empty=False)
    staff = PlanPersonInputSerializer(many=True, allow_empty=False)

    def validate(self, data):
        if data["exam_end"] < data["exam_start"]:
            raise serializers.ValidationError({"exam_end": "The exam cannot end before it starts."})
        if not (data["theory"] or data["practical"] or data["comprehensive"]):
            raise serializers.ValidationError({"theory": "Choose at least one subject."})
        return data
