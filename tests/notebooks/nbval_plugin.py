"""pytest plugin for the lesson notebooks under nbval (``-p tests.notebooks.nbval_plugin``).

Graph pictures are drawn by the pinned default renderer (graphviz-pure 0.2.2, Graphviz
16.1.0's layout) whatever Graphviz the machine has, so their ``image/svg+xml`` is
compared like every other output. The one thing that could change it is asking for
another renderer: the kernels nbval starts run with the default one.
"""

import os

RENDERER_ENV = "AUTOGRAD_TUTOR_DOT"  # autograd_tutor.viz.render.RENDERER_ENV


def pytest_configure(config):
    # kernels inherit this process's environment: draw with the pinned default
    os.environ.pop(RENDERER_ENV, None)
