"""The audit trail (REC-01/02): one append-only, hash-chained table for every state change."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event (REC-02)."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("REC-02: audit events are append-only; update refused.")

    def delete(self):
        raise AppendOnlyError("REC-02: audit events are append-only; delete refused.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("REC-02: audit events are append-only; update refused.")


class AuditEvent(models.Model):
    """审计事件: who did what to which object, from which state to which, why, from where, when."""

    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    actor_role = models.CharField(_("role"), max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=64)  # indexed in Meta
    object_type = models.CharField(_("object type"), max_length=100, blank=True)  # "app_label.model"
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    from_state = models.CharField(_("from state"), max_length=40, blank=True)
    to_state = models.CharField(_("to state"), max_length=40, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("request IP"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # unique by a constraint (Meta)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Each index once (issue 8): `db_index`/`unique` on a CharField also build a varchar_pattern_ops twin for
        # LIKE, which no query of an action or a hash needs; every event of a sweep paid for both.
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx"),
                   models.Index(fields=["action"], name="audit_action_idx")]
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_hash_unique")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("REC-02: audit events are append-only; update refused.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("REC-02: audit events are append-only; delete refused.")
