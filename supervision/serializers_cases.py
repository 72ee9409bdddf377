"""Serializers of /api/v1/cases/: the case with its state and available transitions, and each transition's input."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from filing_portal.core.api import WorkflowSerializerMixin

from .cases import ARTICLES, ESCALATION_GROUNDS
from .models import Case, Tier


class CaseSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    """违规案件: what it is about, the decision (tier, FJ23 article item, who decided) and its dates."""

    institution_name = serializers.CharField(source="institution.name", read_only=True)
    filing_number = serializers.CharField(source="filing.number", read_only=True, default=None)
    region = serializers.CharField(source="region.code", read_only=True, help_text="GB/T 2260 code of the office.")
    article_text = serializers.SerializerMethodField(help_text="The article item's text (FJ23 Art.21–23).")
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)
    escalated_from = serializers.CharField(source="escalated_from.reference", read_only=True, default=None)
    voided_batch = serializers.CharField(source="voided_batch.plan_number", read_only=True, default=None)
    notice_pdf = serializers.SerializerMethodField(help_text="The rectification notice (tier 2), as PDF.")

    class Meta:
        model = Case
        fields = [
            "id", "reference", "state", "available_transitions", "institution", "institution_name", "filing_number",
            "region", "origin", "detection", "proposed_tier", "summary", "opened_on", "investigation_started_on",
            "dismissed_reason", "tier", "article", "article_text", "decision", "decided_on", "decided_by",
            "interview_on", "interviewee", "interview_record", "voided_batch", "voided_count", "notice_number",
            "rectification_due", "rectification_overdue_on", "rectification_report", "rectification_submitted_on",
            "verified_on", "ban_until", "closed_on", "escalated_from", "notice_pdf",
        ]
        read_only_fields = fields

    def get_article_text(self, obj) -> str | None:
        article = ARTICLES.get(obj.article)
        return f"{article.label} {article.title}" if article else None

    def get_notice_pdf(self, obj) -> str | None:
        if not obj.notice_number:
            return None
        request = self.context.get("request")
        url = reverse("supervision:case_notice_pdf", args=[obj.pk])
        return request.build_absolute_uri(url) if request else url


class CaseCreateInputSerializer(serializers.Serializer):
    """Staff open a case about a filed institution (by its filing number) or an institution (by its id)."""

    filing_number = serializers.CharField(required=False, allow_blank=True, max_length=13)
    institution = serializers.IntegerField(required=False, help_text="Institution id, when there is no filing.")
    summary = serializers.CharField(max_length=4000)

    def validate(self, attrs):
        if not (attrs.get("filing_number") or "").strip() and not attrs.get("institution"):
            raise serializers.ValidationError({"filing_number": ["Name the filing or the institution."]})
        return attrs


class DecideInputSerializer(serializers.Serializer):
    """The decision: the tier, one article item of it (none for tier `none`), the text, and the tier's details:
    tier 1 the interview (and optionally a batch whose certificates are void), tier 2 the rectification due date
    (default: the policy profile's rectification period in working days)."""

    tier = serializers.ChoiceField(choices=Tier.choices)
    article = serializers.CharField(required=False, allow_blank=True, max_length=8,
                                    help_text='An item key of FJ23 Art.21–23, e.g. "21.8", "22.4", "23.11".')
    decision = serializers.CharField(max_length=4000)
    interview_on = serializers.DateField(required=False, allow_null=True)
    interviewee = serializers.CharField(required=False, allow_blank=True, max_length=60)
    interview_record = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    void_batch = serializers.CharField(required=False, allow_blank=True, max_length=24,
                                       help_text="Plan number of a batch whose valid certificates are void.")
    void_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    rectification_due = serializers.DateField(required=False, allow_null=True)


class RectificationInputSerializer(serializers.Serializer):
    report = serializers.CharField(max_length=8000)


class EscalateInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
    ground = serializers.ChoiceField(choices=[(g, g) for g in ESCALATION_GROUNDS], default="overdue")
    article = serializers.CharField(required=False, default="23.1", max_length=8)
