"""Forms of the workforce app; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement.models import Contract, Organisation
from stations.forms import DateInput, PhoneInput, StyledForm
from stations.models import Facility
from workforce.models import (
    AssignmentRole,
    CredentialLevel,
    Education,
    Gender,
    Specialty,
    TrainingForm,
    WorkerStatus,
)


class UnechoedInput(forms.TextInput):
    """A text input that never sends its value back to the browser: a page answering a
    mistaken save must not carry a full ID number (PIPL); the user types it again."""

    def format_value(self, value):
        return None


class SocialWorkerForm(StyledForm, forms.Form):
    """A social worker. On a change the ID number field starts empty (it is never sent to
    the browser): leave it empty to keep the number, fill it to correct it."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("公民身份号码"),
        max_length=30,
        widget=UnechoedInput(attrs={"autocomplete": "off"}),
        help_text=_("18 位；出生日期和性别按号码自动填写；保存出错后请重新填写"),
    )
    gender = forms.ChoiceField(
        label=_("性别"), choices=[("", _("按身份号码")), *Gender.choices], required=False
    )
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=DateInput(attrs={"min": "1940-01-01"}),
        help_text=_("留空则按身份号码"),
    )
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False, widget=PhoneInput())
    education = forms.ChoiceField(
        label=_("学历"), choices=[("", "—"), *Education.choices], required=False
    )
    social_work_major = forms.BooleanField(label=_("社会工作专业"), required=False)
    employer = forms.ModelChoiceField(
        label=_("所在机构"), queryset=Organisation.objects.none(), required=False
    )
    party_member = forms.BooleanField(label=_("中共党员"), required=False)
    specialties = forms.MultipleChoiceField(
        label=_("专业领域"),
        choices=Specialty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("状态"), choices=WorkerStatus.choices)
    remarks = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organisations, worker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = organisations  # type: ignore[attr-defined]
        if worker is not None:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("现为 %(masked)s；留空则不修改") % {
                "masked": worker.id_number_masked
            }
            if not self.is_bound:
                for name in self.fields:
                    # The birth date is not sent back: with the mask it spells the number.
                    if name not in ("id_number", "employer", "birth_date") and hasattr(
                        worker, name
                    ):
                        self.initial[name] = getattr(worker, name)
                self.initial["employer"] = worker.employer_id

    def service_values(self) -> dict:
        """What parsed, as social_worker_check's values; an empty number keeps the old one."""
        values = dict(self.cleaned_data)
        if not values.get("id_number"):
            values.pop("id_number", None)
        if "employer" in values:
            values["employer"] = values["employer"].pk if values["employer"] else None
        return values


class CredentialForm(StyledForm, forms.Form):
    level = forms.ChoiceField(label=_("级别"), choices=CredentialLevel.choices)
    certificate_number = forms.CharField(label=_("证书编号"), max_length=40)
    exam_year = forms.IntegerField(label=_("考试年度"), min_value=2008, max_value=2100)
    passed_on = forms.DateField(label=_("取得证书日期"), widget=DateInput())


class RegistrationForm(StyledForm, forms.Form):
    credential = forms.IntegerField(widget=forms.HiddenInput)
    registered_on = forms.DateField(label=_("登记日期"), widget=DateInput())
    continuing_education_hours = forms.DecimalField(
        label=_("本期继续教育学时"),
        max_digits=6,
        decimal_places=1,
        min_value=0,
        required=False,
        initial=0,
    )


class AssignmentForm(StyledForm, forms.Form):
    facility = forms.ModelChoiceField(label=_("站点"), queryset=Facility.objects.none())
    role = forms.ChoiceField(label=_("岗位"), choices=AssignmentRole.choices)
    contract = forms.ModelChoiceField(
        label=_("派驻依据合同"), queryset=Contract.objects.none(), required=False
    )
    started_on = forms.DateField(label=_("起始日期"), widget=DateInput(future=True))
    ended_on = forms.DateField(
        label=_("结束日期（含）"), widget=DateInput(future=True), required=False
    )
    full_time = forms.BooleanField(label=_("全职"), required=False, initial=True)

    def __init__(self, *args, facilities, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]
        self.fields["contract"].label_from_instance = lambda c: f"{c.number} {c.title}"  # type: ignore[attr-defined]

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        for name in ("facility", "contract"):
            if name in values:
                values[name] = values[name].pk if values[name] else None
        return values


class TrainingRecordForm(StyledForm, forms.Form):
    course = forms.CharField(label=_("课程"), max_length=200)
    provider = forms.CharField(label=_("培训机构"), max_length=200, required=False)
    held_on = forms.DateField(label=_("培训日期"), widget=DateInput())
    hours = forms.DecimalField(
        label=_("学时"), max_digits=4, decimal_places=1, min_value=0.1, max_value=24
    )
    form = forms.ChoiceField(label=_("形式"), choices=TrainingForm.choices)
    certificate_number = forms.CharField(label=_("结业证书编号"), max_length=60, required=False)


class PopulationForm(StyledForm, forms.Form):
    """One population figure: the city or a county (its code), a year, residents, source."""

    division = forms.ChoiceField(label=_("区划"))
    year = forms.IntegerField(label=_("年份"), min_value=1953, max_value=2100)
    population = forms.IntegerField(label=_("常住人口（人）"), min_value=1)
    source = forms.CharField(label=_("数据来源"), max_length=200)

    def __init__(self, *args, divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [(d.short_code, d.name) for d in divisions]
