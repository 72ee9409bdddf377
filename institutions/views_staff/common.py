"""Shared helpers of the staff workbench: access, due-date marks, the history timeline, error text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from filing_portal.accounts.models import Role
from filing_portal.audit.services import audit_events_for
from filing_portal.core.errors import DomainError
from filing_portal.workdays.calendar import days_between

ROLE_LABELS = {**dict(Role.choices), "system": gettext_lazy("System"), "public": gettext_lazy("Public")}
REVIEW_ROLES = ("city_staff", "province_staff", "expert", "admin")
FILING_ROLES = ("city_staff", "province_staff", "admin")
OFFICE_ROLES = ("city_staff", "province_staff")

# 1 = 一级/高级技师 … 5 = 五级/初级工 (NUM-06 level codes).
LEVEL_NAMES = {1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工"}
LEVEL_SHORT = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}

# What the current due date of each state stands for (the `due` annotation of `staff_queue`).
DUE_LABELS = {
    "submitted": gettext_lazy("Acceptance check (FIL-02)"),
    "supplement_requested": gettext_lazy("Supplement from the institution (FIL-04)"),
    "technical_evaluation": gettext_lazy("Completion (FIL-05)"),
    "comprehensive_review": gettext_lazy("Completion (FIL-05)"),
    "public_notice": gettext_lazy("Public notice ends (FIL-07)"),
}

ACTION_LABELS = {
    "create": gettext_lazy("Application created"),
    "sign_pledges": gettext_lazy("Pledges signed"),
    "attach": gettext_lazy("Attachment uploaded"),
    "submit": gettext_lazy("Submitted"),
    "request_supplement": gettext_lazy("Supplement requested"),
    "resubmit": gettext_lazy("Submitted again with the supplement"),
    "expire": gettext_lazy("Expired or terminated by the deadline"),
    "accept": gettext_lazy("Accepted for review"),
    "record_opinion": gettext_lazy("Expert opinion recorded"),
    "pass_initial_review": gettext_lazy("Initial review passed"),
    "record_evaluation": gettext_lazy("On-site technical evaluation passed"),
    "start_public_notice": gettext_lazy("Public notice started"),
    "raise_objection": gettext_lazy("Objection raised"),
    "dismiss_objection": gettext_lazy("Objection dismissed"),
    "complete_notice": gettext_lazy("Filed"),
    "approve_change": gettext_lazy("Change approved"),
    "reject": gettext_lazy("Not filed"),
    "withdraw": gettext_lazy("Withdrawn"),
    "override_change_rules": gettext_lazy("Change rules overridden by staff"),
    "issue": gettext_lazy("Filing record issued"),
    "scope_change": gettext_lazy("Scope changed"),
    "suspend": gettext_lazy("Suspended for rectification"),
    "reinstate": gettext_lazy("Reinstated"),
    "revoke": gettext_lazy("Revoked"),
    "terminate": gettext_lazy("Terminated"),
    "renew": gettext_lazy("Renewed"),
    "lapse": gettext_lazy("Lapsed"),
}


def roles_required(*roles: str):
    """Logged in with one of `roles`; any other role gets the 403 page."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if getattr(request.user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def client_ip(request) -> str | None:
    return getattr(request, "client_ip", None)


def error_text(exc: DomainError) -> str:
    """The message of a refusal, led by the rule it enforces (as the API's `rule` field)."""
    return f"{exc.rule}: {exc.message}" if exc.rule else str(exc.message)


def levels_text(levels, names: dict[int, str] = LEVEL_SHORT) -> str:
    return "、".join(names.get(int(level), str(level)) for level in sorted({int(x) for x in levels}))


@dataclass
class ActionBlock:
    """One action form of a page: its button, its input, where it posts; disabled with a hint when waiting."""

    name: str
    label: str
    form: forms.Form
    url: str
    enabled: bool = True
    hint: str = ""
    danger: bool = False


def error_summary(bound: dict) -> list[tuple[str, str]]:
    """(anchor, text) of every error of the submitted form, for the summary at the top."""
    out = []
    for form in bound.values():
        for name, errors in form.errors.items():
            if name in form.fields:
                anchor = form[name].auto_id
                out += [(anchor, f"{form.fields[name].label}: {e}") for e in errors]
            else:
                out += [(f"action-{form.prefix}", e) for e in errors]
    return out


# -- due dates ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueMark:
    """A due date as staff read it: overdue, due today, or due in N working days."""

    date: dt.date
    status: str  # "overdue" | "today" | "soon" | "later"
    text: str


class WorkingDayCounter:
    """Working days between today and a set of due dates, from one load of the calendar.

    The queue shows "due in N working days" on up to 50 rows; counting each row with the
    calendar would cost a query per row, so the window covering all of them is read once.
    """

    HORIZON = dt.timedelta(days=400)

    def __init__(self, today: dt.date, dates):
        self.today = today
        dates = [d for d in dates if d is not None]
        lo = max(min([today, *dates]), today - self.HORIZON)
        hi = min(max([today, *dates]), today + self.HORIZON)
        self.lo, self.hi = lo, hi
        self.cumulative: dict[dt.date, int] = {}
        count = 0
        for info in days_between(lo, hi, constant_queries=True):
            count += int(info.is_working)
            self.cumulative[info.date] = count

    def between(self, a: dt.date, b: dt.date) -> int | None:
        """Working days d with a < d <= b, or None when outside the loaded window."""
        if a not in self.cumulative or b not in self.cumulative:
            return None
        return self.cumulative[b] - self.cumulative[a]

    def mark(self, due: dt.date | None) -> DueMark | None:
        if due is None:
            return None
        today = self.today
        if due < today:
            n = self.between(due, today)
            text = (ngettext("Overdue by %(n)d working day", "Overdue by %(n)d working days", n) % {"n": n}
                    if n else _("Overdue"))
            return DueMark(due, "overdue", text)
        if due == today:
            return DueMark(due, "today", _("Due today"))
        n = self.between(today, due)
        if n is None:
            days = (due - today).days
            return DueMark(due, "later", ngettext("Due in %(n)d day", "Due in %(n)d days", days) % {"n": days})
        text = ngettext("Due in %(n)d working day", "Due in %(n)d working days", n) % {"n": n}
        return DueMark(due, "soon" if n <= 2 else "later", text)


# -- history -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineRow:
    when: dt.datetime
    label: str
    who: str
    role: str
    from_state: str
    to_state: str
    comment: str


def timeline(obj, state_labels: dict[str, str]) -> list[TimelineRow]:
    """The object's audit events (REC-01), oldest first, with readable labels."""
    rows = []
    for event in audit_events_for(obj).order_by("occurred_at", "id"):
        step = event.action.rsplit(".", 1)[-1]
        rows.append(TimelineRow(
            when=event.occurred_at, label=str(ACTION_LABELS.get(step, step)),
            who=event.actor_name or (_("System") if event.actor_role == "system" else _("Public")),
            role=str(ROLE_LABELS.get(event.actor_role, event.actor_role)),
            from_state=str(state_labels.get(event.from_state, event.from_state)),
            to_state=str(state_labels.get(event.to_state, event.to_state)),
            comment=event.comment,
        ))
    return rows


@dataclass(frozen=True)
class ActionSpec:
    """One staff action on a page (an application's review, a filing's record): its input form, its button,
    what it calls with (object, acting user, request IP, cleaned data), what it says after."""

    form: type[forms.Form]
    label: str
    run: Callable[[object, object, str | None, dict], object]
    done: str
    danger: bool = False
