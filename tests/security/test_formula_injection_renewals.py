"""The renewal form (FJ22 附件1) as .xlsx with formula strings in the applicant's fields (issue 9 item 5;
OWASP "CSV Injection"). It was the one export written without `escape_formula`: openpyxl stores text that
starts with "=" as a live formula, so an address "=HYPERLINK(…)" ran when the office opened the form."""
# ruff: noqa: F811  (the fixtures are imported from tests/renewals/fixtures_app.py: no conftest there)

from django.urls import reverse

from tests.renewals.fixtures_app import (  # noqa: F401
    filing,
    filing_with_batches,
    occupations,
    people,
    regions,
    submitted,
)
from tests.security.test_formula_injection import PAYLOADS, assert_all_text, download


def test_the_renewal_form_xlsx_writes_formula_strings_as_text(client, filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"], address=PAYLOADS["hyperlink"],
                            head=PAYLOADS["plus"], contact_name=PAYLOADS["at"])
    for user in (people["inst_user"], people["city_hefei"]):
        client.force_login(user)
        sheet = download(client.get(reverse("renewals:renewal_form_xlsx", args=[application.pk])))
        assert_all_text(sheet, [PAYLOADS["hyperlink"], PAYLOADS["plus"], PAYLOADS["at"]])
