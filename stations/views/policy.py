"""The policy page: the tenant's thresholds with clauses and periods; city admins change them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations import permissions, selectors
from stations.forms import add_service_errors
from stations.models import PolicyValue
from stations.policy import CATALOGUE, DEFINITIONS, InvalidPolicyValue, Kind, display_value
from stations.policy import parse_value as parse_policy_value
from stations.scoping import ScopedView
from stations.services import policy_value_set

HISTORY_ROWS = 30


class PolicyValueForm(forms.Form):
    """One new value of a code; the service checks the value, the dates and overlaps."""

    code = forms.CharField(widget=forms.HiddenInput)
    value = forms.CharField(label=gettext_lazy("取值"), max_length=2000)
    effective_from = forms.DateField(
        label=gettext_lazy("起始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_to = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("留空表示长期有效，直到再次调整"),
    )
    clause = forms.CharField(label=gettext_lazy("依据条款"), max_length=100, required=False)
    note = forms.CharField(
        label=gettext_lazy("调整说明"),
        max_length=300,
        help_text=gettext_lazy("依据的文件或原因，将记入历史"),
    )


class PolicyView(ScopedView):
    """The tenant's policy values (GET); a city admin sets a new value of one code (POST)."""

    capability = staticmethod(permissions.can_view_policy)

    def get(self, request):
        return self.render_page(request)

    def post(self, request):
        if not permissions.can_manage_policy(self.membership):
            return render(request, "403.html", status=403)
        form = PolicyValueForm(request.POST)
        code = request.POST.get("code", "")
        if code not in DEFINITIONS:
            return redirect("stations:policy")
        if form.is_valid():
            try:
                policy_value_set(
                    actor=self.membership,
                    code=code,
                    value=form.cleaned_data["value"],
                    effective_from=form.cleaned_data["effective_from"],
                    effective_to=form.cleaned_data["effective_to"],
                    clause=form.cleaned_data["clause"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("已调整：%(title)s。") % {"title": DEFINITIONS[code].title}
                )
                return redirect(f"{request.path}#policy-{code}")
        elif "value" not in form.errors:  # every error at once: the value too
            try:
                parse_policy_value(code, request.POST.get("value", ""))
            except InvalidPolicyValue as error:
                form.add_error("value", str(error))
        return self.render_page(request, bound=(code, form), status=400)

    def render_page(self, request, *, bound=None, status=200):
        today = timezone.localdate()
        rows = list(selectors.policy_values_visible(self.scope))
        by_code: dict[str, list[PolicyValue]] = {}
        for row in rows:
            by_code.setdefault(row.code, []).append(row)
        can_manage = permissions.can_manage_policy(self.membership)
        policies = []
        for definition in CATALOGUE:
            periods = by_code.get(definition.code, [])
            current = next(
                (
                    period
                    for period in periods
                    if period.effective_from <= today
                    and (period.effective_to is None or period.effective_to >= today)
                ),
                None,
            )
            form = None
            if can_manage:
                if bound and bound[0] == definition.code:
                    form = bound[1]
                else:
                    form = PolicyValueForm(
                        initial={
                            "code": definition.code,
                            "effective_from": today,
                            "clause": definition.clause,
                        }
                    )
            policies.append(
                {
                    "definition": definition,
                    "multiline": definition.kind == Kind.TEXT_LIST,
                    "current": display_value(definition.code, current.value) if current else None,
                    "periods": [
                        {"row": period, "display": display_value(definition.code, period.value)}
                        for period in periods
                    ],
                    "form": form,
                    "open": bool(bound and bound[0] == definition.code),
                }
            )
        history = [
            {
                "event": event,
                "title": DEFINITIONS[event.code].title if event.code in DEFINITIONS else event.code,
                "display": display_value(event.code, event.value)
                if event.code in DEFINITIONS
                else str(event.value),
            }
            for event in selectors.policy_history(self.scope)[:HISTORY_ROWS]
        ]
        context = {
            "policies": policies,
            "can_manage": can_manage,
            "today": today,
            "history": history,
        }
        return render(request, "stations/policy.html", context, status=status)
