"""The vendored front-end assets are present, pinned and carry their licences."""

import hashlib

from autograd_tutor import assets

VIZ_JS_SHA256 = "b9840ae5b70681356c207510db8820ac3f883607740616455d9c7c47d67ea646"


def test_viz_js_is_the_pinned_release():
    data = assets.VIZ_JS.read_bytes()
    assert hashlib.sha256(data).hexdigest() == VIZ_JS_SHA256
    text = data.decode("utf-8")
    assert f'graphvizVersion = "{assets.GRAPHVIZ_VERSION}"' in text
    assert f"Viz.js {assets.VIZ_JS_VERSION}" in text
    assert "export { engines, formats, graphvizVersion, instance };" in text


def test_viz_js_licences_ship_beside_it():
    folder = assets.VIZ_JS.parent
    names = {p.name for p in folder.iterdir()}
    assert {
        "LICENSE-viz-js-MIT.txt",
        "LICENSE-Graphviz-EPL-2.0.txt",
        "LICENSE-Expat-MIT.txt",
        "README.md",
    } <= names
    assert (
        "Eclipse Public License - v 2.0"
        in (folder / "LICENSE-Graphviz-EPL-2.0.txt").read_text()
    )
    assert assets.VIZ_JS_VERSION in (folder / "README.md").read_text()
