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
# # Lesson 9 of 10: Vector-Jacobian products, and forward vs reverse mode
# <!-- course-nav -->
# [← Lesson 8: Build your own autograd](08_build_your_own_autograd.ipynb) · [Lesson 10: Higher-order gradients and debugging autograd →](10_higher_order_and_debugging.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
#
# Every `backward()` so far started from one number, the loss. This lesson asks what autograd
# computes when the output is *not* one number, and finds the object that holds all the
# derivatives of a function at once: the **Jacobian**. It turns out that `backward()` never
# builds it; it multiplies a vector by it. Seeing that also shows there is a second way to run
# the chain rule, **forward mode**, and why training uses the reverse one.
#
# **In this lesson you will**
#
# - see why `backward()` needs a scalar output, and what its `gradient=` argument is: a
#   **vector-Jacobian product** $J^\top v$,
# - write down the Jacobians of the operations of our network (elementwise ops, `sum`, `clamp`,
#   the matrix product, broadcasting) and check them with `at.autograd.functional.jacobian`,
# - build a Jacobian one row per backward pass (reverse mode), then one column per forward
#   pass with **dual numbers** (forward mode, `at.autograd.forward_ad`),
# - get the same derivative with `jvp` and with `vjp`, and measure which mode is cheaper when.

# %%
import timeit

import numpy as np

import autograd_tutor as at

# %xmode Minimal
F = at.autograd.functional  # jacobian, vjp, jvp (torch.autograd.functional in PyTorch)
fwAD = at.autograd.forward_ad  # forward-mode AD (torch.autograd.forward_ad)

# %% [markdown]
# (`%xmode Minimal` shows a failing cell's last line only, `ErrorType: message`, as in lesson
# 2.) Exercises ask you to **predict first**: `at.widgets.PredictReveal` takes your answer in a
# box, `at.widgets.check` in a code cell (replace the `None` with your guess and run the cell
# again). A wrong answer gets a hint and another try; the answer is shown only after you tried.
#
# ## 1. An output that is not a single number
#
# Square three numbers at once:

# %%
x = at.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
y

# %% tags=["raises-exception"]
y.backward()

# %% [markdown]
# `backward()` starts the chain rule from $\partial L/\partial L = 1$, which needs a single
# output $L$. Here there are three outputs and three inputs, so there are **nine** derivatives
# $\partial y_i/\partial x_j$, and no single "gradient" to start from. PyTorch does not guess:
# it asks you to say what you want (section 3).
#
# ## 2. The Jacobian: all the derivatives at once
#
# For a function with $n$ inputs and $m$ outputs, the **Jacobian** is the $m \times n$ matrix of
# all first derivatives,
#
# $$J_{ij} = \frac{\partial y_i}{\partial x_j}.$$
#
# Row $i$ is the gradient of output $i$; column $j$ says how every output moves when input $j$
# moves. `at.autograd.functional.jacobian(f, x)` computes it (in PyTorch,
# `torch.autograd.functional.jacobian`).
#
# **Exercise 1.** The Jacobian of `a * a` at `x0 = [1, 2, 3]` is $3 \times 3$. How many of its
# nine entries are **not** zero?

# %%
x0 = at.tensor([1.0, 2.0, 3.0])


def square(a):
    return a * a


# %% tags=["autograd-tutor-only"]
at.widgets.PredictReveal(
    compute=lambda: int((F.jacobian(square, x0) != 0).sum().item()),
    question="How many entries of the Jacobian of a * a are not zero?",
    hints=["Does y_1 = x_1 * x_1 change when x_2 changes?"],
    mistakes={"9": "Each y_i is made from x_i alone: what is dy_1/dx_2?"},
    explain="y_i depends on x_i only, so J is diagonal: 2 * x_i on the diagonal, 0 elsewhere.",
)

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
F.jacobian(square, x0)

# %% [markdown]
# An elementwise operation has a **diagonal** Jacobian: $2x_i$ on the diagonal, zeros elsewhere.
# Here are the Jacobians of the other operations of our network (lesson 1's
# `x.mm(w1).add(b1).clamp(min=0)...`), each with three inputs. `W` is a fixed $3 \times 2$
# matrix, and `bias_only` adds one number, broadcast, to all three entries of `x0`:

# %%
W = at.tensor([[1.0, -1.0], [2.0, 0.0], [0.0, 3.0]])  # 3 inputs -> 2 outputs
examples = {
    "a.sum()": (lambda a: a.sum(), x0),
    "a.clamp(min=2)": (lambda a: a.clamp(min=2.0), x0),
    "a @ W": (lambda a: a @ W, x0),
    "bias_only: x0 + c": (lambda c: x0 + c, at.tensor([0.5])),
}
for label, (f, at_point) in examples.items():
    print(f"{label}  (output {tuple(f(at_point).shape)}, input {tuple(at_point.shape)}):")
    print(F.jacobian(f, at_point), "\n")

# %% [markdown]
# Read them as backward rules, because that is what they are:
#
# - `sum`: one output, so one **row of ones**. Its backward copies the arriving gradient to
#   every entry (lesson 8's `SumBackward0`).
# - `clamp(min=2)`: diagonal, with 1 where the input passed through and 0 where it was cut off
#   (`x0[0] = 1 < 2`). That is the ReLU's "gradient flows where $h > 0$" of lesson 1.
# - `a @ W`: the Jacobian is $W^\top$. That is why `MmBackward0` multiplies the arriving
#   gradient by the *transposed* weight (lesson 1's `grad_y_pred.mm(w2.t())`).
# - the broadcast bias `c`: a **column of ones**. Multiplied by an arriving gradient, a column of
#   ones sums it, which is why a bias gradient is summed over the batch.
#
# ## 3. What `gradient=` is: a vector-Jacobian product
#
# `y.backward(v)` takes a vector $v$ with the shape of `y` and puts into `x.grad`
#
# $$J^\top v, \qquad \text{entry } j = \sum_i v_i \frac{\partial y_i}{\partial x_j},$$
#
# the **vector-Jacobian product** (VJP; written $v^\top J$ when $v$ is a row). Think of $v$ as
# $\partial L/\partial y$ for some loss $L$ further on: then $J^\top v$ is $\partial L/\partial
# x$, the chain rule for a whole vector at once. It is also all a backward node ever does: the
# gradient *arriving* at a node in lessons 3 and 6 was always such a $v$, and each node sent on
# $J^\top v$ for its own small $J$, without building it.
#
# **Exercise 2.** `y = x * x` with `x = [1, 2, 3]`. What is `x.grad` after
# `y.backward(at.tensor([0.0, 1.0, 0.5]))`? Three numbers, separated by commas.

# %% tags=["autograd-tutor-only"]
def x_grad_after_vjp():
    x = at.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(at.tensor([0.0, 1.0, 0.5]))
    return x.grad


at.widgets.PredictReveal(
    compute=x_grad_after_vjp,
    question="What is x.grad after y.backward(gradient=[0, 1, 0.5])?",
    hints=["J is diagonal with 2 * x_i: J^T v multiplies v by 2 * x entry by entry."],
    mistakes={"2, 4, 6": "That is J^T v for v = [1, 1, 1]: use the v you were given."},
    explain="J^T v = [2*1*0, 2*2*1, 2*3*0.5] = [0, 4, 3].",
)

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
v = at.tensor([0.0, 1.0, 0.5])
y.backward(v)
print("x.grad          =", x.grad)
print("J^T v by matrix =", F.jacobian(square, x0).t() @ v)

# %% [markdown]
# The two agree, but `backward` never built the $3 \times 3$ matrix. With a million inputs it
# could not: that $J$ would have $10^{12}$ entries.
#
# `v` must have the shape of `y`; anything else is refused:

# %% tags=["raises-exception"]
(x * x).backward(at.ones(2))

# %% [markdown]
# ### A scalar loss is the case $m = 1$
#
# With one output, $J$ is a single row, the gradient, and $v$ is a single number. `backward()`
# without an argument uses $v = 1$. And any VJP is an ordinary `backward()` of a scalar:
# $J^\top v$ is the gradient of $\sum_i v_i y_i$ (`v` held constant).

# %%
x.grad = None
(v * (x * x)).sum().backward()
print("gradient of sum(v * y):", x.grad)

x.grad = None
(x * x).sum().backward()
print("y.sum().backward():    ", x.grad, "= J^T [1, 1, 1]")

# %% [markdown]
# **Backward explorer.** Here is the scalar version, $\sum_i v_i y_i$, stepped node by node.
# *Predict, then step:* which gradient arrives at the `MulBackward0` node of `x * x`, and which
# one leaves it for `x`? *Watch* the vector $v$ arrive at that node (the `MulBackward0` of
# `v * y` hands it over unchanged) and $J^\top v$ leave it towards `x`'s `AccumulateGrad`.

# %% tags=["autograd-tutor-only"]
x_explore = at.tensor([1.0, 2.0, 3.0], requires_grad=True)
y_explore = x_explore * x_explore
loss_explore = (v * y_explore).sum()  # its gradient with respect to x is J^T v
at.widgets.BackwardExplorer(loss_explore, names={"x": x_explore, "y": y_explore})

# %% [markdown]
# <details><summary>Answer (open after stepping)</summary>
#
# $v = [0, 1, 0.5]$ arrives: the sum sends ones, and the product with the constant $v$ turns
# them into $v$. The node of `x * x` has **two** slots, both pointing at `x`'s
# `AccumulateGrad`, because `x` is both factors. Each slot gets $v$ times the *other* factor,
# $x \cdot v = [0, 2, 1.5]$; the two meet at the `AccumulateGrad` and are added, so `x.grad` is
# $2x \cdot v = J^\top v = [0, 4, 3]$.
# </details>
#
# ## 4. A whole Jacobian in reverse mode: one row per backward pass
#
# Choose $v = e_i$, the vector with a 1 in place $i$ and zeros elsewhere: $J^\top e_i$ is row
# $i$ of $J$. So $m$ backward passes, one per output, give the whole Jacobian.
# `at.autograd.grad(y, x, grad_outputs=v)` is the VJP returned as a value instead of added into
# `.grad`; `retain_graph=True` keeps the graph for the next row (lesson 7).

# %%
def my_jacobian_reverse(f, x):
    """J, one row per backward pass: row i is J^T e_i."""
    x = x.detach().requires_grad_(True)
    y = f(x)
    m, n = y.numel(), x.numel()
    J = at.zeros(m, n)
    for i in range(m):
        e_i = at.eye(m)[i].reshape(y.shape)  # v = e_i, shaped like y
        (row,) = at.autograd.grad(y, x, grad_outputs=e_i, retain_graph=True)
        J[i] = row
    return J


def matmul_w(a):
    return a @ W


print(my_jacobian_reverse(matmul_w, x0))
print("same as F.jacobian:", np.allclose(my_jacobian_reverse(matmul_w, x0).numpy(),
                                         F.jacobian(matmul_w, x0).numpy()))

# %% [markdown]
# Two outputs, two backward passes. `F.jacobian` does the same by default (PyTorch's too,
# unless you ask it to batch the rows with `vectorize=True`).
#
# ## 5. Forward mode: dual numbers
#
# Reverse mode sends a vector **backwards**, from the outputs. Forward mode sends one
# **forwards**, from the inputs: next to every value it carries a **tangent**, how fast that
# value changes when the input moves in a chosen direction. The arithmetic behind it is that
# of *dual numbers*, $a + b\,\varepsilon$ with the rule $\varepsilon^2 = 0$:
#
# $$(a + b\varepsilon)(c + d\varepsilon) = ac + (ad + bc)\,\varepsilon + bd\,\varepsilon^2
# = ac + (ad + bc)\,\varepsilon.$$
#
# The $\varepsilon$ part is exactly the product rule. In general $f(a + \varepsilon) = f(a) +
# f'(a)\,\varepsilon$: evaluate $f$ on a dual number and the derivative comes out alongside the
# value, in the same pass. A dual number in ten lines:

# %%
class MyDual:
    """a + b·ε with ε² = 0: a value and its tangent, computed together."""

    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = value, tangent

    def __add__(self, other):
        other = other if isinstance(other, MyDual) else MyDual(other)
        return MyDual(self.value + other.value, self.tangent + other.tangent)

    def __mul__(self, other):
        other = other if isinstance(other, MyDual) else MyDual(other)
        # (a + bε)(c + dε) = ac + (ad + bc)ε: the product rule
        return MyDual(self.value * other.value,
                      self.value * other.tangent + self.tangent * other.value)

    __radd__, __rmul__ = __add__, __mul__

    def __repr__(self):
        return f"{self.value} + {self.tangent}ε"


def f(x):
    return x * x * x + 2 * x


# %% [markdown]
# **Exercise 3.** $f(x) = x^3 + 2x$. What is the tangent of `f(MyDual(2.0, 1.0))`, i.e. the
# number in front of $\varepsilon$? (The tangent 1.0 of the input says "move $x$ at speed 1".)

# %%
my_guess = None  # the tangent of f(MyDual(2.0, 1.0))
result = f(MyDual(2.0, 1.0))

# %% tags=["autograd-tutor-only"]
at.widgets.check(
    my_guess, result.tangent, "the tangent of f(2 + ε)",
    hints=["The tangent is f'(2): differentiate x^3 + 2x, then put in x = 2."],
    explain="f'(x) = 3x^2 + 2, and f'(2) = 14; the value part is f(2) = 12.",
)

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
result

# %% [markdown]
# `at.autograd.forward_ad` does this for tensors (the same module as PyTorch's
# `torch.autograd.forward_ad`). Inside a `dual_level()`, `make_dual(x, v)` attaches the tangent
# $v$ to `x`; every operation then computes its result's tangent with its own rule (its
# *JVP rule*, the forward twin of the backward rule), and `unpack_dual` separates value and
# tangent. The tangent of the output is the **Jacobian-vector product** $J v$:

# %%
with fwAD.dual_level():
    dual_x = fwAD.make_dual(x0, at.tensor([0.0, 1.0, 0.0]))  # direction: move x0[1]
    value, tangent = fwAD.unpack_dual(matmul_w(dual_x))
print("value   =", value)
print("tangent =", tangent, "= J e_1, column 1 of J")

# %% [markdown]
# With $v = e_j$ the tangent is column $j$ of $J$, so forward mode builds a Jacobian **one column
# per forward pass**, $n$ passes for $n$ inputs, and no backward pass at all:

# %%
def my_jacobian_forward(f, x):
    """J, one column per forward pass: column j is J e_j."""
    n = x.numel()
    columns = []
    for j in range(n):
        with fwAD.dual_level():
            out = f(fwAD.make_dual(x, at.eye(n)[j]))
            columns.append(fwAD.unpack_dual(out).tangent)
    J = at.zeros(columns[0].numel(), n)
    for j, column in enumerate(columns):
        J[:, j] = column
    return J


print(my_jacobian_forward(matmul_w, x0))
print("same as reverse mode:", np.allclose(my_jacobian_forward(matmul_w, x0).numpy(),
                                           my_jacobian_reverse(matmul_w, x0).numpy()))

# %% [markdown]
# Three inputs, three forward passes; reverse mode needed two backward passes, one per output.
#
# ## 6. The same derivative, by `jvp` and by `vjp`
#
# `at.autograd.functional` has both products as functions: `jvp(f, x, v)` returns $f(x)$ and
# $J v$ (forward mode here; PyTorch computes it with a trick on top of reverse mode, with the
# same result), `vjp(f, x, u)` returns $f(x)$ and $J^\top u$ (reverse mode). They are two views of
# one matrix, so for any $u$ and $v$
#
# $$u \cdot (J v) = (J^\top u) \cdot v.$$
#
# This "dot-product test" is how implementers check one mode against the other. Here on a small
# layer, $\tanh(a W + b)$:

# %%
b = at.tensor([0.1, -0.2])


def layer(a):
    return (a @ W + b).tanh()


a0 = at.tensor([0.3, 0.2, 0.1])
u = at.tensor([1.0, -2.0])       # one number per output
v3 = at.tensor([0.5, 1.0, -1.0])  # one number per input

_, Jv = F.jvp(layer, a0, v3)
_, JTu = F.vjp(layer, a0, u)
print(f"u · (J v)   = {(u * Jv).sum().item():.4f}   (forward mode)")
print(f"(J^T u) · v = {(JTu * v3).sum().item():.4f}   (reverse mode)")

# %% [markdown]
# For a **scalar** function the two meet in one number. Its gradient $\nabla f$ is the single row
# of $J$: a VJP with $u = 1$ gives all of it at once; a JVP with $v = e_j$ gives one entry, the
# slope along input $j$.

# %%
def loss_of(a):
    return layer(a).pow(2).sum()


_, gradient = F.vjp(loss_of, a0, at.tensor(1.0))
print("gradient by one vjp:      ", gradient)
slopes = [F.jvp(loss_of, a0, at.eye(3)[j])[1].item() for j in range(3)]
print("three jvps, one per input:", [round(s, 4) for s in slopes])

# %% [markdown]
# ## 7. The cost: $n$ inputs, $m$ outputs
#
# To get a whole Jacobian, reverse mode needs one backward pass per **output** ($m$), forward
# mode one forward pass per **input** ($n$); each pass costs a small multiple of running $f$
# once. So:
#
# | shape of $f$ | reverse mode | forward mode |
# |---|---|---|
# | many inputs, one output (a loss of many weights) | **1 pass** | $n$ passes |
# | one input, many outputs | $m$ passes | **1 pass** |
#
# **Exercise 4.** `wide(a)` below has 400 inputs and one output, like a loss of 400 weights.
# How many forward-mode passes does its whole gradient take?

# %%
n_wide = 400


def wide(a):   # 400 inputs -> 1 output
    return (a * a).tanh().sum()


def tall(t):   # 1 input -> 400 outputs
    return (t * at.arange(n_wide) / n_wide).tanh()


# %% tags=["autograd-tutor-only"]
at.widgets.PredictReveal(
    compute=lambda: n_wide,
    question="How many forward-mode passes give the whole gradient of wide?",
    hints=["Each forward pass carries one direction, so it gives one column of J."],
    mistakes={"1": "One pass suffices in reverse mode; forward mode gets one column per pass."},
    explain="J is 1 x 400: forward mode needs one pass per column, 400; reverse mode one.",
)

# %% [markdown]
# Now measure it. Both Jacobians are built with the functions of sections 4 and 5 (their loops
# count the passes); `timeit` takes the best of three runs so that a busy machine does not
# distort the comparison:

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
def best_time(fn):
    return min(timeit.repeat(fn, number=1, repeat=3))


a_wide = at.ones(n_wide) * 0.5
t_tall = at.tensor([0.5])
same_wide = np.allclose(my_jacobian_reverse(wide, a_wide).numpy(),
                        my_jacobian_forward(wide, a_wide).numpy(), atol=1e-6)
same_tall = np.allclose(my_jacobian_reverse(tall, t_tall).numpy(),
                        my_jacobian_forward(tall, t_tall).numpy(), atol=1e-6)
print(f"wide: 1 backward pass or {n_wide} forward passes; same Jacobian: {same_wide}")
print(f"tall: {n_wide} backward passes or 1 forward pass; same Jacobian: {same_tall}")

wide_reverse = best_time(lambda: my_jacobian_reverse(wide, a_wide))
wide_forward = best_time(lambda: my_jacobian_forward(wide, a_wide))
tall_reverse = best_time(lambda: my_jacobian_reverse(tall, t_tall))
tall_forward = best_time(lambda: my_jacobian_forward(tall, t_tall))
print("wide: reverse mode more than 10x faster:", wide_forward > 10 * wide_reverse)
print("tall: forward mode more than 10x faster:", tall_reverse > 10 * tall_forward)

# %% [markdown]
# (To see your machine's times, print `wide_reverse`, `wide_forward`, `tall_reverse` and
# `tall_forward`. Where this lesson was written: "wide" took 0.1 ms in reverse mode and 80 ms in
# forward mode, "tall" 120 ms in reverse mode and 0.1 ms in forward mode.) Training a network is the "wide" case taken to the extreme: millions of
# weights, one loss. One backward pass gives every weight's gradient, at the cost of a few
# forward passes; forward mode would need one pass per weight. That is why autograd is reverse
# mode. The price of reverse mode is memory: it must keep the forward pass's saved values until
# the backward pass has used them (lesson 7), while forward mode computes each tangent next to
# its value and forgets it. Forward mode wins when there are few inputs: the sensitivity of
# many outputs to one parameter, or one column $J v$ of a large Jacobian.
#
# ## Moving to real PyTorch
#
# - Every cell except the exercise helpers and the explorer runs under `import torch as at`
#   (a test of this course checks it against PyTorch 2.13): `backward(gradient=...)`,
#   `torch.autograd.grad(..., grad_outputs=...)`, `torch.autograd.functional.jacobian`, `jvp`
#   and `vjp`, `torch.autograd.forward_ad` (`dual_level`, `make_dual`, `unpack_dual`), and the
#   error messages.
# - PyTorch's `jacobian(f, x, vectorize=True)` computes all rows at once with `vmap`, and
#   `torch.func` (`jacrev`, `jacfwd`, `vmap`, `jvp`, `vjp`) offers the same ideas as composable
#   function transforms; this package has neither (its `jacobian` loops over rows, or over
#   columns with `strategy="forward-mode"`, as `my_jacobian_forward` does).
# - PyTorch's `functional.jvp` runs reverse mode twice (the "double-backward trick"); ours
#   runs forward mode. The values are the same.
# - R's `torch` passes the vector the same way, `y$backward(gradient = v)`.

# %% [markdown]
# ## Recap
#
# - The Jacobian $J$ ($m \times n$) holds every derivative of a function with $n$ inputs and $m$
#   outputs. Elementwise ops have diagonal Jacobians, `sum` a row of ones, `a @ W` the matrix
#   $W^\top$, a broadcast bias a column of ones.
# - `y.backward(v)` computes the **vector-Jacobian product** $J^\top v$ without building $J$;
#   `backward()` alone is the scalar case $v = 1$, which is why it refuses a non-scalar output.
# - Reverse mode gives one row of $J$ per backward pass; forward mode, with **dual numbers**
#   ($\varepsilon^2 = 0$, `forward_ad`), one column per forward pass: the **Jacobian-vector
#   product** $J v$.
# - `jvp` and `vjp` are two views of one matrix: $u \cdot (J v) = (J^\top u) \cdot v$.
# - Many inputs and one output (training) favour reverse mode; few inputs favour forward mode.
#
# Next: derivatives of derivatives, and the tools for when a gradient goes wrong.
#
# <!-- course-nav -->
# [← Lesson 8: Build your own autograd](08_build_your_own_autograd.ipynb) · [Lesson 10: Higher-order gradients and debugging autograd →](10_higher_order_and_debugging.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
