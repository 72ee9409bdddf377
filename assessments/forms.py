"""Forms of the batch pages: the plan, candidates, results, staff decisions, spot checks, exports, objections."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from filing_portal.core import clock
from filing_portal.personal_data import IdType

from .models import LEVELS, AssessmentBatch, BatchStaff
from .services import CandidateData, PlanItem, PlanPerson, ScoreData

# 1 = 一级 … 5 = 五级 (NUM-06 level codes); the long names are the models' LEVELS.
LEVEL_SHORT = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}
XLSX_MAX_BYTES = 10 * 1024 * 1024


def occupation_label(occupation, work_type: str, level: int) -> str:
    """汽车维修工（汽车机械维修工）三级."""
    work = f"（{work_type}）" if work_type else ""
    return f"{occupation.name}{work}{LEVEL_SHORT.get(level, level)}"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PlanForm(forms.Form):
    """评价计划 (ASM-01): one of the institution's active filings, dates, venue, subjects and the levels planned."""

    filing = forms.ModelChoiceField(queryset=None, label=_("Filing"), empty_label=None)
    exam_start = forms.DateField(label=_("Exam from"), widget=DateInput, help_text=_("YYYY-MM-DD"))
    exam_end = forms.DateField(label=_("Exam until"), widget=DateInput, help_text=_("YYYY-MM-DD"))
    venue_address = forms.CharField(label=_("Venue address"), max_length=200,
                                    widget=forms.TextInput(attrs={"list": "filed-venues", "autocomplete": "off"}))
    theory = forms.BooleanField(label=_("Theory examination"), required=False, initial=True)
    practical = forms.BooleanField(label=_("Practical assessment"), required=False, initial=True)
    comprehensive = forms.BooleanField(label=_("Comprehensive review"), required=False)
    method = forms.ChoiceField(label=_("Method"), choices=AssessmentBatch.Method.choices)
    candidate_source = forms.CharField(label=_("Candidate source"), max_length=100,
                                       help_text=_("For example: own staff, social applicants, students of a school."))
    planned_count = forms.IntegerField(label=_("Planned number of candidates"), min_value=1, max_value=100000)
    items = forms.MultipleChoiceField(label=_("Occupations and levels"), widget=forms.CheckboxSelectMultiple,
                                      help_text=_("Only the occupations and levels of the filing's scope (ASM-02)."))

    def __init__(self, *args, filings, active_filings, scope_rows, venues_by_filing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.venues_by_filing = venues_by_filing  # filing pk → its filed venues (ELIG-10); None: not checked here
        # Any of the institution's filings validates, so a filing that stopped being active between showing the
        # form and posting it reaches the service, which refuses it with its rule (REN-02) instead of "invalid".
        self.fields["filing"].queryset = filings
        self.fields["filing"].choices = [(f.pk, f"{f.number}（{f.get_state_display()}）") for f in active_filings]
        if len(active_filings) == 1:
            self.fields["filing"].initial = active_filings[0].pk
        # Likewise the scope of every filing validates; only the active filings' scope is offered.
        offered = {f.pk for f in active_filings}
        several = len(offered) > 1
        self.scope_rows = {str(row.pk): row for row in scope_rows}
        label = {str(row.pk): occupation_label(row.occupation, row.work_type, row.level)
                 + (f" · {row.filing.number}" if several else "") for row in scope_rows}
        self.fields["items"].choices = list(label.items())
        self.fields["items"].widget.choices = [(pk, text) for pk, text in label.items()
                                               if self.scope_rows[pk].filing_id in offered]

    def clean(self):
        data = super().clean()
        start, end = data.get("exam_start"), data.get("exam_end")
        if start and end and end < start:
            self.add_error("exam_end", _("The exam cannot end before it starts."))
        if not (data.get("theory") or data.get("practical") or data.get("comprehensive")):
            self.add_error("theory", _("Choose at least one subject."))
        filing = data.get("filing")
        if filing and data.get("items"):
            if any(self.scope_rows[pk].filing_id != filing.pk for pk in data["items"]):
                self.add_error("items", _("Choose occupations and levels of the chosen filing."))
        venue = data.get("venue_address")
        # Only an offered (active) filing's venues are checked here; any other filing reaches the service,
        # which refuses it for its standing first (REN-02, recorded: SUP-07).
        if filing and venue and self.venues_by_filing is not None and filing.pk in self.venues_by_filing:
            from .selectors import venue_key

            filed = self.venues_by_filing[filing.pk]
            if venue_key(venue) not in {venue_key(v) for v in filed}:
                self.add_error("venue_address", _("ELIG-10: choose one of the venues the filing was filed with: "
                                                  "%(list)s.") % {"list": "；".join(filed) or "—"})
        return data

    @classmethod
    def initial_for(cls, batch: AssessmentBatch, scope_rows) -> dict:
        """The form's initial values from a saved plan (the edit page)."""
        planned = {(i.occupation_id, i.work_type, i.level) for i in batch.items.all()}
        return {"filing": batch.filing_id, "exam_start": batch.exam_start, "exam_end": batch.exam_end,
                "venue_address": batch.venue_address, "theory": batch.theory, "practical": batch.practical,
                "comprehensive": batch.comprehensive, "method": batch.method,
                "candidate_source": batch.candidate_source, "planned_count": batch.planned_count,
                "items": [str(r.pk) for r in scope_rows if r.filing_id == batch.filing_id
                          and (r.occupation_id, r.work_type, r.level) in planned]}

    def plan_items(self) -> list[PlanItem]:
        rows = [self.scope_rows[pk] for pk in self.cleaned_data["items"]]
        return [PlanItem(occupation_id=r.occupation_id, level=r.level, work_type=r.work_type) for r in rows]


class StaffRowForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=BatchStaff.Role.choices)
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=30)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    is_trainer = forms.BooleanField(label=_("Trains the candidates"), required=False)

    def has_changed(self) -> bool:
        """A row counts once something besides the (preset) role is filled in; otherwise it is skipped."""
        return any(self[name].value() not in (None, "", False) for name in ("name", "phone", "organisation")) \
            or bool(self["is_trainer"].value())

    def person(self) -> PlanPerson:
        d = self.cleaned_data
        return PlanPerson(role=d["role"], name=d["name"].strip(), phone=d["phone"].strip(),
                          organisation=d["organisation"].strip(), is_trainer=d["is_trainer"])


class BaseStaffFormSet(forms.BaseFormSet):
    """Blank rows are skipped; the first rows come with a role preset."""

    PRESET_ROLES = ("invigilator", "assessor", "supervisor", "invigilator", "assessor", "supervisor")

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        # Rows from a saved plan (the edit page) keep their own initial values.
        if index is not None and len(self.initial or ()) <= index < len(self.PRESET_ROLES):
            kwargs["initial"] = {"role": self.PRESET_ROLES[index]}
        return kwargs

    def filled_forms(self):
        return [f for f in self.forms if f.has_changed() and f.is_valid()]

    def clean(self):
        if any(self.errors):
            return
        roles = {f.cleaned_data["role"] for f in self.filled_forms()}
        if not {"invigilator", "assessor", "supervisor"} <= roles:
            raise ValidationError(_("ASM-01: name at least one invigilator, one assessor and one internal quality "
                                    "supervisor."))

    def people(self) -> list[PlanPerson]:
        return [f.person() for f in self.filled_forms()]


StaffFormSet = forms.formset_factory(StaffRowForm, formset=BaseStaffFormSet, extra=8, max_num=60,
                                     absolute_max=200)


class CandidateForm(forms.Form):
    """One candidate typed in (the spreadsheet import takes many)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), ("M", _("male")), ("F", _("female"))])
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices, initial=IdType.RESIDENT_ID_CARD)
    id_number = forms.CharField(label=_("ID number"), max_length=40,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    item = forms.ChoiceField(label=_("Occupation (work type) and level"))
    employer = forms.CharField(label=_("Employing unit"), max_length=200, required=False)
    city = forms.CharField(label=_("Candidate's city"), max_length=50, required=False)
    photo = forms.FileField(label=_("Photo (JPEG or PNG, at most 2 MB)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
                            help_text=_("A 2-inch colour photo on a white background (printed on the certificate)."))

    #: The service's field names (CandidateImportError rows) → this form's fields.
    SERVICE_FIELDS = {"name": "name", "gender": "gender", "id_type": "id_type", "id_number": "id_number",
                      "occupation": "item", "level": "item", "work_type": "item", "employer": "employer",
                      "city": "city", "photo": "photo"}

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        items = list(batch.items.all())
        self.items = {f"{i.occupation.code}|{i.level}|{i.work_type}": i for i in items}
        self.fields["item"].choices = [(key, f"{i.occupation.code} {occupation_label(i.occupation, i.work_type, i.level)}")
                                       for key, i in self.items.items()]

    def clean_photo(self):
        """JPEG or PNG by content and ≤ 2 MB (certificates.photos); the service checks again."""
        from certificates.photos import photo_bytes, photo_validate

        photo = self.cleaned_data.get("photo")
        if photo:
            photo_validate(photo_bytes(photo))
        return photo

    @classmethod
    def initial_for(cls, candidate) -> dict:
        # The ID number is not put back into the page (PUB-04): left blank, the stored one is kept.
        return {"name": candidate.name, "gender": candidate.gender, "id_type": candidate.id_type,
                "employer": candidate.employer, "city": candidate.city,
                "item": f"{candidate.occupation.code}|{candidate.level}|{candidate.work_type}"}

    def candidate(self) -> CandidateData:
        d = self.cleaned_data
        item = self.items[d["item"]]
        photo = d.get("photo") or None  # False = "clear" ticked on the edit form
        return CandidateData(name=d["name"], gender=d["gender"], id_type=d["id_type"], id_number=d["id_number"],
                             occupation_code=item.occupation.code, level=item.level, work_type=item.work_type,
                             employer=d["employer"], city=d["city"], photo=photo)

    def add_service_errors(self, problems: dict[str, str]) -> None:
        for field, message in problems.items():
            self.add_error(self.SERVICE_FIELDS.get(field), message)


class XlsxUploadForm(forms.Form):
    upload = forms.FileField(label=_("Spreadsheet (.xlsx)"),
                             widget=forms.ClearableFileInput(attrs={
                                 "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}))

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload the filled-in template as an .xlsx file."))
        if upload.size > XLSX_MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        return upload


SCORE = {"max_digits": 5, "decimal_places": 1, "min_value": 0, "max_value": 100}


class ScoreForm(forms.Form):
    candidate_id = forms.IntegerField(widget=forms.HiddenInput)
    theory = forms.DecimalField(label=_("Theory"), **SCORE)
    practical = forms.DecimalField(label=_("Practical"), **SCORE)
    review = forms.DecimalField(label=_("Comprehensive review"), **SCORE)

    SUBJECTS = {"theory": "theory", "practical": "practical", "review": "comprehensive"}

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        # ASM-07: every candidate is scored in exactly the batch's subjects.
        for field, subject in self.SUBJECTS.items():
            if not getattr(batch, subject):
                del self.fields[field]
        for field in self.SUBJECTS:
            if field in self.fields:
                self.fields[field].widget.attrs.update({"step": "0.1", "inputmode": "decimal"})

    def score(self) -> ScoreData:
        d = self.cleaned_data
        return ScoreData(candidate_id=d["candidate_id"], theory=d.get("theory"), practical=d.get("practical"),
                         review=d.get("review"))


class BaseScoreFormSet(forms.BaseFormSet):
    def __init__(self, *args, batch, candidates, **kwargs):
        self.batch, self.candidates = batch, candidates
        initial = [{"candidate_id": c.pk, "theory": c.theory_score, "practical": c.practical_score,
                    "review": c.review_score} for c in candidates]
        super().__init__(*args, initial=initial, form_kwargs={"batch": batch}, **kwargs)

    def rows(self):
        return list(zip(self.forms, self.candidates, strict=False))


ScoreFormSet = forms.formset_factory(ScoreForm, formset=BaseScoreFormSet, extra=0, max_num=5000,
                                     absolute_max=5000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ObjectionResolveForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("dismissed", _("Dismiss: the results stand")),
                                          ("upheld", _("Uphold: the results must be corrected"))])
    resolution = forms.CharField(label=_("Reasons"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class SpotCheckForm(forms.Form):
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput, help_text=_("YYYY-MM-DD"))
    step = forms.CharField(label=_("Step checked"), max_length=100,
                           help_text=_("For example: identity check at entry, theory exam, practical assessment, "
                                       "marking."))
    findings = forms.CharField(label=_("Findings"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    compliant = forms.TypedChoiceField(label=_("Outcome"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
                                       choices=[("yes", _("Compliant")), ("no", _("Not compliant"))], initial="yes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = clock.today()


class ExportFilterForm(forms.Form):
    """The staff export page: which batches go into the result summary (附件4) and certificate table (附件5)."""

    date_from = forms.DateField(label=_("Exams from"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Exams until"), required=False, widget=DateInput)
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False, empty_label=_("All"))
    institution_name = forms.CharField(label=_("Institution name contains"), max_length=100, required=False)
    occupation_code = forms.CharField(label=_("Occupation code"), max_length=16, required=False,
                                      widget=forms.TextInput(attrs={"placeholder": "4-12-01-01"}))
    level = forms.TypedChoiceField(label=_("Level"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("All")), *LEVELS])
    mark_uploaded = forms.BooleanField(
        label=_("Mark the certificates in the table as uploaded to the national lookup (ASM-06)"), required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The period ends before it starts."))
        return data

    def filters(self) -> dict:
        d = self.cleaned_data
        return {"date_from": d.get("date_from"), "date_to": d.get("date_to"), "region": d.get("region"),
                "institution_name": d.get("institution_name", ""), "occupation_code": d.get("occupation_code", ""),
                "level": d.get("level")}


class PublicObjectionForm(forms.Form):
    contact = forms.CharField(label=_("How to contact you (phone or e-mail)"), max_length=100)
    content = forms.CharField(label=_("Your objection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("Name the candidate or result you object to and why. Do not write ID "
                                          "numbers."))
