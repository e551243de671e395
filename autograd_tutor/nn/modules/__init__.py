"""The layer classes, laid out as in ``torch/nn/modules/``."""

from .activation import ReLU, Sigmoid, Tanh
from .container import Sequential
from .linear import Linear
from .loss import MSELoss
from .module import Module

__all__ = ["Linear", "MSELoss", "Module", "ReLU", "Sequential", "Sigmoid", "Tanh"]
