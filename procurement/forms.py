"""Forms of the procurement app; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement.models import (
    ContractClause,
    ContractKind,
    ContractState,
    EvaluationGrade,
    FundingSource,
    Organisation,
)
from procurement.services import CONTRACT_FIELDS, ORGANISATION_FIELDS
from stations.forms import DateInput, PhoneInput, StyledForm
from stations.widgets import DivisionPicker


class OrganisationForm(StyledForm, forms.ModelForm):
    incubated_by = forms.CharField(
        label=_("孵化基地所在县（市、区）"),
        required=False,
        max_length=12,
        widget=DivisionPicker(levels=["county"]),
        help_text=_("由本市哪个县（市、区）的社会组织孵化基地孵化；未经孵化留空"),
    )

    class Meta:
        model = Organisation
        fields = [field for field in ORGANISATION_FIELDS if field != "incubated_by"]
        widgets = {
            "registered_on": DateInput(attrs={"min": "1949-10-01"}),
            "incubated_on": DateInput(),
            "contact_phone": PhoneInput(),
            "remarks": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = [*ORGANISATION_FIELDS]

    def __init__(self, *args, root: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incubated_by"].widget.root = root
        if self.instance.pk and self.instance.incubated_by_id:
            self.initial["incubated_by"] = self.instance.incubated_by.short_code

    def _post_clean(self):
        pass  # the service validates, with the tenant and every rule


class ContractForm(StyledForm, forms.Form):
    """A contract as signed. Covered facilities, funding sources and clauses are rows of
    the page (``facility`` ids with ``workers-<id>``, ``funding-<source>``, ``clause-<code>``
    with ``clause-<code>-where``); their errors attach to the hidden fields of the same name."""

    number = forms.CharField(label=_("合同编号"), max_length=60)
    title = forms.CharField(label=_("合同名称"), max_length=200)
    purchaser = forms.CharField(
        label=_("采购人"),
        max_length=12,
        widget=DivisionPicker(levels=["city", "county"]),
        help_text=_("签订合同的县级或市级民政部门"),
    )
    organisation = forms.ModelChoiceField(
        label=_("承接机构"), queryset=Organisation.objects.none(), empty_label=_("请选择")
    )
    kind = forms.ChoiceField(label=_("合同类型"), choices=ContractKind.choices)
    state = forms.ChoiceField(
        label=_("签订状态"),
        choices=[(ContractState.SIGNED, _("已签订")), (ContractState.DRAFT, _("草稿"))],
    )
    signed_on = forms.DateField(label=_("签订日期"), required=False, widget=DateInput())
    start_on = forms.DateField(label=_("服务开始日期"), widget=DateInput(future=True))
    end_on = forms.DateField(label=_("服务结束日期"), widget=DateInput(future=True))
    amount = forms.DecimalField(
        label=_("合同金额（元）"), max_digits=14, decimal_places=2, min_value=0
    )
    pay_unlicensed = forms.DecimalField(
        label=_("未持证驻站社工"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    pay_assistant = forms.DecimalField(
        label=_("助理社会工作师"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    pay_social_worker = forms.DecimalField(
        label=_("社会工作师"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    document = forms.FileField(
        label=_("合同文本（PDF）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    published = forms.BooleanField(label=_("已公开"), required=False)
    published_where = forms.CharField(label=_("公开渠道"), max_length=300, required=False)
    published_on = forms.DateField(label=_("公开日期"), required=False, widget=DateInput())
    remarks = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Rows of the page; these hidden fields carry their errors.
    facilities = forms.CharField(label=_("覆盖站点"), required=False, widget=forms.HiddenInput)
    funding = forms.CharField(label=_("资金来源"), required=False, widget=forms.HiddenInput)
    clauses = forms.CharField(label=_("必备条款"), required=False, widget=forms.HiddenInput)

    ROW_FIELDS = ("facilities", "funding", "clauses")
    PAY = ("pay_unlicensed", "pay_assistant", "pay_social_worker")

    def __init__(self, *args, organisations, eligible, contract=None, root: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["purchaser"].widget.root = root
        self.eligible = list(eligible)
        self.contract = contract
        if contract is not None and not self.is_bound:
            for name in self.fields:
                if hasattr(contract, name) and name not in ("purchaser", *self.ROW_FIELDS):
                    self.initial[name] = getattr(contract, name)
            self.initial["purchaser"] = contract.purchaser.short_code
            self.initial["organisation"] = contract.organisation_id
            self.initial["document"] = None

    MAIN: tuple[str, ...] = ("number", "title", "purchaser", "organisation", "kind", "state")
    MAIN += ("signed_on", "start_on", "end_on", "amount")
    TAIL = ("document", "published", "published_where", "published_on", "remarks")

    def main_fields(self):
        return [self[name] for name in self.MAIN]

    def pay_fields(self):
        return [self[name] for name in self.PAY]

    def tail_fields(self):
        return [self[name] for name in self.TAIL]

    def ticked(self) -> list[str]:
        """The facility ids ticked on the page (``facility`` repeated)."""
        getlist = getattr(self.data, "getlist", None)
        return list(getlist("facility")) if getlist else list(self.data.get("facility") or [])

    def facility_rows(self) -> list[dict]:
        """The eligible facilities with whether each is covered and its workers promised."""
        if self.is_bound:
            chosen = {key: self.data.get(f"workers-{key}", "") for key in self.ticked()}
        elif self.contract is not None:
            chosen = {
                str(row.facility_id): str(row.stationed_workers)
                for row in self.contract.coverage.all()
            }
        else:
            chosen = {}
        return [
            {
                "facility": facility,
                "checked": str(facility.pk) in chosen,
                "workers": chosen.get(str(facility.pk), "2" if not self.is_bound else ""),
            }
            for facility in self.eligible
        ]

    def funding_rows(self) -> list[dict]:
        if self.is_bound:
            amounts = {source: self.data.get(f"funding-{source}", "") for source in FundingSource}
        elif self.contract is not None:
            amounts = {row.source: row.amount for row in self.contract.funding.all()}
        else:
            amounts = {}
        return [
            {"source": source, "label": source.label, "amount": amounts.get(source, "")}
            for source in FundingSource
        ]

    def clause_rows(self) -> list[dict]:
        if self.is_bound:
            stated = {
                code: self.data.get(f"clause-{code}-where", "")
                for code in ContractClause.values
                if self.data.get(f"clause-{code}")
            }
        else:
            stated = dict(self.contract.clauses) if self.contract is not None else {}
        return [
            {"code": code, "label": label, "checked": code in stated, "where": stated.get(code, "")}
            for code, label in ContractClause.choices
        ]

    def service_values(self) -> dict:
        """What the form parsed, as contract_check's values (rows read from the page)."""
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in (*CONTRACT_FIELDS, *self.PAY)
            if name in data and name not in self.ROW_FIELDS and name not in self.PAY
        }
        if "organisation" in values and values["organisation"] is not None:
            values["organisation"] = values["organisation"].pk
        values["pay"] = {name.removeprefix("pay_"): data[name] for name in self.PAY if name in data}
        values["facilities"] = [
            {"facility": key, "stationed_workers": self.data.get(f"workers-{key}", "")}
            for key in self.ticked()
        ]
        values["funding"] = {
            source: self.data.get(f"funding-{source}", "") for source in FundingSource.values
        }
        values["clauses"] = {
            row["code"]: row["where"] for row in self.clause_rows() if row["checked"]
        }
        if data.get("document"):
            values["document"] = data["document"]
        return values

    def _post_clean(self):
        pass  # the service validates, with the tenant and every rule


class TerminateForm(StyledForm, forms.Form):
    on = forms.DateField(label=_("终止日期（最后履行日）"), widget=DateInput(future=True))
    reason = forms.CharField(label=_("终止原因"), max_length=300)


class EvaluationAssignForm(StyledForm, forms.Form):
    contract = forms.ModelChoiceField(
        label=_("被评估合同"), queryset=Organisation.objects.none(), empty_label=_("请选择")
    )
    organisation = forms.ModelChoiceField(
        label=_("评估机构"), queryset=Organisation.objects.none(), empty_label=_("请选择")
    )
    period_start = forms.DateField(label=_("评估期起"), widget=DateInput(future=True))
    period_end = forms.DateField(label=_("评估期止"), widget=DateInput(future=True))

    def __init__(self, *args, contracts, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["organisation"].queryset = organisations
        self.fields["contract"].label_from_instance = lambda c: f"{c.number} {c.title}"


class EvaluationSubmitForm(StyledForm, forms.Form):
    evaluated_on = forms.DateField(label=_("评估日期"), widget=DateInput())
    score = forms.DecimalField(
        label=_("评估得分（0–100）"), max_digits=4, decimal_places=1, min_value=0, max_value=100
    )
    grade = forms.ChoiceField(
        label=_("评估等级"), choices=[("", _("请选择")), *EvaluationGrade.choices]
    )
    findings = forms.CharField(
        label=_("评估意见"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    report = forms.FileField(
        label=_("评估报告（PDF）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=500)


class AssistanceFundsForm(StyledForm, forms.Form):
    """One county's social assistance special funds of a year; the service checks the values
    (procurement.services.assistance_funds_set) and reports every problem at once."""

    division = forms.ChoiceField(label=_("县（市、区）"))
    year = forms.CharField(label=_("年度"), max_length=4)
    amount = forms.CharField(label=_("社会救助专项经费（元）"), max_length=20)
    source = forms.CharField(label=_("数据来源"), max_length=200, required=False)

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [(c.short_code, c.name) for c in counties]
