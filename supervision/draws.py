"""双随机一公开 (SUP-01; FJ23 Art.20): the draw algorithm and the draw services.

The office defines a draw (who may be drawn, how many, the inspector pool and the team size), publishes a
commitment to a secret seed, runs the draw from that seed, reveals the seed and finally publishes the
results of the inspections. Anyone can re-run the draw from the published data — in the browser
(static/js/draw-verify.js), through `POST /api/v1/public/draws/<reference>/verify/`, or with the few lines
below — and must get the same institutions and the same teams.

Algorithm `sha256-fisher-yates-v1`, precisely:

1. Seed: 32 random bytes from Python's `secrets`, written as 64 lowercase hexadecimal characters.
   Commitment: the SHA-256 of the seed's 64-character ASCII string, as 64 lowercase hex characters. The
   commitment is published when the draw is committed; the seed only after the draw has run.
2. Frozen at commit (published with the commitment, never changed afterwards):
   - `population`: the filing numbers of the filings that may be drawn, sorted ascending (ASCII order):
     filings in state active, handled by the office (the office's own, or any of its cities' for a
     province), restricted by the draw's filters — the institution's region (that region or one of its
     cities), the kind of institution (Y/S), an occupation the filing currently covers, the filing's exam
     supervision mode;
   - `pool`: the codes of the active inspectors chosen for the draw, sorted ascending;
   - `exclusions`: {filing number: sorted inspector codes} of conflicts of interest — the inspector works
     for that institution, or was on the team of an earlier inspection of it. Only pool members are listed
     and only filing numbers with at least one conflict appear.
3. Random stream. `block(label, counter)` = SHA-256 of the UTF-8 text `"{seed}:{label}:{counter}"` (counter
   in decimal, no padding), its first 8 bytes read as a big-endian unsigned 64-bit integer x. Each label has
   its own counter, starting at 0 and going up by 1 for every block taken. `uniform(label, n)` for n ≥ 1 is
   an integer in [0, n) by rejection sampling: limit = 2**64 − (2**64 mod n); take blocks until x < limit;
   answer x mod n.
4. `shuffle(label, list)`: Fisher–Yates from the end over a copy: for i from len−1 down to 1: j =
   uniform(label, i + 1); swap a[i] and a[j].
5. Institutions: shuffle(`"institutions"`, population); the selection is the FIRST `sample_size` elements of
   the shuffled list, in that order.
6. Teams: for each selected filing number, in selection order: candidates = pool (in its published order)
   without the inspectors in exclusions[number]; shuffle(`"team:" + number`, candidates); the team is the
   FIRST `team_size` elements, in that order. An inspector may serve on several teams. Commit refuses a pool
   too small for any institution (pool size − the largest exclusion list < team size), so every seed gives
   full teams.
7. The result is the list [{"filing_number": ..., "team": [codes...]}, ...] in selection order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.core.workflow import transition_run
from filing_portal.regions.models import Region
from institutions.models import Filing, Institution

from .models import OFFICE_ROLES, Draw, Inspection, InspectorProfile, region_in_jurisdiction
from .references import next_reference

SEED_RE = re.compile(r"^[0-9a-f]{64}$")
TWO_64 = 2 ** 64
SUPERVISION_MODES = ("every_exam", "random")
REVEALED_STATES = (Draw.State.DRAWN, Draw.State.RESULTS_PUBLISHED)
PUBLIC_STATES = (Draw.State.COMMITTED, Draw.State.DRAWN, Draw.State.RESULTS_PUBLISHED)


# -- the algorithm (pure functions) -------------------------------------------------------------------------
def commitment_of(seed: str) -> str:
    """The commitment to `seed`: SHA-256 hex of its ASCII text."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def commitment_matches(commitment: str, seed: str) -> bool:
    """Whether `seed` is the seed the published `commitment` was made to."""
    if not isinstance(seed, str) or not seed.isascii() or not commitment:
        return False
    return hmac.compare_digest(commitment_of(seed), commitment.strip().lower())


def block(seed: str, label: str, counter: int) -> int:
    """The first 8 bytes of SHA-256("{seed}:{label}:{counter}") as a big-endian unsigned integer."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{label}:{counter}".encode()).digest()[:8], "big")


class _Stream:
    """One label's blocks, its counter starting at 0."""

    def __init__(self, seed: str, label: str):
        self.seed, self.label, self.counter = seed, label, 0

    def uniform(self, n: int) -> int:
        """An integer in [0, n), unbiased (rejection sampling)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        limit = TWO_64 - (TWO_64 % n)
        while True:
            x = block(self.seed, self.label, self.counter)
            self.counter += 1
            if x < limit:
                return x % n


def shuffle(seed: str, label: str, items: Iterable) -> list:
    """Fisher–Yates from the end over a copy of `items`, drawing from the `label` stream."""
    a = list(items)
    stream = _Stream(seed, label)
    for i in range(len(a) - 1, 0, -1):
        j = stream.uniform(i + 1)
        a[i], a[j] = a[j], a[i]
    return a


def draw_compute(seed: str, population: Sequence[str], pool: Sequence[str],
                 exclusions: dict[str, Sequence[str]], sample_size: int, team_size: int) -> list[dict]:
    """The selection: [{"filing_number", "team"}] in selection order (module docstring, steps 5–7).

    Raises DomainError SUP-01 when an institution has fewer conflict-free inspectors than `team_size`.
    """
    selected = shuffle(seed, "institutions", population)[:sample_size]
    result = []
    for number in selected:
        excluded = set(exclusions.get(number, ()))
        candidates = [code for code in pool if code not in excluded]
        if len(candidates) < team_size:
            raise DomainError(
                _("Only %(n)d inspectors of the pool have no conflict with %(number)s; a team needs "
                  "%(size)d.")
                % {"n": len(candidates), "number": number, "size": team_size},
                rule="SUP-01", code="pool_too_small")
        team = shuffle(seed, f"team:{number}", candidates)[:team_size]
        result.append({"filing_number": number, "team": team})
    return result


def draw_verify(draw: Draw, seed: str) -> dict:
    """Re-run `draw` from `seed` and compare with what was published (anyone may call it)."""
    seed = (seed or "").strip().lower()
    try:
        selected = draw_compute(seed, draw.population, draw.pool, draw.exclusions, draw.sample_size,
                                draw.team_size)
    except DomainError:
        selected = []
    published = draw.selection if draw.state in REVEALED_STATES else None
    return {"commitment_matches": commitment_matches(draw.commitment, seed),
            "selection_matches": published is not None and selected == published,
            "selected": selected}


def revealed_seed(draw: Draw) -> str | None:
    """The seed, only once the draw has run; None before (it is never shown earlier, SUP-01)."""
    return draw.seed if draw.state in REVEALED_STATES else None


# -- who may be drawn -------------------------------------------------------------------------------------
def _office_filings(region: Region):
    """Filings handled by the office of `region` (its own, and its cities' for a province)."""
    return Filing.objects.filter(Q(handling_region=region) | Q(handling_region__province=region))


def draw_population(draw: Draw) -> list[str]:
    """The sorted filing numbers matching the draw's filters (module docstring, step 2)."""
    qs = _office_filings(draw.region).filter(state=Filing.State.ACTIVE)
    if draw.filter_region_id:
        qs = qs.filter(Q(institution__region_id=draw.filter_region_id)
                       | Q(institution__region__province_id=draw.filter_region_id))
    if draw.filter_kind:
        qs = qs.filter(institution__kind=draw.filter_kind)
    if draw.filter_occupation_id:
        qs = qs.filter(scope__occupation_id=draw.filter_occupation_id, scope__active=True)
    if draw.filter_supervision_mode:
        qs = qs.filter(supervision_mode=draw.filter_supervision_mode)
    return sorted(set(qs.values_list("number", flat=True)))


def draw_exclusions(population: Sequence[str],
                    inspectors: Sequence[InspectorProfile]) -> dict[str, list[str]]:
    """{filing number: sorted codes} of pool inspectors in conflict with the filing's institution."""
    by_number = dict(Filing.objects.filter(number__in=population).values_list("number", "institution_id"))
    conflicts: dict[int, set[str]] = {}
    for profile in inspectors:
        if profile.employer_id:
            conflicts.setdefault(profile.employer_id, set()).add(profile.code)
    earlier = (Inspection.team.through.objects
               .filter(inspection__institution_id__in=set(by_number.values()),
                       inspectorprofile_id__in=[p.pk for p in inspectors])
               .values_list("inspection__institution_id", "inspectorprofile__code"))
    for institution_id, code in earlier:
        conflicts.setdefault(institution_id, set()).add(code)
    return {number: sorted(conflicts[inst])
            for number, inst in sorted(by_number.items()) if conflicts.get(inst)}


def inspectors_available_to(region: Region):
    """Active inspectors an office may put in a draw's pool: its own region's, its province's, its cities'."""
    ids = {region.pk} | ({region.province_id} if region.province_id else set())
    return (InspectorProfile.objects.filter(active=True)
            .filter(Q(region_id__in=ids) | Q(region__province_id=region.pk))
            .select_related("user", "region").order_by("code"))


# -- the services -----------------------------------------------------------------------------------------
def _require_office(acting_user, region) -> None:
    if acting_user is None or getattr(acting_user, "role", None) not in OFFICE_ROLES:
        raise PermissionDeniedError(_("Only staff of an office define random inspection draws."),
                                    rule="SUP-01")
    if region is None or not region_in_jurisdiction(region, acting_user):
        raise PermissionDeniedError(_("The office is outside your jurisdiction."), rule="JUR-03")


@transaction.atomic(durable=True)
def draw_create(*, title: str, sample_size: int, team_size: int = 2,
                inspectors: Iterable[InspectorProfile] = (), acting_user, region: Region | None = None,
                filter_region: Region | None = None,
                filter_kind: str = "", filter_occupation=None, filter_supervision_mode: str = "",
                inspect_from: dt.date | None = None, inspect_until: dt.date | None = None) -> Draw:
    """A draft draw of the office `region` (default: the staff member's own region)."""
    region = region or getattr(acting_user, "region", None)
    _require_office(acting_user, region)
    if not (title or "").strip():
        raise DomainError(_("Give the draw a title."), rule="SUP-01", code="title_required")
    if not isinstance(sample_size, int) or sample_size < 1:
        raise DomainError(_("Draw at least one institution."), rule="SUP-01", code="sample_size")
    if not isinstance(team_size, int) or team_size < 1:
        raise DomainError(_("A team has at least one inspector."), rule="SUP-01", code="team_size")
    if filter_region is not None and region.pk not in (filter_region.pk, filter_region.province_id):
        raise DomainError(_("%(region)s is outside the office's area.") % {"region": filter_region.name},
                          rule="SUP-01", code="filter_region")
    if filter_kind and filter_kind not in Institution.Kind.values:
        raise DomainError(_("Unknown kind of institution."), rule="SUP-01", code="filter_kind")
    if filter_supervision_mode and filter_supervision_mode not in SUPERVISION_MODES:
        raise DomainError(_("Unknown supervision mode."), rule="SUP-01", code="filter_supervision_mode")
    if inspect_from and inspect_until and inspect_until < inspect_from:
        raise DomainError(_("The inspection period ends before it starts."), rule="SUP-01", code="period")
    inspectors = list(inspectors)
    allowed_ids = set(inspectors_available_to(region).values_list("pk", flat=True))
    outside = sorted(p.code for p in inspectors if p.pk not in allowed_ids)
    if outside:
        raise DomainError(_("Not active inspectors of the office's pool: %(codes)s.")
                          % {"codes": ", ".join(outside)}, rule="SUP-01", code="pool")
    draw = Draw.objects.create(
        reference=next_reference(Draw, "CC"), title=title.strip(), region=region, filter_region=filter_region,
        filter_kind=filter_kind or "", filter_occupation=filter_occupation,
        filter_supervision_mode=filter_supervision_mode or "", sample_size=sample_size, team_size=team_size,
        inspect_from=inspect_from, inspect_until=inspect_until, created_by=acting_user)
    draw.inspectors.set(inspectors)
    audit_record(actor=acting_user, action="draw.create", obj=draw, to_state=draw.state,
                 data={"sample_size": sample_size, "team_size": team_size,
                       "inspectors": sorted(p.code for p in inspectors)})
    return draw


@transaction.atomic(durable=True)
def draw_commit(*, draw: Draw, acting_user, ip: str | None = None) -> Draw:
    """Freeze population, pool and exclusions, make the secret seed and publish its commitment (SUP-01)."""
    draw = transition_run(instance=draw, name="commit", acting_user=acting_user, ip=ip)
    population = draw_population(draw)
    if not population:
        raise DomainError(_("No active filing matches the draw's filters."), rule="SUP-01",
                          code="empty_population")
    if draw.sample_size > len(population):
        raise DomainError(_("The draw asks for %(k)d institutions but only %(n)d match the filters.")
                          % {"k": draw.sample_size, "n": len(population)}, rule="SUP-01",
                          code="sample_too_large")
    inspectors = list(draw.inspectors.filter(active=True).order_by("code"))
    pool = sorted(p.code for p in inspectors)
    exclusions = draw_exclusions(population, inspectors)
    worst = max((len(codes) for codes in exclusions.values()), default=0)
    if len(pool) - worst < draw.team_size:
        raise DomainError(_("The pool has %(n)d active inspectors; with up to %(x)d in conflict for one "
                            "institution a team of %(size)d cannot always be formed.")
                          % {"n": len(pool), "x": worst, "size": draw.team_size}, rule="SUP-01",
                          code="pool_too_small")
    seed = secrets.token_hex(32)
    draw.population, draw.pool, draw.exclusions = population, pool, exclusions
    draw.seed, draw.commitment, draw.committed_at = seed, commitment_of(seed), timezone.now()
    draw.save(update_fields=["population", "pool", "exclusions", "seed", "commitment", "committed_at"])
    # the commitment goes into the audit chain too; the seed does not (it is secret until the run)
    audit_record(actor=acting_user, action="draw.freeze", obj=draw, ip=ip,
                 data={"commitment": draw.commitment, "population": len(population), "pool": pool,
                       "exclusions": exclusions})
    return draw


@transaction.atomic(durable=True)
def draw_run(*, draw: Draw, acting_user, ip: str | None = None) -> Draw:
    """Compute the selection from the seed, reveal the seed and plan one inspection per selected filing."""
    draw = transition_run(instance=draw, name="run", acting_user=acting_user, ip=ip)
    selection = draw_compute(draw.seed, draw.population, draw.pool, draw.exclusions, draw.sample_size,
                             draw.team_size)
    draw.selection, draw.drawn_at = selection, timezone.now()
    draw.save(update_fields=["selection", "drawn_at"])
    filings = {f.number: f for f in Filing.objects.filter(number__in=[s["filing_number"] for s in selection])}
    profiles = {p.code: p for p in draw.inspectors.all()}
    for item in selection:
        filing = filings[item["filing_number"]]
        inspection = Inspection.objects.create(
            reference=next_reference(Inspection, "JC"), kind=Inspection.Kind.RANDOM, draw=draw, filing=filing,
            institution_id=filing.institution_id, region=draw.region, planned_on=draw.inspect_from)
        inspection.team.set([profiles[code] for code in item["team"]])
    audit_record(actor=acting_user, action="draw.reveal", obj=draw, ip=ip,
                 data={"seed": draw.seed, "selection": selection})
    return draw


@transaction.atomic(durable=True)
def draw_publish_results(*, draw: Draw, acting_user, ip: str | None = None) -> Draw:
    """Publish the outcomes of the draw's inspections (SUP-01: 一公开); every inspection must have one."""
    draw = transition_run(instance=draw, name="publish_results", acting_user=acting_user, ip=ip)
    pending = list(draw.inspections.filter(outcome=Inspection.Outcome.PENDING).order_by("reference")
                   .values_list("reference", flat=True))
    if pending:
        raise DomainError(_("Inspections without an outcome yet: %(refs)s.") % {"refs": ", ".join(pending)},
                          rule="SUP-01", code="results_pending")
    return draw


TRANSITION_SERVICES = {"commit": draw_commit, "run": draw_run, "publish_results": draw_publish_results}


def draw_transition(*, draw: Draw, name: str, acting_user, ip: str | None = None) -> Draw:
    """The service of transition `name` (pages and API call this)."""
    service = TRANSITION_SERVICES.get(name)
    if service is None:
        raise DomainError(_("Unknown transition '%(name)s'.") % {"name": name}, code="unknown_transition")
    return service(draw=draw, acting_user=acting_user, ip=ip)


# -- reads ------------------------------------------------------------------------------------------------
def draws_visible_to(user):
    """Draws of the offices in the user's jurisdiction (JUR-03)."""
    qs = Draw.objects.select_related("region", "filter_region", "filter_occupation", "created_by")
    role = getattr(user, "role", None)
    if role == "admin":
        return qs
    if role == "province_staff" and user.region_id:
        return qs.filter(Q(region_id=user.region_id) | Q(region__province_id=user.region_id))
    if role == "city_staff" and user.region_id:
        return qs.filter(region_id=user.region_id)
    return qs.none()


def public_draws():
    """Draws whose commitment is published (committed and later)."""
    return (Draw.objects.filter(state__in=PUBLIC_STATES)
            .select_related("region", "filter_region", "filter_occupation").order_by("-committed_at", "-pk"))
