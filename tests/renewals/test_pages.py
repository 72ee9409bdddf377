# ruff: noqa: F811  (the fixtures are imported from tests/renewals/fixtures_app.py: no conftest here)
"""The renewal pages: the institution's list, form, plan chooser and submit; the home card; the staff queue and
detail with the eligibility panel and the decisions; the documents."""

import pytest
from django.urls import reverse

from filing_portal.core.deadlines import run_deadlines
from renewals.models import RenewalApplication
from tests.renewals.fixtures_app import (  # noqa: F401
    SUMMARY,
    D,
    approved,
    filing,
    filing_with_batches,
    make_filing,
    many_submitted,
    occupations,
    on,
    people,
    regions,
    six_batches,
    submitted,
)


def form_data(application, **extra):
    data = {f: getattr(application, f) for f in ("institution_name", "uscc", "address", "legal_representative",
                                                 "head", "contact_name", "contact_phone", "contact_email")}
    data.update(SUMMARY)
    data["pledge_accepted"] = "on"
    data["batches"] = [str(p.batch_id) for p in application.plans.all()]
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_my_renewals_offers_start_only_when_the_window_is_open__REN_01(client, filing_with_batches, people):
    client.force_login(people["inst_user"])
    with on("2026-02-01"):
        page = client.get(reverse("renewals:my_renewals")).content.decode()
    assert filing_with_batches.number in page and "2026-03-02" in page and "2026-07-30" in page
    assert "start-renewal" not in page and "REN-01" in page
    with on("2026-03-02"):
        page = client.get(reverse("renewals:my_renewals")).content.decode()
    assert "start-renewal" in page


def test_start_save_and_submit_through_the_pages__REN_01_REN_06(client, filing_with_batches, people):
    client.force_login(people["inst_user"])
    with on("2026-04-01"):
        response = client.post(reverse("renewals:my_renewal_new"), {"filing": filing_with_batches.pk})
        application = RenewalApplication.objects.get(filing=filing_with_batches)
        assert response.status_code == 302 and response.url == reverse("renewals:my_renewal_detail",
                                                                        args=[application.pk])
        page = client.get(response.url).content.decode()
        assert people["inst"].name in page and "王法人" in page and 'data-rule="REN-05"' in page
        for plan in application.plans.all():
            assert plan.plan_number in page
        url = reverse("renewals:my_renewal_detail", args=[application.pk])
        response = client.post(url, form_data(application, submit="1"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "submitted" and application.summary_basic == SUMMARY["summary_basic"]


def test_the_form_keeps_its_input_when_the_submit_is_refused__REN_04(client, filing, occupations, people):
    six_batches(filing, occupations, n=3)
    client.force_login(people["inst_user"])
    with on("2026-04-01"):
        client.post(reverse("renewals:my_renewal_new"), {"filing": filing.pk})
        application = RenewalApplication.objects.get(filing=filing)
        url = reverse("renewals:my_renewal_detail", args=[application.pk])
        response = client.post(url, form_data(application, submit="1", contact_email="not-an-email",
                                              summary_problems="我们的问题"))
        page = response.content.decode()
        assert response.status_code == 200 and "我们的问题" in page and "not-an-email" in page
        response = client.post(url, form_data(application, submit="1", summary_problems="我们的问题"))
        page = response.content.decode()
    assert response.status_code == 200 and "REN-04" in page and "我们的问题" in page
    application.refresh_from_db()
    assert application.state == "draft" and application.summary_problems == "我们的问题"


def test_the_plan_chooser_saves_the_chosen_batches__REN_06(client, filing, occupations, people):
    batches = six_batches(filing, occupations, n=8)
    client.force_login(people["inst_user"])
    with on("2026-04-01"):
        client.post(reverse("renewals:my_renewal_new"), {"filing": filing.pk})
        application = RenewalApplication.objects.get(filing=filing)
        url = reverse("renewals:my_renewal_detail", args=[application.pk])
        chosen = [str(b.pk) for b in batches[:2]]
        client.post(url, form_data(application, batches=chosen, save="1"))
        assert [str(p.batch_id) for p in application.plans.all()] == chosen
        response = client.post(url, form_data(application, batches=[str(b.pk) for b in batches[:7]], save="1"))
    assert response.status_code == 200 and "REN-06" in response.content.decode()


def test_home_card_from_90_days_before_expiry_with_days_left_and_status__REN_01(client, filing_with_batches,
                                                                               people):
    client.force_login(people["inst_user"])
    with on("2026-03-01"):
        assert "renewal-card" not in client.get("/").content.decode()
    with on("2026-03-02"):
        page = client.get("/").content.decode()
    assert "renewal-card" in page and filing_with_batches.number in page and ">90<" in page
    application = submitted(filing_with_batches, people["inst_user"], "2026-04-01")
    with on("2026-04-01"):
        page = client.get("/").content.decode()
    assert application.reference in page and "renewal-state-submitted" in page and ">60<" in page


def test_home_card_in_the_grace_period_counts_down_to_its_end__REN_03(client, filing_with_batches, people):
    run_deadlines(D("2026-06-01"))
    client.force_login(people["inst_user"])
    with on("2026-07-20"):
        page = client.get("/").content.decode()
    assert "renewal-card-grace" in page and "2026-07-30" in page


def test_staff_queue_flags_an_overdue_evaluation__REN_07(client, filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    client.force_login(people["city_hefei"])
    with on("2026-04-02"):
        client.post(reverse("renewals:staff_renewal_detail", args=[application.pk]),
                    {"transition": "start_evaluation"})
    application.refresh_from_db()
    assert application.state == "under_evaluation" and application.evaluation_due
    due = application.evaluation_due
    with on(due.isoformat()):
        page = client.get(reverse("renewals:staff_renewals")).content.decode()
    assert application.reference in page and due.isoformat() in page and "is-overdue" not in page
    with on(D("2026-06-01").isoformat()):
        page = client.get(reverse("renewals:staff_renewals")).content.decode()
    assert "is-overdue" in page


def test_staff_detail_shows_the_panel_and_the_clean_record_and_approves__REN_08_INC_01(client, filing_with_batches,
                                                                                     people):
    application = submitted(filing_with_batches, people["inst_user"])
    client.force_login(people["city_hefei"])
    url = reverse("renewals:staff_renewal_detail", args=[application.pk])
    with on("2026-04-02"):
        client.post(url, {"transition": "start_evaluation"})
        page = client.get(url).content.decode()
        assert 'data-rule="REN-04"' in page and "clean-yes" in page and "2023-06-01" in page
        client.post(url, {"transition": "approve"})
        page = client.get(url).content.decode()
    application.refresh_from_db()
    assert application.state == "approved" and "2029-05-31" in page
    assert reverse("renewals:filing_letter_pdf", args=[application.pk]) in page


def test_staff_reject_needs_reasons__REN_05(client, filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    client.force_login(people["city_hefei"])
    url = reverse("renewals:staff_renewal_detail", args=[application.pk])
    with on("2026-04-02"):
        client.post(url, {"transition": "start_evaluation"})
        client.post(url, {"transition": "reject", "reasons": ""})
        assert RenewalApplication.objects.get(pk=application.pk).state == "under_evaluation"
        client.post(url, {"transition": "reject", "reasons": "材料不实"})
    assert RenewalApplication.objects.get(pk=application.pk).state == "rejected"


def test_other_offices_and_institutions_get_404__JUR_03(client, filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    client.force_login(people["city_wuhu"])
    assert client.get(reverse("renewals:staff_renewal_detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("renewals:renewal_form_pdf", args=[application.pk])).status_code == 404
    client.force_login(people["other_user"])
    assert client.get(reverse("renewals:my_renewal_detail", args=[application.pk])).status_code == 404
    client.force_login(people["inst_user"])
    assert client.get(reverse("renewals:staff_renewals")).status_code == 403


@pytest.mark.parametrize("name", ["renewal_form_pdf", "renewal_form_xlsx", "renewal_summary_pdf"])
def test_documents_download_for_the_institution_and_the_office__REN_06(client, filing_with_batches, people, name):
    application = submitted(filing_with_batches, people["inst_user"])
    for user in (people["inst_user"], people["city_hefei"]):
        client.force_login(user)
        response = client.get(reverse(f"renewals:{name}", args=[application.pk]))
        assert response.status_code == 200 and application.reference in response["Content-Disposition"]


def test_the_filing_letter_downloads_once_approved__REN_08(client, filing_with_batches, people):
    application = approved(filing_with_batches, people["inst_user"], people["city_hefei"])
    for user in (people["inst_user"], people["city_hefei"]):
        client.force_login(user)
        response = client.get(reverse("renewals:filing_letter_pdf", args=[application.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_staff_queue_query_count_does_not_grow_with_rows(client, people, occupations):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["city_hefei"])
    many_submitted(people, occupations, 2)
    with on("2026-04-02"), CaptureQueriesContext(connection) as few:
        assert client.get(reverse("renewals:staff_renewals")).status_code == 200
    many_submitted(people, occupations, 4)
    with on("2026-04-02"), CaptureQueriesContext(connection) as more:
        page = client.get(reverse("renewals:staff_renewals")).content.decode()
    assert page.count("renewal-state-submitted") == 6
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_admin_lists_renewals_read_only(client, filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    client.force_login(people["admin"])
    page = client.get("/admin/renewals/renewalapplication/").content.decode()
    assert application.reference in page
    assert client.get(f"/admin/renewals/renewalapplication/{application.pk}/change/").status_code == 200
