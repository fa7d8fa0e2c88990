"""The division picker: the one way every form asks for an official division.

The field still posts a division code (full or short) and the service checks
it; the widget only makes choosing one easy. Rendered as a ``<select>`` holding
the current choice, ``static/js/division-picker.js`` turns it into a search box
(Tom Select, vendored) over ``GET /api/v1/divisions/``: type a name or a code,
or step down from the scope (county → township → village) with the keyboard or
a tap. Without JavaScript the select keeps the current choice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from django import forms
from django.forms.widgets import Script
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from stations.divisions import InvalidDivisionCode, Level, normalize_code
from stations.models import Division


def division_label(division: Division) -> str:
    """How a division reads in a picker: ``城中区 · 城中街道（450202001）``."""
    name = division.name
    if division.parent_id and division.level not in (Level.PROVINCE, Level.CITY):
        parent = division.parent
        if parent is not None:
            name = f"{parent.name} · {name}"
    return _("%(name)s（%(code)s）") % {"name": name, "code": division.short_code}


class DivisionPicker(forms.Widget):
    """A division chosen by name, code or stepping down from ``root``.

    ``levels``: the division levels the field accepts (``Level`` values);
    ``levels_from`` and ``level_map``: instead, take them from another select
    of the form (its id and ``{its value: "level,level"}``), as the facility
    form does with the facility level. ``root``: the short code the stepping
    starts from, normally the user's scope (set by the view).
    """

    class Media:
        css = {"all": ["vendor/tom-select.bootstrap5.min.css"]}
        js = [
            Script("vendor/tom-select.complete.min.js", defer=True),
            Script("js/division-picker.js", defer=True),
        ]

    def __init__(
        self,
        levels: Iterable[str] = (),
        *,
        levels_from: str | None = None,
        level_map: Mapping[str, str] | None = None,
        root: str = "",
        attrs=None,
    ):
        super().__init__(attrs)
        self.levels = [str(level) for level in levels]
        self.levels_from = levels_from
        self.level_map = dict(level_map or {})
        self.root = root

    def format_value(self, value) -> str:
        return "" if value in (None, "") else str(value).strip()

    def current(self, value: str) -> tuple[str, str] | None:
        """The option for ``value``: (the value posted, its label); the raw value if unknown."""
        if not value:
            return None
        try:
            code = normalize_code(value)
        except InvalidDivisionCode:
            return value, value
        division = Division.objects.select_related("parent").filter(code=code).first()
        return (value, division_label(division)) if division else (value, value)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        value = self.format_value(value)
        data = {
            "data-division-picker": "",
            "data-url": reverse("stations:api-division-list"),
            "data-root": self.root,
            **self.root_data(),
            "data-levels": ",".join(self.levels),
            "data-placeholder": _("输入名称或代码搜索，或逐级选择"),
            "data-text-up": _("返回上一级"),
            "data-text-down": _("下一级"),
            "data-text-empty": _("没有符合条件的区划"),
            "data-text-loading": _("正在加载…"),
            "data-label-format": _("%(name)s（%(code)s）"),
        }
        if self.levels_from:
            data["data-levels-from"] = self.levels_from
            data["data-level-map"] = json.dumps(self.level_map)
        css = " ".join(
            filter(
                None,
                ["form-select", attrs.pop("class", ""), attrs.get("aria-invalid") and "is-invalid"],
            )
        )
        attributes = format_html_join(
            " ", '{}="{}"', [*sorted({**attrs, **data}.items()), ("class", css)]
        )
        options = [format_html('<option value="">{}</option>', _("请选择"))]
        chosen = self.current(value)
        if chosen:
            options.append(format_html('<option value="{}" selected>{}</option>', *chosen))
        return format_html(
            '<select name="{}" {}>{}</select>',
            name,
            attributes,
            format_html_join("", "{}", ((option,) for option in options)),
        )

    def root_data(self) -> dict[str, str]:
        """The root division's level and label, offered when the field accepts its level."""
        if not self.root:
            return {}
        division = (
            Division.objects.select_related("parent").filter(code=normalize_code(self.root)).first()
        )
        if division is None:
            return {}
        return {"data-root-level": division.level, "data-root-label": division_label(division)}

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def scope_root(membership) -> str:
    """The short code a picker steps down from for this membership (its county or city)."""
    return membership.scope_division.short_code
