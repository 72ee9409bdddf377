"""The one domain error type. Every refusal carries the rule ID it enforces."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the action: API 409, a page message."""

    status = 409

    def __init__(self, message: str, *, rule: str | None = None, code: str = "rule_violation"):
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "rule": self.rule, "message": self.message}

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}" if self.rule else self.message


class PermissionDeniedError(DomainError):
    """The caller's role or jurisdiction forbids the action: API 403."""

    status = 403

    def __init__(self, message: str, *, rule: str | None = None, code: str = "permission_denied"):
        super().__init__(message, rule=rule, code=code)
