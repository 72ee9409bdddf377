"""The world of the authorization matrix: the demo scenario (seed_demo) plus a few objects of inst_s.

Every object a URL points at belongs to inst_s (合肥新华职业技能评价中心), filed in 合肥 (Hefei) and
handled by Hefei's office, so each role stands in a fixed relation to it: the owner (inst_s), another
institution (inst_y, Wuhu), the object's city (city_hefei) and another city (city_wuhu), the object's
province (province_ah) and another province (province_sc, Sichuan), an expert, an inspector, the admin.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.management import call_command

ROLES = ("anon", "inst_own", "inst_other", "city_own", "city_other", "prov_own", "prov_other", "expert",
         "inspector", "admin")
USERNAMES = {"inst_own": "inst_s", "inst_other": "inst_y", "city_own": "city_hefei", "city_other": "city_wuhu",
             "prov_own": "province_ah", "prov_other": "province_sc", "expert": "expert1",
             "inspector": "inspector1", "admin": "admin"}


@dataclass
class World:
    """Primary keys and values the URL patterns are filled from; `users` maps a role to its user."""

    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)  # role -> session cookie, see test_matrix.client_for

    def __getitem__(self, key):
        return self.ids[key]


def build_world() -> World:
    """Seed the demo scenario, add the objects of inst_s it lacks, return their keys."""
    from assessments.models import AssessmentBatch, ResultObjection
    from certificates.models import Certificate, PdfJob
    from certificates.verification import qr_signature
    from filing_portal.accounts.models import User
    from filing_portal.notifications.models import Notification
    from filing_portal.regions.models import Region
    from institutions.models import (
        Announcement,
        Attachment,
        Filing,
        FilingApplication,
        Institution,
        Objection,
        TerminationNotice,
    )
    from renewals.models import RenewalApplication
    from supervision.cases import case_open
    from supervision.models import (
        Case,
        Complaint,
        ComplaintAttachment,
        Draw,
        Inspection,
        InspectionAttachment,
    )

    call_command("seed_demo", "--force", stdout=io.StringIO())
    sichuan = Region.objects.get(code="510000")
    User.objects.create_user(username="province_sc", password="x-Authz-2026", role="province_staff", region=sichuan)
    users = {role: User.objects.get(username=name) for role, name in USERNAMES.items()}
    users["anon"] = None
    inst = Institution.objects.get(pk=users["inst_own"].institution_id)
    filing = Filing.objects.get(institution=inst, state="active")
    application = filing.source_application or FilingApplication.objects.filter(institution=inst).first()
    staff = users["city_own"]
    owner = users["inst_own"]

    change = FilingApplication.objects.create(institution=inst, kind="scope_change", filing=filing)
    objection = Objection.objects.create(application=application, contact="13900000000", content="异议")
    notice = TerminationNotice.objects.create(filing=filing, reason="停止评价", terminate_on=dt.date(2027, 6, 30),
                                              notified_by=owner)
    attachment = Attachment.objects.filter(application=application).first()

    batches = AssessmentBatch.objects.filter(institution=inst)
    issued = batches.get(state="certificates_issued")
    draft_batch = batches.get(state="draft")
    published = batches.get(state="results_published")
    result_objection = ResultObjection.objects.create(batch=published, contact="13900000001", content="异议")
    candidate = draft_batch.candidates.first() or issued.candidates.first()
    certificate = Certificate.objects.filter(batch=issued).order_by("pk").first()
    pdf_job = PdfJob.objects.create(requested_by=owner, title="authz", certificate_ids=[certificate.pk],
                                    status="done", total=1, done=1,
                                    file=ContentFile(b"%PDF-1.4 authz", name="authz.pdf"))

    # The demo's supervision objects concern other Hefei institutions: one of each is turned into inst_s's.
    inspection = Inspection.objects.order_by("pk").first()
    Inspection.objects.filter(pk=inspection.pk).update(institution=inst, filing=filing)
    # the draw assigns its teams at random: put the matrix's inspector on this one, whatever the seed drew
    inspection.team.add(users["inspector"].inspector_profile)
    inspection_file = InspectionAttachment.objects.create(
        inspection=inspection, kind="document", file=ContentFile(b"%PDF-1.4 i", name="i.pdf"),
        original_name="i.pdf", uploaded_by=staff)
    draw = Draw.objects.order_by("pk").first()
    case = case_open(institution=inst, filing=filing, region=filing.handling_region, origin=Case.Origin.STAFF,
                     summary="授权矩阵", acting_user=staff)
    decided = Case.objects.filter(state="decided").first()
    Case.objects.filter(pk=decided.pk).update(institution=inst, filing=filing)
    complaint = Complaint.objects.filter(status="received").first()
    Complaint.objects.filter(pk=complaint.pk).update(institution=inst, region=filing.handling_region)
    complaint_file = ComplaintAttachment.objects.create(
        complaint=complaint, file=ContentFile(b"%PDF-1.4 c", name="c.pdf"), original_name="c.pdf")
    renewal = RenewalApplication.objects.create(
        reference="XQ-AUTHZ-0001", filing=filing, expires_on=filing.expires_on, institution_name=inst.name,
        uscc=inst.uscc, created_by=owner)
    RenewalApplication.objects.filter(pk=renewal.pk).update(state="submitted")  # drafts are the owner's alone
    on_notice = FilingApplication.objects.filter(state="public_notice").first()  # a public notice (any office)
    notification = Notification.objects.create(user=owner, key="authz", title="authz", body="authz")
    announcement = Announcement.objects.order_by("pk").first()

    return World(users=users, ids={
        "institution": inst.pk, "filing": filing.pk, "filing_number": filing.number,
        "application": application.pk, "change": change.pk, "objection": objection.pk,
        "termination_notice": notice.pk, "attachment": attachment.pk,
        "batch": issued.pk, "draft_batch": draft_batch.pk, "published_batch": published.pk,
        "plan_number": published.plan_number, "result_objection": result_objection.pk,
        "candidate": candidate.pk, "candidate_batch": candidate.batch_id,
        "certificate": certificate.pk, "certificate_number": certificate.number,
        "qr_signature": qr_signature(certificate.number), "pdf_job": pdf_job.pk,
        "inspection": inspection.pk, "inspection_file": inspection_file.pk,
        "draw": draw.pk, "draw_reference": draw.reference,
        "case": case.pk, "decided_case": decided.pk,
        "complaint": complaint.pk, "complaint_file": complaint_file.pk,
        "renewal": renewal.pk, "notice": on_notice.pk, "notification": notification.pk, "announcement": announcement.pk,
    })
