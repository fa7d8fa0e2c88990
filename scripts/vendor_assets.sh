#!/usr/bin/env bash
# Refreshes static/vendor/ from the npm registry. The files are committed: the
# platform serves every asset itself because government intranets often have no
# internet, so nothing here runs at install time.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && for package in bootstrap@5.3.8 htmx.org@2.0.8 chart.js@4.5.1 tom-select@2.6.2; do
  npm pack --silent "$package" >/dev/null
done && for archive in *.tgz; do mkdir "${archive%.tgz}" && tar xzf "$archive" -C "${archive%.tgz}"; done)
target=static/vendor
mkdir -p "$target"
cp "$work"/bootstrap-5.3.8/package/dist/css/bootstrap.min.css "$target"/
cp "$work"/bootstrap-5.3.8/package/dist/js/bootstrap.bundle.min.js "$target"/
cp "$work"/bootstrap-5.3.8/package/LICENSE "$target"/LICENSE.bootstrap
cp "$work"/htmx.org-2.0.8/package/dist/htmx.min.js "$target"/
cp "$work"/htmx.org-2.0.8/package/LICENSE "$target"/LICENSE.htmx
cp "$work"/chart.js-4.5.1/package/dist/chart.umd.min.js "$target"/chart.umd.min.js
cp "$work"/chart.js-4.5.1/package/LICENSE.md "$target"/LICENSE.chartjs
cp "$work"/tom-select-2.6.2/package/dist/js/tom-select.complete.min.js "$target"/
cp "$work"/tom-select-2.6.2/package/dist/css/tom-select.bootstrap5.min.css "$target"/
cp "$work"/tom-select-2.6.2/package/LICENSE "$target"/LICENSE.tom-select
# Source maps are not shipped; their references would break the manifest storage.
sed -i "/sourceMappingURL/d" "$target"/*.js "$target"/*.css
ls -la "$target"
