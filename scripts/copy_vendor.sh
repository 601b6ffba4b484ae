#!/usr/bin/env bash
# Copy the front-end files the templates use from node_modules into static/vendor.
# Nothing under static/vendor is committed; `make static` runs this after `npm ci`.
# Each minified file comes with the source map it names in its sourceMappingURL comment:
# the production storage (collectstatic with ManifestStaticFilesStorage) rewrites that
# reference and stops when the map is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/huigong/static/vendor
rm -rf "$dest"
mkdir -p "$dest"/tabler/css "$dest"/tabler/js "$dest"/echarts "$dest"/htmx "$dest"/leaflet \
  "$dest"/tom-select/js "$dest"/tom-select/css
nm=node_modules
cp "$nm/@tabler/core/dist/css/tabler.min.css"{,.map} "$dest/tabler/css/"
cp "$nm/@tabler/core/dist/js/tabler.min.js"{,.map} "$dest/tabler/js/"
cp "$nm/echarts/dist/echarts.min.js" "$dest/echarts/"
cp "$nm/htmx.org/dist/htmx.min.js" "$dest/htmx/"
cp -r "$nm/leaflet/dist/." "$dest/leaflet/"
cp "$nm/tom-select/dist/js/tom-select.complete.min.js"{,.map} "$dest/tom-select/js/"
cp "$nm/tom-select/dist/css/tom-select.bootstrap5.min.css"{,.map} "$dest/tom-select/css/"
echo "static/vendor ready"
