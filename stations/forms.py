import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.filters import star_choices
from stations.models import Facility, FacilityLevel, FacilityStatus
from stations.models.facilities import DIVISION_LEVEL_OF
from stations.services.facilities import DETAIL_FIELDS
from stations.validation import EARLIEST_DATE
from stations.widgets import DivisionPicker

# What a browser can check of a Chinese phone number before it is sent; the
# service checks it again with libphonenumber (stations.validation.phone_normalize).
PHONE_PATTERN = r"(\+?86[ \-]?)?(1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}|0\d{2,3}[ \-]?\d{7,8})"


class DateInput(forms.DateInput):
    """A browser date picker in ISO form, from EARLIEST_DATE to today (``future`` lifts the end)."""

    input_type = "date"

    def __init__(self, attrs=None, *, future: bool = False):
        super().__init__(attrs, format="%Y-%m-%d")
        self.future = future

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        bounds = context["widget"]["attrs"]
        bounds.setdefault("min", EARLIEST_DATE.isoformat())
        if not self.future:
            bounds.setdefault("max", timezone.localdate().isoformat())
        return context


class PhoneInput(forms.TextInput):
    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__(
            {
                "inputmode": "tel",
                "pattern": PHONE_PATTERN,
                "placeholder": _("如 13800138000 或 0772-2800000"),
                **(attrs or {}),
            }
        )


class StyledForm(forms.BaseForm):
    """Bootstrap classes on every widget, so templates render fields with ``{{ field }}``.

    A field with errors is marked ``aria-invalid`` by Django and shown red by app.css.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | DivisionPicker):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()


class CoverageOverrideForm(StyledForm, forms.Form):
    """Count or exclude one township unit; the rules live in the service."""

    counted = forms.TypedChoiceField(
        label=_("覆盖口径"),
        choices=[("1", _("计入覆盖率")), ("0", _("不计入覆盖率"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    effective_from = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=DateInput(future=True),
        help_text=_("留空为今天；填更早的日期会改变那以后各日的覆盖率，请在理由中写明依据"),
    )
    effective_to = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=DateInput(future=True),
        help_text=_("留空为长期有效，直到结束调整"),
    )


class TenantSwitchForm(forms.Form):
    tenant = forms.CharField(max_length=4)


class AsOfForm(forms.Form):
    """The date a dashboard shows; today when absent."""

    as_of = forms.DateField(label=_("日期"), required=False, widget=DateInput())

    def clean_as_of(self):
        value = self.cleaned_data.get("as_of")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天。"))
        if value and value < datetime.date(2000, 1, 1):
            raise forms.ValidationError(_("日期不能早于 2000-01-01。"))
        return value or timezone.localdate()


class FacilityDetailsForm(StyledForm, forms.ModelForm):
    """The descriptive fields of a facility; the rules live in the services."""

    class Meta:
        model = Facility
        fields = list(DETAIL_FIELDS)
        widgets = {
            "remarks": forms.Textarea(attrs={"rows": 3}),
            "phone": PhoneInput(),
            "office_area_m2": forms.NumberInput(attrs={"min": 0, "step": "0.1"}),
        }
        help_texts = {
            "name": _("留空则按官方格式自动生成：××县（市、区）××乡镇（街道）社会工作服务站")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["demonstration_year"].widget.attrs.update(
            min=EARLIEST_DATE.year, max=timezone.localdate().year
        )

    def _post_clean(self):
        # Model validation runs in the service, with the status and dates it needs.
        pass


class FacilityCreateForm(FacilityDetailsForm):
    level = forms.ChoiceField(label=_("层级"), choices=FacilityLevel.choices)
    division = forms.CharField(
        label=_("所在区划"),
        max_length=12,
        help_text=_("输入名称或代码搜索，或从本辖区逐级选择；区划级别须与层级相符"),
        widget=DivisionPicker(
            levels_from="id_level",
            level_map={str(level): str(division) for level, division in DIVISION_LEVEL_OF.items()},
        ),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[
            (FacilityStatus.OPERATING, FacilityStatus.OPERATING.label),
            (FacilityStatus.PLANNED, FacilityStatus.PLANNED.label),
        ],
    )
    established_on = forms.DateField(label=_("建成运营日期"), required=False, widget=DateInput())

    field_order = ["level", "division", "status", "established_on", *DETAIL_FIELDS]

    def __init__(self, *args, root: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].widget.root = root


class FacilityCloseForm(StyledForm, forms.Form):
    status = forms.ChoiceField(
        label=_("操作"),
        choices=[(FacilityStatus.CLOSED, _("关闭")), (FacilityStatus.SUSPENDED, _("暂停运营"))],
    )
    on = forms.DateField(label=_("停止运营日期"), widget=DateInput())
    reason = forms.CharField(label=_("原因"), max_length=300)


class FacilityOpenForm(StyledForm, forms.Form):
    on = forms.DateField(label=_("开始（恢复）运营日期"), widget=DateInput())
    reason = forms.CharField(label=_("说明"), max_length=300, required=False)


class FacilityCorrectForm(StyledForm, forms.Form):
    """Fix what was entered wrongly (not a change in the world): leave the rest blank."""

    established_on = forms.DateField(
        label=_("正确的建成运营日期"), required=False, widget=DateInput()
    )
    level = forms.ChoiceField(
        label=_("正确的层级"), required=False, choices=[("", _("不变")), *FacilityLevel.choices]
    )
    division = forms.CharField(
        label=_("正确的所在区划"),
        required=False,
        max_length=12,
        widget=DivisionPicker(
            levels_from="correct-level",
            level_map={str(level): str(division) for level, division in DIVISION_LEVEL_OF.items()},
        ),
    )
    reason = forms.CharField(
        label=_("更正原因"), max_length=300, error_messages={"required": _("更正须写明原因。")}
    )

    def __init__(self, *args, facility=None, root: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        picker = self.fields["division"].widget
        picker.root = root
        if facility is not None:  # the picker offers the levels of the facility's own level
            picker.levels = [str(DIVISION_LEVEL_OF[FacilityLevel(facility.level)])]


class FacilityRatingForm(StyledForm, forms.Form):
    stars = forms.TypedChoiceField(label=_("星级"), choices=star_choices, coerce=int)
    rated_on = forms.DateField(label=_("评定日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


def add_service_errors(form: forms.BaseForm, error) -> None:
    """Show a service's ValidationError on the form's fields (or above the form)."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def add_other_errors(form: forms.BaseForm, errors: dict[str, list[str]]) -> None:
    """Add the errors of fields the form has not refused itself (see validation.all_errors)."""
    for field, messages in errors.items():
        name = field if field in form.fields else None
        if (name or "__all__") not in form.errors:
            form.add_error(name, messages)
