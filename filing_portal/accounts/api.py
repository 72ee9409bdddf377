from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from .serializers import MeSerializer, TokenRequestSerializer, TokenResponseSerializer


class ObtainTokenView(APIView):
    """POST username and password, get `{"token": ...}` for `Authorization: Token <t>`."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer}, tags=["auth"])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None or not user.is_active:
            return Response(
                {"code": "invalid_credentials", "rule": None, "message": _("Wrong username or password.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    """The logged-in user, with role, region and institution."""

    @extend_schema(responses={200: MeSerializer}, tags=["auth"])
    def get(self, request):
        user = type(request.user).objects.select_related("region", "institution").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)
