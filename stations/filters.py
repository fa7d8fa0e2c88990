"""Filters of the facility list, shared by the page, the export and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from stations.divisions import INVALID_CODE_MESSAGE, InvalidDivisionCode, normalize_code
from stations.models import Facility, FacilityLevel, FacilityStatus


def star_choices() -> list[tuple[int, str]]:
    """1 to 5 stars, labelled in the user's language ("3 星", "3 stars")."""
    return [(n, ngettext("%(n)d 星", "%(n)d 星", n) % {"n": n}) for n in range(1, 6)]


class DivisionCodeField(forms.CharField):
    """A form field that accepts full or short division codes and normalises them."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return value
        try:
            return normalize_code(value)
        except InvalidDivisionCode as error:
            # The value goes as a parameter: a message with the user's "%" in it
            # would be %-formatted again by the form machinery.
            raise forms.ValidationError(
                INVALID_CODE_MESSAGE, code="invalid_code", params={"value": value}
            ) from error


class DivisionCodeFilter(django_filters.CharFilter):
    field_class = DivisionCodeField


class FacilityFilter(django_filters.FilterSet):
    county = DivisionCodeFilter(method="filter_county", label=_("县（区）代码"))
    level = django_filters.ChoiceFilter(choices=FacilityLevel.choices, label=_("层级"))
    status = django_filters.ChoiceFilter(choices=FacilityStatus.choices, label=_("状态"))
    stars = django_filters.ChoiceFilter(
        field_name="current_stars",
        choices=[],  # set per request in the user's language (__init__)
        label=_("星级"),
    )
    demonstration = django_filters.BooleanFilter(field_name="is_demonstration", label=_("示范站"))
    six_haves_complete = django_filters.BooleanFilter(label=_("六有齐全"))
    q = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = Facility
        fields = ["county", "level", "status", "stars", "demonstration", "six_haves_complete", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["stars"].extra["choices"] = star_choices()

    def filter_county(self, queryset, name, value):
        return queryset.filter(county_code=value[:6])

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(address__icontains=value)
            | Q(division__name__icontains=value)
            | Q(division__code__startswith=value)
        )
