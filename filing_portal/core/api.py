"""DRF pieces every workflow resource reuses.

- `exception_handler`: DomainError → 409/403 with `{"code", "rule", "message"}`;
  DRF's own 403/404/400 in the same shape.
- `WorkflowSerializerMixin`: `state` and `available_transitions` for the caller.
- `WorkflowViewSetMixin`: one endpoint per transition,
  `POST <resource>/<id>/transitions/<name>/`, each in the OpenAPI schema with
  its own input serializer.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ForeignObjectRel
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .workflow import (
    available_transitions,
    state_field_name,
    transition_check,
    transition_names,
    transition_run,
)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    rule = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="Field errors (400 only).")


class TransitionInputSerializer(serializers.Serializer):
    """Default input of a transition: an optional comment for the audit trail."""

    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonInputSerializer(serializers.Serializer):
    """Input of a transition that needs reasons (a rejection: FIL-06)."""

    reason = serializers.CharField(max_length=4000)


class PortalAutoSchema(AutoSchema):
    """The schema class (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): every operation also documents the errors
    `exception_handler` gives it whatever its view declares, in the `Error` shape (tests/fuzz checks them):

    - 400 when it takes a body or query parameters (validation, malformed JSON, a bad filter value);
    - 403 when it authenticates (not signed in, a wrong token: the session authenticator sends no
      `WWW-Authenticate`, so DRF answers 403, never 401) or needs a permission;
    - 404 when it names an object (path parameters: missing or outside the caller's view) or pages
      (`?page=` beyond the last page);
    - 415 when it takes a body (a content type its parsers do not read).
    """

    def _map_serializer_field(self, field, direction, bypass_extension=False):
        if field.read_only and direction == "response":
            _read_only_field_nullability(field)
        return super()._map_serializer_field(field, direction, bypass_extension)

    def _get_paginator(self):
        # Only GET pages; a POST that answers with a list (candidates added) sends the bare list.
        return super()._get_paginator() if self.method == "GET" else None

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        error = {"content": {"application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}}}
        parameters = operation.get("parameters", [])
        where = {p["in"] for p in parameters}
        takes_body = "requestBody" in operation or method.upper() in ("POST", "PUT", "PATCH")
        view = self.view
        needs_permission = any(p is not permissions.AllowAny for p in getattr(view, "permission_classes", ()))
        codes = {
            "400": (takes_body or "query" in where, _("Invalid input")),
            "403": (bool(getattr(view, "authentication_classes", ())) or needs_permission,
                    _("Not signed in, a wrong token, or the role or jurisdiction forbids it")),
            "404": ("path" in where or any(p["name"] == "page" for p in parameters),
                    _("Not found or outside the caller's view")),
            "415": (takes_body, _("Unsupported media type")),
        }
        for code, (applies, description) in codes.items():
            if applies and code not in responses:
                responses[code] = {**error, "description": description}
        return operation


def _read_only_field_nullability(field) -> None:
    """What a read-only field of a ModelSerializer can really send, from its model field.

    DRF drops `allow_blank` from read-only fields and a field reached through a nullable relation
    (`source="decided_by.username"`) is null when the relation is, so without this the schema
    promised a value from an enum, an e-mail address or an object where the response sends ``""``
    or ``null`` (tests/fuzz found eight). The walk follows `source` through the model: a nullable
    relation on the way or a nullable last field → null; a `blank` last field → ``""``.
    """
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None)
    if model is None or not attrs:
        return
    nullable = blank = False
    for position, attr in enumerate(attrs):
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return  # a property or a method: nothing the model can tell
        if isinstance(model_field, ForeignObjectRel):
            return
        last = position == len(attrs) - 1
        nullable = nullable or bool(model_field.null)
        if last:
            blank = bool(model_field.blank) and not model_field.is_relation
        elif model_field.is_relation:
            model = model_field.related_model
        else:
            return
    if nullable:
        field.allow_null = True
    if blank and hasattr(field, "allow_blank"):
        field.allow_blank = True


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "rule": None,
            "message": _("The input is not valid; see the field errors."),
            "errors": response.data if isinstance(response.data, dict) else {"detail": response.data},
        }
    elif isinstance(exc, exceptions.APIException):
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"code": getattr(detail, "code", exc.default_code), "rule": None, "message": str(detail)}
    return response


class WorkflowSerializerMixin(serializers.Serializer):
    state = serializers.SerializerMethodField(help_text="The workflow state (the model's FSM field).")
    available_transitions = serializers.SerializerMethodField()

    def get_state(self, obj) -> str:
        return getattr(obj, state_field_name(type(obj)))

    def get_available_transitions(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return available_transitions(obj, request.user)


def _make_transition_action(name: str, input_serializer, output_serializer, model_name: str):
    def run(self, request, pk=None):
        obj = self.get_object()
        transition_check(instance=obj, name=name, acting_user=request.user)  # 403, then 409, before 400
        data = input_serializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        obj = self.perform_transition(obj, name, dict(data.validated_data))
        return Response(self.get_serializer(obj).data, status=status.HTTP_200_OK)

    # DRF maps the route to the method by __name__, so name it before decorating.
    run.__name__ = run.__qualname__ = f"transition_{name}"
    run = action(detail=True, methods=["post"], url_path=f"transitions/{name}", url_name=f"transition-{name}")(run)
    return extend_schema(
        operation_id=f"{model_name}_transition_{name}",
        summary=f"Transition: {name}",
        description=f"Run the `{name}` transition. 409 when the current state or a guard forbids it "
        f"(the body names the rule), 403 when the caller's role or jurisdiction does.",
        request=input_serializer,
        responses={
            200: output_serializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
            403: OpenApiResponse(ErrorSerializer, description="Role or jurisdiction forbids it"),
            404: OpenApiResponse(ErrorSerializer, description="Not found or outside the caller's view"),
            409: OpenApiResponse(ErrorSerializer, description="Not allowed from the current state, or a guard failed"),
        },
        tags=[model_name],
    )(run)


class WorkflowViewSetMixin:
    """Add to a viewset whose `queryset` model has an FSM field.

    Subclasses set `transition_inputs = {"reject": ReasonInputSerializer, ...}`;
    a transition not listed takes `TransitionInputSerializer`. `get_queryset`
    must already be scoped to the caller's view, so objects outside it are 404.
    """

    transition_inputs: dict[str, type[serializers.Serializer]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        queryset = getattr(cls, "queryset", None)
        if queryset is None:
            return
        model = queryset.model
        for name in transition_names(model):
            attr = f"transition_{name}"
            if attr in cls.__dict__:
                continue
            setattr(cls, attr, _make_transition_action(
                name, cls.transition_inputs.get(name, TransitionInputSerializer), cls.serializer_class,
                model._meta.model_name,
            ))

    def perform_transition(self, obj, name: str, params: dict):
        return transition_run(
            instance=obj, name=name, acting_user=self.request.user, params=params,
            ip=getattr(self.request, "client_ip", None),
        )
