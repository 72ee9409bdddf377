from rest_framework import serializers

from .models import User


class MeSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    region = serializers.SerializerMethodField()
    institution = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "role_display", "region", "institution"]

    def get_region(self, user) -> dict | None:
        if not user.region_id:
            return None
        return {"code": user.region.code, "name": user.region.name, "level": user.region.level}

    def get_institution(self, user) -> dict | None:
        if not user.institution_id:
            return None
        return {"id": user.institution_id, "name": user.institution.name, "kind": user.institution.kind}


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False, allow_blank=True, max_length=12,
        help_text="Staff and administrators: the current six-digit code of their authenticator app.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
