"""The institution's own public details outside the information change: fee standards (PUB-03) and, for
employers, the subsidiaries whose staff it assesses (ELIG-02). Name, head and contacts go through an
information change (CHG-02), never through here."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core.errors import DomainError, PermissionDeniedError

from ..models import FeeStandard, Institution, Subsidiary


def _fee_rows(institution: Institution) -> list[dict]:
    return [{"item": f.item, "level": f.level, "amount_yuan": str(f.amount_yuan), "basis": f.basis}
            for f in institution.fee_standards.order_by("item", "level", "pk")]


def _subsidiary_rows(institution: Institution) -> list[dict]:
    return [{"name": s.name, "uscc": s.uscc} for s in institution.subsidiaries.order_by("name", "pk")]


@transaction.atomic(durable=True)
def institution_public_details_update(*, institution: Institution, fees: list[dict], subsidiaries: list[dict],
                                      acting_user) -> Institution:
    """Replace the institution's fee standards and subsidiaries with the rows given; the audit keeps both versions.

    Only the institution's own users edit them (JUR-03); only employers list subsidiaries (ELIG-02).
    """
    if acting_user.role != "institution" or acting_user.institution_id != institution.pk:
        raise PermissionDeniedError(_("Only the institution's own users edit its fee standards and subsidiaries."),
                                    rule="JUR-03")
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if subsidiaries and institution.kind != Institution.Kind.EMPLOYER:
        raise DomainError(_("Only employers (Y) list subsidiaries whose staff they assess."), rule="ELIG-02",
                          code="not_employer")
    new_fees = [FeeStandard(institution=institution, item=row["item"].strip(), level=row.get("level") or None,
                            amount_yuan=Decimal(row["amount_yuan"]), basis=(row.get("basis") or "").strip())
                for row in fees]
    new_subsidiaries = [Subsidiary(institution=institution, name=row["name"].strip(),
                                   uscc=row["uscc"].strip().upper()) for row in subsidiaries]
    codes = [s.uscc for s in new_subsidiaries]
    if len(codes) != len(set(codes)):
        raise DomainError(_("A subsidiary is listed twice (same credit code)."), rule="ELIG-02", code="duplicate")
    if institution.uscc in codes:
        raise DomainError(_("The institution itself is not its own subsidiary."), rule="ELIG-02", code="self")
    try:
        for row in [*new_fees, *new_subsidiaries]:
            row.full_clean(exclude=["institution"], validate_unique=False)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), rule="PUB-03" if isinstance(row, FeeStandard) else "ELIG-02",
                          code="invalid") from exc
    before = {"fee_standards": _fee_rows(institution), "subsidiaries": _subsidiary_rows(institution)}
    institution.fee_standards.all().delete()
    institution.subsidiaries.all().delete()
    FeeStandard.objects.bulk_create(new_fees)
    Subsidiary.objects.bulk_create(new_subsidiaries)
    after = {"fee_standards": _fee_rows(institution), "subsidiaries": _subsidiary_rows(institution)}
    if before != after:
        audit_record(actor=acting_user, action="institution.public_details_update", obj=institution,
                     data={"before": before, "after": after})
    return institution
