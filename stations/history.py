"""Readable history: one renderer for the recorded changes of every object of every app.

pghistory records one event per row written; a user's action (one request or
one job, one ``acting`` context) may write several rows. ``history_entries``
groups them back into one entry per action and words it in the user's
language: who, when, what they did (the action registered by the app), the
reason they gave, and each changed field with its label and display value
(choice labels, 是/否, names of related objects, dates), technical fields hidden.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What each recorded action did, by the ``action`` an ``acting`` context names.
# Apps add theirs with register_actions() (from their AppConfig.ready).
_ACTIONS: dict[str, object] = {}

# Fields nobody needs to read: keys, tenant, bookkeeping times, denormalised copies.
HIDDEN_FIELDS = frozenset(
    {
        "id",
        "tenant",
        "created_at",
        "updated_at",
        "recorded_at",
        "recorded_by",
        "requested_by",
        "created_by",
        "updated_by",
        "county_code",
        "city_code",
        "province_code",
        "township_code",
        "six_haves_complete",
        "current_stars",
    }
)


def register_actions(actions: Mapping[str, object]) -> None:
    """Name recorded actions: {action code: lazy phrase such as "关闭了本站"}."""
    _ACTIONS.update(actions)


register_actions(
    {
        "facility_create": gettext_lazy("新建了本站"),
        "facility_update": gettext_lazy("修改了本站信息"),
        "facility_open": gettext_lazy("开始（恢复）运营"),
        "facility_close": gettext_lazy("停止了本站运营"),
        "facility_rate": gettext_lazy("评定了星级"),
        "facility_correct": gettext_lazy("更正了本站信息"),
        "import_commit": gettext_lazy("通过 Excel 导入修改了本站"),
        "coverage_override_set": gettext_lazy("调整了覆盖口径"),
        "coverage_override_end": gettext_lazy("结束了覆盖口径调整"),
        "policy_value_set": gettext_lazy("修改了政策参数"),
    }
)


@dataclass
class HistoryChange:
    field: str  # the field's name in code
    label: str  # its label, with the object's name for a related record
    old: str | None  # display values; old is None for a new record
    new: str | None
    own: bool = True  # a field of the object itself, not of a related record


@dataclass
class HistoryEntry:
    at: datetime.datetime
    actor: str
    action: str  # the recorded action code ("facility_close"), "" when unknown
    reason: str
    changes: list[HistoryChange] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        phrase = _ACTIONS.get(self.action)
        return str(phrase) if phrase else _("修改了记录")

    @property
    def summary(self) -> str:
        """One sentence: "demo_county 于 2026-11-30 06:40 停止了本站运营：状态 运营中 → 已关闭…"."""
        sentence = _("%(actor)s 于 %(at)s %(action)s") % {
            "actor": self.actor,
            "at": timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M"),
            "action": self.action_label,
        }
        # The object's own fields tell the story; related records only when nothing else does.
        told = [change for change in self.changes if change.own] or self.changes
        details = _("，").join(_describe(change) for change in told[:MAX_TOLD])
        if details:
            sentence += _("：") + details
        if len(told) > MAX_TOLD:
            sentence += _("等 %(count)d 项") % {"count": len(told)}
        if self.reason:
            sentence += _("；原因：%(reason)s") % {"reason": self.reason}
        return sentence


MAX_TOLD = 8  # fields a sentence names; the rest are listed under it


def _describe(change: HistoryChange) -> str:
    if change.old in (None, "—"):
        return f"{change.label} {change.new}"
    return f"{change.label} {change.old} → {change.new}"


def history_entries(events: Iterable[Mapping], subject: type[models.Model]) -> list[HistoryEntry]:
    """One entry per action, newest first, from rows of pghistory's ``Events``.

    ``events``: dicts with pgh_created_at, pgh_model, pgh_label, pgh_diff,
    pgh_data, pgh_context and pgh_context_id, newest first. ``subject`` is the
    model whose page shows the history; changes of other (related) records are
    labelled with their record's name. Related objects are named with one query
    per related model, however many events there are.
    """
    events = list(events)
    rows = [_raw_changes(event, subject) for event in events]
    names = _related_names([change for row in rows for change in row])
    entries: dict[object, HistoryEntry] = {}
    for event, row in zip(events, rows, strict=True):
        context = event.get("pgh_context") or {}
        key = event.get("pgh_context_id") or (event["pgh_created_at"], event["pgh_model"])
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = HistoryEntry(
                at=event["pgh_created_at"],
                actor=str(context.get("username") or context.get("command") or _("系统")),
                action=str(context.get("action") or ""),
                reason=str(context.get("reason") or ""),
            )
        for model_field, label, old, new in row:
            entry.changes.append(
                HistoryChange(
                    field=model_field.name,
                    label=label,
                    old=None if old is _NEW else _display(model_field, old, names),
                    new=_display(model_field, new, names),
                    own=model_field.model is subject,
                )
            )
    for entry in entries.values():
        entry.changes.sort(key=lambda change: not change.own)  # stable: own fields first
    return [entry for entry in entries.values() if entry.changes]


_NEW = object()  # the "old value" of a field of a new record


def _raw_changes(event: Mapping, subject: type[models.Model]) -> list[tuple]:
    model = apps.get_model(event["pgh_model"]).pgh_tracked_model
    fields = {f.attname: f for f in model._meta.concrete_fields}
    fields.update({f.name: f for f in model._meta.concrete_fields})
    hidden = HIDDEN_FIELDS | set(getattr(model, "history_hidden", ()))
    prefix = "" if model is subject else f"{model._meta.verbose_name}·"
    rows = []
    if event.get("pgh_diff"):
        pairs = [(name, old, new) for name, (old, new) in event["pgh_diff"].items()]
    else:
        # A new record: what was filled in (not blanks, not values left at their default).
        pairs = [
            (name, _NEW, value)
            for name, value in (event.get("pgh_data") or {}).items()
            if value not in (None, "") and not _is_default(fields.get(name), value)
        ]
    for name, old, new in pairs:
        model_field = fields.get(name)
        if model_field is None or model_field.name in hidden:
            continue
        if (
            model is not subject
            and model_field.is_relation
            and model_field.related_model is subject
        ):
            continue  # a related record's pointer to the subject says nothing new
        rows.append((model_field, f"{prefix}{model_field.verbose_name}", old, new))
    return rows


def _is_default(model_field, value) -> bool:
    if model_field is None or not model_field.has_default():
        return False
    default = model_field.get_default()
    return value == default or (isinstance(default, bool) and value is default)


def _related_names(changes: list[tuple]) -> dict[tuple, str]:
    wanted: dict[type[models.Model], set] = {}
    for model_field, _label, old, new in changes:
        if model_field.is_relation and model_field.related_model is not None:
            values = {value for value in (old, new) if value not in (None, _NEW)}
            wanted.setdefault(model_field.related_model, set()).update(values)
    names = {}
    for model, keys in wanted.items():
        for key, obj in model._default_manager.in_bulk(list(keys)).items():
            label = getattr(obj, "name", None) or getattr(obj, "username", None) or str(obj)
            names[(model, str(key))] = str(label)
    return names


def _display(model_field, value, names: dict[tuple, str]) -> str:
    if value in (None, ""):
        return "—"
    if model_field.is_relation and model_field.related_model is not None:
        return names.get((model_field.related_model, str(value)), str(value))
    if isinstance(model_field, models.BooleanField):
        return _("是") if value else _("否")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.DateTimeField):
        moment = parse_datetime(str(value))
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else str(value)
    return str(value)


def event_rows(events: Iterable[Any]) -> list[dict]:
    """Rows of one concrete pghistory event model as history_entries reads them, newest first.

    ``events``: its events (with ``pgh_context`` selected), any order. The
    changes of an update are worked out against the object's previous
    snapshot; a deletion shows the values it removed.
    """
    events = sorted(events, key=lambda event: (event.pgh_created_at, event.pk))
    if not events:
        return []
    tracked = type(events[0]).pgh_tracked_model
    names = [f.attname for f in tracked._meta.concrete_fields]
    last: dict[object, dict] = {}
    rows = []
    for event in events:
        snapshot = {name: _json(getattr(event, name, None)) for name in names}
        before = last.get(event.pgh_obj_id)
        if event.pgh_label == "delete" and before is not None:
            diff = {n: [v, None] for n, v in before.items() if v not in (None, "", False)}
        elif before is not None:
            diff = {n: [before.get(n), v] for n, v in snapshot.items() if before.get(n) != v}
        else:
            diff = None
        last[event.pgh_obj_id] = snapshot
        context = event.pgh_context
        rows.append(
            {
                "pgh_created_at": event.pgh_created_at,
                "pgh_model": type(event)._meta.label,
                "pgh_label": event.pgh_label,
                "pgh_diff": diff,
                "pgh_data": snapshot,
                "pgh_context": context.metadata if context is not None else {},
                "pgh_context_id": event.pgh_context_id,
            }
        )
    return rows[::-1]


def _json(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value
