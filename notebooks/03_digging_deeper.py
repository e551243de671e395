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
# # Lesson 3 of 10: Digging deeper into the graph
# <!-- course-nav -->
# [← Lesson 2: Autograd basics](02_autograd_basics.ipynb) · [Lesson 4: The network, now with autograd →](04_network_with_autograd.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
#
# Lesson 2 used a graph with one operation. Now we build one with several operations and two
# inputs.
#
# **In this lesson you will**
#
# - read the "action plan" autograd records, by walking `grad_fn.next_functions` by hand,
# - draw the same graph, and find the leaves' `AccumulateGrad` nodes in it,
# - work out every gradient with the chain rule **before** autograd computes it,
# - keep intermediate gradients with `retain_grad()`,
# - step through the backward pass one node at a time, and watch it with hooks.

# %%
import numpy as np

import autograd_tutor as at


# %% [markdown]
# Exercises ask you to **predict first**. Numeric ones use `at.widgets.PredictReveal`: type
# your answer, press *check*; a wrong answer gets a hint and another try, and the answer is
# shown only after you have tried (or pressed *reveal*). The others use `at.widgets.check`,
# its code-cell form: replace the `None` in the exercise cell with your guess and run the cell
# again. Both accept answers the way you would write them: `(100, 32)` or `100x32`, `1/4`,
# `MulBackward0` in any case.

# %% [markdown]
# ## A graph with two inputs
#
# $$y = x_1 \cdot (x_2 + 2), \qquad z = 3\,y^2, \qquad out = \operatorname{mean}(z)$$
#
# `x1` is a 2×2 tensor of ones, `x2` the scalar 1.1. Both ask for gradients.

# %%
x1 = at.ones(2, 2, requires_grad=True)
x2 = at.tensor(1.1, requires_grad=True)
y = x1 * (x2 + 2)
z = y.pow(2) * 3
out = z.mean()
y.retain_grad()  # keep the gradients of these intermediate results (see below)
z.retain_grad()
out

# %% [markdown]
# ## Reading the action plan
#
# `out.grad_fn` is the last operation recorded. Its `next_functions` holds one `(node, index)`
# pair per input of that operation: where the gradient must go next.

# %%
out.grad_fn

# %%
out.grad_fn.next_functions

# %% [markdown]
# That is the multiplication by 3. One step further: two pairs, one per input of `y.pow(2) * 3`.
# The constant 3 needs no gradient, so its slot is `(None, 0)`:

# %%
out.grad_fn.next_functions[0][0].next_functions

# %% [markdown]
# **Exercise 1.** Keep following the first slot. After `PowBackward0`, which node comes next?

# %%
my_guess = None  # a node name such as "AddBackward0"
pow_node = out.grad_fn.next_functions[0][0].next_functions[0][0]

# %% tags=["autograd-tutor-only"]
at.widgets.check(
    my_guess, pow_node.next_functions[0][0].name(), "the node after PowBackward0",
    hints=["PowBackward0 belongs to y.pow(2): which operation made y?"],
    explain="y = x1 * (x2 + 2) is a multiplication of two tensors.",
)


# %% [markdown]
# Typing `.next_functions[0][0]` gets old. A short recursive walk prints the whole plan; leaves
# show up as `AccumulateGrad` nodes, whose `.variable` is the leaf tensor itself (the output is
# folded until you run the cell: it answers exercise 1):

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
def my_walk(node, leaf_names, depth=0):
    """Print the backward graph below `node`, one node per line."""
    if node is None:
        print("    " * depth + "None  (needs no gradient)")
        return
    label = node.name()
    if hasattr(node, "variable"):
        label += f"  -> .grad of {leaf_names[id(node.variable)]}"
    print("    " * depth + label)
    for next_node, _ in node.next_functions:
        my_walk(next_node, leaf_names, depth + 1)


my_walk(out.grad_fn, {id(x1): "x1", id(x2): "x2"})

# %% [markdown]
# <details><summary>Reading the walk (open after exercise 1)</summary>
#
# Read from the top: the mean, the multiplication by 3, the square, then the multiplication that
# made `y`, which splits into two branches: an `AccumulateGrad` for the leaf `x1`, and the
# addition `x2 + 2`, whose own next node is the `AccumulateGrad` for `x2` (its `2` needs nothing).
# </details>

# %%
acc_x1 = y.grad_fn.next_functions[0][0]
print(acc_x1.name(), "| its variable is x1:", acc_x1.variable is x1)

# %% [markdown]
# ## The picture
#
# The same plan as a drawing, made by `at.viz.make_dot` (in PyTorch, the `torchviz` package
# draws these). Grey boxes are backward nodes, blue boxes the leaves, green boxes tensors
# computed along the way: the output, and `y` and `z` because we named them (the dashed arrow
# comes from the node that made each). Solid arrows point the way the forward pass went;
# `backward()` walks them in reverse, from `out` up to the leaves. Printed as text, the picture
# lists the same nodes and edges.

# %% tags=["autograd-tutor-only"]
names = {"x1": x1, "x2": x2, "y": y, "z": z, "out": out}
at.viz.make_dot(out, names=names)

# %% [markdown]
# ## The chain rule by hand
#
# Before running `backward()`, work out the numbers yourself. With $x_1 = 1$ (each entry) and
# $x_2 = 1.1$, $y = 1 \cdot 3.1 = 3.1$ everywhere. Go from `out` back to the leaves:
# $\partial out/\partial z$, then $\partial out/\partial y$, then the two leaves. One thing to
# watch: $x_2$ is a single number that was *broadcast* to all four entries of $y$.
#
# **Exercise 2.** What will `x2.grad` be after `out.backward()`? Type your number and press
# *check*. The widget computes the answer on its own copy of this graph, so our `x2` stays
# untouched.

# %% tags=["autograd-tutor-only"]
def x2_grad_of_a_fresh_copy():
    x1 = at.ones(2, 2, requires_grad=True)
    x2 = at.tensor(1.1, requires_grad=True)
    (x1 * (x2 + 2)).pow(2).mul(3).mean().backward()
    return x2.grad


at.widgets.PredictReveal(
    compute=x2_grad_of_a_fresh_copy,
    question="After out.backward(), what is x2.grad?",
    hints=[
        "Per entry: d out/d z = 1/4, d z/d y = 6y with y = 3.1, d y/d x2 = x1 = 1.",
        "x2 reached all four entries of y: add the four contributions.",
    ],
    mistakes={"4.65": "That is the contribution of one entry of y; x2 reached all four."},
    explain="4 entries x (1/4 x 6 x 3.1 x 1) = 4 x 4.65 = 18.6.",
)

# %% [markdown]
# <details><summary>The worked chain rule (open after answering)</summary>
#
# - $out = \tfrac14 \sum z$, so $\partial out/\partial z = \tfrac14 = 0.25$ for each entry.
# - $z = 3y^2$, so $\partial z/\partial y = 6y = 18.6$, and
#   $\partial out/\partial y = 0.25 \cdot 18.6 = 4.65$.
# - $y = x_1 (x_2 + 2)$, so $\partial y/\partial x_1 = x_2 + 2 = 3.1$, and
#   $\partial out/\partial x_1 = 4.65 \cdot 3.1 = 14.415$.
# - $\partial y_{ij}/\partial x_2 = x_{1,ij} = 1$, and $x_2$ reached **all four** entries of $y$
#   (it was broadcast), so the four contributions add: $4 \cdot 4.65 \cdot 1 = 18.6$.
# </details>
#
# The same steps in code (output folded until you run it):

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
x1_val, x2_val = 1.0, 1.1
y_val = x1_val * (x2_val + 2)

my_z_grad = 1 / 4
my_y_grad = my_z_grad * 6 * y_val
my_x1_grad = my_y_grad * (x2_val + 2)
my_x2_grad = 4 * my_y_grad * x1_val
print(f"z: {my_z_grad:.4f}  y: {my_y_grad:.4f}  x1: {my_x1_grad:.4f}  x2: {my_x2_grad:.4f}")

# %% [markdown]
# Now the real thing:

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
out.backward()
print("z.grad =", z.grad)
print("y.grad =", y.grad)
print("x2.grad =", x2.grad)
print("x1.grad =", x1.grad)

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
for name, mine, theirs in [
    ("z", my_z_grad, z.grad), ("y", my_y_grad, y.grad),
    ("x1", my_x1_grad, x1.grad), ("x2", my_x2_grad, x2.grad),
]:
    print(f"{name}: hand-made {mine:.4f} matches autograd:",
          np.allclose(theirs.numpy(), mine, atol=1e-4))

# %% [markdown]
# After `backward()` the picture also shows the gradients (folded, like the cells above):

# %% jupyter={"outputs_hidden": true} tags=["autograd-tutor-only", "reveals-answer"]
at.viz.make_dot(out, names=names)

# %% [markdown]
# ## Leaves, non-leaves and `retain_grad()`
#
# Only **leaves** that require grad keep their `.grad` by default. An intermediate result's
# gradient is computed on the way, used and then dropped, to save memory; `y` and `z` kept theirs
# only because we called `retain_grad()`. Asking an intermediate for `.grad` without it gives
# `None` and a warning (we print its first two sentences):

# %%
import warnings

s = x1 * 2
s.sum().backward()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print("s.grad =", s.grad)
message = str(caught[0].message)
print("warning:", ". ".join(message.split(". ")[:2]) + ".")


# %% [markdown]
# ## Stepping through the backward pass
#
# `backward()` runs the recorded nodes one by one. `at.autograd.iter_backward_for(out)` runs the
# *same* engine but hands you each step: the node, the gradient(s) that arrived at it
# (`grads_in`) and the gradient it sends along each of its `next_functions` (`grads_out`). We
# rebuild the graph with fresh leaves and print each step. A block like `2×2 of 0.2500` is a 2×2
# array with every entry 0.25.
#
# **Exercise 3.** Before you run the stepping cell: the third node to run is `PowBackward0`.
# Which gradient arrives at it? One number (each entry is the same).

# %% tags=["autograd-tutor-only"]
def grad_arriving_at_pow():
    b1 = at.ones(2, 2, requires_grad=True)
    b2 = at.tensor(1.1, requires_grad=True)
    steps = list(at.autograd.iter_backward_for((b1 * (b2 + 2)).pow(2).mul(3).mean()))
    return steps[2].grads_in[0]


at.widgets.PredictReveal(
    compute=grad_arriving_at_pow,
    question="Which gradient arrives at PowBackward0 (each entry)?",
    hints=["MeanBackward0 sends 1/4 to each entry; what does the * 3 node multiply it by?"],
    mistakes={"0.25": "That arrives at the * 3 node (step 2), one step earlier."},
    explain="0.25 from the mean, times 3 from z = 3 * y^2's multiplication: 0.75.",
)

# %% jupyter={"outputs_hidden": true} tags=["autograd-tutor-only", "reveals-answer"]
def fmt(g):
    if g is None:
        return "None"
    g = np.asarray(g)
    if g.ndim and np.all(g == g.flat[0]):
        return "×".join(map(str, g.shape)) + f" of {g.flat[0]:.4f}"
    return np.array2string(g, precision=4)


a1 = at.ones(2, 2, requires_grad=True)
a2 = at.tensor(1.1, requires_grad=True)
result = (a1 * (a2 + 2)).pow(2).mul(3).mean()

for i, step in enumerate(at.autograd.iter_backward_for(result), start=1):
    grads_in = ", ".join(fmt(g) for g in step.grads_in)
    grads_out = ", ".join(fmt(g) for g in step.grads_out) or "(into .grad)"
    print(f"{i}. {step.node.name():32} in: {grads_in:12}  out: {grads_out}")


# %% [markdown]
# Things to notice:
#
# - The order is the reverse of the forward pass. `AccumulateGrad` for `a1` runs as soon as its
#   gradient is ready, before the branch through `AddBackward0`.
# - `MulBackward0` (the one that made `y`) receives one 2×2 gradient but sends a 2×2 gradient to
#   `a1` and a **scalar** 18.6 to the addition: the broadcast is undone by summing.
# - `AddBackward0` passes its gradient through unchanged to `a2` (the derivative of a sum is
#   1); the slot of the constant `2` gets `None`, since nothing there needs a gradient.
#
# ## The engine you just stepped, to read
#
# The package's engine handles everything PyTorch's Python API can throw at it, which makes it
# long. Its algorithm also exists as a **teaching core**, `at.teaching` (the files
# `autograd_tutor/teaching/engine.py`, `scalar.py` and `tensor.py`, a few hundred lines that
# import nothing else from the package): same node names, same order, tested against the full
# engine. Lesson 8 has you write it yourself; here we only run it. The same graph, built from
# `at.teaching.Tensor` and stepped with `at.teaching.iter_backward`:

# %% tags=["autograd-tutor-only"]
t1 = at.teaching.Tensor(np.ones((2, 2)), requires_grad=True)
t2 = at.teaching.Tensor(1.1, requires_grad=True)
t_result = ((t1 * (t2 + 2)).pow(2) * 3).mean()

teaching_steps = list(at.teaching.iter_backward(t_result))
for i, step in enumerate(teaching_steps, start=1):
    grads_in = ", ".join(fmt(g) for g in step.grads_in)
    grads_out = ", ".join(fmt(g) for g in step.grads_out) or "(into .grad)"
    print(f"{i}. {step.node.name():32} in: {grads_in:12}  out: {grads_out}")

print("\nthe same nodes in the same order as the full engine:",
      [s.node.name() for s in teaching_steps]
      == [s.node.name() for s in at.autograd.iter_backward_for(
          (at.ones(2, 2, requires_grad=True) * (at.tensor(1.1, requires_grad=True) + 2))
          .pow(2).mul(3).mean())])
print("t2.grad =", t2.grad, "(a NumPy number here; the full engine wraps it in a tensor)")

# %% [markdown]
# Each node is a small class whose `backward(grad)` is the chain rule for one operation. Here is
# the teaching core's rule for the product that made `y`: it multiplies the arriving gradient by
# the *other* factor, then `unbroadcast` sums it back to each input's shape. That sum is where
# `x2`'s four contributions became the scalar 18.6.

# %% tags=["autograd-tutor-only"]
import inspect

print(inspect.getsource(at.teaching.tensor.MulBackward0))
print(inspect.getsource(at.teaching.unbroadcast))

# %% [markdown]
# ## Watching the backward pass with hooks
#
# Stepping is this package's addition. In PyTorch, and here, you can still *watch* a backward
# pass as it runs with **hooks**: `t.register_hook(fn)` calls `fn(grad)` when the gradient of `t`
# has been computed (lesson 2 used one on a leaf). Hooks on the intermediate tensors show the
# gradients flowing back, in the order the engine produces them:

# %%
c1 = at.ones(2, 2, requires_grad=True)
c2 = at.tensor(1.1, requires_grad=True)
cy = c1 * (c2 + 2)
cz = cy.pow(2) * 3
for name, t in [("c1", c1), ("c2", c2), ("y", cy), ("z", cz)]:
    t.register_hook(lambda grad, name=name: print(f"gradient of {name} arrives: {grad.flatten()[0].item():.4f} per entry"))
cz.mean().backward()

# %% [markdown]
# (`name=name` freezes the loop variable inside each `lambda`.) PyTorch also has hooks on the
# backward **nodes** themselves, `out.grad_fn.register_prehook(fn)` and
# `out.grad_fn.register_hook(fn)`, called before and after each node runs, so every step of its
# C++ engine can be watched from Python; this package has the tensor hooks only.
#
# ## Moving to real PyTorch
#
# - The cells run in PyTorch with `import torch as at`, except the ones that use this course's
#   additions: `at.viz.make_dot` (use the `torchviz` package), `iter_backward_for` (stepping),
#   the teaching core `at.teaching` and the exercise helpers. The node names, `next_functions`,
#   `AccumulateGrad.variable`, `retain_grad()`, hooks and the warning are PyTorch's.
# - In R's `torch` the same graph prints `MulBackward1` and `AddBackward1` for `y.pow(2) * 3`
#   and `x2 + 2`, because R calls the overload that takes a scalar; Python's PyTorch records
#   `MulBackward0` and `AddBackward0` for the same code. R writes `out$grad_fn$next_functions`
#   and lists are 1-based, so Python's `next_functions[0][0]` is R's `next_functions[[1]]`.

# %% [markdown]
# ## Recap
#
# - `grad_fn.next_functions` is the recorded plan: one `(node, input index)` pair per input,
#   `(None, 0)` where nothing needs a gradient, an `AccumulateGrad` node (with `.variable`) for
#   each leaf.
# - The chain rule, applied node by node from the output, gives 0.25, 4.65, 14.415 and 18.6; a
#   broadcast input (`x2`) gets the **sum** over the entries it reached.
# - Only leaves keep `.grad`; `retain_grad()` keeps an intermediate's, and asking without it
#   gives `None` and a warning.
# - The backward pass runs nodes in reverse order of the forward pass; tensor hooks (and, in
#   PyTorch, node hooks) let you watch it.
# - `at.teaching` is the same algorithm in a few hundred lines to read: each node's
#   `backward(grad)` is one chain-rule step, and `unbroadcast` sums a broadcast input's gradient.
#
# Next: lesson 1's network again, this time with autograd.
#
# <!-- course-nav -->
# [← Lesson 2: Autograd basics](02_autograd_basics.ipynb) · [Lesson 4: The network, now with autograd →](04_network_with_autograd.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
