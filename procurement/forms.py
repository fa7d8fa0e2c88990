"""Forms of the procurement app; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement.models import Organisation
from procurement.services import ORGANISATION_FIELDS
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
