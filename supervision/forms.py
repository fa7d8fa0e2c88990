"""Forms of the supervision pages; the rules live in supervision.services."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.forms import DateInput, StyledForm
from supervision.models import SessionForm as Form_


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker (``datetime-local``), minutes, Asia/Shanghai."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class SessionEntryForm(StyledForm, forms.Form):
    """One session of a contract's month: pickers for the month's stations, the supervisors
    (those assigned under the contract first) and the stations' workers."""

    facility = forms.TypedChoiceField(label=_("站点"), coerce=int)
    supervisor = forms.TypedChoiceField(label=_("督导"), coerce=int)
    started_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    ended_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeInput())
    hours = forms.DecimalField(
        label=_("督导时长（小时）"),
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=0,
        help_text=_("留空按起止时间计算；只能少于起止时间，并说明原因。"),
    )
    hours_note = forms.CharField(label=_("时长说明"), max_length=300, required=False)
    form = forms.ChoiceField(label=_("督导形式"), choices=Form_.choices)
    topics = forms.CharField(label=_("督导主题"), widget=forms.Textarea(attrs={"rows": 2}))
    participants = forms.TypedMultipleChoiceField(
        label=_("参加的驻站社工"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("督导记录"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(
        label=_("签到表（照片或 PDF）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, stations, supervisors, workers, month: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [("", "—"), *((s.pk, s.name) for s in stations)]  # type: ignore[attr-defined]
        self.fields["supervisor"].choices = [("", "—"), *supervisors]  # type: ignore[attr-defined]
        self.fields["participants"].choices = workers  # type: ignore[attr-defined]
        first = datetime.datetime.combine(month, datetime.time(0, 0))
        for name in ("started_at", "ended_at"):
            self.fields[name].widget.attrs["min"] = f"{first:%Y-%m-%dT%H:%M}"
        self.fields["participants"].widget.attrs.pop("class", None)

    def clean(self):
        cleaned = super().clean()
        for name in ("started_at", "ended_at"):
            value = cleaned.get(name)
            if value is not None and timezone.is_naive(value):
                cleaned[name] = timezone.make_aware(value)
        return cleaned


class AssignmentForm(StyledForm, forms.Form):
    """Assign a supervisor to one of the month's stations under the contract (督导安排)."""

    supervisor = forms.TypedChoiceField(label=_("督导"), coerce=int)
    facility = forms.TypedChoiceField(label=_("站点"), coerce=int)
    started_on = forms.DateField(label=_("起始日期"), widget=DateInput(future=True))
    ended_on = forms.DateField(
        label=_("结束日期（含）"),
        required=False,
        widget=DateInput(future=True),
        help_text=_("留空为合同期满"),
    )

    def __init__(self, *args, stations, supervisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [("", "—"), *((s.pk, s.name) for s in stations)]  # type: ignore[attr-defined]
        self.fields["supervisor"].choices = [("", "—"), *supervisors]  # type: ignore[attr-defined]


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.TextInput())
