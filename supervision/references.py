"""Human-readable references of supervision records: PREFIX-YYYY-NNNNNN, numbered per prefix and year."""

from __future__ import annotations

from filing_portal.core import clock


def next_reference(model, prefix: str, field: str = "reference") -> str:
    """The next free reference for `model` (call inside the creating transaction; the unique constraint on the
    field refuses a duplicate from a concurrent writer, which then retries)."""
    year = clock.today().year
    stem = f"{prefix}-{year}-"
    last = (model.objects.filter(**{f"{field}__startswith": stem}).order_by(f"-{field}")
            .values_list(field, flat=True).first())
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:06d}"
