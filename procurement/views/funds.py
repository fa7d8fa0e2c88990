"""The social assistance special funds page (社会救助专项经费): each county's funds by year,
the base of rule social_assistance_funds_share_max (plan 四(二))."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from procurement import permissions, services
from procurement.forms import AssistanceFundsForm
from procurement.selectors import assistance_funds_visible
from stations import permissions as station_permissions
from stations.divisions import Level
from stations.forms import add_service_errors
from stations.scoping import ScopedView
from stations.selectors import divisions_visible


class AssistanceFundsView(ScopedView):
    """The funds in scope, newest year first (``?year=`` one year); city admins and county
    officers set a county's figure of a year here (replacing that year's earlier one)."""

    selector = staticmethod(assistance_funds_visible)
    capability = staticmethod(station_permissions.can_see_network)

    def counties(self):
        counties = divisions_visible(self.scope).filter(level=Level.COUNTY, retired_on__isnull=True)
        return list(counties.order_by("code"))

    def get(self, request, form=None, status=200):
        manage = permissions.can_manage_contracts(self.membership)
        rows = self.get_queryset().order_by("-year", "division_id")
        year = request.GET.get("year", "").strip()
        if year.isascii() and year.isdecimal() and len(year) == 4:
            rows = rows.filter(year=int(year))
        else:
            year = ""  # not a year: the whole list, and no heading claiming one
        if manage and form is None:
            form = AssistanceFundsForm(counties=self.counties(), auto_id="funds-%s")
        context = {"rows": rows, "form": form if manage else None, "year": year}
        return render(request, "procurement/assistance_funds.html", context, status=status)

    def post(self, request):
        if not permissions.can_manage_contracts(self.membership):
            raise PermissionDenied(_("您的角色不能登记社会救助专项经费。"))
        form = AssistanceFundsForm(request.POST, counties=self.counties(), auto_id="funds-%s")
        form.is_valid()  # the choices; the service checks every value
        values = {name: request.POST.get(name, "") for name in form.fields}
        try:
            services.assistance_funds_set(actor=self.membership, **values)
        except ValidationError as error:
            form.errors.clear()
            add_service_errors(form, error)
            return self.get(request, form=form, status=400)
        messages.success(request, _("已登记社会救助专项经费。"))
        return redirect("procurement:assistance-funds")
