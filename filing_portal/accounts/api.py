from django.contrib.auth import authenticate, get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from filing_portal.audit.services import audit_record
from filing_portal.core.api import ErrorSerializer

from . import otp
from .security import RULE_SECOND_FACTOR, lockout_response, second_factor_required
from .serializers import MeSerializer, TokenRequestSerializer, TokenResponseSerializer


class ObtainTokenView(APIView):
    """POST username and password, get `{"token": ...}` for `Authorization: Token <t>`.

    The same lockout as the login page counts every wrong password here (5 per account and per address,
    then 429 for 30 minutes). Staff and administrators also send `otp`, the current code of the
    authenticator they set up at their first web login: a token is only issued after both factors.
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(request=TokenRequestSerializer, tags=["auth"], responses={
        200: TokenResponseSerializer,
        400: OpenApiResponse(ErrorSerializer, description="Invalid input, wrong credentials or one-time code"),
        403: OpenApiResponse(ErrorSerializer, description="The second factor is not set up yet"),
        429: OpenApiResponse(ErrorSerializer, description="Locked out after repeated failures"),
    })
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # axes marks and reads the Django request (the lockout flag, the client IP), not DRF's wrapper.
        django_request = request._request
        user = authenticate(
            django_request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if getattr(django_request, "axes_locked_out", False):
            return lockout_response(django_request)
        if user is None or not user.is_active:
            return Response(
                {"code": "invalid_credentials", "rule": None, "message": _("Wrong username or password.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        ip = getattr(django_request, "client_ip", None)
        if second_factor_required(user):
            if otp.confirmed_device(user) is None:
                return Response(
                    {"code": "second_factor_setup_required", "rule": RULE_SECOND_FACTOR,
                     "message": _("Log in on the website once to set up two-factor authentication.")},
                    status=status.HTTP_403_FORBIDDEN,
                )
            if not otp.token_check(user=user, token=data.validated_data.get("otp", "").strip()):
                audit_record(actor=user, action="auth.second_factor_failed", obj=user, ip=ip, data={"stage": "api"})
                return Response(
                    {"code": "second_factor_required", "rule": RULE_SECOND_FACTOR,
                     "message": _("Send the current one-time code of your authenticator app in `otp`.")},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        token, _created = Token.objects.get_or_create(user=user)
        audit_record(actor=user, action="auth.token_issued", obj=user, ip=ip,
                     data={"second_factor": second_factor_required(user)})
        return Response({"token": token.key})


class MeView(APIView):
    """The logged-in user, with role, region and institution."""

    @extend_schema(responses={200: MeSerializer}, tags=["auth"])
    def get(self, request):
        # get_user_model(), not type(request.user): the OTP middleware wraps the user in a lazy object.
        user = get_user_model().objects.select_related("region", "institution").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)
