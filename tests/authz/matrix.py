"""The authorization matrix (issue 9): every URL pattern, every method its view allows, every role.

One row per URL pattern name (`namespace:name`): how its kwargs are filled from the world
(tests/authz/world.py) and, per method, the outcome each role must get. Outcomes are tokens:

- "200", "302", "400", "403", "404", "405", ...: the exact status (GET and HEAD);
- LOGIN: a redirect to the login page (the portal's or the admin's);
- OK: for unsafe methods, the request got past authorization: 2xx, or the body was refused
  (400/409/415/422: pages get empty forms; the API gets one body carrying every transition's
  fields, so a transition reaches its permission check, while creates lack theirs);
- for unsafe methods any other status is compared exactly (403/404/405, or 302 for page forms
  that redirect back with a message).

Objects a role may not see are 404 (no existence leak); 403 is for a role that may never use an
endpoint at all (it leaks nothing). Role groups keep the rows short: `E(rest, group=token, ...)`
applies `rest` to every role, then each group in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.authz.world import ROLES

LOGIN = "login"
OK = "ok"

GROUPS = {
    "anon": ("anon",),
    "own": ("inst_own",),
    "other_inst": ("inst_other",),
    "inst": ("inst_own", "inst_other"),
    "city_own": ("city_own",),
    "city_other": ("city_other",),
    "prov_own": ("prov_own",),
    "prov_other": ("prov_other",),
    # staff whose jurisdiction covers the object (Hefei, Anhui) and the admin, who sees everything
    "office": ("city_own", "prov_own", "admin"),
    "other_office": ("city_other", "prov_other"),
    "staff": ("city_own", "city_other", "prov_own", "prov_other", "admin"),
    "expert": ("expert",),
    "inspector": ("inspector",),
    "admin": ("admin",),
    "users": ROLES[1:],
}


def E(rest: str, **groups: str) -> dict[str, str]:  # noqa: N802  (reads as a table cell)
    """The expected outcome of every role: `rest`, then each group (or single role) in the order given."""
    cells = dict.fromkeys(ROLES, rest)
    for group, token in groups.items():
        for role in GROUPS.get(group, (group,)):
            assert role in cells, f"unknown role or group {group!r}"
            cells[role] = token
    return cells


@dataclass(frozen=True)
class Row:
    """One URL pattern: its kwargs from the world and the expected outcome per method."""

    kwargs: Callable = field(default=lambda w: {})
    expect: dict = field(default_factory=dict)


def pk(key):
    return lambda w: {"pk": w[key]}


def pk_and(key, **more):
    return lambda w: {"pk": w[key], **{name: (w[v] if isinstance(v, str) and v in w.ids else v)
                                      for name, v in more.items()}}


# --- kwargs of every pattern that takes any -----------------------------------------------------------------
KWARGS = {
    "certificates:qr": lambda w: {"number": w["certificate_number"], "signature": w["qr_signature"]},
    "certificates:detail": pk("certificate"),
    "certificates:void": pk("certificate"),
    "certificates:reveal": pk("certificate"),
    "certificates:pdf": pk("certificate"),
    "certificates:print_batch": lambda w: {"batch_id": w["batch"]},
    "certificates:pdf_job": pk("pdf_job"),
    "certificates:pdf_job_download": pk("pdf_job"),
    "institutions:application_detail": pk("change"),
    "institutions:application_edit_start": pk("change"),
    "institutions:application_edit": pk_and("change", step="basics"),
    "institutions:application_withdraw": pk("change"),
    "institutions:application_receipt": pk("application"),
    "institutions:application_termination_notice": pk("application"),
    "institutions:filing_termination": pk("filing"),
    "institutions:attachment_download": pk("attachment"),
    "institutions:staff_application": pk("application"),
    "institutions:staff_application_action": pk_and("application", action="accept"),
    "institutions:staff_objection_action": pk_and("application", objection_pk="objection", decision="dismiss"),
    "institutions:staff_filing": pk("filing"),
    "institutions:staff_filing_action": pk_and("filing", action="suspend"),
    "institutions:staff_termination_confirm": pk_and("filing", notice_pk="termination_notice"),
    "institutions:staff_change_override": pk_and("filing", application_pk="change"),
    "institutions:directory_export": lambda w: {"fmt": "csv"},
    "institutions:directory_detail": lambda w: {"number": w["filing_number"]},
    "institutions:notice_detail": pk("notice"),
    "assessments:batch_detail": pk("batch"),
    "assessments:batch_edit": pk("draft_batch"),
    "assessments:batch_candidate_edit": lambda w: {"pk": w["candidate_batch"], "candidate_pk": w["candidate"]},
    "assessments:batch_candidate_delete": lambda w: {"pk": w["candidate_batch"], "candidate_pk": w["candidate"]},
    "assessments:batch_candidate_eligibility": lambda w: {"pk": w["candidate_batch"],
                                                           "candidate_pk": w["candidate"]},
    "assessments:batch_candidates_import": pk("draft_batch"),
    "assessments:batch_candidate_add": pk("draft_batch"),
    "assessments:batch_candidates_template": pk("draft_batch"),
    "assessments:batch_import_errors": pk_and("draft_batch", kind="candidates"),
    "assessments:batch_results": pk("batch"),
    "assessments:batch_results_import": pk("batch"),
    "assessments:batch_results_template": pk("batch"),
    "assessments:batch_transition": pk_and("draft_batch", name="submit"),
    "assessments:batch_export_result_summary": pk("batch"),
    "assessments:batch_export_certificate_info": pk("batch"),
    "assessments:staff_batch": pk("batch"),
    "assessments:staff_objection_resolve": pk_and("published_batch", objection_pk="result_objection"),
    "assessments:staff_spot_check": pk("batch"),
    "assessments:staff_candidate_ineligible": lambda w: {"pk": w["candidate_batch"], "candidate_pk": w["candidate"]},
    "assessments:staff_ledger": pk("institution"),
    "assessments:staff_ledger_export": pk("institution"),
    "assessments:public_results": lambda w: {"plan_number": w["plan_number"]},
    "supervision:draw_detail": pk("draw"),
    "supervision:draw_transition": pk_and("draw", name="run"),
    "supervision:inspection_detail": pk("inspection"),
    "supervision:inspection_attachment": pk("inspection"),
    "supervision:inspection_attachment_file": pk_and("inspection", attachment_pk="inspection_file"),
    "supervision:public_draw": lambda w: {"reference": w["draw_reference"]},
    "supervision:case_detail": pk("case"),
    "supervision:case_action": pk_and("case", action="investigate"),
    "supervision:case_notice_pdf": pk("decided_case"),
    "supervision:my_case_detail": pk("decided_case"),
    "supervision:complaint_detail": pk("complaint"),
    "supervision:complaint_start": pk("complaint"),
    "supervision:complaint_answer": pk("complaint"),
    "supervision:complaint_open_case": pk("complaint"),
    "supervision:complaint_attachment": pk_and("complaint", attachment_pk="complaint_file"),
    "supervision:institution_file": pk("institution"),
    "renewals:my_renewal_detail": pk("renewal"),
    "renewals:staff_renewal_detail": pk("renewal"),
    "renewals:renewal_form_pdf": pk("renewal"),
    "renewals:renewal_form_xlsx": pk("renewal"),
    "renewals:renewal_summary_pdf": pk("renewal"),
    "renewals:filing_letter_pdf": pk("renewal"),
    "notifications:read": pk("notification"),
    # API
    "api-public-objection": pk("notice"),
    "api-filing-number": lambda w: {"number": w["filing_number"]},
    "api-public-draw": lambda w: {"reference": w["draw_reference"]},
    "api-public-draw-verify": lambda w: {"reference": w["draw_reference"]},
}
API_DETAIL_KEYS = {"certificate": "certificate", "institution": "institution", "filing-application": "application",
                   "filing": "filing", "batch": "batch", "draw": "draw", "inspection": "inspection", "case": "case",
                   "complaint": "complaint", "renewal": "renewal"}


def kwargs_for(name: str) -> Callable:
    """The kwargs filler of a pattern: KWARGS, else a router detail route's pk from API_DETAIL_KEYS."""
    if name in KWARGS:
        return KWARGS[name]
    for prefix in sorted(API_DETAIL_KEYS, key=len, reverse=True):
        if name.startswith(prefix + "-") and not name.endswith("-list"):
            return pk(API_DETAIL_KEYS[prefix])
    return lambda w: {}


def rows(expected: dict) -> dict[str, Row]:
    """The rows of the table: each pattern's kwargs filler with its expected outcomes."""
    return {name: Row(kwargs=kwargs_for(name), expect=cells) for name, cells in expected.items()}
