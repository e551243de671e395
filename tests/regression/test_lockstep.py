"""The lock-step helper itself: an exception is compared by its type and its message."""

import autograd_tutor as at

from .lockstep import observe


def test_an_exception_is_observed_with_its_message(torch):
    def reshape(L):
        return L.ones(6).view(4)

    def other_shape(L):
        return L.ones(6).view(5)

    assert observe(at, reshape) == observe(torch, reshape)
    assert observe(at, reshape)[:2] == observe(at, other_shape)[:2]  # both RuntimeError
    assert observe(at, reshape) != observe(at, other_shape)  # told apart by the message
