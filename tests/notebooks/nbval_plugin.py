"""pytest plugin for the lesson notebooks under nbval (``-p tests.notebooks.nbval_plugin``).

Graphviz writes different SVG bytes from version to version (header comment, sizes,
coordinates), so the ``image/svg+xml`` of graph pictures is not compared. Every displayed
graph and explorer also carries a deterministic ``text/plain``, which nbval does compare.
"""


def pytest_collectstart(collector):
    path = getattr(collector, "path", None)
    if path is not None and path.suffix == ".ipynb":
        collector.skip_compare += ("image/svg+xml",)
