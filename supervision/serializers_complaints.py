"""Serializers of the complaint API and the public complaint, follow-up and disclosure endpoints."""

from __future__ import annotations

from rest_framework import serializers

from filing_portal.regions.models import Region

from .complaints import (
    MAX_ATTACHMENTS,
    complaint_available_transitions,
    complaint_contact_visible,
    complaint_is_overdue,
    filed_institutions,
)
from .models import Complaint


class ComplaintSerializer(serializers.ModelSerializer):
    """A complaint for the office. `state` is the status; contact data only for the handling office."""

    state = serializers.CharField(source="status", read_only=True)
    available_transitions = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    batch = serializers.SlugRelatedField(slug_field="plan_number", read_only=True)
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    handler = serializers.SlugRelatedField(slug_field="username", read_only=True)
    contact_name = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    contact_email = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["id", "ack_number", "state", "available_transitions", "institution", "institution_name", "batch",
                  "region", "facts", "anonymous", "contact_name", "contact_phone", "contact_email", "received_on",
                  "response_due", "overdue", "overdue_flagged_on", "handler", "handling_started_on", "outcome",
                  "response", "answered_on", "case"]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_available_transitions(self, obj) -> list[str]:
        return complaint_available_transitions(obj, self._user())

    def get_overdue(self, obj) -> bool:
        return complaint_is_overdue(obj)

    def _contact(self, obj, name: str) -> str | None:
        return getattr(obj, name) if complaint_contact_visible(obj, self._user()) else None

    def get_contact_name(self, obj) -> str | None:
        return self._contact(obj, "contact_name")

    def get_contact_phone(self, obj) -> str | None:
        return self._contact(obj, "contact_phone")

    def get_contact_email(self, obj) -> str | None:
        return self._contact(obj, "contact_email")


class AnswerInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Complaint.Outcome.choices)
    response = serializers.CharField(max_length=8000)


class OpenCaseInputSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class EmptyInputSerializer(serializers.Serializer):
    """No input."""


class PublicComplaintInputSerializer(serializers.Serializer):
    """SUP-02: what anyone may send (JSON, or multipart with up to 3 `attachments`)."""

    institution = serializers.PrimaryKeyRelatedField(queryset=filed_institutions(), required=False, allow_null=True,
                                                     help_text="A filed institution (id of the directory).")
    institution_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False,
                                          allow_null=True, help_text="GB/T 2260 code, when no institution is given.")
    plan_number = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    facts = serializers.CharField(max_length=8000)
    anonymous = serializers.BooleanField(required=False, default=False)
    contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                        max_length=MAX_ATTACHMENTS)

    def validate_plan_number(self, value):
        from assessments.models import AssessmentBatch

        value = (value or "").strip()
        if value:
            self.batch = AssessmentBatch.objects.select_related("institution").filter(plan_number=value).first()
            if self.batch is None:
                raise serializers.ValidationError("No assessment plan has this number.")
        return value


class ComplaintAckSerializer(serializers.ModelSerializer):
    """What the complainant gets back: the acknowledgement number and when to expect an answer."""

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    follow_url = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["ack_number", "received_on", "response_due", "region", "follow_url"]
        read_only_fields = fields

    def get_follow_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("supervision:complaint_follow")


class FollowInputSerializer(serializers.Serializer):
    ack_number = serializers.CharField(max_length=24)


class ComplaintFollowSerializer(serializers.ModelSerializer):
    """The follow-up: status, due date, and once answered the outcome and response; never the contact data."""

    state = serializers.CharField(source="status", read_only=True)
    overdue = serializers.SerializerMethodField()
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    outcome = serializers.SerializerMethodField()
    response = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["ack_number", "state", "received_on", "region", "response_due", "overdue", "answered_on", "outcome",
                  "response"]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return complaint_is_overdue(obj)

    def get_outcome(self, obj) -> str | None:
        return obj.outcome if obj.status == Complaint.Status.ANSWERED else None

    def get_response(self, obj) -> str | None:
        return obj.response if obj.status == Complaint.Status.ANSWERED else None


class DisclosureSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    date = serializers.DateField()
    institution_name = serializers.CharField()
    filing_number = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    reference = serializers.CharField()
    link = serializers.CharField()
