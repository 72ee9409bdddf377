"""A small workflow for testing the shared transition service, API mixin and deadline sweep."""

from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from filing_portal.core.workflow import allowed, guard, system_only


def _in_region(ticket, user) -> bool:
    return user.region_id == ticket.region_id or (
        user.role == "province_staff" and ticket.region.province_id == user.region_id
    )


def _owner(ticket, user) -> bool:
    return user.institution_id == ticket.institution_id


@guard(rule="FIL-07", message="The public notice has not ended yet.")
def notice_over(ticket) -> bool:
    return ticket.notice_ends_on is None or ticket.notice_ends_on < timezone.localdate()


class Ticket(ConcurrentTransitionMixin, models.Model):
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    title = models.CharField(max_length=100)
    state = FSMField(default="draft", protected=True)
    due_on = models.DateField(null=True, blank=True)
    notice_ends_on = models.DateField(null=True, blank=True)
    reject_reason = models.TextField(blank=True)

    def __str__(self):
        return self.title

    @transition(field=state, source="draft", target="submitted", permission=allowed("institution", check=_owner))
    def submit(self):
        """No data changes beyond the state."""

    @transition(field=state, source="submitted", target="approved", conditions=[notice_over],
                permission=allowed("city_staff", "province_staff", check=_in_region), custom={"rule": "FIL-01"})
    def approve(self):
        """No data changes beyond the state."""

    @transition(field=state, source=["submitted"], target="rejected",
                permission=allowed("city_staff", "province_staff", check=_in_region), custom={"rule": "FIL-06"})
    def reject(self, reason: str):
        self.reject_reason = reason

    @transition(field=state, source="submitted", target="terminated", permission=system_only,
                custom={"rule": "FIL-04"})
    def expire(self):
        """No data changes beyond the state."""
