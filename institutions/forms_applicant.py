"""Forms of the institution's application pages: one per step of the application (SC21 附件1–5, AH20 附件1–2)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .models import (
    ApplicationOccupation,
    Assessor,
    Attachment,
    Equipment,
    FilingApplication,
    Institution,
    StaffMember,
    Venue,
    validate_uscc,
)
from .occupations import Occupation
from .services.filings import INFO_FIELDS

# The portal's level codes (1 = 一级/高级技师 … 5 = 五级/初级工), listed from the lowest level up as on the forms.
LEVEL_CHOICES = [(5, "五级/初级工"), (4, "四级/中级工"), (3, "三级/高级工"), (2, "二级/技师"), (1, "一级/高级技师")]
LEVEL_NAMES = dict(LEVEL_CHOICES)

# AH20 附件2 职业技能等级认定工作方案（模板）: the headings, shown as the placeholder of the plan.
IMPLEMENTATION_PLAN_HEADINGS = "\n".join([
    "一、备案单位概况（含省内分支机构情况）",
    "二、认定组织机构及职责",
    "三、认定工作总体规划、工作计划",
    "四、认定的职业（工种）等级、认定依据、题库资源，在相应职业领域的影响力、代表性，组织优势、硬件条件、专业人员、资历条件等",
    "五、认定方式、流程、内容",
    "六、认定工作规章制度建设情况，内部质量管控机制",
    "七、试点工作安排及预期目标",
    "八、证书样本（纸质或电子证书）",
    "九、开展认定有关的各项保障（机制）措施",
    "十、其他",
])

# FIL-12: the pledges of SC21 附件4 and 附件5, verbatim (附件5's "我_单位）" is the source's typo for "我（单位）").
PLEDGE_TRUTHFULNESS_TITLE = "备案材料填写内容真实性承诺书"
PLEDGE_TRUTHFULNESS = (
    "我（单位）郑重承诺：本单位在《职业技能考核鉴定机构备案表》中所填写内容真实、准确、可靠，并能满足鉴定项目实施要求，"
    "对其真实性负全部责任。若违反保证内容，因场地、设施设备、考评员资格等原因，造成鉴定工作不能正常开展的，"
    "所有责任由我单位承担。"
)
PLEDGE_OPERATION_TITLE = "职业技能考核鉴定机构规范运行承诺书"
PLEDGE_OPERATION_INTRO = "职业技能考核鉴定机构备案完成后，开展鉴定业务工作时，我（单位）郑重承诺："
PLEDGE_OPERATION_ITEMS = [
    "严格遵守各项规章制度和规定，公平、公正地实施鉴定业务。",
    "自觉接受和主动配合人力资源社会保障部门的业务指导和质量监管。",
    "保持鉴定场所设施设备、监控装置完好，并根据鉴定规范和质量提升的要求，及时调整、增加、升级鉴定设施设备；"
    "确保鉴定业务管理系统及各种智能化考试平台正常应用。",
    "鉴定场所明示安全须知，采取有效安全防护措施；开展技能鉴定时启用现场监控设备，做好录像、录音及其数据保存备份工作。",
    "执行职业技能考核鉴定回避制度、保密制度和诚信规定。",
    "选派符合条件人员参加考评员培训班，不断壮大考评人员队伍。",
    "若违反管理制度，出现管理不善、服务不到位，导致严重影响鉴定质量情况，将按监督管理部门要求进行整改，直至合格为止，"
    "避免影响业务开展。",
    "违反鉴定收费政策乱收费，或因工作失误致发生重大事故或造成国家重大经济损失、产生恶劣社会影响的，接受3至6个月整改，"
    "直至合格，避免影响业务开展并按相关规定处理。",
]

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BasicsForm(forms.ModelForm):
    """The application's own fields of AH20 附件1 and the implementation plan of 附件2."""

    class Meta:
        model = FilingApplication
        fields = ["province_wide", "years_of_experience", "total_person_times", "subsidised_training",
                  "implementation_plan", "organisation_strengths", "main_business", "change_date"]
        widgets = {
            "implementation_plan": forms.Textarea(attrs={"rows": 14, "placeholder": IMPLEMENTATION_PLAN_HEADINGS}),
            "organisation_strengths": forms.Textarea(attrs={"rows": 6}),
            "main_business": forms.Textarea(attrs={"rows": 3}),
            "change_date": DATE_WIDGET,
        }
        help_texts = {
            "province_wide": _("Province-wide service needs 5 consecutive years, 20,000 person-times in total and "
                               "5,000 in each occupation, or government-subsidised training duties (ELIG-06)."),
            "implementation_plan": _("Follow the headings of the template (AH20 附件2); add sections as needed."),
            "organisation_strengths": _("Organisation, full-time staff, experts and other professionals; "
                                        "training and evaluation experience."),
            "main_business": _("Employers only: the occupations filed must relate directly to it (ELIG-04)."),
            "change_date": _("When the change takes or took effect: the materials are due within 5 working days "
                             "before or after it (CHG-03)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        application = self.instance
        if application.institution.kind != Institution.Kind.EMPLOYER:
            del self.fields["main_business"]  # ELIG-04 concerns employers only
        if application.kind == FilingApplication.Kind.INITIAL:
            del self.fields["change_date"]  # CHG-03 concerns changes only


class OccupationField(forms.CharField):
    """An occupation of the catalogue, typed as its code (4-12-01-01), "code name", or its exact name."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        active = Occupation.objects.filter(active=True)
        occupation = active.filter(code=text.split()[0]).first()
        if occupation is None:
            by_name = list(active.filter(name=text)[:2])
            occupation = by_name[0] if len(by_name) == 1 else None
        if occupation is None:
            raise ValidationError(_("ELIG-03: %(value)s is not in the occupational classification; give its code, "
                                    "e.g. 4-12-01-01."), params={"value": text}, code="ELIG-03")
        return occupation


class OccupationRowForm(forms.ModelForm):
    """One occupation (work type) with its levels (SC21 附件1, AH20 附件1)."""

    occupation = OccupationField(label=_("Occupation (code or name)"), max_length=120,
                                 widget=forms.TextInput(attrs={"list": "occupation-catalogue", "size": 12}))
    levels = forms.TypedMultipleChoiceField(label=_("Levels"), choices=LEVEL_CHOICES, coerce=int,
                                            widget=forms.CheckboxSelectMultiple,
                                            error_messages={"required": _("Choose at least one level.")})

    class Meta:
        model = ApplicationOccupation
        fields = ["occupation", "work_type", "levels", "own_assessors", "experience_years", "person_times",
                  "prior_senior_evaluation", "business_relation"]
        labels = {"experience_years": _("Years of experience in it"), "person_times": _("Person-times in it"),
                  "prior_senior_evaluation": _("Evaluated senior worker or above"),
                  "business_relation": _("Relation to the main business (ELIG-04)")}
        widgets = {"business_relation": forms.Textarea(attrs={"rows": 2, "cols": 24})}

    def __init__(self, *args, employer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not employer:
            del self.fields["business_relation"]  # ELIG-04 concerns employers only
        if self.instance.pk:
            self.initial["occupation"] = self.instance.occupation.code  # the row is loaded with its occupation

    def clean_levels(self):
        return sorted(set(self.cleaned_data["levels"]))


class VenueForm(forms.ModelForm):
    """A venue: theory rooms, practical or inspection site, office (SC21 附件1; ELIG-10)."""

    occupation_codes = forms.MultipleChoiceField(
        label=_("Occupations assessed here"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every occupation of the application."))

    class Meta:
        model = Venue
        fields = ["kind", "address", "room_count", "area_m2", "tenure", "lease_until", "is_college_venue",
                  "occupation_codes", "video_surveillance"]
        widgets = {"lease_until": DATE_WIDGET}
        help_texts = {"tenure": _("Temporary rented venues cannot be filed (ELIG-10).")}

    def __init__(self, *args, occupation_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(occupation_choices)
        known = {code for code, _label in choices}
        # Keep a code ticked earlier even if its occupation row has since been removed, so nothing is lost silently.
        choices += [(code, code) for code in (self.instance.occupation_codes or []) if code not in known]
        self.fields["occupation_codes"].choices = choices


class EquipmentForm(forms.ModelForm):
    class Meta:
        model = Equipment
        fields = ["name", "model", "unit", "quantity"]
        widgets = {"unit": forms.TextInput(attrs={"size": 4})}


class StaffForm(forms.ModelForm):
    """管理人员名册 (SC21 附件2)."""

    class Meta:
        model = StaffMember
        fields = ["post", "name", "gender", "age", "qualification", "education", "professional_title", "phone",
                  "full_time"]


class AssessorForm(forms.ModelForm):
    """自有考评员和质量督导员名册 (SC21 附件3)."""

    occupation_code = forms.ChoiceField(label=_("Occupation assessed"), required=False)

    class Meta:
        model = Assessor
        fields = ["role", "name", "gender", "age", "education", "position", "professional_title", "occupation_code",
                  "qualified_on", "phone"]
        widgets = {"qualified_on": DATE_WIDGET}

    def __init__(self, *args, occupation_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *occupation_choices]
        current = self.instance.occupation_code
        if current and current not in {code for code, _label in choices}:
            choices.append((current, current))
        self.fields["occupation_code"].choices = choices


def _formset(model, form, *, extra: int):
    return inlineformset_factory(FilingApplication, model, form=form, extra=extra, can_delete=True)


def occupation_formset(*, extra: int):
    return _formset(ApplicationOccupation, OccupationRowForm, extra=extra)


def venue_formset(*, extra: int):
    return _formset(Venue, VenueForm, extra=extra)


def equipment_formset(*, extra: int):
    return inlineformset_factory(Venue, Equipment, form=EquipmentForm, extra=extra, can_delete=True)


def staff_formset(*, extra: int):
    return _formset(StaffMember, StaffForm, extra=extra)


def assessor_formset(*, extra: int):
    return _formset(Assessor, AssessorForm, extra=extra)


class AttachmentUploadForm(forms.Form):
    """One file; its type and size are checked by the service (`attachment_add`)."""

    kind = forms.ChoiceField(label=_("Kind of material"), choices=[("", "—"), *Attachment.Kind.choices])
    file = forms.FileField(label=_("File (PDF, JPG or PNG, at most 10 MB)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


class PledgeForm(forms.Form):
    """FIL-12: both pledges, signed by the legal representative."""

    truthfulness = forms.BooleanField(label=_("We make the pledge of truthfulness above."),
                                      error_messages={"required": _("Tick to make this pledge.")})
    operation = forms.BooleanField(label=_("We make the pledge of proper operation above."),
                                   error_messages={"required": _("Tick to make this pledge.")})
    signed_by = forms.CharField(label=_("Legal representative signing"), max_length=50)


class InfoChangeForm(forms.Form):
    """CHG-02: the new name, legal representative, head or contacts; only values that differ are kept."""

    def __init__(self, *args, institution: Institution, proposed: dict | None = None, change_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.institution = institution
        proposed = proposed or {}
        for name in INFO_FIELDS:
            model_field = Institution._meta.get_field(name)
            field = model_field.formfield(required=False)
            field.help_text = _("Now: %(value)s") % {"value": getattr(institution, name) or "—"}
            field.initial = proposed.get(name, getattr(institution, name))
            self.fields[name] = field
        # CHG-03: the materials are due within 5 WD before or after the change; staff see a late one flagged.
        self.fields["change_date"] = forms.DateField(
            label=_("Date of the change"), required=False, widget=DATE_WIDGET, initial=change_date,
            help_text=_("When the change takes or took effect (CHG-03)."))

    def clean(self):
        cleaned = super().clean()
        changes = {}
        for name in INFO_FIELDS:
            value = (cleaned.get(name) or "").strip()
            if value and value != (getattr(self.institution, name) or ""):
                changes[name] = value
        if not self.errors and not changes:
            raise ValidationError(_("Change at least one value (CHG-02)."), code="CHG-02")
        cleaned["changes"] = changes
        return cleaned


class TerminationNotifyForm(forms.Form):
    """TERM-01: the institution tells its office that it ends its filing, why and from when."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    terminate_on = forms.DateField(label=_("Ends its assessments on"), widget=DATE_WIDGET)


class FeeRowForm(forms.Form):
    """PUB-03: one fee standard (item, level, amount, approving document), shown in the public directory."""

    item = forms.CharField(label=_("Fee item"), max_length=100)
    level = forms.TypedChoiceField(label=_("Level"), choices=[("", "—"), *LEVEL_CHOICES], coerce=int,
                                   required=False, empty_value=None)
    amount_yuan = forms.DecimalField(label=_("Amount (yuan)"), min_value=0, max_digits=8, decimal_places=2)
    basis = forms.CharField(label=_("Approved by"), max_length=200, required=False)


class SubsidiaryRowForm(forms.Form):
    """ELIG-02: a subsidiary whose staff the employer assesses."""

    name = forms.CharField(label=_("Name"), max_length=200)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, validators=[validate_uscc])


def public_details_formsets(data=None, *, institution: Institution) -> dict:
    """The fee standards and (employers only) the subsidiaries, as formsets filled from the institution's rows."""
    fees = forms.formset_factory(FeeRowForm, extra=2, can_delete=True)(
        data, prefix="fee", initial=[{"item": f.item, "level": f.level, "amount_yuan": f.amount_yuan, "basis": f.basis}
                                     for f in institution.fee_standards.order_by("item", "level", "pk")])
    out = {"fees": fees}
    if institution.kind == Institution.Kind.EMPLOYER:
        out["subsidiaries"] = forms.formset_factory(SubsidiaryRowForm, extra=2, can_delete=True)(
            data, prefix="sub", initial=[{"name": s.name, "uscc": s.uscc}
                                         for s in institution.subsidiaries.order_by("name", "pk")])
    return out


def formset_rows(formset) -> list[dict]:
    """The kept rows of a valid formset: neither deleted nor left blank."""
    return [{k: v for k, v in form.cleaned_data.items() if k != "DELETE"} for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")]
