#!/usr/bin/env bash
# Re-vendor @viz-js/viz (WebAssembly Graphviz) into autograd_tutor/assets/viz-js/.
#   bash scripts/vendor_vizjs.sh 3.31.0
set -euo pipefail
VERSION="${1:?usage: scripts/vendor_vizjs.sh VERSION}"
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "@viz-js/viz@$VERSION" >/dev/null && tar xzf ./*.tgz)
cp "$tmp/package/dist/viz.js" autograd_tutor/assets/viz-js/viz.js
echo "copied @viz-js/viz@$VERSION; update VIZ_JS_VERSION, the README and the test with:"
sha256sum autograd_tutor/assets/viz-js/viz.js
