"""The expected outcome of every (URL pattern, method, role): the table of the authorization matrix.

Read a row as "pattern: {method: E(default, group=outcome, ...)}" (tests/authz/matrix.py explains the
tokens and the groups). The object a pattern points at belongs to inst_s in 合肥 (see world.py). A new
URL pattern fails test_every_pattern_has_a_row until it gets a row here.
"""

from tests.authz.matrix import LOGIN, OK, E

# -- the shapes most rows take ---------------------------------------------------------------------------
PUBLIC = E("200")  # anyone, signed in or not
PUBLIC_POST = E(OK)
SIGNED_IN = E("200", anon=LOGIN)
SIGNED_IN_POST = E(OK, anon=LOGIN)
# my/ pages: institution users only; an object of another institution is 404
INST_PAGE = E("403", anon=LOGIN, inst="200")
INST_POST = E("403", anon=LOGIN, inst=OK)
OWN_PAGE = E("403", anon=LOGIN, own="200", other_inst="404")
OWN_POST = E("403", anon=LOGIN, own=OK, other_inst="404")
# staff/ pages: office staff and the admin; an object outside the caller's jurisdiction is 404
STAFF_PAGE = E("200", anon=LOGIN, inst="403", expert="403", inspector="403")
STAFF_POST = E(OK, anon=LOGIN, inst="403", expert="403", inspector="403")
OFFICE_PAGE = E("403", anon=LOGIN, office="200", other_office="404")
OFFICE_POST = E("403", anon=LOGIN, office=OK, other_office="404")
# documents of an object: its institution and its office
SHARED_PAGE = E("200", anon=LOGIN, other_office="404", other_inst="404", expert="403", inspector="403")
SHARED_POST = E(OK, anon=LOGIN, other_office="404", other_inst="404", expert="403", inspector="403")
# the API: 403 without credentials, lists scoped to the caller, objects outside the caller's view 404
API_PUBLIC = E("200")
API_PUBLIC_POST = E(OK)
API_LIST = E("200", anon="403")
API_OBJECT = E("404", anon="403", office="200", own="200")
API_OBJECT_POST = E("404", anon="403", office=OK, own=OK)
API_OFFICE_OBJECT = E("404", anon="403", office="200")
API_OFFICE_POST = E("404", anon="403", office=OK)
# a transition only the institution runs, and one only the reviewing office (not the admin) runs
API_OWNER_TRANSITION = E("404", anon="403", office="403", own=OK)
API_REVIEW_TRANSITION = E("404", anon="403", own="403", admin="403", city_own=OK, prov_own=OK)

EXPECTED = {
    "api-filing-number": {"GET": E('403', staff='200')},
    "api-me": {"GET": API_LIST},
    "api-public-announcements": {"GET": PUBLIC},
    "api-public-complaint-follow": {"POST": PUBLIC_POST},
    "api-public-complaints": {"POST": PUBLIC_POST},
    "api-public-directory": {"GET": PUBLIC},
    "api-public-disclosures": {"GET": PUBLIC},
    "api-public-draw": {"GET": PUBLIC},
    "api-public-draw-verify": {"POST": PUBLIC_POST},
    "api-public-draws": {"GET": PUBLIC},
    "api-public-notices": {"GET": PUBLIC},
    "api-public-objection": {"POST": PUBLIC_POST},
    "api-public-verify": {"POST": PUBLIC_POST},
    "api-root": {"GET": API_LIST},
    "api-token": {"POST": PUBLIC_POST},
    "assessments:batch_candidate_add": {"POST": OWN_POST},
    "assessments:batch_candidate_delete": {"POST": E('403', own='302', other_inst='404', anon=LOGIN)},
    "assessments:batch_candidate_edit": {"GET": OWN_PAGE, "POST": OWN_POST},
    "assessments:batch_candidate_eligibility": {"POST": E('403', own='302', other_inst='404', anon=LOGIN)},
    "assessments:batch_candidates_import": {"GET": OWN_PAGE, "POST": OWN_POST},
    "assessments:batch_candidates_template": {"GET": OWN_PAGE},
    "assessments:batch_detail": {"GET": OWN_PAGE},
    "assessments:batch_edit": {"GET": OWN_PAGE, "POST": OWN_POST},
    "assessments:batch_export_certificate_info": {"GET": SHARED_PAGE},
    "assessments:batch_export_result_summary": {"GET": SHARED_PAGE},
    "assessments:batch_import_errors": {"GET": E('403', own='302', other_inst='404', anon=LOGIN)},
    "assessments:batch_new": {"GET": INST_PAGE, "POST": INST_POST},
    "assessments:batch_results": {"GET": OWN_PAGE, "POST": OWN_POST},
    "assessments:batch_results_import": {"POST": OWN_POST},
    "assessments:batch_results_template": {"GET": OWN_PAGE},
    "assessments:batch_transition": {
        "POST": E('404', own='302', anon=LOGIN, expert='403', inspector='403', admin='302'),
    },
    "assessments:my_batches": {"GET": INST_PAGE},
    "assessments:my_ledger": {"GET": INST_PAGE},
    "assessments:my_ledger_export": {"GET": INST_PAGE},
    "assessments:public_results": {"GET": PUBLIC, "POST": PUBLIC_POST},
    "assessments:staff_batch": {"GET": OFFICE_PAGE},
    "assessments:staff_batch_exports": {"GET": STAFF_PAGE, "POST": STAFF_POST},
    "assessments:staff_batches": {"GET": STAFF_PAGE},
    "assessments:staff_candidate_ineligible": {
        "POST": E('403', office='302', other_office='404', anon=LOGIN),
    },
    "assessments:staff_ledger": {"GET": E('404', office='200', anon=LOGIN)},
    "assessments:staff_ledger_export": {"GET": E('404', office='200', anon=LOGIN)},
    "assessments:staff_objection_resolve": {"POST": OFFICE_POST},
    "assessments:staff_spot_check": {"POST": OFFICE_POST},
    "batch-candidates": {"GET": API_OBJECT, "POST": API_OBJECT_POST},
    "batch-detail": {"GET": API_OBJECT},
    "batch-export-certificate-info": {"GET": API_OBJECT},
    "batch-export-result-summary": {"GET": API_OBJECT},
    # creates check the role before the body (403, not 400, for a role that may never create)
    "batch-list": {"GET": API_LIST, "POST": E("403", inst=OK)},
    "batch-results": {"POST": API_OBJECT_POST},
    "batch-transition-approve": {"POST": API_REVIEW_TRANSITION},
    "batch-transition-cancel": {"POST": E('404', own=OK, anon='403', city_own=OK, prov_own=OK, admin='403')},
    "batch-transition-conduct": {"POST": API_OWNER_TRANSITION},
    "batch-transition-issue_certificates": {"POST": API_OWNER_TRANSITION},
    "batch-transition-publish_results": {"POST": API_OWNER_TRANSITION},
    "batch-transition-report_results": {"POST": API_OWNER_TRANSITION},
    "batch-transition-return_for_changes": {"POST": API_REVIEW_TRANSITION},
    "batch-transition-submit": {"POST": API_OWNER_TRANSITION},
    "case-detail": {"GET": API_OFFICE_OBJECT},
    "case-list": {"GET": API_LIST, "POST": E('403', staff=OK)},
    "case-transition-close": {"POST": E('404', office='403', anon='403')},
    "case-transition-confirm": {"POST": API_OFFICE_POST},
    "case-transition-decide": {"POST": API_OFFICE_POST},
    "case-transition-dismiss": {"POST": API_OFFICE_POST},
    "case-transition-escalate": {"POST": API_OFFICE_POST},
    "case-transition-investigate": {"POST": API_OFFICE_POST},
    "case-transition-reject_rectification": {"POST": API_OFFICE_POST},
    "case-transition-submit_rectification": {"POST": API_OFFICE_POST},
    "case-transition-verify": {"POST": API_OFFICE_POST},
    "certificate-detail": {"GET": API_OBJECT},
    "certificate-list": {"GET": API_LIST},
    "certificate-pdf": {"GET": API_OBJECT},
    "certificate-transition-void": {"POST": E('404', office=OK, own='403', anon='403')},
    "certificates:batch_verify": {"GET": SIGNED_IN, "POST": SIGNED_IN_POST},
    "certificates:batch_verify_template": {"GET": SIGNED_IN},
    "certificates:detail": {"GET": SHARED_PAGE},
    "certificates:pdf": {"GET": E('404', office='200', own='200', anon=LOGIN)},
    "certificates:pdf_job": {"GET": E('404', own='200', anon=LOGIN, admin='200')},
    "certificates:pdf_job_download": {"GET": E('404', own='200', anon=LOGIN, admin='200')},
    "certificates:print_batch": {
        "POST": E('404', office='302', own='302', anon=LOGIN, expert='403', inspector='403'),
    },
    "certificates:print_search": {"POST": E('403', staff='302', inst='302', anon=LOGIN)},
    "certificates:qr": {"GET": PUBLIC},
    "certificates:register": {"GET": E('403', staff='200', inst='200', anon=LOGIN)},
    "certificates:reveal": {"POST": E('404', office='302', own='302', anon=LOGIN)},
    "certificates:verify": {"GET": PUBLIC, "POST": PUBLIC_POST},
    "certificates:void": {"POST": E('404', office='302', own='302', anon=LOGIN)},
    "complaint-detail": {"GET": API_OFFICE_OBJECT},
    "complaint-list": {"GET": API_LIST},
    "complaint-transition-answer": {"POST": API_OFFICE_POST},
    "complaint-transition-open-case": {"POST": API_OFFICE_POST},
    "complaint-transition-start": {"POST": API_OFFICE_POST},
    "draw-detail": {"GET": E('404', anon='403', prov_own='200', admin='200')},
    "draw-list": {"GET": API_LIST, "POST": E("403", staff=OK)},
    "draw-transition-commit": {"POST": E('404', anon='403', prov_own=OK, admin=OK)},
    "draw-transition-publish_results": {"POST": E('404', anon='403', prov_own=OK, admin=OK)},
    "draw-transition-run": {"POST": E('404', anon='403', prov_own=OK, admin=OK)},
    "filing-application-detail": {"GET": API_OBJECT},
    "filing-application-list": {"GET": API_LIST},
    "filing-application-transition-accept": {"POST": API_REVIEW_TRANSITION},
    "filing-application-transition-approve_change": {"POST": API_REVIEW_TRANSITION},
    "filing-application-transition-complete_notice": {"POST": API_REVIEW_TRANSITION},
    "filing-application-transition-dismiss_objection": {"POST": API_REVIEW_TRANSITION},
    "filing-application-transition-expire": {"POST": E('404', office='403', own='403', anon='403')},
    "filing-application-transition-pass_initial_review": {"POST": API_REVIEW_TRANSITION},
    "filing-application-transition-raise_objection": {"POST": API_OBJECT_POST},
    "filing-application-transition-record_evaluation": {"POST": API_REVIEW_TRANSITION},
    "filing-application-transition-reject": {"POST": API_REVIEW_TRANSITION},
    "filing-application-transition-request_supplement": {"POST": API_REVIEW_TRANSITION},
    "filing-application-transition-resubmit": {"POST": API_OWNER_TRANSITION},
    "filing-application-transition-start_public_notice": {"POST": API_REVIEW_TRANSITION},
    "filing-application-transition-submit": {"POST": API_OWNER_TRANSITION},
    "filing-application-transition-withdraw": {"POST": API_OWNER_TRANSITION},
    "filing-detail": {"GET": E('404', office='200', own='200', anon='403', inspector='200')},
    "filing-list": {"GET": API_LIST},
    "filing-transition-expire": {"POST": E('403', other_office='404', other_inst='404', expert='404')},
    "filing-transition-lapse": {"POST": E('403', other_office='404', other_inst='404', expert='404')},
    "filing-transition-reinstate": {"POST": E('404', office=OK, own='403', anon='403', inspector='403')},
    "filing-transition-renew": {"POST": E('404', office=OK, own='403', anon='403', inspector='403')},
    "filing-transition-revoke": {"POST": E('404', office=OK, own='403', anon='403', inspector='403')},
    "filing-transition-suspend": {"POST": E('404', office=OK, own='403', anon='403', inspector='403')},
    "filing-transition-terminate": {"POST": E('404', office=OK, own='403', anon='403', inspector='403')},
    "healthz": {"GET": PUBLIC},
    "home": {"GET": SIGNED_IN},
    "inspection-attachments": {"POST": E('404', anon='403', prov_own=OK, inspector=OK, admin=OK)},
    "inspection-detail": {"GET": E('404', anon='403', prov_own='200', inspector='200', admin='200')},
    "inspection-list": {"GET": API_LIST, "POST": E("403", staff=OK)},
    "inspection-record": {"POST": E('404', anon='403', prov_own=OK, inspector=OK, admin=OK)},
    "institution-detail": {"GET": API_OBJECT},
    "institution-list": {"GET": API_LIST},
    "institutions:announcements": {"GET": PUBLIC},
    "institutions:application_detail": {"GET": OWN_PAGE},
    "institutions:application_edit": {"GET": OWN_PAGE},
    "institutions:application_edit_start": {"GET": E('403', own='302', other_inst='404', anon=LOGIN)},
    "institutions:application_new": {"POST": E('403', inst='302', anon=LOGIN)},
    "institutions:application_receipt": {"GET": SHARED_PAGE},
    "institutions:application_termination_notice": {
        "GET": E('404', office='409', own='302', anon=LOGIN, expert='403', inspector='403'),
        "POST": E('404', office=OK, own='302', anon=LOGIN, expert='403', inspector='403'),
    },
    "institutions:application_withdraw": {"POST": E('403', own='302', other_inst='404', anon=LOGIN)},
    "institutions:attachment_download": {"GET": E('404', office='200', own='200', anon=LOGIN)},
    "institutions:directory": {"GET": PUBLIC},
    "institutions:directory_detail": {"GET": PUBLIC},
    "institutions:directory_export": {"GET": PUBLIC},
    "institutions:filing_termination": {"GET": OWN_PAGE, "POST": OWN_POST},
    "institutions:institution_details": {"GET": INST_PAGE, "POST": INST_POST},
    "institutions:my_applications": {"GET": INST_PAGE},
    "institutions:notice_detail": {"GET": PUBLIC, "POST": PUBLIC_POST},
    "institutions:notices": {"GET": PUBLIC},
    "institutions:staff_application": {
        "GET": E('404', office='200', inst='403', anon=LOGIN, inspector='403'),
    },
    "institutions:staff_application_action": {
        "POST": E('403', other_office='404', anon=LOGIN, city_own=OK, prov_own=OK, expert='404'),
    },
    "institutions:staff_change_override": {
        "POST": E('403', other_office='404', anon=LOGIN, city_own=OK, prov_own=OK),
    },
    "institutions:staff_filing": {"GET": OFFICE_PAGE},
    "institutions:staff_filing_action": {"POST": OFFICE_POST},
    "institutions:staff_filings": {"GET": STAFF_PAGE},
    "institutions:staff_objection_action": {
        "POST": E('404', office=OK, inst='403', anon=LOGIN, inspector='403'),
    },
    "institutions:staff_queue": {"GET": E('403', staff='200', anon=LOGIN, expert='200')},
    "institutions:staff_stop_orders": {"GET": STAFF_PAGE, "POST": STAFF_POST},
    "institutions:staff_termination_confirm": {
        "POST": E('403', office='302', other_office='404', anon=LOGIN),
    },
    "login": {"GET": E('302', anon='200')},
    "logout": {"GET": E('405'), "POST": E(LOGIN)},
    "notifications:list": {"GET": SIGNED_IN},
    "notifications:read": {"POST": E('302', anon=LOGIN)},
    "notifications:read_all": {"POST": E('302', anon=LOGIN)},
    "otp_setup": {"GET": E('302', anon=LOGIN), "POST": E('302', anon=LOGIN)},
    "otp_verify": {"GET": E('302', anon=LOGIN), "POST": E('302', anon=LOGIN)},
    "renewal-detail": {"GET": API_OBJECT, "PATCH": API_OWNER_TRANSITION, "PUT": E('405', anon='403')},
    "renewal-eligibility": {"GET": API_OBJECT},
    "renewal-list": {"GET": API_LIST, "POST": E("403", inst=OK)},
    "renewal-transition-approve": {"POST": E('404', office=OK, own='403', anon='403')},
    "renewal-transition-reject": {"POST": E('404', office=OK, own='403', anon='403')},
    "renewal-transition-start_evaluation": {"POST": E('404', office=OK, own='403', anon='403')},
    "renewal-transition-submit": {"POST": API_OWNER_TRANSITION},
    "renewals:filing_letter_pdf": {"GET": E('403', staff='404', inst='404', anon=LOGIN)},
    "renewals:my_renewal_detail": {"GET": OWN_PAGE, "POST": E('403', other_inst='404', anon=LOGIN)},
    "renewals:my_renewal_new": {"POST": E('403', inst='404', anon=LOGIN)},
    "renewals:my_renewals": {"GET": INST_PAGE},
    "renewals:renewal_form_pdf": {"GET": SHARED_PAGE},
    "renewals:renewal_form_xlsx": {"GET": SHARED_PAGE},
    "renewals:renewal_summary_pdf": {"GET": SHARED_PAGE},
    "renewals:staff_renewal_detail": {"GET": OFFICE_PAGE, "POST": E('403', staff='404', anon=LOGIN)},
    "renewals:staff_renewals": {"GET": STAFF_PAGE},
    "supervision:case_action": {"POST": E('403', office='302', other_office='404', anon=LOGIN)},
    "supervision:case_detail": {"GET": OFFICE_PAGE},
    "supervision:case_new": {"GET": STAFF_PAGE, "POST": STAFF_POST},
    "supervision:case_notice_pdf": {"GET": E('404', office='200', own='200', anon=LOGIN)},
    "supervision:cases": {"GET": STAFF_PAGE},
    "supervision:complaint_answer": {"POST": OFFICE_POST},
    "supervision:complaint_attachment": {"GET": OFFICE_PAGE},
    "supervision:complaint_detail": {"GET": OFFICE_PAGE},
    "supervision:complaint_follow": {"GET": PUBLIC, "POST": PUBLIC_POST},
    "supervision:complaint_new": {"GET": PUBLIC, "POST": PUBLIC_POST},
    "supervision:complaint_open_case": {"POST": E('403', office='302', other_office='404', anon=LOGIN)},
    "supervision:complaint_received": {"GET": E('302')},
    "supervision:complaint_start": {"POST": E('403', office='302', other_office='404', anon=LOGIN)},
    "supervision:complaints_queue": {"GET": STAFF_PAGE},
    "supervision:dashboard": {"GET": STAFF_PAGE},
    "supervision:disclosures": {"GET": PUBLIC},
    "supervision:draw_detail": {
        "GET": E('403', other_office='404', anon=LOGIN, city_own='404', prov_own='200', admin='200'),
    },
    "supervision:draw_new": {"GET": STAFF_PAGE, "POST": STAFF_POST},
    "supervision:draw_transition": {
        "POST": E('403', other_office='404', anon=LOGIN, city_own='404', prov_own='302', admin='302'),
    },
    "supervision:draws": {"GET": STAFF_PAGE},
    "supervision:inspection_attachment": {
        "POST": E(OK, inst='403', other_office='404', anon=LOGIN, city_own='404', expert='403'),
    },
    "supervision:inspection_attachment_file": {
        "GET": E('200', inst='403', other_office='404', anon=LOGIN, city_own='404', expert='403'),
    },
    "supervision:inspection_detail": {
        "GET": E('200', inst='403', other_office='404', anon=LOGIN, city_own='404', expert='403'),
        "POST": E(OK, inst='403', other_office='404', anon=LOGIN, city_own='404', expert='403'),
    },
    "supervision:inspection_new": {"GET": STAFF_PAGE, "POST": STAFF_POST},
    "supervision:inspections": {"GET": E('200', inst='403', anon=LOGIN, expert='403')},
    "supervision:institution_file": {"GET": OFFICE_PAGE},
    "supervision:my_case_detail": {"GET": OWN_PAGE, "POST": OWN_POST},
    "supervision:my_cases": {"GET": INST_PAGE},
    "supervision:my_file": {"GET": INST_PAGE},
    "supervision:public_draw": {"GET": PUBLIC},
    "supervision:public_draws": {"GET": PUBLIC},
    "workdays:upcoming": {"GET": STAFF_PAGE},
}

# Patterns without a row, and why.
EXCLUDED = {
    "schema": "the OpenAPI document: generated from the same views, nothing of a caller's data",
    "api-docs": "Swagger UI around the schema (a static page)",
    "set_language": "Django's i18n view: sets a cookie, no data",
}

# (pattern, role) cells where a role that may see full resident ID numbers is shown them.
PII_ALLOWED: set[tuple[str, str]] = set()

# References in a request body are looked up in the caller's view too (no IDOR through a body): each entry
# is (pattern, method, body from the world, exact status per role). Pages get form data, the API JSON.
BODY_CELLS = {
    "renewal for inst_s's filing": (
        "renewal-list", "POST", lambda w: {"filing_number": w["filing_number"]},
        E("403", own="409", other_inst="400")),  # 409: inst_s's renewal is already pending
    "case about inst_s's filing": (
        "case-list", "POST", lambda w: {"filing_number": w["filing_number"], "summary": "授权矩阵"},
        E("403", office="201", other_office="400")),
    "special inspection of inst_s": (
        "inspection-list", "POST", lambda w: {"kind": "special", "filing_number": w["filing_number"]},
        E("403", office="201", other_office="400")),
    "exam inspection of inst_s's batch": (
        "inspection-list", "POST", lambda w: {"kind": "exam", "plan_number": w["plan_number"]},
        E("403", office="409", other_office="400")),  # 409: the exam is over
    "renewal page for inst_s's filing": (
        "renewals:my_renewal_new", "POST", lambda w: {"filing": w["filing"]},
        E("403", anon=LOGIN, own="302", other_inst="404")),
    "change application of inst_s's filing": (
        "institutions:application_new", "POST", lambda w: {"kind": "scope_change", "filing": w["filing"]},
        E("403", anon=LOGIN, own="302", other_inst="404")),
    "objection id of inst_s's application": (
        "filing-application-transition-dismiss_objection", "POST",
        lambda w: {"objection_id": w["objection"], "reason": "授权矩阵"},
        E("404", anon="403", own="403", admin="403", city_own="409", prov_own="409")),  # 409: not on notice
}
