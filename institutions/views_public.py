"""Public pages, no login: the directory of filed institutions and its exports (PUB-01, PUB-03), the
public notices with the objection form (FIL-07, PUB-02) and the announcements (PUB-02).

The reads are the public API's (`selectors.public_directory`, `notices_in_progress`, `announcements`);
objections go through `objection_raise` with the API's rate limit, counted in the same scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from certificates.models import LEVEL_LABELS
from certificates.numbers import NumberFormatError
from certificates.selectors import filing_number_lookup
from filing_portal.core import clock
from filing_portal.core.errors import DomainError
from filing_portal.core.pagination import CachedCountPaginator
from filing_portal.core.ratelimit import Limit, rate_limit_hit

from . import directory_html, exports, selectors
from .api import OBJECTION_LIMITS
from .forms_public import AnnouncementFilterForm, DirectorySearchForm, ObjectionForm
from .models import Filing, FilingApplication
from .services.applications import objection_raise

PAGE_SIZE = 50
# A full export reads the whole directory: generous for people, a brake on scripts hammering it.
EXPORT_LIMITS = (Limit(10, 60), Limit(60, 3600))

STATUS_LABELS = {
    "active": gettext_lazy("Active"),
    "suspended": gettext_lazy("Suspended for rectification"),
    "expired": gettext_lazy("Expired"),
    "lapsed": gettext_lazy("Lapsed"),
    "revoked": gettext_lazy("Revoked"),
    "terminated": gettext_lazy("Terminated"),
}
# Short level names for grouped lists (the long ones are LEVEL_LABELS): 三级、四级、五级.
LEVEL_SHORT = {1: gettext_lazy("Level 1"), 2: gettext_lazy("Level 2"), 3: gettext_lazy("Level 3"),
               4: gettext_lazy("Level 4"), 5: gettext_lazy("Level 5")}


def _ip(request) -> str:
    return getattr(request, "client_ip", None) or "unknown"


@dataclass(frozen=True)
class _LevelWords:
    separator: str
    short: dict
    long: dict


_LEVEL_WORDS: dict[str, _LevelWords] = {}


def _level_words() -> _LevelWords:
    """The level names and the list separator in the active language, translated once per language (a
    directory page of 50 rows otherwise translates them hundreds of times)."""
    language = get_language() or ""
    words = _LEVEL_WORDS.get(language)
    if words is None:
        words = _LEVEL_WORDS[language] = _LevelWords(
            pgettext("list separator", ", "), {n: str(label) for n, label in LEVEL_SHORT.items()},
            {n: str(label) for n, label in LEVEL_LABELS.items()})
    return words


def levels_text(levels) -> str:
    """"三级、四级、五级" in Chinese, "Level 3, Level 4, Level 5" in English."""
    words = _level_words()
    return words.separator.join(words.short.get(int(n), str(n)) for n in sorted(levels))


@dataclass
class ScopeLine:
    label: str
    levels: str
    level_titles: str  # the long names (三级/高级工 …), for the title attribute


def scope_lines(groups) -> list[ScopeLine]:
    words = _level_words()
    return [ScopeLine(g.label, levels_text(g.levels), "; ".join(words.long[n] for n in g.levels if n in words.long))
            for g in groups]


@dataclass
class DirectoryRow:
    filing: Filing
    status: str
    status_label: str
    scope: list[ScopeLine]
    fees: list[dict]

    @property
    def html(self):
        """The row's `<tr>` (directory_html: the markup of _directory_row.html, written in Python)."""
        return directory_html.row_html(self)


def directory_row(filing: Filing, today) -> DirectoryRow:
    """What a row shows, from the prefetched scope and fee standards (no query)."""
    status = exports.public_status(filing, today)
    short = _level_words().short
    return DirectoryRow(filing=filing, status=status, status_label=str(STATUS_LABELS.get(status, status)),
                        scope=scope_lines(exports.filing_scope_groups(filing)),
                        fees=[{"item": fee.item, "level_label": short.get(fee.level, ""),
                               "amount_yuan": fee.amount_yuan, "basis": fee.basis}
                              for fee in filing.institution.fee_standards.all()])


def _directory_search(request):
    form = DirectorySearchForm(request.GET)
    if form.is_valid():
        return form, selectors.public_directory(**form.search_kwargs(), listing=True)
    return form, Filing.objects.none()


@require_safe
def directory(request):
    """PUB-01/03: filed institutions, 50 a page, in a constant number of queries (the selector prefetches)."""
    form, qs = _directory_search(request)
    count_key = form.count_key() if form.is_valid() else None  # invalid: an empty list, counted without a query
    page = CachedCountPaginator(qs, PAGE_SIZE, count_key=count_key).get_page(request.GET.get("page"))  # ≤ 60 s old
    today = clock.today()
    rows = [directory_row(f, today) for f in page.object_list]
    retired = None
    if not rows and form.is_valid() and form.cleaned_data.get("number"):
        # NUM-03/04: a retired number is still resolvable; say it is retired and why, not just "no match"
        try:
            found = filing_number_lookup(form.cleaned_data["number"])
        except NumberFormatError:
            found = None
        retired = found if found is not None and found.retired else None
    return render(request, "institutions/public/directory.html", {
        "form": form, "page": page, "rows": rows, "searched": any(v for k, v in request.GET.items() if k != "page"),
        "max_export_rows": exports.MAX_ROWS, "retired_number": retired,
    })


@require_safe
def directory_detail(request, number: str):
    """Everything public about one filing, ended ones included (someone checking a revoked institution)."""
    filing = selectors.public_directory(number=number, include_ended=True).first()
    if filing is None:
        raise Http404
    today = clock.today()
    published = selectors.announcements().filter(
        Q(filing=filing) | Q(institution_id=filing.institution_id, filing__isnull=True))
    return render(request, "institutions/public/directory_detail.html", {
        "row": directory_row(filing, today), "filing": filing, "institution": filing.institution,
        "announcements": published,
    })


@require_safe
def directory_export(request, fmt: str):
    """The current search as .xlsx or .csv (PUB-01), up to 60,000 rows, dated file name."""
    verdict = rate_limit_hit("directory_export", _ip(request), EXPORT_LIMITS)
    if not verdict.allowed:
        response = render(request, "institutions/public/export_limited.html",
                          {"retry_after": verdict.retry_after}, status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    form, qs = _directory_search(request)
    back = reverse("institutions:directory") + ("?" + request.GET.urlencode() if request.GET else "")
    if not form.is_valid():
        messages.error(request, _("Correct the search before exporting it."))
        return redirect(back)
    total = qs.count()
    if total > exports.MAX_ROWS:
        messages.error(request, _("The search finds %(n)s filings; an export holds at most %(max)s. "
                                  "Narrow the search (by region, occupation or level) and export again.")
                       % {"n": total, "max": exports.MAX_ROWS})
        return redirect(back)
    today = clock.today()
    rows = exports.export_rows(qs, today=today)
    filename = exports.export_filename(fmt, today)
    if fmt == "csv":
        response = StreamingHttpResponse(exports.directory_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        response = FileResponse(exports.directory_xlsx(rows), as_attachment=True, filename=filename,
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Cache-Control"] = "no-store"
    return response


@dataclass
class NoticeRow:
    application: FilingApplication
    scope: list[ScopeLine]


def _notice_scope(application: FilingApplication) -> list[ScopeLine]:
    """An application's occupations and levels (prefetched `occupations__occupation`), grouped like the directory."""
    groups = [exports.ScopeGroup(row.occupation.code, row.occupation.name, row.work_type,
                                 sorted({int(n) for n in row.levels}))
              for row in application.occupations.all()]
    return scope_lines(groups)


@require_safe
def notices(request):
    """PUB-02, FIL-07: applications in public notice now; anyone may object until the notice ends."""
    page = Paginator(selectors.notices_in_progress(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [NoticeRow(a, _notice_scope(a)) for a in page.object_list]
    return render(request, "institutions/public/notices.html", {"page": page, "rows": rows})


def mask_contact(contact: str) -> str:
    """The contact as the confirmation may show it: 139****0000, z***@example.cn."""
    contact = contact.strip()
    if "@" in contact:
        local, _at, domain = contact.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(contact) >= 11:  # a mobile number: the usual 3 + 4
        return f"{contact[:3]}****{contact[-4:]}"
    if len(contact) >= 5:  # a landline or anything short: never more than the last two
        return "*" * (len(contact) - 2) + contact[-2:]
    return "*" * len(contact)


@require_http_methods(["GET", "POST"])
def notice_detail(request, pk: int):
    """One notice and its objection form (FIL-07). Refusals keep what was typed; success never echoes the contact."""
    application = get_object_or_404(selectors.notices_in_progress(), pk=pk)
    form, status, context = ObjectionForm(), 200, {}
    if request.method == "POST":
        verdict = rate_limit_hit("objection", _ip(request), OBJECTION_LIMITS)  # the API's scope and limits
        if not verdict.allowed:
            # Unbound with the typed values: no field errors next to a refusal that is about the network.
            form = ObjectionForm(initial={k: request.POST.get(k, "") for k in ObjectionForm.base_fields})
            context = {"rate_limited": True, "retry_after": verdict.retry_after}
            status = 429
        else:
            form = ObjectionForm(request.POST)
            if form.is_valid():
                try:
                    objection = objection_raise(application=application, acting_user=request.user,
                                                ip=getattr(request, "client_ip", None), **form.cleaned_data)
                except DomainError as exc:
                    form.add_error(None, f"{exc.rule}: {exc.message}" if exc.rule else exc.message)
                else:
                    messages.success(request, _(
                        "Your objection was received on %(date)s (reference %(ref)s). The filing office examines it "
                        "before the filing is decided and will answer you at %(contact)s.") % {
                        "date": timezone.localtime(objection.created_at).date().isoformat(), "ref": objection.pk,
                        "contact": mask_contact(objection.contact)})
                    # Post/redirect/get; "#main" so the confirmation at the top is in view.
                    return redirect(reverse("institutions:notice_detail", args=[application.pk]) + "#main")
    response = render(request, "institutions/public/notice_detail.html", {
        "application": application, "scope": _notice_scope(application), "form": form, **context,
    }, status=status)
    if status == 429:
        response["Retry-After"] = str(context["retry_after"])
    return response


@require_safe
def announcement_list(request):
    """PUB-02: filings, information and scope changes, terminations, revocations and rectification orders."""
    form = AnnouncementFilterForm(request.GET)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    page = Paginator(selectors.announcements(kind or None), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "institutions/public/announcements.html", {"form": form, "page": page})
