"""The lesson's network, trained for 200 iterations on at and on torch from the same
initial weights and data, follows the same loss trajectory (float32)."""

import numpy as np

import autograd_tutor as at


def _train(L, arrays, iterations=200, lr=1e-4):
    x, y, w1, b1, w2, b2 = (L.tensor(a) for a in arrays)
    params = [w1, b1, w2, b2]
    for w in params:
        w.requires_grad_()
    losses = []
    for _ in range(iterations):
        y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with L.no_grad():
            for w in params:
                w.sub_(lr * w.grad)
            for w in params:
                w.grad.zero_()
    return np.array(losses), [w.detach().numpy().copy() for w in params]


def _lesson_data(seed=0):
    rng = np.random.default_rng(seed)
    n, d_in, d_hidden, d_out = 100, 3, 32, 1
    x = rng.standard_normal((n, d_in)).astype(np.float32)
    y = (
        x[:, 0:1] * 0.2
        - x[:, 1:2] * 1.3
        - x[:, 2:3] * 0.5
        + rng.standard_normal((n, 1))
    ).astype(np.float32)
    w1 = rng.standard_normal((d_in, d_hidden)).astype(np.float32)
    w2 = rng.standard_normal((d_hidden, d_out)).astype(np.float32)
    return (
        x,
        y,
        w1,
        np.zeros((1, d_hidden), np.float32),
        w2,
        np.zeros((1, d_out), np.float32),
    )


def test_blog_network_loss_trajectory_matches_torch(torch):
    arrays = _lesson_data()
    ours, our_params = _train(at, arrays)
    theirs, their_params = _train(torch, arrays)
    assert ours[-1] < ours[0] / 2, "the network should learn"
    np.testing.assert_allclose(ours, theirs, rtol=2e-4)
    for a, b in zip(our_params, their_params):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


def test_blog_network_gradients_match_hand_derivation():
    """Lesson 1's hand-written backward pass equals autograd's gradients."""
    x, y, w1, b1, w2, b2 = _lesson_data(1)
    h = x @ w1 + b1
    h_relu = np.maximum(h, 0)
    y_pred = h_relu @ w2 + b2
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.T @ grad_y_pred
    grad_b2 = grad_y_pred.sum(axis=0, keepdims=True)
    grad_h = grad_y_pred @ w2.T
    grad_h[h < 0] = 0
    grad_w1 = x.T @ grad_h
    grad_b1 = grad_h.sum(axis=0, keepdims=True)

    X, Y = at.tensor(x), at.tensor(y)
    W1, B1, W2, B2 = (at.tensor(a, requires_grad=True) for a in (w1, b1, w2, b2))
    (X.mm(W1).add(B1).clamp(min=0).mm(W2).add(B2) - Y).pow(2).sum().backward()
    for auto, hand in [(W1, grad_w1), (B1, grad_b1), (W2, grad_w2), (B2, grad_b2)]:
        np.testing.assert_allclose(auto.grad.numpy(), hand, rtol=1e-4, atol=1e-4)
