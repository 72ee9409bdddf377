import datetime as dt

from dateutil.relativedelta import relativedelta
from rest_framework import serializers

from filing_portal.core.api import WorkflowSerializerMixin

from . import filing_dates
from .models import (
    Announcement,
    ApplicationOccupation,
    ExpertOpinion,
    Filing,
    FilingApplication,
    FilingScope,
    Institution,
    Objection,
    Venue,
)


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


def RegionField(**kwargs):  # noqa: N802  (reads like a field where it is used)
    return RegionSerializer(read_only=True, **{k: v for k, v in kwargs.items() if k != "read_only"})


class InstitutionSerializer(serializers.ModelSerializer):
    """Fields clients rely on: name, kind, uscc, region, address, legal_representative."""

    region = RegionField(read_only=True)

    class Meta:
        model = Institution
        fields = ["id", "name", "kind", "sub_type", "uscc", "region", "address", "legal_representative", "head",
                  "contact_name", "contact_phone", "affiliation", "association_rating"]
        read_only_fields = fields


class ApplicationOccupationSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="occupation.code")
    name = serializers.CharField(source="occupation.name")

    class Meta:
        model = ApplicationOccupation
        fields = ["code", "name", "work_type", "levels", "own_assessors"]


class VenueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = ["kind", "address", "room_count", "area_m2", "tenure", "lease_until", "occupation_codes"]


class OpinionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpertOpinion
        fields = ["stage", "expert_names", "opinion", "passed", "recorded_at"]


class FilingApplicationSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    institution = InstitutionSerializer(read_only=True)
    handling_region = RegionField(read_only=True)
    occupations = ApplicationOccupationSerializer(many=True, read_only=True)
    venues = VenueSerializer(many=True, read_only=True)
    opinions = OpinionSerializer(many=True, read_only=True)
    open_objections = serializers.SerializerMethodField()

    class Meta:
        model = FilingApplication
        fields = ["id", "kind", "state", "available_transitions", "institution", "handling_region", "province_wide",
                  "occupations", "venues", "opinions", "submitted_at", "acceptance_due", "supplement_items",
                  "supplement_due", "completion_due", "notice_starts_on", "notice_ends_on", "due_dates_provisional",
                  "decided_on", "reject_reason", "termination_reason", "termination_clause", "open_objections"]
        read_only_fields = fields

    def get_open_objections(self, obj) -> int:
        return sum(1 for o in obj.objections.all() if o.status == "open")


class ScopeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="occupation.code")
    name = serializers.CharField(source="occupation.name")

    class Meta:
        model = FilingScope
        fields = ["code", "name", "work_type", "level", "added_on"]


class FilingSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    """A filing record with the dates of its life (issue 7 item 9): `issued_on` is the first day of the current
    validity period — `valid_from` until a renewal, then the day after the renewed expiry (REN-08) — and the
    renewal window's first day and the grace period's last day come from `institutions.filing_dates`."""

    filing_number = serializers.CharField(source="number", read_only=True)
    institution = InstitutionSerializer(read_only=True)
    scope = serializers.SerializerMethodField()
    issued_on = serializers.SerializerMethodField()
    renewal_window_opens = serializers.SerializerMethodField()
    grace_ends = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = ["id", "filing_number", "state", "available_transitions", "institution", "issued_on", "valid_from",
                  "expires_on", "renewal_window_opens", "grace_ends", "first_filed_on", "pilot_until",
                  "province_wide", "scope"]
        read_only_fields = fields

    def get_scope(self, obj) -> list[dict]:
        return ScopeSerializer([s for s in obj.scope.all() if s.active], many=True).data

    def _profile(self, obj):
        """The filing's policy profile; all profiles are read once per response (one per province)."""
        from filing_portal.regions.models import PolicyProfile

        root = self.root
        if not hasattr(root, "_filing_profiles"):
            root._filing_profiles = {p.province_id: p for p in PolicyProfile.objects.all()}
        region = obj.handling_region
        return root._filing_profiles.get(region.pk if region.level == "province" else region.province_id)

    def get_issued_on(self, obj) -> dt.date:
        if not obj.renewed_count:
            return obj.valid_from
        profile = self._profile(obj)
        years = profile.validity_years if profile else 3
        return obj.expires_on - relativedelta(years=years) + dt.timedelta(days=1)

    def get_renewal_window_opens(self, obj) -> dt.date | None:
        profile = self._profile(obj)
        return filing_dates.renewal_window_opens(obj, profile) if profile else None

    def get_grace_ends(self, obj) -> dt.date | None:
        profile = self._profile(obj)
        return filing_dates.grace_ends(obj, profile) if profile else None


class PublicFilingSerializer(serializers.ModelSerializer):
    """PUB-01/03: what the public directory shows."""

    filing_number = serializers.CharField(source="number")
    name = serializers.CharField(source="institution.name")
    kind = serializers.CharField(source="institution.kind")
    address = serializers.CharField(source="institution.address")
    head = serializers.CharField(source="institution.head")
    region = RegionField(source="institution.region")
    status = serializers.CharField(source="state")
    scope = serializers.SerializerMethodField()
    fee_standards = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = ["filing_number", "name", "kind", "address", "head", "region", "status", "valid_from", "expires_on",
                  "scope", "fee_standards"]

    def get_scope(self, obj) -> list[dict]:
        return [{"code": s.occupation.code, "name": s.occupation.name, "work_type": s.work_type, "level": s.level}
                for s in obj.scope.all()]

    def get_fee_standards(self, obj) -> list[dict]:
        return [{"item": f.item, "level": f.level, "amount_yuan": str(f.amount_yuan), "basis": f.basis}
                for f in obj.institution.fee_standards.all()]


class PublicNoticeSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.name")
    occupations = ApplicationOccupationSerializer(many=True)

    class Meta:
        model = FilingApplication
        fields = ["id", "institution", "kind", "notice_starts_on", "notice_ends_on", "occupations"]


class ObjectionInputSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    contact = serializers.CharField(max_length=100)
    content = serializers.CharField(max_length=4000)


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "status", "created_at"]


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "kind", "title", "body", "published_on", "published_until"]


class CancellationInputSerializer(serializers.Serializer):
    """Revocation or termination: the reasons and, under TERM-04, one of the listed grounds."""

    reason = serializers.CharField(max_length=4000)
    ground = serializers.ChoiceField(choices=Filing.CancellationGround.choices, required=False, allow_blank=True,
                                     default="")


class TerminationInputSerializer(CancellationInputSerializer):
    """TERM-01/02, CHG-07: the kind of termination."""

    kind = serializers.ChoiceField(choices=Filing.TerminationKind.choices, default="voluntary")


class SupplementInputSerializer(serializers.Serializer):
    """FIL-03: every missing item, in one notice."""

    items = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1)


class EvaluationInputSerializer(serializers.Serializer):
    opinion = serializers.CharField(max_length=4000)
    expert_name = serializers.CharField(max_length=200)


class DismissObjectionInputSerializer(serializers.Serializer):
    objection_id = serializers.IntegerField()
    reason = serializers.CharField(max_length=4000)
