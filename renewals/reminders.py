"""The expiry reminders (REN-01, REN-02, REN-03): at 90, 30 and 7 days before expiry, on expiry and 7 days
before the grace period ends, to every active user of the institution — in-app and by e-mail.

Each reminder is sent once per (filing, expiry, kind) whatever the number of sweeps: its FilingReminder row
(unique) is inserted in the same transaction as the notifications. A late sweep sends only the most recent
kind that is due (on day −29 the 30-day reminder, never the 90-day one). A renewed filing has a new expiry,
so its next period gets a new series. Batched: one locked query per kind and chunk, bulk inserts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from filing_portal.accounts.models import User
from filing_portal.audit.services import rows_insert
from filing_portal.notifications.services import Message, notifications_send
from filing_portal.regions.models import PolicyProfile
from institutions.filing_dates import grace_ends, renewal_window_opens, scope_freeze_starts
from institutions.models import Filing
from institutions.services.filings import ids_in, sweep_chunk_size

from .models import FilingReminder, RenewalApplication

Kind = FilingReminder.Kind
# Before expiry: a kind is due while `expires_on` is in (as_of + after, as_of + days] — from its day until
# the next kind's day, so a late sweep sends the most recent one only.
BEFORE_EXPIRY = [(Kind.DAYS_90, 90, 30), (Kind.DAYS_30, 30, 7), (Kind.DAYS_7, 7, -1)]
GRACE_WARNING_DAYS = 7
SERIES = [Kind.DAYS_90, Kind.DAYS_30, Kind.DAYS_7, Kind.EXPIRED, Kind.GRACE_7]
FIELDS = ("number", "expires_on", "institution_id", "institution__name", "handling_region_id",
          "handling_region__level", "handling_region__province_id")


def _pending_renewals():
    return RenewalApplication.objects.filter(state__in=RenewalApplication.PENDING_STATES).values("filing_id")


def _profile_of(profiles: dict, row) -> PolicyProfile | None:
    region_id, level, province_id = row[5:8]
    return profiles.get(region_id if level == "province" else province_id)


def _templates(kind: str) -> tuple[str, str]:
    """The title and text of reminder `kind` (translated once per sweep, filled per filing)."""
    if kind in (Kind.DAYS_90, Kind.DAYS_30, Kind.DAYS_7):
        return (_("Filing %(number)s expires in %(days)d days, on %(date)s"),
                _("The filing of %(name)s (filing number %(number)s) is valid until %(date)s. Apply for its "
                  "renewal to the filing office from %(opens)s (REN-01), at the latest by %(grace)s, the end of "
                  "the grace period (REN-03). From %(freeze)s new or changed occupations are suspended "
                  "(CHG-05)."))
    if kind == Kind.EXPIRED:
        return (_("Filing %(number)s has expired"),
                _("The filing of %(name)s (filing number %(number)s) was valid until %(date)s. Reporting of "
                  "plans, results and certificates has stopped (REN-02). Apply for renewal by %(grace)s, the "
                  "end of the grace period; without an application the filing lapses (REN-03)."))
    return (_("Filing %(number)s lapses after %(grace)s"),
            _("The grace period of the filing of %(name)s (filing number %(number)s) ends on %(grace)s. Without "
              "a renewal application by then the renewal is given up and the filing lapses (REN-03)."))


def _dates(expires_on: dt.date, profile: PolicyProfile, as_of: dt.date) -> dict:
    dates = SimpleNamespace(expires_on=expires_on)  # filing_dates reads only the expiry when given the profile
    return {"date": expires_on.isoformat(), "days": (expires_on - as_of).days,
            "grace": grace_ends(dates, profile).isoformat(),
            "opens": renewal_window_opens(dates, profile).isoformat(),
            "freeze": scope_freeze_starts(dates, profile).isoformat()}


def _values(row, profile: PolicyProfile, as_of: dt.date, known: dict) -> dict:
    """The reminder's placeholders; the dates are worked out once per expiry date and profile (`known`): the
    filings reminded on one day share a handful of expiry dates."""
    _pk, number, expires_on, _inst, name = row[:5]
    key = (expires_on, profile.pk)
    dates = known.get(key)
    if dates is None:
        dates = known[key] = _dates(expires_on, profile, as_of)
    return {"name": name, "number": number, **dates}


def _lock_chunk(queryset, size: int, after: int) -> list[tuple]:
    queryset = queryset.filter(pk__gt=after).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset.values_list("pk", *FIELDS)[:size])


def _send(kind: str, due, as_of: dt.date, profiles: dict, size: int,
          accept: Callable[[dt.date], bool] | None = None) -> int:
    """Send reminder `kind` for the filings of `due` not reminded yet; `accept(grace_end)` filters by profile."""
    # Not sent yet — nor any later kind of the series (a sweep re-run for an earlier date sends nothing older).
    later = SERIES[SERIES.index(kind):]
    due = due.filter(~Exists(FilingReminder.objects.filter(filing=OuterRef("pk"), kind__in=later,
                                                           expires_on=OuterRef("expires_on"))))
    url = reverse("home")
    title_template, body_template = _templates(kind)
    sent, after, known = 0, 0, {}
    while True:
        with transaction.atomic():
            rows = _lock_chunk(due, size, after)
            if not rows:
                return sent
            after = rows[-1][0]
            chosen = []
            for row in rows:
                profile = _profile_of(profiles, row)
                if profile is not None and (not accept or accept(grace_ends(SimpleNamespace(expires_on=row[2]),
                                                                            profile))):
                    chosen.append((row, profile))
            if not chosen:
                continue
            users = defaultdict(list)
            for user_id, institution_id in User.objects.filter(
                    role="institution", is_active=True,
                    institution_id__in=ids_in({row[3] for row, _p in chosen})).values_list("pk", "institution_id"):
                users[institution_id].append(user_id)
            reminders, messages = [], []
            for row, profile in chosen:
                pk, _number, expires_on, institution_id = row[:4]
                values = _values(row, profile, as_of, known)
                title, body = title_template % values, body_template % values
                recipients = users.get(institution_id, [])
                reminders.append({"filing_id": pk, "expires_on": expires_on, "kind": kind, "sent_on": as_of,
                                  "recipients": len(recipients)})
                messages += [Message(user_id=u, key=f"renewals.reminder:{pk}:{expires_on.isoformat()}:{kind}",
                                     title=title, body=body, url=url) for u in recipients]
            rows_insert(FilingReminder, reminders)  # first: the unique row that makes the reminder once-only
            notifications_send(messages=messages, new_keys=True)
        sent += len(chosen)


def reminders_send_due(as_of: dt.date, *, chunk_size: int | None = None) -> int:
    """Send every reminder due on `as_of` (the sweep); returns the number of reminders (filing × kind) sent."""
    profiles = {p.province_id: p for p in PolicyProfile.objects.all()}
    if not profiles:
        return 0
    size = chunk_size or sweep_chunk_size()
    pending = _pending_renewals()
    sent = 0
    active = Filing.objects.filter(state=Filing.State.ACTIVE).exclude(pk__in=pending)
    for kind, days, after in BEFORE_EXPIRY:
        sent += _send(kind, active.filter(expires_on__gt=as_of + dt.timedelta(days=after),
                                          expires_on__lte=as_of + dt.timedelta(days=days)), as_of, profiles, size)
    # After expiry the days depend on the province's grace period: SQL narrows by the shortest and longest
    # grace, `filing_dates.grace_ends` with the filing's own profile decides.
    graces = [dt.timedelta(days=p.grace_period_days) for p in profiles.values()]
    warning = dt.timedelta(days=GRACE_WARNING_DAYS)
    expired = Filing.objects.filter(state=Filing.State.EXPIRED)
    # On expiry (the first day after the last valid day), unless the grace warning is due already.
    sent += _send(Kind.EXPIRED, expired.filter(expires_on__lt=as_of, expires_on__gt=as_of - max(graces) + warning),
                  as_of, profiles, size, accept=lambda end: as_of < end - warning)
    # 7 days before the grace period ends — not when a renewal application is pending (nothing will lapse).
    sent += _send(Kind.GRACE_7, expired.filter(expires_on__gte=as_of - max(graces),
                                               expires_on__lte=as_of - min(graces) + warning).exclude(pk__in=pending),
                  as_of, profiles, size, accept=lambda end: end - warning <= as_of <= end)
    return sent
