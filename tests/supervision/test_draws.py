"""双随机一公开 (SUP-01): the draw algorithm, the services and the refusals (issue 6, "Done when")."""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import hashlib

import pytest

from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError, PermissionDeniedError
from supervision.draws import (
    block,
    commitment_matches,
    draw_commit,
    draw_compute,
    draw_create,
    draw_publish_results,
    draw_run,
    draw_verify,
    shuffle,
)
from supervision.inspections import inspection_record
from supervision.models import Draw, Inspection
from tests.institutions.conftest import on
from tests.supervision.conftest_draws import make_filing, make_inspector, office  # noqa: F401

ALL_PASS = {"venue": (True, ""), "records": (True, "")}


def new_draw(office, **extra):
    params = {"title": "2026年第一季度双随机抽查", "sample_size": 3, "team_size": 2,
              "inspectors": office["inspectors"], "acting_user": office["staff"]}
    params.update(extra)
    with on("2026-03-02"):
        return draw_create(**params)


def committed_and_run(office, **extra):
    draw = new_draw(office, **extra)
    with on("2026-03-02"):
        draw_commit(draw=draw, acting_user=office["staff"])
    with on("2026-03-09"):
        return draw_run(draw=draw, acting_user=office["staff"])


# -- the pure algorithm --------------------------------------------------------------------------------
def test_block_is_the_first_8_bytes_of_sha256_big_endian__SUP_01():
    digest = hashlib.sha256(b"ab:institutions:0").digest()
    assert block("ab", "institutions", 0) == int.from_bytes(digest[:8], "big")


def test_shuffle_is_a_permutation_and_deterministic__SUP_01():
    seed = "0" * 64
    items = [f"S{i:012d}" for i in range(50)]
    once = shuffle(seed, "institutions", items)
    assert sorted(once) == items and once == shuffle(seed, "institutions", items) and once != items
    assert shuffle("1" * 64, "institutions", items) != once


def test_compute_known_vector__SUP_01():
    """A fixed vector so other implementations (draw-verify.js) can be checked against this one."""
    seed = "00" * 32
    selected = draw_compute(seed, ["A1", "A2", "A3", "A4"], ["I1", "I2", "I3"], {"A2": ["I1"]}, 2, 2)
    order = shuffle(seed, "institutions", ["A1", "A2", "A3", "A4"])
    assert [s["filing_number"] for s in selected] == order[:2]
    for item in selected:
        candidates = [c for c in ["I1", "I2", "I3"] if c not in {"A2": ["I1"]}.get(item["filing_number"], [])]
        assert item["team"] == shuffle(seed, f"team:{item['filing_number']}", candidates)[:2]


def test_compute_never_puts_an_excluded_inspector_on_the_team__SUP_01():
    population = [f"S{i:04d}" for i in range(30)]
    exclusions = {n: ["I1"] for n in population[::2]}
    for s in range(20):
        seed = hashlib.sha256(str(s).encode()).hexdigest()
        for item in draw_compute(seed, population, ["I1", "I2", "I3"], exclusions, 10, 2):
            assert not set(item["team"]) & set(exclusions.get(item["filing_number"], []))
            assert len(set(item["team"])) == 2


def test_commitment_matches_only_its_seed__SUP_01():
    seed = "ab" * 32
    commitment = hashlib.sha256(seed.encode("ascii")).hexdigest()
    assert commitment_matches(commitment, seed)
    assert not commitment_matches(commitment, "ac" + seed[2:])
    assert not commitment_matches(commitment, "")


# -- the services --------------------------------------------------------------------------------------
def test_published_draw_reruns_from_its_seed_and_a_changed_seed_does_not_match__SUP_01(office):
    draw = committed_and_run(office)
    staff = office["staff"]
    for inspection in draw.inspections.all():
        with on("2026-03-20"):
            inspection_record(inspection=inspection, acting_user=staff, inspected_on=on_day("2026-03-18"),
                              findings=ALL_PASS, outcome="pass")
    with on("2026-03-25"):
        draw = draw_publish_results(draw=draw, acting_user=staff)
    assert draw.state == Draw.State.RESULTS_PUBLISHED
    # anyone with the published data re-runs it and gets the same institutions and the same teams
    rerun = draw_compute(draw.seed, draw.population, draw.pool, draw.exclusions, draw.sample_size,
                         draw.team_size)
    assert rerun == draw.selection and len(rerun) == 3
    inspected = [i.filing.number for i in draw.inspections.order_by("reference")]
    assert inspected == [s["filing_number"] for s in rerun]
    assert all(len(s["team"]) == 2 for s in rerun)
    verdict = draw_verify(draw, draw.seed)
    assert verdict == {"commitment_matches": True, "selection_matches": True, "selected": draw.selection}
    changed = ("0" if draw.seed[0] != "0" else "1") + draw.seed[1:]
    other = draw_verify(draw, changed)
    assert other["commitment_matches"] is False


def on_day(day):
    import datetime as dt

    return dt.date.fromisoformat(day)


def test_commit_freezes_population_pool_and_commitment_not_the_seed_in_the_audit__SUP_01(office):
    draw = new_draw(office)
    with on("2026-03-02"):
        draw = draw_commit(draw=draw, acting_user=office["staff"])
    active = sorted(f.number for f in office["filings"][:5])  # the suspended one and Wuhu's are not drawn
    assert draw.state == Draw.State.COMMITTED and draw.population == active
    assert draw.pool == ["HF01", "HF02", "HF03", "HF04", "HF05"]
    assert len(draw.seed) == 64 and draw.commitment == hashlib.sha256(draw.seed.encode()).hexdigest()
    assert not AuditEvent.objects.filter(data__icontains=draw.seed).exists()
    assert not any(draw.seed in str(e.data) + e.comment for e in AuditEvent.objects.all())


def test_filters_restrict_the_population__SUP_01(office, occupations_small):
    filings = office["filings"]
    with on("2026-01-05"):
        scoped = make_filing(office["institutions"][1], office["hefei"], occupation=occupations_small)
    draw = new_draw(office, sample_size=1, filter_occupation=occupations_small)
    with on("2026-03-02"):
        assert draw_commit(draw=draw, acting_user=office["staff"]).population == [scoped.number]
    kind = new_draw(office, sample_size=1, filter_kind="Y")
    with on("2026-03-02"):
        population = draw_commit(draw=kind, acting_user=office["staff"]).population
    assert population == sorted(f.number for f in filings[:5] if f.institution.kind == "Y")
    mode = new_draw(office, sample_size=1, filter_supervision_mode="random")
    with on("2026-03-02"):
        assert draw_commit(draw=mode, acting_user=office["staff"]).population == [filings[2].number]


@pytest.fixture
def occupations_small(db):
    from institutions.occupations import Occupation

    return Occupation.objects.create(code="4-12-01-01", name="汽车维修工", major_group=4,
                                     has_national_standard=True)


def test_province_office_draws_from_its_cities_and_filters_by_region__SUP_01(office):
    province = office["users"]["province_ah"]
    draw = new_draw(office, acting_user=province, sample_size=1, inspectors=office["inspectors"],
                    filter_region=office["wuhu"])
    with on("2026-03-02"):
        draw = draw_commit(draw=draw, acting_user=province)
    assert draw.population == [office["wuhu_filing"].number]


def test_conflicts_excluded_employer_and_previous_inspection__SUP_01(office):
    filings, hefei = office["filings"], office["hefei"]
    employee = make_inspector("HF06", hefei, employer=filings[0].institution)
    earlier = Inspection.objects.create(reference="JC-2025-000001", kind="special", filing=filings[1],
                                        institution=filings[1].institution, region=hefei)
    earlier.team.set([office["inspectors"][0]])
    draw = new_draw(office, sample_size=5, inspectors=[*office["inspectors"], employee])
    with on("2026-03-02"):
        draw = draw_commit(draw=draw, acting_user=office["staff"])
    assert draw.exclusions == {filings[0].number: ["HF06"], filings[1].number: ["HF01"]}
    with on("2026-03-09"):
        draw = draw_run(draw=draw, acting_user=office["staff"])
    teams = {s["filing_number"]: s["team"] for s in draw.selection}
    assert "HF06" not in teams[filings[0].number] and "HF01" not in teams[filings[1].number]
    inspection = draw.inspections.get(filing=filings[0])
    assert sorted(inspection.team.values_list("code", flat=True)) == sorted(teams[filings[0].number])
    assert inspection.kind == "random" and inspection.reference.startswith("JC-2026-")


def test_run_creates_one_inspection_per_selected_filing__SUP_01(office):
    draw = committed_and_run(office, inspect_from=on_day("2026-04-01"))
    assert draw.state == Draw.State.DRAWN and draw.drawn_at is not None
    assert draw.inspections.count() == 3
    assert set(draw.inspections.values_list("planned_on", flat=True)) == {on_day("2026-04-01")}


def test_refusals_name_SUP_01(office):
    staff = office["staff"]
    with pytest.raises(DomainError) as exc:
        new_draw(office, sample_size=0)
    assert exc.value.rule == "SUP-01"
    with pytest.raises(DomainError) as exc:
        new_draw(office, team_size=0)
    assert exc.value.rule == "SUP-01"
    too_many = new_draw(office, sample_size=6)
    with on("2026-03-02"), pytest.raises(DomainError) as exc:
        draw_commit(draw=too_many, acting_user=staff)
    assert exc.value.rule == "SUP-01" and exc.value.code == "sample_too_large"
    assert Draw.objects.get(pk=too_many.pk).state == "draft" and not Draw.objects.get(pk=too_many.pk).seed
    empty = new_draw(office, filter_kind="S", filter_supervision_mode="random")
    with on("2026-03-02"), pytest.raises(DomainError) as exc:
        draw_commit(draw=empty, acting_user=staff)
    assert exc.value.rule == "SUP-01" and exc.value.code == "empty_population"
    small_pool = new_draw(office, inspectors=office["inspectors"][:1])
    with on("2026-03-02"), pytest.raises(DomainError) as exc:
        draw_commit(draw=small_pool, acting_user=staff)
    assert exc.value.rule == "SUP-01" and exc.value.code == "pool_too_small"
    draw = committed_and_run(office)
    with on("2026-03-20"), pytest.raises(DomainError) as exc:
        draw_publish_results(draw=draw, acting_user=staff)
    assert exc.value.rule == "SUP-01" and exc.value.code == "results_pending"
    with on("2026-03-20"), pytest.raises(DomainError) as exc:
        draw_run(draw=draw, acting_user=staff)
    assert exc.value.rule == "SUP-01" and exc.value.code == "invalid_state"


def test_compute_refuses_a_team_it_cannot_fill__SUP_01():
    with pytest.raises(DomainError) as exc:
        draw_compute("0" * 64, ["A"], ["I1", "I2"], {"A": ["I1"]}, 1, 2)
    assert exc.value.rule == "SUP-01"


def test_other_office_and_non_staff_cannot_define_or_commit__SUP_01(office):
    users = office["users"]
    with pytest.raises(PermissionDeniedError):
        new_draw(office, acting_user=users["inspector1"])
    with pytest.raises(PermissionDeniedError):
        new_draw(office, acting_user=users["city_wuhu"], region=office["hefei"])
    draw = new_draw(office)
    with on("2026-03-02"), pytest.raises(PermissionDeniedError):
        draw_commit(draw=draw, acting_user=users["city_wuhu"])
    assert Draw.objects.get(pk=draw.pk).state == "draft"
