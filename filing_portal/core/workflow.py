"""The one shared transition service (DESIGN.md "The workflows").

django-fsm-2 neither checks `permission=` when a transition method runs nor
saves, so every workflow goes through `transition_run`: lock the row → check
the role permission and the guards → transition → save → audit event (REC-01)
in the same transaction → side effects after commit.

Guards are plain functions decorated with `guard(rule=..., message=...)` so a
refusal can name the rule it enforces; permissions are callables made by
`allowed(...)`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models, transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransitionMixin, FSMFieldMixin, Transition

from filing_portal.audit.services import audit_record

from .errors import DomainError, PermissionDeniedError


class ConcurrentStates(ConcurrentTransitionMixin):
    """django-fsm's ConcurrentTransitionMixin (a save checks the state it read is still the stored one), with
    the model's state fields found once per class: django-fsm filters every field of the model on every
    instance it builds, a fifth of the time of building a batch of 10,000 certificates (bench_numbers)."""

    @property
    def state_fields(self):
        cls = type(self)
        fields = cls.__dict__.get("_fsm_state_fields")
        if fields is None:
            fields = tuple(f for f in cls._meta.fields if isinstance(f, FSMFieldMixin))
            cls._fsm_state_fields = fields
        return fields


def guard(*, rule: str, message: str) -> Callable:
    """Mark a condition function with the rule it enforces and the message shown when it fails."""

    def decorate(fn: Callable) -> Callable:
        fn.rule = rule
        fn.message = message
        return fn

    return decorate


def allowed(*roles: str, check: Callable[[Any, Any], bool] | None = None) -> Callable[[Any, Any], bool]:
    """A `permission=` callable: the user has one of `roles` and, if given, `check(instance, user)` holds.

    `check` is where jurisdiction (JUR-03) or ownership is tested.
    """

    def permission(instance, user) -> bool:
        if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) not in roles:
            return False
        return check(instance, user) if check else True

    permission.roles = roles
    return permission


def system_only(instance, user) -> bool:
    """Transitions only the deadline sweep may take (it calls with acting_user=None)."""
    return False


def _state_field(model: type[models.Model]):
    from django_fsm import FSMFieldMixin

    for field in model._meta.fields:
        if isinstance(field, FSMFieldMixin):
            return field
    raise TypeError(f"{model.__name__} has no FSM field")


def state_field_name(model: type[models.Model]) -> str:
    return _state_field(model).name


def transition_names(model: type[models.Model]) -> list[str]:
    """Every transition method name of the model, in definition order."""
    seen: dict[str, None] = {}
    for t in _state_field(model).get_all_transitions(model):
        seen.setdefault(t.name, None)
    return list(seen)


def _transitions_named(model: type[models.Model], name: str) -> list[Transition]:
    return [t for t in _state_field(model).get_all_transitions(model) if t.name == name]


def transition_rule(model: type[models.Model], name: str) -> str | None:
    """The rule ID a transition carries in `custom={"rule": ...}`."""
    for t in _transitions_named(model, name):
        if t.custom.get("rule"):
            return t.custom["rule"]
    return None


def available_transitions(instance: models.Model, user) -> list[str]:
    """Names of the transitions `user` may take on `instance` now (state, guards and permission)."""
    field = _state_field(type(instance))
    method = getattr(instance, f"get_available_user_{field.name}_transitions")
    return list(dict.fromkeys(t.name for t in method(user)))


def _transition_allowed(obj: models.Model, name: str, acting_user):
    """The transition `name` from `obj`'s state, if the role may take it and the state allows it.

    PermissionDeniedError (403) first, when no transition of that name is the caller's (JUR-03);
    then DomainError (409) when the state does not allow it. None = the system's sweep, always allowed."""
    model = type(obj)
    from_state = getattr(obj, _state_field(model).attname)
    t = getattr(obj, name)._django_fsm.get_transition(from_state)
    system = acting_user is None
    if t is None:
        if not system and not any(x.has_perm(obj, acting_user) for x in _transitions_named(model, name)):
            raise PermissionDeniedError(_("Your role or jurisdiction does not allow '%(name)s'.") % {"name": name})
        raise DomainError(
            _("'%(name)s' is not allowed while the record is '%(state)s'.") % {"name": name, "state": from_state},
            rule=transition_rule(model, name), code="invalid_state",
        )
    if not system and not t.has_perm(obj, acting_user):
        raise PermissionDeniedError(
            _("Your role or jurisdiction does not allow '%(name)s'.") % {"name": name},
            rule=t.custom.get("permission_rule") or "JUR-03",
        )
    return t


def transition_check(*, instance: models.Model, name: str, acting_user) -> None:
    """Refuse early what `transition_run` would refuse for role or state, before a caller reads its input
    or computes its parameters (a 403 is not hidden behind a 400, a service never reads fields of a state
    the record is not in). The guards (`conditions`) are left to `transition_run`, under the lock."""
    model = type(instance)
    if name not in transition_names(model):
        raise DomainError(_("Unknown transition '%(name)s'.") % {"name": name}, code="unknown_transition")
    _transition_allowed(instance, name, acting_user)


def _lock(instance: models.Model) -> models.Model:
    qs = type(instance)._default_manager.all()
    if connection.features.has_select_for_update_of:
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_for_update()
    return qs.get(pk=instance.pk)


def transition_run(
    *,
    instance: models.Model,
    name: str,
    acting_user=None,
    params: dict[str, Any] | None = None,
    comment: str = "",
    ip: str | None = None,
    on_commit: Iterable[Callable[[models.Model], None]] = (),
) -> models.Model:
    """Run transition `name` on `instance` for `acting_user` (None = the system's deadline sweep).

    Raises PermissionDeniedError (403) when the role or jurisdiction forbids it,
    DomainError (409) when the current state or a guard does not allow it.
    Returns the saved, transitioned object.
    """
    model = type(instance)
    params = dict(params or {})
    if name not in transition_names(model):
        raise DomainError(_("Unknown transition '%(name)s'.") % {"name": name}, code="unknown_transition")
    with transaction.atomic():
        obj = _lock(instance)
        field = _state_field(model)
        from_state = getattr(obj, field.attname)
        method = getattr(obj, name)
        t = _transition_allowed(obj, name, acting_user)
        for condition in t.conditions:
            if not condition(obj):
                raise DomainError(
                    str(getattr(condition, "message", "")) or _("A condition of '%(name)s' is not met.") % {"name": name},
                    rule=getattr(condition, "rule", None) or transition_rule(model, name), code="guard_failed",
                )
        accepted = inspect.signature(method).parameters
        call_kwargs = {k: v for k, v in params.items() if k in accepted or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())}
        method(**call_kwargs)
        obj.save()
        audit_record(
            actor=acting_user, action=f"{model._meta.model_name}.{name}", obj=obj,
            from_state=from_state, to_state=getattr(obj, field.attname),
            comment=comment or str(params.get("reason") or params.get("comment") or ""),
            data={k: v for k, v in params.items() if k not in ("reason", "comment")}, ip=ip,
        )
        for callback in on_commit:
            transaction.on_commit(lambda cb=callback: cb(obj))
    return obj
