"""``at.widgets``: step through autograd's forward pass, backward pass and updates.

PyTorch has no counterpart; this is the lesson's slow-motion replay of the real engine.

* ``model``: frames and a ``Timeline`` (pure Python, no ipywidgets);
* ``recorders``: run the engine once and snapshot frames;
* ``render``: frames to HTML, the graph picture, the loss curve;
* ``views`` and ``explorers``: the ipywidgets layer: ``ForwardExplorer``,
  ``BackwardExplorer``, ``UpdateExplorer``, ``TrainingExplorer``, ``PredictReveal``.

The explorers are imported on first use, so ``model`` and ``recorders`` work without
ipywidgets installed.
"""

from .model import Timeline

_EXPLORERS = (
    "ForwardExplorer",
    "BackwardExplorer",
    "UpdateExplorer",
    "TrainingExplorer",
    "PredictReveal",
)

__all__ = ["Timeline", *_EXPLORERS]


def __getattr__(name):
    if name in _EXPLORERS or name == "StepperView":
        try:
            from . import explorers, views
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError(
                f"at.widgets.{name} needs ipywidgets and matplotlib: "
                "pip install 'autograd_tutor[widgets]'"
            ) from e
        return getattr(explorers if name != "StepperView" else views, name)
    raise AttributeError(f"module 'autograd_tutor.widgets' has no attribute {name!r}")
