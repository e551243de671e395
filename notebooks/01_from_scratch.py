# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 1 of 10: A neural network from scratch
# <!-- course-nav -->
# [Lesson 2: Autograd basics →](02_autograd_basics.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
#
# Welcome! These lessons teach how PyTorch computes gradients (*reverse-mode automatic
# differentiation*, or **autograd**) by letting you use, poke at, and rebuild a small engine,
# `autograd_tutor`, whose API is spelled like PyTorch's.
#
# We start *without* autograd, so that you know exactly what it will do for you later.
#
# **In this lesson you will**
#
# - make a small regression data set and run a one-hidden-layer network forward with plain
#   tensor operations,
# - derive every gradient **by hand** with the chain rule (and see why bias gradients are sums),
# - check those gradients twice: numerically, with finite differences, and against the library,
# - train the network with your hand-made gradients.
#
# Cells marked *Exercise* ask you to predict something first; the answer is only revealed after
# you have answered.

# %%
import numpy as np

import autograd_tutor as at
import matplotlib.pyplot as plt


# %% [markdown]
# Exercises use `at.widgets.check`, the course's answer checker: each exercise cell starts with
# `my_guess = None`; replace `None` with your guess and run the cell again. A wrong guess gets a
# hint and another try; the answer is shown only after your second wrong try. Shapes can be
# written `(100, 32)` or `100x32`, words in any case.
#
# %% [markdown]
# ## 1. The data
#
# A hundred examples (`n`), each with three features (`d_in`) and one target (`d_out`). The target
# is a fixed linear combination of the features plus noise, so there *is* something to learn:
# $y = 0.2\,x_1 - 1.3\,x_2 - 0.5\,x_3 + \varepsilon$, with $\varepsilon$ drawn from a standard
# normal distribution.

# %%
at.manual_seed(0)  # the same "random" numbers on every run
d_in, d_out, n = 3, 1, 100

x = at.randn(n, d_in)
y = x[:, 0:1] * 0.2 - x[:, 1:2] * 1.3 - x[:, 2:3] * 0.5 + at.randn(n, 1)
x.shape, y.shape

# %% [markdown]
# `x[:, 0:1]` keeps the column as a `(100, 1)` matrix rather than a `(100,)` vector, so the sum
# stays a column. Here are the first three rows:

# %%
x[:3], y[:3]

# %% [markdown]
# ## 2. The network and its forward pass
#
# One hidden layer with 32 units and a ReLU:
#
# $$h = x\,w_1 + b_1, \qquad h_{relu} = \max(h, 0), \qquad \hat y = h_{relu}\,w_2 + b_2$$
#
# The weights start random, the biases at zero. Nothing here asks for gradients: we will compute
# them ourselves.

# %%
d_hidden = 32

w1 = at.randn(d_in, d_hidden)
w2 = at.randn(d_hidden, d_out)
b1 = at.zeros(1, d_hidden)
b2 = at.zeros(1, d_out)

# %% [markdown]
# **Exercise 1.** `x` is `(100, 3)` and `w1` is `(3, 32)`. What is the shape of
# `h = x.mm(w1).add(b1)`? Write it as a tuple, e.g. `(3, 3)`.

# %% tags=["autograd-tutor-only"]
my_guess = None  # your prediction for h.shape
at.widgets.check(
    my_guess, tuple(x.mm(w1).add(b1).shape), "the shape of h",
    hints=["mm keeps the rows of x and the columns of w1; then check what adding b1 does."],
    explain="x.mm(w1) is (100, 3) @ (3, 32) = (100, 32), and adding the (1, 32) bias "
    "row to every example keeps that shape.",
)


# %% [markdown]
# `b1` is `(1, 32)` but is added to a matrix with one row per example: it is *broadcast*, i.e.
# the same bias row is added to every example. Keep that in mind, it matters for the gradient.
#
# The whole forward pass and the loss, the sum of squared errors:

# %%
def forward(x, w1, b1, w2, b2):
    h = x.mm(w1).add(b1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2).add(b2)
    return h, h_relu, y_pred


h, h_relu, y_pred = forward(x, w1, b1, w2, b2)
loss = (y_pred - y).pow(2).sum()
round(loss.item(), 2)


# %% [markdown]
# ## 3. The gradients, by hand
#
# To improve the weights we need $\partial L / \partial w$ for every weight. The chain rule lets
# us get them by walking the forward pass **backwards**, one operation at a time, each step
# turning "gradient with respect to my output" into "gradient with respect to my inputs":
#
# | forward step | backward step |
# |---|---|
# | $L = \sum (\hat y - y)^2$ | $\partial L/\partial \hat y = 2(\hat y - y)$ |
# | $\hat y = h_{relu} w_2 + b_2$ | $\partial L/\partial w_2 = h_{relu}^\top\, \partial L/\partial \hat y$; $\partial L/\partial b_2$ = column sums of $\partial L/\partial \hat y$; $\partial L/\partial h_{relu} = \partial L/\partial \hat y\; w_2^\top$ |
# | $h_{relu} = \max(h, 0)$ | $\partial L/\partial h = \partial L/\partial h_{relu}$ where $h > 0$, else 0 |
# | $h = x w_1 + b_1$ | $\partial L/\partial w_1 = x^\top\, \partial L/\partial h$; $\partial L/\partial b_1$ = column sums of $\partial L/\partial h$ |
#
# Why *sums* for the biases? A bias row was broadcast to all 100 examples, so it influenced the
# loss through 100 paths; the chain rule adds up the contributions of all paths.

# %%
def my_gradients(x, y, w1, b1, w2, b2):
    """The gradients of the squared-error loss, derived by hand with the chain rule."""
    h, h_relu, y_pred = forward(x, w1, b1, w2, b2)
    grad_y_pred = 2 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_b2 = grad_y_pred.sum(dim=0, keepdim=True)  # b2 was broadcast over the batch
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu * (h > 0).float()  # the ReLU lets gradient through where h > 0
    grad_w1 = x.t().mm(grad_h)
    grad_b1 = grad_h.sum(dim=0, keepdim=True)
    return {"w1": grad_w1, "b1": grad_b1, "w2": grad_w2, "b2": grad_b2}


grads = my_gradients(x, y, w1, b1, w2, b2)
{name: tuple(g.shape) for name, g in grads.items()}

# %% [markdown]
# Every gradient has the shape of the weight it belongs to, which is what lets us subtract it.
#
# **Exercise 2.** About what fraction of the entries of `grad_h` are exactly zero? (Hint: `h`
# has zero-mean random entries at the start.) Give a number between 0 and 1; within 0.1 counts.

# %%
my_guess = None  # fraction of hidden units the ReLU switched off
h = forward(x, w1, b1, w2, b2)[0]
fraction_off = (h <= 0).float().mean().item()

# %% tags=["autograd-tutor-only"]
at.widgets.check(
    my_guess, round(fraction_off, 2), "the fraction of zeros in grad_h", tol=0.1,
    hints=["A zero-mean random number is negative about as often as it is positive."],
    explain="The ReLU passes no gradient where h <= 0, and h's entries are symmetric "
    "around 0, so about half are switched off.",
)

# %% [markdown]
# ### Checking the hand-made gradients numerically
#
# A derivative is a limit: nudge one weight by a tiny $\varepsilon$ and see how much the loss
# moves. The **central difference**
#
# $$\frac{\partial L}{\partial w} \approx \frac{L(w + \varepsilon) - L(w - \varepsilon)}{2\varepsilon}$$
#
# needs no calculus at all, only two forward passes per weight entry, so it is a good referee for
# gradients derived by hand. It is far too slow to train with (our 161 weights would need 322
# forward passes per step) but perfect for spot checks. We compute in float64 (`.double()`):
# the loss is a sum of 100 squares, and in float32 the tiny difference drowns in rounding.

# %%
def my_numerical_gradient(weights, name, index, eps=1e-3):
    """Central difference of the loss for one entry of one weight, in float64."""
    plus = {k: w.double() for k, w in weights.items()}
    minus = {k: w.double() for k, w in weights.items()}
    plus[name][index] += eps
    minus[name][index] -= eps

    def loss_at(ws):
        y_pred = forward(x.double(), ws["w1"], ws["b1"], ws["w2"], ws["b2"])[2]
        return (y_pred - y.double()).pow(2).sum().item()

    return (loss_at(plus) - loss_at(minus)) / (2 * eps)


weights = {"w1": w1, "b1": b1, "w2": w2, "b2": b2}
for name, index in [("w1", (0, 1)), ("w1", (2, 5)), ("b1", (0, 1)), ("w2", (3, 0)), ("b2", (0, 0))]:
    by_hand = grads[name][index].item()
    numerical = my_numerical_gradient(weights, name, index)
    print(f"dL/d{name}{list(index)}: by hand {by_hand:9.3f}   numerically {numerical:9.3f}")

# %% [markdown]
# They agree to the digits shown. (A wrong sign, a missing transpose or a forgotten factor 2 in
# `my_gradients` would show up here at once: try it.)
#
# ### Checking them against the library
#
# A sneak preview of lesson 2: ask the library's autograd for the same four gradients and compare.
# We copy the weights with `requires_grad=True` so the forward pass is recorded, then call
# `backward()`.

# %%
params = {
    name: at.tensor(w.numpy(), requires_grad=True)
    for name, w in {"w1": w1, "b1": b1, "w2": w2, "b2": b2}.items()
}
_, _, y_pred_ag = forward(x, params["w1"], params["b1"], params["w2"], params["b2"])
(y_pred_ag - y).pow(2).sum().backward()

for name, g in grads.items():
    same = np.allclose(g.numpy(), params[name].grad.numpy(), rtol=1e-4, atol=1e-3)
    print(f"{name}: hand-made and autograd gradients agree: {same}")

# %% [markdown]
# ## 4. Training
#
# Gradient descent: move every weight a small step *against* its gradient, recompute, repeat. With
# the sum (not the mean) of squared errors the gradients are large, so the step size
# `learning_rate` is small.
#
# How low can the loss go? The noise $\varepsilon$ in `y` cannot be predicted from `x`, so a model
# that knew the true rule $0.2\,x_1 - 1.3\,x_2 - 0.5\,x_3$ exactly would still be left with the
# squared sum of the noise. For our seed:

# %%
noise = y - (x[:, 0:1] * 0.2 - x[:, 1:2] * 1.3 - x[:, 2:3] * 0.5)
noise_loss = noise.pow(2).sum().item()
round(noise_loss, 1)

# %% [markdown]
# **Exercise 3.** Before you train: after 200 iterations, will the network's loss be *above* or
# *below* that of the true rule, 85.5? Write `"above"` or `"below"` in the next cell and run it;
# the answer is checked after training.

# %%
my_guess = None  # "above" or "below"

# %%
learning_rate = 1e-4
losses = []

for t in range(200):
    h, h_relu, y_pred = forward(x, w1, b1, w2, b2)
    loss = (y_pred - y).pow(2).sum()
    losses.append(loss.item())
    if t % 10 == 0:
        print(f"iteration {t:3d}   loss {loss.item():9.2f}")

    grads = my_gradients(x, y, w1, b1, w2, b2)
    w1 = w1 - learning_rate * grads["w1"]
    b1 = b1 - learning_rate * grads["b1"]
    w2 = w2 - learning_rate * grads["w2"]
    b2 = b2 - learning_rate * grads["b2"]

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(losses)
ax.axhline(noise_loss, color="grey", linestyle="--", label="the true rule (noise only)")
ax.set_xlabel("iteration")
ax.set_ylabel("sum of squared errors")
ax.set_yscale("log")
ax.legend()
plt.show()

# %% [markdown]
# Now check your prediction from exercise 3:

# %% tags=["autograd-tutor-only"]
at.widgets.check(
    my_guess, "below" if losses[-1] < noise_loss else "above",
    "the final loss compared with the true rule's 85.5",
    accept=["lower", "under"] if losses[-1] < noise_loss else ["higher", "over"],
    hints=["161 weights, 100 points: can the network follow part of the noise too?"],
)

# %% [markdown]
# <details><summary>Why (open after checking)</summary>
#
# The network ends *below* the true rule. It has 161 weights for 100 points and bends its output
# to follow part of the noise of these particular points. Even the best straight-line fit
# (least squares, computed in the next cell) gets under 85.5, because it also picks the
# coefficients that happen to suit this noise; the network goes further still. On fresh data from
# the same rule both would do worse than on these 100 points: that is **overfitting**, and a
# held-out test set is how you would see it.
# </details>

# %%
features = np.hstack([x.numpy(), np.ones((n, 1), dtype=np.float32)])  # a column for the bias
_, residual, _, _ = np.linalg.lstsq(features, y.numpy(), rcond=None)
print(f"best linear fit: {residual[0]:.1f}   true rule: {noise_loss:.1f}   "
      f"network after 200 iterations: {losses[-1]:.1f}")

# %% [markdown]
# ## What was tedious?
#
# Deriving `my_gradients` took a table, and it would have to be redone for every change to the
# network. Autograd records the forward pass and derives the backward pass for you: that is
# lesson 2.
#
# ## Moving to real PyTorch
#
# - Everything in this notebook runs in PyTorch if you replace `import autograd_tutor as at` with
#   `import torch as at` (or rename `at.` to `torch.`): `randn`, `zeros`, `mm`, `add`,
#   `clamp(min=0)`, `pow`, `sum(dim=0, keepdim=True)`, `t()`, `double()` and `.item()` are
#   PyTorch's names. Only the random numbers differ: our generator is NumPy's, seeded by
#   `at.manual_seed`. (`at.widgets.check` is this course's own answer checker.)
# - If you learned this from R's `torch` package: R writes `torch_randn(n, d_in)` and
#   `x$mm(w1)`; Python writes `torch.randn(n, d_in)` and `x.mm(w1)`. R indexes from 1 and
#   keeps a column with `x[, 1, drop = FALSE]`; Python indexes from 0 and keeps it with
#   `x[:, 0:1]`. R's `sum(dim = 1)` is Python's `sum(dim=0)`.

# %% [markdown]
# ## Recap
#
# - A network's forward pass is a chain of tensor operations; the loss is one number.
# - The chain rule turns "gradient of the loss with respect to an operation's output" into
#   "gradient with respect to its inputs", one operation at a time, from the loss backwards.
# - A tensor that was broadcast (the biases) gets the **sum** of the gradients of all the places
#   it was copied to.
# - Finite differences check any gradient numerically, slowly: a referee, not a training method.
# - Training is: forward, loss, gradients, a small step against each gradient, repeat.
#
# Next, autograd derives the backward pass for you.
#
# <!-- course-nav -->
# [Lesson 2: Autograd basics →](02_autograd_basics.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
