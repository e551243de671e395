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
# # Lesson 6 of 10: How backward() runs
# <!-- course-nav -->
# [← Lesson 5: Modules and optimizers](05_modules_and_optimizers.ipynb) · [Lesson 7: Saved tensors and custom functions →](07_saved_tensors_and_custom_functions.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
#
# You have used `backward()` as a black box that fills in `.grad`. This lesson opens it.
#
# **In this lesson you will**
#
# - re-implement the engine's **schedule**, the order in which it runs the backward nodes,
#   compare it with the real one, and read it in the teaching core (`at.teaching`),
# - see what happens when two paths meet at one node,
# - see that the graph is built anew by every forward pass, so ordinary Python control flow
#   (`if`, `while`) decides its shape.
#
# Lesson 7 then looks at what the graph keeps in memory, the errors that come from it, and your
# own operations.

# %%
import numpy as np

import autograd_tutor as at


# %% [markdown]
# Exercises use `at.widgets.PredictReveal`: type your answer, press *check*; a wrong answer
# gets a hint and another try, and *reveal* shows the engine's answer once you have tried.
#
# ## 1. The schedule
#
# A node may only run once **all** the gradients flowing into it have arrived: if a tensor is
# used twice, its node must wait for both contributions. The engine therefore
#
# 1. counts, for every node reachable from the output, how many edges lead into it (its
#    *dependencies*),
# 2. puts the output's node in a *ready* queue with the starting gradient 1,
# 3. repeatedly takes a ready node, runs it, sends a gradient along each of its
#    `next_functions`, and decrements the dependency count of each receiver; a node whose count
#    reaches zero becomes ready.
#
# When several nodes are ready, it runs the **most recently created** one first (leaf
# `AccumulateGrad` nodes go right away). Here is a graph where `u` is used twice:
#
# $$u = 3w, \qquad loss = \sum \left(u^2 + e^u\right)$$

# %%
def forward(w):
    u = w * 3
    loss = (u.pow(2) + u.exp()).sum()
    return u, loss


w = at.tensor([0.5, -1.0], requires_grad=True)
u, loss = forward(w)
loss

# %% [markdown]
# To know which node was created when, we run the same forward pass once more inside
# `at.autograd.graph.record_forward()`, which lists the operations in the order they ran (this
# package's addition; PyTorch keeps the same information in each node's private
# `_sequence_nr()`).

# %% tags=["autograd-tutor-only"]
with at.autograd.graph.record_forward() as records:
    u, loss = forward(w)

[r.name for r in records]


# %% tags=["autograd-tutor-only"]
def my_schedule(output, records):
    """The order in which the engine runs the backward nodes (a re-implementation)."""
    rank = {r.output.grad_fn: i for i, r in enumerate(records) if r.output.grad_fn}

    def priority(node):  # leaves first, then the most recent operation
        return float("inf") if hasattr(node, "variable") else rank[node]

    # 1. dependencies: how many edges lead into each node
    deps, stack, seen = {}, [output.grad_fn], {output.grad_fn}
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    # 2.-3. run ready nodes, highest priority first
    ready, order = [output.grad_fn], []
    while ready:
        node = max(ready, key=priority)
        ready.remove(node)
        order.append(node)
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    ready.append(nxt)
    return order


mine = [node.name() for node in my_schedule(loss, records)]
mine

# %% [markdown]
# Now compare with the engine itself, stepping it with `iter_backward_for`. Stepping is a real
# backward pass: it also adds into `w.grad`, exactly as `loss.backward()` would. We keep the
# graph with `retain_graph=True` to walk it again below.

# %% tags=["autograd-tutor-only"]
engine = [s.node.name() for s in at.autograd.iter_backward_for(loss, retain_graph=True)]
print("same order as the engine:", mine == engine)
print("w.grad after this walk:", w.grad)

# %% [markdown]
# ### The schedule, to read
#
# `my_schedule` only orders the nodes. The real thing also carries the gradients along. The
# package keeps a version of it written to be read, in the **teaching core**: `iter_backward` in
# `autograd_tutor/teaching/engine.py` (`at.teaching.iter_backward`; lesson 8 has you write it).
# Its numbered comments are the steps above: **1** is your dependency count, **2** the seed
# $\partial loss/\partial loss = 1$, **3** the ready queue (a heap ordered by each node's
# `_sequence_nr`, the recording order that `my_schedule` took from `record_forward`;
# `AccumulateGrad` nodes rank highest), **4** the node's backward rule, **5** freeing what the
# node saved. The full engine's `iter_backward` (`autograd_tutor/autograd/engine.py`) has the
# same numbered steps; [How to read the engine](../docs/reading-the-engine.md) follows one
# `x * w` through it, from the op to `.grad`.

# %% tags=["autograd-tutor-only"]
import inspect

print(inspect.getsource(at.teaching.iter_backward))

# %% [markdown]
# The same forward pass on the teaching core's `Tensor` (our `forward` function works unchanged)
# runs its nodes in the same order:

# %% tags=["autograd-tutor-only"]
w_core = at.teaching.Tensor([0.5, -1.0], requires_grad=True)
u_core, loss_core = forward(w_core)
core = [step.node.name() for step in at.teaching.iter_backward(loss_core)]
print("teaching core, my_schedule and the engine agree:", core == mine == engine)
print("w_core.grad =", w_core.grad)

# %% [markdown]
# ## 2. Where paths meet, gradients add
#
# `MulBackward0` (the node of `u`) is the target of two edges, from `PowBackward0` and from
# `ExpBackward0`. It ran **once**, after both had delivered; the engine added the two
# contributions first. That is the multivariable chain rule:
# $\partial loss/\partial u = 2u + e^u$. In the source above it is the line commented *two
# edges reach this node: their gradients add*, and the node only enters the ready queue when
# `deps[nxt]` reaches zero.
#
# **Exercise 1.** `u = [1.5, -3.0]`. What total gradient arrives at `MulBackward0`? Type two
# numbers separated by a comma (a calculator helps with $e^u$).

# %% tags=["autograd-tutor-only"]
def grad_arriving_at_mul():
    w = at.tensor([0.5, -1.0], requires_grad=True)
    u, loss = forward(w)
    (mul_step,) = [s for s in at.autograd.iter_backward_for(loss) if s.node is u.grad_fn]
    return mul_step.grads_in[0]


at.widgets.PredictReveal(
    compute=grad_arriving_at_mul,
    question="Which gradient arrives at MulBackward0?",
    hints=["Add the two paths: d(u^2)/du = 2u and d(e^u)/du = e^u, at u = 1.5 and -3."],
    explain="2u + e^u = 3 + 4.4817 and -6 + 0.0498.",
)

# %% [markdown]
# Answered? Here is $2u + e^u$ computed directly (folded until you run it), then compared with
# what arrived at the node in a second walk of the retained graph:

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
my_u_grad = 2 * u.detach() + u.detach().exp()
print("2u + e^u =", my_u_grad)

# %% jupyter={"outputs_hidden": true} tags=["autograd-tutor-only", "reveals-answer"]
steps = list(at.autograd.iter_backward_for(loss, retain_graph=True))
(mul_step,) = [s for s in steps if s.node is u.grad_fn]
print("matches the engine:", np.allclose(my_u_grad.numpy(), mul_step.grads_in[0]))
print("w.grad after two walks:", w.grad)

# %% [markdown]
# Note `w.grad`: the second walk **added** its gradient to the first one's (lesson 2: `.grad`
# accumulates across backward passes). It is now twice $3\,(2u + e^u)$. Zero it before using
# `w` again:

# %%
w.grad = None  # the same as zero_() for the next backward(), and what optimizers do

# %% [markdown]
# A naive recursive backward that runs a node each time a gradient reaches it would run
# `MulBackward0` twice and the leaf's accumulation twice; with exact gradients it still adds up,
# but on big graphs it does exponentially much work. Dependency counting runs every node once.
#
# ## 3. A new graph on every forward pass
#
# Autograd does not compile your model: it records what **actually ran**. Each forward pass
# builds a fresh graph (lesson 4's loop built 200 of them), so plain Python `if`s and loops
# decide its shape, and different inputs can give different graphs. Here a loop doubles `x` until
# its sum reaches 10:

# %%
def keep_doubling(x):
    y = x
    while y.sum().item() < 10:  # Python decides, from the values, how often to loop
        y = y * 2
    return y.sum()


def chain(node):
    """The node names from the output down the first slot to a leaf."""
    names = []
    while node is not None:
        names.append(node.name().split("::")[-1])
        node = node.next_functions[0][0] if node.next_functions else None
    return " -> ".join(names)


for start in ([4.0, 3.0], [1.0, 0.5]):
    x = at.tensor(start, requires_grad=True)
    out = keep_doubling(x)
    print(f"x = {start}: {chain(out.grad_fn)}")

# %% [markdown]
# The first input needed one doubling, the second three, and each graph holds exactly the
# multiplications that ran. The gradient follows the graph: $out = \sum 2^k x$, so every entry
# of `x.grad` is $2^k$ for the $k$ doublings that happened.
#
# **Exercise 2.** `x = at.tensor([0.25, 0.5], requires_grad=True)`. What is each entry of
# `x.grad` after `keep_doubling(x).backward()`?

# %% tags=["autograd-tutor-only"]
def grad_after_keep_doubling():
    x = at.tensor([0.25, 0.5], requires_grad=True)
    keep_doubling(x).backward()
    return x.grad


at.widgets.PredictReveal(
    compute=grad_after_keep_doubling,
    question="What is each entry of x.grad after keep_doubling(x).backward()?",
    hints=["Follow the sum: 0.75, 1.5, ... how many doublings until it reaches 10?"],
    explain="0.75, 1.5, 3, 6, 12: four doublings, so out = sum(16 x) and x.grad = 16.",
)

# %% [markdown]
# <details><summary>Answer (open after answering)</summary>
#
# The sum goes 0.75, 1.5, 3, 6, 12: four doublings, so every entry of `x.grad` is $2^4 = 16$.
# </details>
#
# An `if` works the same way: only the branch that ran is in the graph, and the gradient is the
# derivative of that branch. That is why a ReLU's gradient is 0 or 1: each entry took one of
# two branches.

# %%
def piecewise(x):
    if x.item() > 0:
        return x * x     # derivative 2x
    return -3 * x        # derivative -3


for value in (2.0, -2.0):
    x = at.tensor(value, requires_grad=True)
    out = piecewise(x)
    out.backward()
    print(f"x = {value:4}: graph {chain(out.grad_fn):30} x.grad = {x.grad.item()}")

# %% [markdown]
# ## Moving to real PyTorch
#
# - The graph-building cells run unchanged with `import torch as at`; `record_forward`,
#   `iter_backward_for` and the teaching core `at.teaching` are this package's additions
#   (PyTorch's backward pass runs inside its C++ engine, `torch/csrc/autograd/engine.cpp`;
#   lesson 3's hooks are how you watch it).
# - PyTorch's engine can run nodes of different devices on different threads, but on the CPU
#   the rule is the one you implemented: dependency counts, and among ready nodes the most
#   recently created first (PyTorch orders them by each node's sequence number).
# - "Define-by-run", a new graph per forward pass, is what made PyTorch different from the
#   static-graph frameworks of its time; `torch.compile` can trace such code into an optimised
#   graph, but the autograd you learn here is what runs by default.

# %% [markdown]
# ## Recap
#
# - `backward()` counts each node's incoming edges, then runs a node when all its gradients have
#   arrived; among ready nodes, the most recently created runs first, leaves' `AccumulateGrad`
#   right away.
# - Where two paths meet, the gradients are added **before** the node runs, so every node runs
#   once.
# - `at.teaching.iter_backward` (`autograd_tutor/teaching/engine.py`) is the whole schedule in
#   five numbered steps, to reread when a gradient surprises you.
# - Stepping or walking a retained graph is a real backward pass: it adds into `.grad`.
# - Every forward pass records a new graph of exactly the operations that ran, so Python's
#   control flow shapes it.
#
# Next: what the graph keeps in memory, and the errors that come from it.
#
# <!-- course-nav -->
# [← Lesson 5: Modules and optimizers](05_modules_and_optimizers.ipynb) · [Lesson 7: Saved tensors and custom functions →](07_saved_tensors_and_custom_functions.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
