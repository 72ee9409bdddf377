"""The filing record's lifecycle (DESIGN.md "Filing record") and the services other apps call.

Revocation and termination retire the filing number through the certificates app
(NUM-03); every change the public must know is published as an Announcement (PUB-02).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.services import filing_number_allocate, filing_number_retire
from filing_portal.audit.services import audit_record, audit_record_many, rows_insert
from filing_portal.core import clock
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.core.workflow import transition_run
from filing_portal.regions.jurisdiction import profile_for
from filing_portal.workdays.calendar import due_date

from ..filing_models import filing_in_jurisdiction
from ..models import (
    Announcement,
    Filing,
    FilingApplication,
    FilingScope,
    Institution,
    StopOrder,
    TerminationNotice,
)

INFO_FIELDS = ("name", "legal_representative", "head", "contact_name", "contact_phone", "contact_email", "address")


def _announce(*, kind: str, institution: Institution | None, filing: Filing | None, title: str, body: str,
              published_until: dt.date | None = None) -> Announcement:
    return Announcement.objects.create(kind=kind, institution=institution, filing=filing, title=title, body=body,
                                       published_on=clock.today(), published_until=published_until)


def filing_validity_end(valid_from: dt.date, years: int) -> dt.date:
    """FIL-09: valid for `years` years from issue (the day before the anniversary)."""
    return valid_from + relativedelta(years=years) - dt.timedelta(days=1)


def _scope_rows(application: FilingApplication, filing: Filing) -> list[FilingScope]:
    today = clock.today()
    existing = set(filing.scope.filter(active=True).values_list("occupation_id", "work_type", "level")) \
        if filing.pk else set()
    rows = []
    for row in application.occupations.all():
        for level in sorted({int(x) for x in row.levels}):
            key = (row.occupation_id, row.work_type, level)
            if key not in existing:
                rows.append(FilingScope(filing=filing, occupation_id=row.occupation_id, work_type=row.work_type,
                                        level=level, added_on=today, added_by=application))
    return rows


@transaction.atomic
def filing_issue_from_application(*, application: FilingApplication, acting_user=None) -> Filing:
    """FIL-08/09: an approved initial application becomes a filing record with a new number, valid 3 years;
    an approved scope change adds its occupations to the filing, expiring with it (CHG-06)."""
    institution = application.institution
    today = clock.today()
    if application.kind == FilingApplication.Kind.SCOPE_CHANGE:
        filing = application.filing
        FilingScope.objects.bulk_create(_scope_rows(application, filing))
        audit_record(actor=acting_user, action="filing.scope_change", obj=filing, data={"application": application.pk})
        _announce(kind=Announcement.Kind.SCOPE_CHANGE, institution=institution, filing=filing,
                  title=_("Scope change of %(name)s") % {"name": institution.name},
                  body=_("The filed occupations and levels of %(name)s (filing number %(number)s) were changed; "
                         "they remain valid until %(date)s.") % {"name": institution.name, "number": filing.number,
                                                                 "date": filing.expires_on.isoformat()})
        return filing
    region = application.handling_region
    profile = profile_for(region)
    province_level = institution.affiliation != Institution.Affiliation.LOCAL or region.level == "province" \
        and institution.region.level == "province"
    city_code = "00" if province_level or institution.region.level == "province" else \
        institution.region.filing_city_code
    # NUM-01: a ministry-filed institution's own code, else the profile's ("0000" for province filings).
    institution_code = institution.filing_institution_code or profile.institution_code
    number = filing_number_allocate(
        kind=institution.kind, province_code=institution.region.province_code, city_code=city_code,
        institution_code=institution_code, holder_name=institution.name, institution_id=institution.pk,
        acting_user=acting_user,
    )
    pilot_until = None
    if profile.pilot_months and institution.kind == Institution.Kind.SOCIAL:
        pilot_until = today + relativedelta(months=profile.pilot_months)  # FIL-10
    filing = Filing.objects.create(
        institution=institution, filing_number=number, number=number.number, handling_region=region,
        source_application=application, first_filed_on=today, valid_from=today,
        expires_on=filing_validity_end(today, profile.validity_years), pilot_until=pilot_until,
        province_wide=application.province_wide,
    )
    FilingScope.objects.bulk_create(_scope_rows(application, filing))
    audit_record(actor=acting_user, action="filing.issue", obj=filing, to_state="active",
                 data={"application": application.pk, "expires_on": filing.expires_on})
    _announce(kind=Announcement.Kind.FILED, institution=institution, filing=filing,
              title=_("%(name)s is filed") % {"name": institution.name},
              body=_("Filing number %(number)s, valid %(start)s to %(end)s.") % {
                  "number": filing.number, "start": filing.valid_from.isoformat(),
                  "end": filing.expires_on.isoformat()})
    return filing


@transaction.atomic
def filing_apply_info_change(*, application: FilingApplication, acting_user) -> Institution:
    """CHG-02: apply the approved name/head/contact changes and publish them."""
    institution = Institution.objects.select_for_update().get(pk=application.institution_id)
    before = {f: getattr(institution, f) for f in INFO_FIELDS}
    changes = {k: v for k, v in (application.proposed_changes or {}).items() if k in INFO_FIELDS and v}
    for field, value in changes.items():
        setattr(institution, field, value)
    institution.full_clean()
    institution.save()
    audit_record(actor=acting_user, action="institution.info_change", obj=institution,
                 data={"before": {k: before[k] for k in changes}, "after": changes})
    _announce(kind=Announcement.Kind.INFO_CHANGE, institution=institution, filing=application.filing,
              title=_("Information change of %(name)s") % {"name": institution.name},
              body="；".join(f"{Institution._meta.get_field(k).verbose_name}: {before[k]} → {v}"
                            for k, v in changes.items()))
    return institution


@transaction.atomic
def filing_suspend(*, filing: Filing, reason: str, acting_user, ip: str | None = None) -> Filing:
    """SUP-04: rectification; activities suspended and published."""
    if not reason.strip():
        raise DomainError(_("Give the reason for the suspension."), rule="SUP-04", code="reason_required")
    filing = transition_run(instance=filing, name="suspend", acting_user=acting_user, ip=ip,
                            params={"reason": reason.strip()})
    _announce(kind=Announcement.Kind.SUSPENSION, institution=filing.institution, filing=filing,
              title=_("Rectification order: %(name)s") % {"name": filing.institution.name}, body=reason.strip())
    return filing


@transaction.atomic
def filing_reinstate(*, filing: Filing, acting_user, reason: str = "", ip: str | None = None) -> Filing:
    return transition_run(instance=filing, name="reinstate", acting_user=acting_user, ip=ip,
                          params={"reason": reason})


def _cancellation_ground(ground: str) -> str:
    """TERM-04: a cancellation names one of the listed grounds (or none, for the other revocation cases)."""
    if ground and ground not in Filing.CancellationGround.values:
        raise DomainError(_("“%(ground)s” is not a ground of cancellation; choose one of: %(grounds)s.")
                          % {"ground": ground, "grounds": "、".join(str(label) for label in
                                                                  Filing.CancellationGround.labels)},
                          rule="TERM-04", code="unknown_ground")
    return ground


def _ground_sentence(ground: str) -> str:
    if not ground:
        return ""
    return _(" Ground (TERM-04): %(ground)s.") % {"ground": Filing.CancellationGround(ground).label}


@transaction.atomic
def filing_revoke(*, filing: Filing, reason: str, acting_user, ground: str = "", ip: str | None = None) -> Filing:
    """SUP-05/TERM-04: revoked, number retired (NUM-03), published with its ground; 3-year ban follows (ELIG-11)."""
    if not reason.strip():
        raise DomainError(_("Give the reason for the revocation."), rule="SUP-05", code="reason_required")
    ground = _cancellation_ground(ground)
    filing = transition_run(instance=filing, name="revoke", acting_user=acting_user, ip=ip,
                            params={"reason": reason.strip(), "ground": ground})
    if ground:
        Filing.objects.filter(pk=filing.pk).update(cancellation_ground=ground)
        filing.cancellation_ground = ground
    filing_number_retire(number=filing.number, reason="revoked", acting_user=acting_user, on=clock.today())
    _announce(kind=Announcement.Kind.REVOCATION, institution=filing.institution, filing=filing,
              title=_("Filing revoked: %(name)s") % {"name": filing.institution.name},
              body=_("Filing number %(number)s is revoked: %(reason)s") % {"number": filing.number,
                                                                         "reason": reason.strip()}
              + _ground_sentence(ground))
    return filing


# TERM-03: what a terminated institution still answers for (lazy: translated when shown, not at import).
TERMINATION_DUTIES = [
    gettext_lazy("keep the archives of every assessment for the retention period (REC-02)"),
    gettext_lazy("answer for certificate data review, correction and revocation of what it issued (TERM-03)"),
    gettext_lazy("issued valid certificates stay valid"),
    gettext_lazy("refund fees for services not delivered"),
]


@transaction.atomic
def filing_terminate(*, filing: Filing, reason: str, acting_user, kind: str = "voluntary", ground: str = "",
                     published_until: dt.date | None = None, ip: str | None = None) -> Filing:
    """TERM-01/02, CHG-07: terminated, number retired (NUM-03), published with the follow-up duties (TERM-03);
    a forced termination may name its TERM-04 ground."""
    if not reason.strip():
        raise DomainError(_("Give the reason for the termination."), rule="TERM-01", code="reason_required")
    if kind not in Filing.TerminationKind.values:
        raise DomainError(_("Unknown termination kind."), rule="TERM-01")
    ground = _cancellation_ground(ground)
    if kind == Filing.TerminationKind.VENUE_CHANGE and published_until is None:
        published_until = _venue_change_publication_end(filing)  # CHG-07: published for 5 WD
    filing = transition_run(instance=filing, name="terminate", acting_user=acting_user, ip=ip,
                            params={"reason": reason.strip(), "kind": kind, "ground": ground})
    if ground:
        Filing.objects.filter(pk=filing.pk).update(cancellation_ground=ground)
        filing.cancellation_ground = ground
    filing_number_retire(number=filing.number, reason="terminated", acting_user=acting_user, on=clock.today())
    _announce(kind=Announcement.Kind.TERMINATION, institution=filing.institution, filing=filing,
              title=_("Filing terminated: %(name)s") % {"name": filing.institution.name},
              body=_("Filing number %(number)s is terminated (%(kind)s): %(reason)s. The institution still must: "
                     "%(duties)s.") % {"number": filing.number, "kind": filing.get_termination_kind_display(),
                                       "reason": reason.strip(),
                                       "duties": "；".join(str(d) for d in TERMINATION_DUTIES)}
              + _ground_sentence(ground),
              published_until=published_until)
    return filing


@transaction.atomic
def filing_terminate_for_venue_change(*, filing: Filing, facts: str, acting_user, ip: str | None = None) -> Filing:
    """CHG-07: a venue changed without approval ends the filing; published for 5 WD and reported to the ministry."""
    if not facts.strip():
        raise DomainError(_("Describe the unapproved venue change."), rule="CHG-07", code="reason_required")
    return filing_terminate(
        filing=filing, kind=Filing.TerminationKind.VENUE_CHANGE, acting_user=acting_user, ip=ip,
        reason=_("CHG-07: the venue was changed without approval (%(facts)s); reported to the Ministry of "
                 "Human Resources and Social Security") % {"facts": facts.strip()})


def _venue_change_publication_end(filing: Filing) -> dt.date:
    """CHG-07: the termination for an unapproved venue change is published for 5 WD (the notice length, ≥ 5)."""
    return due_date(clock.today(), max(profile_for(filing.handling_region).public_notice_wd, 5)).date


@transaction.atomic(durable=True)
def stop_order_record(*, name: str, region, facts: str, acting_user, uscc: str = "") -> StopOrder:
    """TERM-05: an unfiled body found conducting assessments is ordered to stop; the order is published."""
    from ..models import uscc_problem

    if acting_user is None or acting_user.role not in ("city_staff", "province_staff", "admin"):
        raise PermissionDeniedError(_("Only staff of an appraisal centre order a stop."), rule="TERM-05")
    if not filing_in_jurisdiction(type("Scope", (), {"handling_region": region})(), acting_user):
        raise PermissionDeniedError(_("The region is outside your jurisdiction."), rule="JUR-03")
    if not name.strip() or not facts.strip():
        raise DomainError(_("Name the body and state the facts found."), rule="TERM-05", code="incomplete")
    uscc = (uscc or "").strip().upper()
    if uscc and uscc_problem(uscc):
        raise DomainError(_("The unified social credit code %(code)s is not valid.") % {"code": uscc},
                          rule="ELIG-01", code="invalid_uscc")
    if Filing.objects.filter(institution__uscc=uscc, state__in=["active", "suspended"]).exists() if uscc else False:
        raise DomainError(_("%(code)s holds a filing: use supervision of filed institutions instead.")
                          % {"code": uscc}, rule="TERM-05", code="filed")
    today = clock.today()
    announcement = _announce(
        kind=Announcement.Kind.STOP_ORDER, institution=None, filing=None,
        title=_("Order to stop assessing: %(name)s") % {"name": name.strip()},
        body=_("%(name)s%(code)s (%(region)s) is not filed and was found conducting skill assessments: %(facts)s. "
               "It is ordered to stop (TERM-05); certificates it issued are not filed certificates.")
        % {"name": name.strip(), "code": f"（{uscc}）" if uscc else "", "region": region.name,
           "facts": facts.strip()})
    order = StopOrder.objects.create(name=name.strip(), uscc=uscc, region=region, facts=facts.strip(),
                                     ordered_on=today, ordered_by=acting_user, announcement=announcement)
    audit_record(actor=acting_user, action="stoporder.record", obj=order,
                 data={"name": order.name, "uscc": uscc, "region": region.code})
    return order


@transaction.atomic(durable=True)
def filing_termination_notify(*, filing: Filing, reason: str, terminate_on: dt.date, acting_user) -> TerminationNotice:
    """TERM-01: the institution notifies its office that it ends its filing (the office then confirms it)."""
    if acting_user.role != "institution" or acting_user.institution_id != filing.institution_id:
        raise PermissionDeniedError(_("Only the filed institution notifies its own termination."), rule="TERM-01")
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if filing.state not in (Filing.State.ACTIVE, Filing.State.SUSPENDED, Filing.State.EXPIRED):
        raise DomainError(_("The filing is %(state)s already.") % {"state": filing.get_state_display()},
                          rule="TERM-01", code="invalid_state")
    if not reason.strip() or terminate_on is None:
        raise DomainError(_("Give the reason and the date the institution ends its assessments."), rule="TERM-01",
                          code="reason_required")
    if filing.termination_notices.filter(status=TerminationNotice.Status.NOTIFIED).exists():
        raise DomainError(_("A termination notice is already waiting for the office's confirmation."),
                          rule="TERM-01", code="pending")
    notice = TerminationNotice.objects.create(filing=filing, reason=reason.strip(), terminate_on=terminate_on,
                                              notified_by=acting_user)
    audit_record(actor=acting_user, action="filing.termination_notify", obj=filing, comment=reason.strip(),
                 data={"notice": notice.pk, "terminate_on": terminate_on})
    return notice


@transaction.atomic(durable=True)
def filing_termination_confirm(*, notice: TerminationNotice, acting_user, ip: str | None = None) -> Filing:
    """TERM-01/03: the office confirms the notified termination: the filing ends and it is published."""
    notice = TerminationNotice.objects.select_for_update().select_related("filing").get(pk=notice.pk)
    if notice.status != TerminationNotice.Status.NOTIFIED:
        raise DomainError(_("This termination notice is confirmed already."), rule="TERM-01", code="confirmed")
    filing = filing_terminate(
        filing=notice.filing, kind=Filing.TerminationKind.VOLUNTARY, acting_user=acting_user, ip=ip,
        reason=_("notified by the institution on %(day)s, ending its assessments on %(end)s: %(reason)s")
        % {"day": timezone.localtime(notice.notified_at).date().isoformat(),
           "end": notice.terminate_on.isoformat(), "reason": notice.reason})
    TerminationNotice.objects.filter(pk=notice.pk).update(status=TerminationNotice.Status.CONFIRMED,
                                                          confirmed_by=acting_user, confirmed_at=timezone.now())
    return filing


@transaction.atomic
def filing_renew(*, filing: Filing, acting_user, ip: str | None = None) -> Filing:
    """REN-08/09: a pass extends validity by 3 years; the number is kept."""
    profile = profile_for(filing.handling_region)
    base = filing.expires_on
    new_end = base + relativedelta(years=profile.validity_years)
    return transition_run(instance=filing, name="renew", acting_user=acting_user, ip=ip,
                          params={"new_expires_on": new_end})


def sweep_chunk_size() -> int:
    """Rows per transaction in the batched sweeps (setting DEADLINE_SWEEP_CHUNK_SIZE, default 2,000)."""
    return max(1, int(getattr(settings, "DEADLINE_SWEEP_CHUNK_SIZE", 2000)))


def ids_in(ids) -> object:
    """The right-hand side of `pk__in` for a chunk of ids: one array parameter on PostgreSQL (2,000 separate
    parameters cost more to bind than the statement to run), the plain list elsewhere."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return ids


def _lock_chunk(queryset, size: int, *fields: str, after: int = 0) -> list[tuple]:
    """The next `size` due rows with a pk above `after` (a cursor: a chunk never rescans what the sweep saw),
    locked; rows another sweep holds are skipped (PostgreSQL; SQLite has one writer)."""
    queryset = queryset.filter(pk__gt=after).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset.values_list("pk", *fields)[:size])


def filings_expire_due(as_of: dt.date, *, chunk_size: int | None = None) -> int:
    """REN-02 sweep: an active filing past its last valid day is expired; reporting stops.

    Batched: each chunk is one transaction (lock, one UPDATE, one bulk insert of its audit events), so a
    sweep killed halfway leaves every chunk done or not done and the next run finishes the rest.
    """
    size = chunk_size or sweep_chunk_size()
    changed, after = 0, 0
    while True:
        with transaction.atomic():
            rows = _lock_chunk(Filing.objects.filter(state=Filing.State.ACTIVE, expires_on__lt=as_of), size,
                               "number", "expires_on", after=after)
            if not rows:
                return changed
            after = rows[-1][0]
            Filing.objects.filter(pk__in=ids_in(pk for pk, *_rest in rows)).update(
                state=Filing.State.EXPIRED, updated_at=timezone.now())
            comment = _("valid until %(date)s")  # translated once a chunk, not once a row
            audit_record_many(entries=[
                {"action": "filing.expire", "object_type": "institutions.filing", "object_id": pk,
                 "object_repr": number, "from_state": Filing.State.ACTIVE, "to_state": Filing.State.EXPIRED,
                 "comment": comment % {"date": expires_on.isoformat()}}
                for pk, number, expires_on in rows])
        changed += len(rows)


def filings_lapse_due(as_of: dt.date, *, held=None, chunk_size: int | None = None) -> int:
    """REN-03 sweep: an expired filing whose grace period ended before `as_of` lapses (renewal given up).

    `held` is a subquery of filing ids that must not lapse — renewals passes those with a renewal application
    pending (this layer does not know renewals). Each lapse is published (PUB-02) and the number goes to the
    retired pool (NUM-03: the institution is no longer filed; the number stays for lookup and is never
    given again; filing anew gives a new number). Batched and chunked like the expiry.
    """
    from filing_portal.regions.models import PolicyProfile

    from ..filing_dates import grace_ends

    profiles = {p.province_id: p for p in PolicyProfile.objects.all()}
    if not profiles:
        return 0
    shortest = min(p.grace_period_days for p in profiles.values())
    due = Filing.objects.filter(state=Filing.State.EXPIRED, expires_on__lt=as_of - dt.timedelta(days=shortest))
    if held is not None:
        due = due.exclude(pk__in=held)
    size = chunk_size or sweep_chunk_size()
    changed, after = 0, 0
    while True:
        with transaction.atomic():
            rows = _lock_chunk(due, size, "number", "expires_on", "filing_number_id", "institution_id",
                               "institution__name", "handling_region_id", "handling_region__level",
                               "handling_region__province_id", after=after)
            if not rows:
                return changed
            after = rows[-1][0]
            lapsing = []
            for row in rows:
                pk, number, expires_on, _number_id, _inst, _name, region_id, level, province_id = row
                profile = profiles.get(region_id if level == "province" else province_id)
                end = grace_ends(SimpleNamespace(expires_on=expires_on), profile) if profile else None
                if end is not None and as_of > end:  # else in a longer grace period than the shortest
                    lapsing.append((row, end))
            if lapsing:
                _filings_lapse(lapsing, as_of)
        changed += len(lapsing)


def _filings_lapse(lapsing: list, as_of: dt.date) -> None:
    """One chunk of REN-03 lapses: the state, the retired numbers, their audit events and announcements."""
    from certificates.models import FilingNumber

    now = timezone.now()
    Filing.objects.filter(pk__in=ids_in(row[0] for row, _end in lapsing)).update(state=Filing.State.LAPSED,
                                                                               updated_at=now)
    FilingNumber.objects.filter(pk__in=ids_in(row[3] for row, _end in lapsing), status="active").update(
        status="retired", retired_reason=FilingNumber.RetiredReason.LAPSED, retired_on=as_of)
    entries, announcements = [], []
    title = _("Renewal given up: %(name)s")
    grace_comment = _("grace period ended %(date)s")
    body = _("The filing of %(name)s (filing number %(number)s) expired after %(expires)s and no renewal was "
             "applied for in the grace period, which ended on %(end)s (REN-03). The filing has lapsed and its "
             "number is retired (NUM-03).")
    for (pk, number, expires_on, number_id, institution_id, name, *_region), end in lapsing:
        entries.append({"action": "filing.lapse", "object_type": "institutions.filing", "object_id": pk,
                        "object_repr": number, "from_state": Filing.State.EXPIRED, "to_state": Filing.State.LAPSED,
                        "comment": grace_comment % {"date": end.isoformat()},
                        "data": {"expires_on": expires_on, "grace_ends": end}})
        entries.append({"action": "filingnumber.retire", "object_type": "certificates.filingnumber",
                        "object_id": number_id, "object_repr": number, "from_state": "active",
                        "to_state": "retired", "comment": FilingNumber.RetiredReason.LAPSED.value,
                        "data": {"on": as_of, "successor": None}})
        announcements.append({
            "kind": Announcement.Kind.LAPSED, "institution_id": institution_id, "filing_id": pk,
            "published_on": as_of, "published_until": None, "title": title % {"name": name},
            "body": body % {"name": name, "number": number, "expires": expires_on.isoformat(),
                            "end": end.isoformat()}})
    audit_record_many(entries=entries)
    rows_insert(Announcement, announcements)


def filing_may_report(filing: Filing) -> bool:
    """REN-02, SUP-07: only an active filing plans batches and reports results."""
    return filing.state == Filing.State.ACTIVE and filing.expires_on >= clock.today()
