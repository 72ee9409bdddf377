"""REST representations of draws and inspections. The seed is null until the draw has run (SUP-01)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from filing_portal.core.api import WorkflowSerializerMixin
from institutions.models import Institution
from institutions.occupations import Occupation

from .draws import SEED_RE, SUPERVISION_MODES, revealed_seed
from .models import Draw, Inspection, InspectionAttachment, InspectionFinding

SELECTION_HELP = "The selected institutions in draw order, each with its team of inspector codes."


class SelectedSerializer(serializers.Serializer):
    filing_number = serializers.CharField()
    team = serializers.ListField(child=serializers.CharField())


class DrawDataMixin(serializers.Serializer):
    """What staff and the public both see of a draw."""

    seed = serializers.SerializerMethodField(help_text="The seed, once the draw has run; null before.")
    selected = serializers.SerializerMethodField(help_text=SELECTION_HELP)
    office = serializers.CharField(source="region.code", read_only=True,
                                   help_text="GB/T 2260 code of the office.")
    filter_region = serializers.CharField(source="filter_region.code", read_only=True, allow_null=True,
                                          default=None)
    filter_occupation = serializers.CharField(source="filter_occupation.code", read_only=True,
                                              allow_null=True, default=None)

    def get_seed(self, obj) -> str | None:
        return revealed_seed(obj)

    @extend_schema_field(SelectedSerializer(many=True))
    def get_selected(self, obj):
        return obj.selection if revealed_seed(obj) else []


DRAW_FIELDS = ["reference", "title", "office", "state", "algorithm", "commitment", "committed_at", "seed",
               "drawn_at", "filter_region", "filter_kind", "filter_occupation", "filter_supervision_mode",
               "sample_size", "team_size", "inspect_from", "inspect_until", "population", "pool",
               "exclusions", "selected", "results_published_on"]


class DrawSerializer(WorkflowSerializerMixin, DrawDataMixin, serializers.ModelSerializer):
    """A draw as its office sees it, with the transitions the caller may take now."""

    inspectors = serializers.SerializerMethodField(help_text="Codes of the inspectors chosen for the pool.")
    inspections = serializers.SerializerMethodField()

    class Meta:
        model = Draw
        fields = ["id", *DRAW_FIELDS[:4], "available_transitions", *DRAW_FIELDS[4:], "inspectors",
                  "inspections"]
        read_only_fields = fields

    def get_inspectors(self, obj) -> list[str]:
        return sorted(p.code for p in obj.inspectors.all())

    def get_inspections(self, obj) -> list[dict]:
        return [{"id": i.pk, "reference": i.reference, "filing_number": i.filing.number, "outcome": i.outcome}
                for i in obj.inspections.all()]


class PublicResultSerializer(serializers.Serializer):
    reference = serializers.CharField()
    filing_number = serializers.CharField(source="filing.number")
    institution_name = serializers.CharField(source="institution.name")
    inspected_on = serializers.DateField()
    outcome = serializers.CharField()
    summary = serializers.CharField()


class PublicDrawSerializer(DrawDataMixin, serializers.ModelSerializer):
    """A draw as the public sees it: from the commitment on; results once they are published."""

    results = serializers.SerializerMethodField(help_text="Per inspection, once the results are published; "
                                                "null before.")

    class Meta:
        model = Draw
        fields = [*DRAW_FIELDS, "results"]
        read_only_fields = fields

    @extend_schema_field(PublicResultSerializer(many=True, allow_null=True))
    def get_results(self, obj):
        if obj.state != Draw.State.RESULTS_PUBLISHED:
            return None
        return PublicResultSerializer(obj.inspections.all(), many=True).data


class DrawCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    office = serializers.CharField(required=False, help_text="Region code of the office (default: yours).")
    filter_region = serializers.CharField(required=False, allow_blank=True)
    filter_kind = serializers.ChoiceField(choices=Institution.Kind.choices, required=False, allow_blank=True)
    filter_occupation = serializers.CharField(required=False, allow_blank=True, help_text="Occupation code.")
    filter_supervision_mode = serializers.ChoiceField(choices=SUPERVISION_MODES, required=False,
                                                      allow_blank=True)
    sample_size = serializers.IntegerField(min_value=1)
    team_size = serializers.IntegerField(min_value=1, default=2)
    inspectors = serializers.ListField(child=serializers.CharField(),
                                       help_text="Inspector codes of the pool.")
    inspect_from = serializers.DateField(required=False, allow_null=True)
    inspect_until = serializers.DateField(required=False, allow_null=True)

    def validate_filter_occupation(self, value):
        value = (value or "").strip()
        if value and not Occupation.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("Unknown occupation code."))
        return value


class VerifyInputSerializer(serializers.Serializer):
    seed = serializers.CharField(max_length=64, help_text="64 hexadecimal characters.")

    def validate_seed(self, value):
        value = value.strip().lower()
        if not SEED_RE.match(value):
            raise serializers.ValidationError(_("A seed is 64 hexadecimal characters."))
        return value


class VerifyResultSerializer(serializers.Serializer):
    commitment_matches = serializers.BooleanField()
    selection_matches = serializers.BooleanField()
    selected = SelectedSerializer(many=True)


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionFinding
        fields = ["item", "compliant", "note"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionAttachment
        fields = ["id", "kind", "original_name", "uploaded_at"]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    """An inspection with its team, findings and attachments."""

    draw = serializers.CharField(source="draw.reference", read_only=True, allow_null=True, default=None)
    filing_number = serializers.CharField(source="filing.number", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    batch = serializers.CharField(source="batch.plan_number", read_only=True, allow_null=True, default=None)
    office = serializers.CharField(source="region.code", read_only=True)
    team = serializers.SerializerMethodField()
    findings = FindingSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "reference", "kind", "draw", "filing_number", "institution_name", "batch", "office",
                  "team", "planned_on", "inspected_on", "outcome", "summary", "external", "recorded_at",
                  "findings", "attachments"]
        read_only_fields = fields

    def get_team(self, obj) -> list[str]:
        return sorted(p.code for p in obj.team.all())


class RecordInputSerializer(serializers.Serializer):
    inspected_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=[Inspection.Outcome.PASS, Inspection.Outcome.FAIL])
    summary = serializers.CharField(required=False, allow_blank=True, max_length=8000, default="")
    findings = FindingSerializer(many=True)

    def validate_findings(self, value):
        items = [f["item"] for f in value]
        if len(items) != len(set(items)):
            raise serializers.ValidationError(_("Each checklist item once."))
        if not items:
            raise serializers.ValidationError(_("Record at least one checklist item."))
        return value



class InspectionCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Inspection.Kind.EXAM, Inspection.Kind.SPECIAL])
    plan_number = serializers.CharField(required=False, allow_blank=True,
                                        help_text="The batch whose exam is supervised (kind exam, ASM-04).")
    filing_number = serializers.CharField(required=False, allow_blank=True, help_text="Kind special.")
    planned_on = serializers.DateField(required=False, allow_null=True)
    team = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                 help_text="Inspector codes.")
