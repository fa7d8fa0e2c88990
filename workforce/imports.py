"""The spreadsheet imports of the workforce app (collected by stations.registry.import_kinds)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from stations.registry import ImportKind
from workforce import permissions
from workforce.population_import import population_import, population_template
from workforce.roster_import import roster_template, social_workers_import
from workforce.sheets import POPULATION_SHEET, ROSTER_SHEET

IMPORT_KINDS = [
    ImportKind(
        code="social_workers",
        label=_("社会工作者名单"),
        noun=_("社工"),
        spec=ROSTER_SHEET,
        run=social_workers_import,
        may_import=permissions.can_manage_social_workers,
        template=roster_template,
        list_url="workforce:worker-list",
        upload_url="workforce:worker-import",
    ),
    ImportKind(
        code="population",
        label=_("人口数"),
        noun=_("人口数"),
        spec=POPULATION_SHEET,
        run=population_import,
        may_import=permissions.can_manage_population,
        template=population_template,
        list_url="workforce:population",
        upload_url="workforce:population-import",
    ),
]
