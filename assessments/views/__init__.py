"""Pages of the assessments app: the institution's, the office's and the public result publication."""

from .candidates import (
    batch_candidate_add,
    batch_candidate_delete,
    batch_candidate_edit,
    batch_candidate_eligibility,
    batch_candidates_import,
    batch_candidates_template,
    batch_import_errors,
)
from .institution import batch_detail, batch_edit, batch_new, batch_transition, my_batches
from .public import public_results
from .results import (
    batch_export_certificate_info,
    batch_export_result_summary,
    batch_results,
    batch_results_import,
    batch_results_template,
)
from .staff import (
    staff_batch,
    staff_batch_exports,
    staff_batches,
    staff_candidate_ineligible,
    staff_objection_resolve,
    staff_spot_check,
)

__all__ = [
    "batch_candidate_add", "batch_candidates_import", "batch_candidates_template", "batch_detail",
    "batch_export_certificate_info", "batch_export_result_summary", "batch_import_errors", "batch_new",
    "batch_results", "batch_results_import", "batch_results_template", "batch_transition", "my_batches",
    "public_results", "staff_batch", "staff_batch_exports", "staff_batches", "staff_objection_resolve",
    "staff_spot_check", "batch_edit", "batch_candidate_edit", "batch_candidate_delete", "batch_candidate_eligibility",
    "staff_candidate_ineligible",
]
