"""Public disclosures (PUB-02): revocations, suspensions and rectification orders, terminations, stop orders and
the results of random inspection draws, newest first, as one list the page and the API page through.

Announcements are what the institutions app already published; draws with published results come from the
draws of SUP-01. The two are merged lazily: a page reads at most `offset + page size` rows of each source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filing_portal.regions.models import Region
from institutions.models import Announcement

from .models import Draw

ANNOUNCEMENT_KINDS = (Announcement.Kind.REVOCATION, Announcement.Kind.SUSPENSION, Announcement.Kind.TERMINATION,
                      Announcement.Kind.STOP_ORDER)
DRAW_KIND = "draw_results"
KIND_LABELS = {
    Announcement.Kind.REVOCATION: gettext_lazy("Revocation"),
    Announcement.Kind.SUSPENSION: gettext_lazy("Rectification and suspension"),
    Announcement.Kind.TERMINATION: gettext_lazy("Termination"),
    Announcement.Kind.STOP_ORDER: gettext_lazy("Order to stop assessing"),
    DRAW_KIND: gettext_lazy("Random inspection results"),
}
KINDS = (*ANNOUNCEMENT_KINDS, DRAW_KIND)


@dataclass
class Disclosure:
    kind: str
    date: dt.date
    institution_name: str
    filing_number: str
    title: str
    text: str
    link: str = ""
    reference: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def _regions(region: Region | None):
    if region is None:
        return None
    return Region.objects.filter(Q(pk=region.pk) | Q(province_id=region.pk))


def disclosed_announcements(*, kind: str = "", region: Region | None = None) -> QuerySet[Announcement]:
    qs = Announcement.objects.filter(kind__in=ANNOUNCEMENT_KINDS).select_related(
        "institution", "filing", "stop_order").order_by("-published_on", "-pk")
    if kind:
        qs = qs.filter(kind=kind) if kind in ANNOUNCEMENT_KINDS else qs.none()
    regions = _regions(region)
    if regions is not None:
        qs = qs.filter(Q(filing__handling_region__in=regions)
                       | Q(filing__isnull=True, institution__region__in=regions)
                       | Q(stop_order__region__in=regions))
    return qs


def disclosed_draws(*, kind: str = "", region: Region | None = None) -> QuerySet[Draw]:
    qs = Draw.objects.filter(state=Draw.State.RESULTS_PUBLISHED).select_related("region").order_by(
        "-results_published_on", "-pk")
    if kind and kind != DRAW_KIND:
        return qs.none()
    regions = _regions(region)
    if regions is not None:
        qs = qs.filter(Q(region__in=regions) | Q(filter_region__in=regions))
    return qs


def draw_link(reference: str) -> str:
    """The public draw page (the draws module names it `supervision:public_draw`); nothing until it exists."""
    try:
        return reverse("supervision:public_draw", kwargs={"reference": reference})
    except NoReverseMatch:
        return ""


def _from_announcement(a: Announcement) -> Disclosure:
    if a.institution_id:
        name = a.institution.name
    else:
        order = getattr(a, "stop_order", None)
        name = order.name if order is not None else ""
    return Disclosure(kind=a.kind, date=a.published_on, institution_name=name,
                      filing_number=a.filing.number if a.filing_id else "", title=a.title, text=a.body,
                      link=reverse("institutions:directory_detail", args=[a.filing.number]) if a.filing_id else "")


def _from_draw(d: Draw) -> Disclosure:
    numbers = [row.get("filing_number", "") for row in (d.selection or [])]
    text = _("%(n)s institutions drawn from %(pop)s by the published seed: %(numbers)s.") % {
        "n": len(numbers), "pop": len(d.population or []), "numbers": "、".join(numbers) or "—"}
    return Disclosure(kind=DRAW_KIND, date=d.results_published_on or d.created_at.date(), institution_name="",
                      filing_number="", title=d.title, text=text, link=draw_link(d.reference), reference=d.reference)


class DisclosureList:
    """A sliceable, countable merge of both sources (what Paginator and DRF's pagination need)."""

    def __init__(self, *, kind: str = "", region: Region | None = None):
        self.announcements = disclosed_announcements(kind=kind, region=region)
        self.draws = disclosed_draws(kind=kind, region=region)
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.announcements.count() + self.draws.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, int):
            return self[item:item + 1][0]
        start, stop = item.start or 0, item.stop if item.stop is not None else self.count()
        merged = [*map(_from_announcement, self.announcements[:stop]), *map(_from_draw, self.draws[:stop])]
        merged.sort(key=lambda d: d.date, reverse=True)
        return merged[start:stop]


def disclosures(*, kind: str = "", region: Region | None = None) -> DisclosureList:
    """PUB-02: everything published against institutions, newest first, optionally of one kind or region."""
    return DisclosureList(kind=kind, region=region)
