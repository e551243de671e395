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
# # Lesson 2 of 10: Autograd basics
# <!-- course-nav -->
# [← Lesson 1: A neural network from scratch](01_from_scratch.ipynb) · [Lesson 3: Digging deeper into the graph →](03_digging_deeper.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
#
# In lesson 1 we derived every gradient by hand. **Autograd** does that work for us, and the idea
# behind it fits in two sentences:
#
# 1. While the forward pass runs, autograd **records** each operation performed on tensors that
#    need gradients, and stores, next to it, a small function that knows how to compute that
#    operation's local gradient.
# 2. When you call `backward()`, those stored functions run in **reverse order**, starting at the
#    output: each receives the gradient of its output and passes gradients on to its inputs, until
#    they reach the tensors you asked about.
#
# This is *reverse-mode automatic differentiation*.
#
# **In this lesson you will**
#
# - switch recording on with `requires_grad`, read `grad_fn`, call `backward()` and read `.grad`,
# - tell leaves from recorded results, and read the digit in a node's name,
# - see the two ways gradients add up: within one backward pass, and across `backward()` calls,
# - meet the first errors everyone meets, and get values out of a recorded tensor with
#   `detach()`.

# %%
import numpy as np

import autograd_tutor as at

# %xmode Minimal

# %% [markdown]
# `%xmode Minimal` is an IPython setting, not part of autograd: when a cell fails, it prints only
# the last line of the traceback, `ErrorType: message`. That is the line to read first, and with
# PyTorch it is what you will search for. (`%xmode Context` brings the full traceback back.)
#
# Exercises ask you to **predict first**. Numeric ones use `at.widgets.PredictReveal`: type
# your answer, press *check*; a wrong answer gets a hint and another try, and the answer is
# shown only after you have tried (or pressed *reveal*). The others use `at.widgets.check`,
# its code-cell form: replace the `None` in the exercise cell with your guess and run the cell
# again. Both accept answers the way you would write them: `(100, 32)` or `100x32`, `1/4`,
# `MulBackward0` in any case.

# %% [markdown]
# ## `requires_grad`: what gets recorded
#
# Recording costs memory and time, so it only happens for tensors that ask for it. You switch it on
# for the things you want gradients *for*: weights and biases. Input data normally does not need
# it.

# %%
x = at.ones(2, 2, requires_grad=True)
x

# %% [markdown]
# Any operation with at least one input that requires grad produces a result that requires grad
# too, and that result remembers how it was made in `grad_fn`:

# %%
y = x.mean()
y

# %%
y.grad_fn

# %% [markdown]
# `MeanBackward0` is the recorded "how to get the gradient of `y` with respect to its input". (The
# hexadecimal number is just where the object lives in memory.)
#
# ## Leaves
#
# A tensor with no `grad_fn` is a **leaf** of the graph: the graph starts there. Tensors you
# create yourself are leaves. A recorded result, like `y`, is not:

# %%
print("x: is_leaf =", x.is_leaf, " grad_fn =", x.grad_fn)
print("y: is_leaf =", y.is_leaf, " requires_grad =", y.requires_grad)

# %% [markdown]
# Without `requires_grad=True` on any input, nothing is recorded, so the result of an operation
# has no `grad_fn` and is a leaf too, just like a tensor you created:

# %%
data = at.ones(2, 2)
result = data.mean()
print("grad_fn =", result.grad_fn, " requires_grad =", result.requires_grad,
      " is_leaf =", result.is_leaf)


# %% [markdown]
# So "leaf" does not mean "created by hand"; it means "nothing recorded before it". Only leaves
# that require grad get their `.grad` filled by `backward()`.
#
# ## `backward()` and `.grad`
#
# **Exercise 1.** $y$ is the mean of the four entries of $x$. After `y.backward()`, what will
# `x.grad` contain? Give a number (every entry is the same).

# %% tags=["autograd-tutor-only"]
def x_grad_after_backward():
    x = at.ones(2, 2, requires_grad=True)
    x.mean().backward()
    return x.grad


at.widgets.PredictReveal(
    compute=x_grad_after_backward,
    question="After y.backward(), what is each entry of x.grad?",
    hints=["y = (x11 + x12 + x21 + x22) / 4: how much does y grow when one entry grows by 1?"],
    explain="Each entry counts 1/4 in the mean, whatever its value.",
)

# %% [markdown]
# Answered? Then run the real thing (its stored output is folded away until you do):

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
y.backward()
x.grad


# %% [markdown]
# <details><summary>Why (open after answering)</summary>
#
# $y = \tfrac14 (x_{11} + x_{12} + x_{21} + x_{22})$, so $\partial y / \partial x_{ij}
# = \tfrac14$ for every entry, whatever the values of $x$.
# </details>
#
# `backward()` filled in `.grad` of the leaf `x`. It returned nothing: gradients are *stored* in
# the leaves that asked for them.
#
# ### Doing it yourself
#
# Each backward node applies its operation's local derivative. For the mean, it is "spread the
# incoming gradient evenly over all elements". A re-implementation:

# %%
def my_mean_backward(grad_output, input_shape):
    """d mean(x) / dx: every element gets grad_output / number of elements."""
    numel = int(np.prod(input_shape))
    return at.ones(*input_shape) * grad_output / numel


my_mean_backward(1.0, (2, 2))

# %%
x_check = at.randn(3, 5, requires_grad=True)
x_check.mean().backward()
print("my_mean_backward matches autograd:",
      np.allclose(my_mean_backward(1.0, (3, 5)).numpy(), x_check.grad.numpy()))

# %% [markdown]
# ## Node names and their digits
#
# Backward nodes are named after the operation plus `Backward` plus a digit. The digit tells you
# *which variant* (overload) of the operation ran, which is handy when reading graphs:

# %%
a = at.ones(3, 2, requires_grad=True)
for label, result in [
    ("a.sum()", a.sum()),
    ("a.sum(dim=0)", a.sum(dim=0)),
    ("a * a", a * a),
    ("a * 3", a * 3),
    ("a.clamp(min=0)", a.clamp(min=0)),
    ("1 - a", 1 - a),
]:
    print(f"{label:16} -> {result.grad_fn.name()}")

# %% [markdown]
# **Exercise 2.** Which node does `a.mean(dim=1)` record? (A string such as `"MeanBackward0"`.)

# %% tags=["autograd-tutor-only"]
my_guess = None  # the node's name
at.widgets.check(
    my_guess, a.mean(dim=1).grad_fn.name(), "the name of a.mean(dim=1).grad_fn",
    hints=["Compare a.sum() and a.sum(dim=0) above: what does the dim= variant change?"],
    explain="mean(dim) is mean's second overload, as sum(dim) is sum's: digit 1.",
)


# %% [markdown]
# ## Gradients add up, in two different ways
#
# ### Within one backward pass: paths that meet are summed first
#
# Use a tensor twice and both uses send it a gradient. The engine **adds the contributions
# before** it hands the total to the leaf's `.grad`. A *hook* shows it: `register_hook(fn)` calls
# `fn` with the gradient that arrives at a tensor during `backward()`.

# %%
p = at.ones(2, requires_grad=True)
p.register_hook(lambda grad: print("hook on p called with", grad))
(p * 2 + p * 3).sum().backward()
print("p.grad =", p.grad)

# %% [markdown]
# The hook ran **once**, with $2 + 3 = 5$: the two paths were summed inside the backward pass
# (lesson 6 shows where), and `.grad` was written once. This is the chain rule for a variable
# used in several places, the same sum that made lesson 1's bias gradients.
#
# ### Across `backward()` calls: `.grad` accumulates
#
# `.grad` is not overwritten by a new `backward()`: the new gradient is **added** to what is
# there. Here we build a fresh graph from the same `x` (whose `.grad` holds 0.25 everywhere) and
# call `backward()` once more.
#
# **Exercise 3.** What does `x.grad` contain afterwards?

# %% tags=["autograd-tutor-only"]
def x_grad_after_two_backward_calls():
    x = at.ones(2, 2, requires_grad=True)
    x.mean().backward()
    x.mean().backward()
    return x.grad


at.widgets.PredictReveal(
    compute=x_grad_after_two_backward_calls,
    question="After a second backward(), what is each entry of x.grad?",
    hints=["x.grad holds 0.25 already: does backward() overwrite it, or add to it?"],
    mistakes={"0.25": "That is one backward's gradient: what happens to the 0.25 "
              "already in x.grad?"},
    explain="backward() adds into .grad: 0.25 + 0.25.",
)

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
x.mean().backward()
x.grad

# %% [markdown]
# That is why training loops **zero** the gradients after using them (lesson 4). `zero_()` works in
# place; the trailing underscore marks in-place operations:

# %%
x.grad.zero_()
x.grad

# %% [markdown]
# Accumulating across calls is deliberate: it lets you add up the gradients of several
# mini-batches (or several losses) before one update.
#
# ## Errors worth meeting once
#
# `backward()` without arguments needs a **scalar** output, because it starts from
# $\partial y/\partial y = 1$. For a non-scalar output, PyTorch refuses:

# %% tags=["raises-exception"]
v = x * 2
v.backward()

# %% [markdown]
# Either reduce to a scalar first (`v.sum().backward()`), or pass the gradient to start from,
# `v.backward(gradient)`, with the shape of `v`:

# %%
x.grad.zero_()
v = x * 2
v.backward(at.ones(2, 2))
x.grad

# %% [markdown]
# **The first-iteration bug.** `.grad` is `None` until the first `backward()` that reaches the
# tensor. A loop that zeroes the gradients *before* its first `backward()` therefore fails, even
# though `w` asks for gradients:

# %% tags=["raises-exception"]
w = at.randn(3, requires_grad=True)
print("w.grad before any backward():", w.grad)
w.grad.zero_()

# %% [markdown]
# Zero after the update instead (lesson 4), or guard with `if w.grad is not None`; lesson 5's
# `optimizer.zero_grad()` handles it for you. After one `backward()` the same line works:

# %%
(w * 2).sum().backward()
w.grad.zero_()

# %% [markdown]
# **Forgetting `requires_grad`** fails differently, and earlier: nothing was recorded, so there
# is no graph for `backward()` to walk.

# %% tags=["raises-exception"]
w_plain = at.randn(3)  # forgot requires_grad=True
(w_plain * 2).sum().backward()

# %% [markdown]
# "element 0 of tensors" is the output you called `backward()` on: it has no `grad_fn`.
#
# ## Getting values out: `detach()`, `.numpy()`, `.item()`
#
# Sooner or later you want the numbers of a recorded tensor, for NumPy or a plot. `.numpy()`
# refuses, because the NumPy array would share the memory, and changes made through it would slip
# past autograd:

# %% tags=["raises-exception"]
x.numpy()

# %% [markdown]
# `detach()` returns a tensor with the **same data** but cut off from the graph: no `grad_fn`, no
# `requires_grad`. Its `.numpy()` is fine. For a single number, `.item()` works directly.

# %%
x_values = x.detach()
print("requires_grad:", x_values.requires_grad, " is_leaf:", x_values.is_leaf)
print(x_values.numpy())
print((x * 3).sum().item())

# %% [markdown]
# The detached tensor shares memory with `x` (no copy is made); use `x.detach().clone()` for an
# independent copy. Anything computed from a detached tensor is not recorded, which is also how
# you stop gradients from flowing through part of a computation.
#
# ## Gradients without touching `.grad`
#
# `at.autograd.grad(outputs, inputs)` returns the gradients instead of accumulating them into
# `.grad`. Handy when you want a derivative as a value:

# %%
t = at.tensor([1.0, 2.0, 3.0], requires_grad=True)
(dt,) = at.autograd.grad((t ** 3).sum(), t)
print(dt)           # 3 t^2
print(t.grad)       # untouched

# %% [markdown]
# ## Moving to real PyTorch
#
# - Every cell here except the exercises (`PredictReveal` and `check`, this course's helpers) runs
#   unchanged with `import torch as at`. The node names (`MeanBackward0`, `SumBackward1`,
#   `ClampBackward1`, `RsubBackward1`...) are PyTorch's own, and the error messages are its
#   wording (a test of this course runs these cells under PyTorch 2.13 and compares).
# - R's `torch` spells the same ideas `torch_ones(2, 2, requires_grad = TRUE)`, `y$grad_fn`,
#   `y$backward()`, `x$grad` and `x$grad$zero_()`. Python uses `.` where R uses `$`,
#   `True` for `TRUE`, and `torch.autograd.grad` for R's `autograd_grad`.

# %% [markdown]
# ## Recap
#
# - `requires_grad=True` switches recording on; every result computed from such a tensor has a
#   `grad_fn` naming the backward node that will compute its gradient.
# - A **leaf** is a tensor with no `grad_fn`: one you created, or a result computed when nothing
#   required grad. `backward()` fills `.grad` of the leaves that require grad.
# - Within one backward pass, gradients of paths that meet are summed before they reach `.grad`;
#   across `backward()` calls, `.grad` accumulates, so it must be zeroed between steps.
# - `backward()` needs a scalar (or a `gradient=` of the output's shape); `.grad` is `None` until
#   the first backward; `.numpy()` needs `detach()` first.
#
# Next: a graph with several operations and two inputs, walked node by node.
#
# <!-- course-nav -->
# [← Lesson 1: A neural network from scratch](01_from_scratch.ipynb) · [Lesson 3: Digging deeper into the graph →](03_digging_deeper.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
