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
# # Lesson 4 of 10: The network, now with autograd
# <!-- course-nav -->
# [← Lesson 3: Digging deeper into the graph](03_digging_deeper.ipynb) · [Lesson 5: Modules and optimizers →](05_modules_and_optimizers.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
#
# Lesson 1 trained a small network with gradients derived by hand. Here the same network (same
# data, same starting weights) is trained with autograd.
#
# **In this lesson you will**
#
# - write the forward pass, the loss and all four gradients in three lines, and check that
#   autograd's gradients are lesson 1's,
# - step through the forward pass, the backward pass and the update in slow motion,
# - learn why the update runs under `no_grad()` and why gradients are zeroed after it,
# - train the network, try what goes wrong without those two habits, and evaluate it without
#   recording a graph (`no_grad()` and `inference_mode()`).

# %%
import numpy as np

import autograd_tutor as at

# %xmode Minimal

# %% [markdown]
# (`%xmode Minimal` makes a failing cell print only its last line, `ErrorType: message`, as in
# lesson 2.) Exercises use `at.widgets.PredictReveal`: type your prediction, press *check*;
# a wrong answer gets a hint and another try, and *reveal* shows the engine's answer once you
# have tried.
#
# ## The data and the weights
#
# Exactly lesson 1's data and weights (same seed). The only change: the weights ask for
# gradients with `requires_grad=True`. The data `x` and `y` do not.

# %%
at.manual_seed(0)
d_in, d_out, n = 3, 1, 100
x = at.randn(n, d_in)
y = x[:, 0:1] * 0.2 - x[:, 1:2] * 1.3 - x[:, 2:3] * 0.5 + at.randn(n, 1)

d_hidden = 32
w1 = at.randn(d_in, d_hidden, requires_grad=True)
w2 = at.randn(d_hidden, d_out, requires_grad=True)
b1 = at.zeros(1, d_hidden, requires_grad=True)
b2 = at.zeros(1, d_out, requires_grad=True)

# %% [markdown]
# ## Forward, loss, backward: three lines

# %%
y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
loss = (y_pred - y).pow(2).sum()
loss.backward()

print("loss:", round(loss.item(), 2))
for name, w in {"w1": w1, "b1": b1, "w2": w2, "b2": b2}.items():
    print(f"{name}.grad has shape {tuple(w.grad.shape)}")


# %% [markdown]
# The loss is lesson 1's starting loss. Are the gradients the same too? Here is lesson 1's
# hand-derived backward pass once more, compared with what autograd stored in `.grad`:

# %%
def my_gradients(x, y, w1, b1, w2, b2):
    """Lesson 1's gradients, derived by hand with the chain rule."""
    h = x.mm(w1).add(b1)
    h_relu = h.clamp(min=0)
    grad_y_pred = 2 * (h_relu.mm(w2).add(b2) - y)
    grad_h = grad_y_pred.mm(w2.t()) * (h > 0).float()
    return {
        "w1": x.t().mm(grad_h),
        "b1": grad_h.sum(dim=0, keepdim=True),
        "w2": h_relu.t().mm(grad_y_pred),
        "b2": grad_y_pred.sum(dim=0, keepdim=True),
    }


with at.no_grad():
    mine = my_gradients(x, y, w1, b1, w2, b2)
for name, w in {"w1": w1, "b1": b1, "w2": w2, "b2": b2}.items():
    same = np.allclose(mine[name].numpy(), w.grad.numpy(), rtol=1e-4, atol=1e-3)
    print(f"{name}: autograd equals the hand-derived gradient: {same}")

# %% [markdown]
# ## Slow motion: the explorers
#
# The three lines hide a lot. The explorers below replay them one operation at a time, using
# the real engine. Each builds its **own copy** of this network (same code, same seed), so our
# `w1`...`b2` are not touched. Use the buttons (or the slider) to step.
#
# **Forward.** *Predict, then step:* of the eight operations in
# `x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)` and the loss, how many produce a result of shape
# `(100, 32)`? Step through and count. *Watch* the graph grow by one node per operation, and the
# shapes shrink from `(100, 32)` to `(100, 1)` to the single number of the loss.

# %% tags=["autograd-tutor-only"]
at.widgets.ForwardExplorer()

# %% [markdown]
# <details><summary>Answer (open after stepping)</summary>
#
# Three: `Mm`, `Add` (the bias `b1`, broadcast over the 100 rows) and `Clamp`. The second `Mm`
# brings the shape to `(100, 1)`, and `Sum` to a single number.
# </details>
#
# **Backward.** *Predict, then step:* the engine runs each node as soon as all its gradients
# have arrived. Which leaf's `.grad` is filled first: `w1`, `b1`, `w2` or `b2`? *Watch* the
# gradient that arrives at each node, and how the two `AddBackward0` nodes hand it on unchanged
# to the bias and to the rest of the network.

# %% tags=["autograd-tutor-only"]
at.widgets.BackwardExplorer()

# %% [markdown]
# <details><summary>Answer (open after stepping)</summary>
#
# `b2`, at step 5: the bias is added last in the forward pass, so it is the first leaf the
# backward pass reaches. `w1`, used first, is filled last (step 12).
# </details>
#
# **Exercise 1.** How many numbers does one update step change? Count the entries of `w1`,
# `b1`, `w2` and `b2` (their shapes are printed above).

# %% tags=["autograd-tutor-only"]
at.widgets.PredictReveal(
    compute=lambda: sum(w.numel() for w in (w1, b1, w2, b2)),
    question="How many numbers does one update step change?",
    hints=["w1 is 3x32, b1 1x32, w2 32x1, b2 1x1: add up the entries."],
    explain="96 + 32 + 32 + 1 = 161.",
)

# %% [markdown]
# ## The update, and why it needs `no_grad()`
#
# Once `requires_grad=True` is set, autograd records *every* operation involving the weights.
# The update `w1 - learning_rate * w1.grad` is not part of the model, and recording it would
# glue each iteration's graph onto the next one. So the update runs inside `with at.no_grad():`,
# and it is done **in place** (`sub_`) so that `w1` stays the same leaf tensor.
#
# Without `no_grad()`, an in-place change to a leaf that requires grad is refused:

# %% tags=["raises-exception"]
learning_rate = 1e-4
w1.sub_(learning_rate * w1.grad)

# %% [markdown]
# And the out-of-place version silently turns `w1` into a *non-leaf* with a `grad_fn`, whose
# `.grad` will not be filled next time:

# %%
w1_wrong = w1 - learning_rate * w1.grad
print("is_leaf:", w1_wrong.is_leaf, "| grad_fn:", w1_wrong.grad_fn.name())

# %% [markdown]
# Inside `no_grad()` nothing is recorded:

# %%
with at.no_grad():
    for w in (w1, b1, w2, b2):
        w.sub_(learning_rate * w.grad)
print("w1 is still a leaf:", w1.is_leaf, "| grad_fn:", w1.grad_fn)


# %% [markdown]
# ## Zeroing the gradients
#
# `.grad` **accumulates**: the next `backward()` adds to what is there. After an update the old
# gradients are used up and must be zeroed; otherwise each step would use the sum of all
# gradients so far. Watch `b2.grad` when we forget:

# %%
def loss_fn():
    y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
    return (y_pred - y).pow(2).sum()


before = b2.grad.clone()
loss_fn().backward()  # no zero_() in between
print("b2.grad before:", before, "after another backward:", b2.grad)

# %% [markdown]
# The new value is the old gradient plus a new one, not the new gradient. Zero all four:

# %%
for w in (w1, b1, w2, b2):
    w.grad.zero_()
b2.grad


# %% [markdown]
# **Exercise 2.** Suppose you compute a loss, then call `backward()` on it and on two fresh copies
# of it (three times in all) without zeroing in between. `b2.grad` is then how many times the
# true gradient?

# %% tags=["autograd-tutor-only"]
def grad_ratio_after_three_backward_calls():
    b2.grad.zero_()
    loss_fn().backward()
    once = b2.grad.clone()
    loss_fn().backward()
    loss_fn().backward()
    ratio = (b2.grad / once).item()
    b2.grad.zero_()
    return ratio


at.widgets.PredictReveal(
    compute=grad_ratio_after_three_backward_calls,
    question="b2.grad after three backward calls is how many times the true gradient?",
    hints=["Each backward() adds the same gradient into b2.grad once more."],
    explain="Nothing was zeroed, so three equal gradients add up: 3 times.",
)

# %% [markdown]
# **Update.** The update explorer steps through `sub_` for each weight, then `zero_()` for each.
# *Predict, then step:* between `w1`'s `sub_` step and its `zero_()` step, does `w1.grad` change?
# *Watch* the values before and after each `sub_` (a step of `learning_rate * grad`), and the
# line that proves nothing was recorded: `grad_fn` stays `None` and every weight stays a leaf.

# %% tags=["autograd-tutor-only"]
at.widgets.UpdateExplorer()

# %% [markdown]
# <details><summary>Answer (open after stepping)</summary>
#
# No: `sub_` changes the weight, not its gradient. The gradient keeps its value until
# `zero_()`, which is why forgetting `zero_()` lets it leak into the next step.
# </details>
#
# ## The training loop
#
# Put together: forward, loss, backward, then the update under `no_grad()` and the zeroing.
# We restart from lesson 1's starting weights, so the printed losses can be compared with
# lesson 1's line by line.

# %%
at.manual_seed(0)
x = at.randn(n, d_in)
y = x[:, 0:1] * 0.2 - x[:, 1:2] * 1.3 - x[:, 2:3] * 0.5 + at.randn(n, 1)
w1 = at.randn(d_in, d_hidden, requires_grad=True)
w2 = at.randn(d_hidden, d_out, requires_grad=True)
b1 = at.zeros(1, d_hidden, requires_grad=True)
b2 = at.zeros(1, d_out, requires_grad=True)

learning_rate = 1e-4
graphs = []
for t in range(200):
    # forward pass and loss: a brand-new graph every iteration
    y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
    loss = (y_pred - y).pow(2).sum()
    if t % 10 == 0:
        print(f"iteration {t:3d}   loss {loss.item():9.2f}")
    if t < 2:
        graphs.append(loss.grad_fn)

    # backward pass: fills w1.grad, b1.grad, w2.grad, b2.grad
    loss.backward()

    # update the weights without recording, then zero the used gradients
    with at.no_grad():
        w1.sub_(learning_rate * w1.grad)
        w2.sub_(learning_rate * w2.grad)
        b1.sub_(learning_rate * b1.grad)
        b2.sub_(learning_rate * b2.grad)
        w1.grad.zero_()
        w2.grad.zero_()
        b1.grad.zero_()
        b2.grad.zero_()

# %% [markdown]
# The same numbers as lesson 1: autograd changed how we get the gradients, not what they are.
#
# Each iteration's forward pass recorded a **new graph**: the first two iterations' losses have
# different `grad_fn` nodes, and `backward()` freed each graph after using it. Nothing carries
# over from one iteration to the next except the weights (and whatever you leave in `.grad`).

# %%
print("iteration 0 and iteration 1 share a graph:", graphs[0] is graphs[1])
print("both end in", graphs[0].name(), "and", graphs[1].name())

# %% [markdown]
# ## Evaluating without recording
#
# After training you only want predictions, for example on **fresh data** from the same rule,
# which lesson 1 said would show overfitting. Under `no_grad()` the forward pass records nothing:
# no `grad_fn`, no saved tensors kept for a backward pass that will never come. That is cheaper,
# and the result could go straight to NumPy (no `detach()` needed, see lesson 2):

# %%
at.manual_seed(1)  # another seed: 100 new points from the same rule
x_test = at.randn(n, d_in)
y_test = x_test[:, 0:1] * 0.2 - x_test[:, 1:2] * 1.3 - x_test[:, 2:3] * 0.5 + at.randn(n, 1)

with at.no_grad():
    y_pred_test = x_test.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
    test_loss = (y_pred_test - y_test).pow(2).sum()
    rule_loss = (x_test[:, 0:1] * 0.2 - x_test[:, 1:2] * 1.3 - x_test[:, 2:3] * 0.5
                 - y_test).pow(2).sum()
print("requires_grad:", test_loss.requires_grad, "| grad_fn:", test_loss.grad_fn)
print(f"network: {loss.item():.1f} on its training data, {test_loss.item():.1f} on fresh data")
print(f"true rule on the fresh data: {rule_loss.item():.1f}")

# %% [markdown]
# On its own 100 points the network beat the true rule (lesson 1); on 100 new points it does
# clearly worse than the rule: part of what it learned was the noise of its training data.
#
# ### `inference_mode()`: stricter than `no_grad()`
#
# For code that will *never* need gradients (serving predictions, an evaluation loop), PyTorch
# has a stricter switch, `inference_mode()`. It records nothing either, and it marks every tensor
# made inside as an **inference tensor**, which skips the bookkeeping (version counters) that
# autograd would need later; that makes it a little faster than `no_grad()`.

# %%
with at.inference_mode():
    y_pred_test = x_test.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
print("requires_grad:", y_pred_test.requires_grad,
      "| inference tensor:", y_pred_test.is_inference())

# %% [markdown]
# The price: an inference tensor can never enter a graph that autograd will differentiate.
# Using it where a backward rule would have to save it fails:

# %% tags=["raises-exception"]
(y_pred_test * w2.sum()).sum().backward()

# %% [markdown]
# So: `no_grad()` when the results may still meet autograd (the weight update, code shared with
# training), `inference_mode()` for pure prediction. Both leave the weights untouched.
#
# ## What if...?
#
# The training explorer runs this loop and plots the loss. *Predict first, then flip each
# switch and play:*
#
# 1. **forget to zero the gradients**: after 200 iterations, is the loss higher or lower than
#    with zeroing, and is the curve smooth?
# 2. **forget no_grad**: how far does training get?
# 3. **learning rate** ten times larger, `1e-3`: faster training, or something else?
#
# *Watch* the loss curve (log scale) and the iteration counter.

# %% tags=["autograd-tutor-only"]
at.widgets.TrainingExplorer()

# %% [markdown]
# <details><summary>What happens (open after trying)</summary>
#
# 1. Each step uses the sum of all past gradients, which keep pushing in old directions: the
#    curve is bumpy, and after 200 iterations the loss is about 153 instead of 66.
# 2. Not one step: the very first update fails with the error you saw above.
# 3. Too much for this summed loss: the loss grows within a few iterations, overflows to `inf`
#    and turns into `nan` by iteration 9.
# </details>
#
# ## Still manual
#
# The forward pass is written out operation by operation, and the update is a loop of `sub_` and
# `zero_` calls. Lesson 5 replaces the first with **modules** (`at.nn`) and the second with an
# **optimizer** (`at.optim`). The habit of zeroing gradients stays: there it is spelled
# `optimizer.zero_grad()`.
#
# ## Moving to real PyTorch
#
# - The training loop runs unchanged with `import torch as at` (`no_grad`, `inference_mode`,
#   `sub_`, `zero_`, `requires_grad`, and the error messages).
# - The explorers are this course's own, but they also step through **real PyTorch** graphs:
#   build a loss with `torch` and pass it in, for example
#   `at.widgets.BackwardExplorer(torch_loss, names={"w1": w1, "b1": b1, "w2": w2, "b2": b2})`.
#   It runs torch's own `backward()` and records, with hooks on torch's `grad_fn` nodes
#   (lesson 3), the order in which torch ran them and the gradients each received and sent.
#   `ForwardExplorer(loss_fn)` records torch's operations when `loss_fn` computes with torch
#   tensors.
# - In R's `torch` the update block is `with_no_grad({ w1$sub_(learning_rate * w1$grad) ... })`
#   and zeroing is `w1$grad$zero_()`; Python's `with torch.no_grad():` is a context manager
#   where R uses a function taking a code block.

# %% [markdown]
# ## Recap
#
# - Forward, loss, `backward()`: autograd's gradients are exactly the hand-derived ones.
# - The update runs **in place under `no_grad()`**: outside it, an in-place change to a leaf is
#   an error, and an out-of-place one turns the weight into a non-leaf.
# - `.grad` accumulates, so it is **zeroed** after each update.
# - Every iteration records a new graph, and `backward()` frees it.
# - For predictions, run the forward pass under `no_grad()` or, when its results never meet
#   autograd again, the stricter `inference_mode()`: nothing is recorded.
#
# Next: modules and optimizers take over the forward pass and the update.
#
# <!-- course-nav -->
# [← Lesson 3: Digging deeper into the graph](03_digging_deeper.ipynb) · [Lesson 5: Modules and optimizers →](05_modules_and_optimizers.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
