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
# # Lesson 10 of 10: Higher-order gradients and debugging autograd
# <!-- course-nav -->
# [← Lesson 9: Vector-Jacobian products, and forward vs reverse mode](09_vjp_and_forward_mode.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
#
# Two last things about gradients. First, a gradient is computed by operations on tensors, so it
# can be recorded and differentiated again: second derivatives, and Hessian-vector products,
# without ever writing a second-derivative rule. Second, sooner or later a gradient is missing,
# a `backward()` fails, or the loss turns into `nan`. The causes are few, and each leaves a
# recognisable trace: the second half of this lesson is a field guide, with for each symptom a
# small program that shows it, the cause, the tool that finds it, and the fix.
#
# **In this lesson you will**
#
# - differentiate a gradient with `create_graph=True`, and compute **Hessian-vector products**
#   without building the Hessian,
# - find out why a `.grad` is `None`: a non-leaf, a "leaf" that is not one, a tensor the loss
#   never used, and see the first two in a graph picture,
# - fix "backward through the graph a second time" when it comes from a loop,
# - trace an in-place change to the saved tensor it broke, also when you changed it through a
#   **view**,
# - locate a `nan` gradient with `detect_anomaly()`,
# - watch gradients layer by layer with **hooks**, and change them.

# %%
import warnings

import numpy as np

import autograd_tutor as at

# %xmode Minimal

# %% [markdown]
# (`%xmode Minimal`: a failing cell shows only `ErrorType: message`, the line to read first;
# `%xmode Context` brings the traceback back.) Exercises ask you to **predict first**, with
# `at.widgets.PredictReveal` (a box) or `at.widgets.check` (replace `None` in the cell and run it
# again); the answer is shown only after you have tried.

# %% [markdown]
# ## 1. The gradient is a tensor too: `create_graph=True`
#
# `backward()` and `at.autograd.grad` normally compute gradients *without recording* them: the
# result is a plain tensor, the end of the story. With `create_graph=True` the backward pass is
# recorded like any forward computation: the gradient gets a `grad_fn`, and you can
# differentiate it again.

# %%
x = at.tensor(3.0, requires_grad=True)
y = x ** 3
(dy_dx,) = at.autograd.grad(y, x, create_graph=True)
dy_dx

# %% [markdown]
# $3x^2 = 27$, and a `grad_fn`: the backward rule of `pow` ($3x^2$ times the arriving gradient)
# was itself recorded.
#
# **Exercise 1.** What is the derivative of `dy_dx` with respect to `x`, at `x = 3`?

# %% tags=["autograd-tutor-only"]
def second_derivative_of_cube():
    x = at.tensor(3.0, requires_grad=True)
    (first,) = at.autograd.grad(x ** 3, x, create_graph=True)
    (second,) = at.autograd.grad(first, x)
    return second


at.widgets.PredictReveal(
    compute=second_derivative_of_cube,
    question="What is d(dy/dx)/dx for y = x^3 at x = 3?",
    hints=["dy/dx = 3x^2: differentiate once more."],
    mistakes={"27": "27 is dy/dx itself (3 * 3^2); differentiate 3x^2 once more."},
    explain="d(3x^2)/dx = 6x = 18 at x = 3.",
)

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
(d2y_dx2,) = at.autograd.grad(dy_dx, x)
d2y_dx2

# %% [markdown]
# $6x = 18$: the derivative of the recorded $3x^2$. Without `create_graph=True` the gradient has
# no graph to go back through:

# %%
(plain,) = at.autograd.grad(x ** 3, x)
print("requires_grad:", plain.requires_grad, "| grad_fn:", plain.grad_fn)

# %% tags=["raises-exception"]
at.autograd.grad(plain, x)

# %% [markdown]
# The same message as forgetting `requires_grad` in lesson 2: for autograd, a gradient computed
# without `create_graph` is a constant. Training on a gradient (a *gradient penalty*
# $\lVert \nabla_x f \rVert^2$ added to a loss, meta-learning, physics-informed losses) needs
# `create_graph=True`.
#
# ## 2. Hessian-vector products
#
# The second derivatives of a scalar function of $n$ inputs form the **Hessian**
# $H_{ij} = \partial^2 f / \partial x_i \partial x_j$, an $n \times n$ matrix: the Jacobian
# of the gradient. Like the Jacobian in lesson 9 it is rarely built. What second-order methods
# (Newton steps, conjugate gradients, curvature estimates) need is its product with a vector,
# and that is the gradient of a scalar made from the gradient:
#
# $$H v = \nabla_x \left( \nabla_x f \cdot v \right).$$
#
# One backward pass with `create_graph=True` gives $\nabla_x f$ with its graph; one more, of
# $\nabla_x f \cdot v$, gives $H v$, whatever $n$ is. Lesson 9's small layer again:

# %%
W = at.tensor([[1.0, -1.0], [2.0, 0.0], [0.0, 3.0]])
b = at.tensor([0.1, -0.2])


def loss_of(a):
    return (a @ W + b).tanh().pow(2).sum()


def my_hvp(f, a, v):
    """H v by two backward passes: the gradient (with its graph), then grad of grad . v."""
    a = a.detach().requires_grad_(True)
    (gradient,) = at.autograd.grad(f(a), a, create_graph=True)
    (hv,) = at.autograd.grad((gradient * v).sum(), a)
    return hv


a0 = at.tensor([0.3, 0.2, 0.1])
v = at.tensor([1.0, 0.0, -1.0])
print("H v, by two backward passes:", my_hvp(loss_of, a0, v))

# %% [markdown]
# To check it, build the whole Hessian once. It is the Jacobian of the gradient, so
# `at.autograd.functional.jacobian` (lesson 9) of a function that returns the gradient, with
# its graph, gives it, one backward pass per row:

# %%
def gradient_of(a):
    (gradient,) = at.autograd.grad(loss_of(a), a, create_graph=True)
    return gradient


H = at.autograd.functional.jacobian(gradient_of, a0)
print(H)
print("H v, from the whole Hessian:", H @ v)
print("H is symmetric:", bool((H - H.t()).abs().max() < 1e-6))

# %% [markdown]
# Building $H$ took $n = 3$ backward passes through a recorded backward pass; `my_hvp` took
# two, and would still take two with a million inputs, where $H$ would not even fit in memory.
#
# **Exercise 2.** For $f(a) = \sum_i a_i^2$, what is $H v$ with `v = [1, 0, -1]`? Three numbers.

# %% tags=["autograd-tutor-only"]
at.widgets.PredictReveal(
    compute=lambda: my_hvp(lambda a: (a * a).sum(), a0, v),
    question="H v for f(a) = sum(a^2), v = [1, 0, -1]?",
    hints=["The gradient of sum(a^2) is 2a. What is the Jacobian of 2a?"],
    mistakes={"1, 0, -1": "That is v itself: the Hessian of sum(a^2) is not the identity."},
    explain="H = 2 I (the same at every point), so H v = 2 v = [2, 0, -2].",
)

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
my_hvp(lambda a: (a * a).sum(), a0, v)

# %% [markdown]
# `backward(create_graph=True)` works too, but it stores a gradient *with* its graph in
# `.grad`, which ties each parameter to its own gradient; PyTorch warns about the memory this
# can keep alive and recommends `autograd.grad(..., create_graph=True)`, as used here.
#
# ## Debugging: a field guide
#
# The rest of this lesson is about gradients that go wrong. Two small helpers first. PyTorch
# reports some problems as *warnings*; `warning_from` runs a piece of code and prints the first
# sentence of the warning it raised, so that the lesson can show it.
# `anomaly_report` runs code under `at.autograd.detect_anomaly()` (lesson 7) and prints the
# error together with the **forward line** that anomaly detection blames.

# %%
def warning_from(fn):
    """Run fn() and print its result and the first sentence of the warning it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    print("result:", result)
    for w in caught:
        print("warning:", str(w.message).split(". ")[0] + ".")


def anomaly_report(fn):
    """Run fn() under detect_anomaly(): print the error and the forward line it blames."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with at.autograd.detect_anomaly():
            try:
                fn()
            except RuntimeError as error:
                print("error:", str(error).split(". Hint")[0])
    for w in caught:
        message = str(w.message)
        if message.startswith("Error detected in"):
            code = [line.strip() for line in message.splitlines()
                    if line.startswith("    ") and "(Triggered" not in line]
            print(message.splitlines()[0].split(". ")[0] + "; created by:", code[-1])


# %% [markdown]
# ## 3. `.grad` is `None`
#
# ### A result, not a leaf
#
# Lesson 3 showed it: only leaves keep their gradient. An intermediate result's `.grad` stays
# `None`, and PyTorch warns when you read it:

# %%
w = at.ones(3, requires_grad=True)
h = w * 2
h.sum().backward()
warning_from(lambda: h.grad)

# %% [markdown]
# If you want it, call `h.retain_grad()` before `backward()`.
#
# ### The "leaf" that is not one
#
# A very common way to meet that warning by accident: you scale your starting weights.
#
# **Exercise 3.** After `w = at.randn(3, requires_grad=True) * 0.1`, is `w` a leaf? Answer
# `True` or `False`.

# %%
my_guess = None  # True or False
at.manual_seed(0)
w = at.randn(3, requires_grad=True) * 0.1

# %% tags=["autograd-tutor-only"]
at.widgets.check(
    my_guess, w.is_leaf, "w.is_leaf",
    hints=["requires_grad=True belongs to the tensor randn made. What is `* 0.1`?"],
    explain="randn made a leaf; `* 0.1` is a recorded operation whose result is w.",
)

# %% [markdown]
# Then train with it, and look for its gradient (the output is folded: it answers exercise 3):

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
loss = (w * 2).sum()
loss.backward()
print("w.is_leaf:", w.is_leaf, "| w.grad_fn:", w.grad_fn.name())
warning_from(lambda: w.grad)

# %% [markdown]
# The picture shows it at once. *Look for* the blue leaf box: it is an unnamed tensor (the one
# `randn` made), and our `w` is a green box *computed* from it by a `MulBackward0`. The optimizer
# would be updating a tensor whose gradient nobody keeps.

# %% tags=["autograd-tutor-only"]
at.viz.make_dot(loss, names={"w": w, "loss": loss})

# %% [markdown]
# The fix: make the tensor first, then ask for gradients, so that the leaf is the scaled
# tensor. `requires_grad_()` switches it on in place. (The same trap: `.double()`, `.to(...)` or,
# in PyTorch, `.cuda()` after `requires_grad=True` also return a new, non-leaf tensor.)

# %%
at.manual_seed(0)
w = (at.randn(3) * 0.1).requires_grad_()
(w * 2).sum().backward()
print("w.is_leaf:", w.is_leaf, "| w.grad:", w.grad)

# %% [markdown]
# ### A tensor the loss never used
#
# `backward()` fills `.grad` only for leaves the loss depends on. A parameter that took no part
# (a layer you forgot to call, a branch not taken) keeps `.grad = None`, silently.
# `at.autograd.grad` is stricter and says so:

# %%
used = at.ones(2, requires_grad=True)
unused = at.ones(2, requires_grad=True)
loss = (used * 3).sum()

# %% tags=["raises-exception"]
at.autograd.grad(loss, [used, unused])

# %% [markdown]
# With `allow_unused=True` it returns `None` for the unused one, which is often the quickest way
# to ask "which of my parameters does this loss actually reach?". (The failed call above has
# already run the backward pass and freed the graph, so we record the loss again.)

# %%
loss = (used * 3).sum()
print(at.autograd.grad(loss, [used, unused], allow_unused=True))

# %% [markdown]
# ## 4. "Backward through the graph a second time", from a loop
#
# Lesson 7 produced this error by calling `backward()` twice on purpose. In real code it
# usually comes from a value computed **once, before a loop**, from a tensor that requires grad:
#
# **Exercise 4.** The loop below computes `features` before the loop and a new loss in every
# iteration. In which iteration does `backward()` fail: 1, 2, or never?

# %%
def train_with_features_outside_the_loop(w):
    features = w.exp()  # computed once, before the loop
    for iteration in range(1, 3):
        print("iteration", iteration)
        loss = (features * iteration).sum()
        loss.backward()


# %% tags=["autograd-tutor-only"]
def failing_iteration():
    w = at.tensor([1.0, 2.0], requires_grad=True)
    features = w.exp()
    for iteration in range(1, 3):
        try:
            (features * iteration).sum().backward()
        except RuntimeError:
            return iteration
    return "never"


at.widgets.PredictReveal(
    compute=failing_iteration,
    question="In which iteration does backward() fail (1, 2 or never)?",
    hints=["Each loss is new, but does each loss have a new graph all the way to w?"],
    explain="The loss and its MulBackward0 are new in iteration 2, but ExpBackward0 is the "
    "one from before the loop, and the first backward() freed what it saved.",
)

# %% jupyter={"outputs_hidden": true} tags=["raises-exception", "reveals-answer"]
w = at.tensor([1.0, 2.0], requires_grad=True)
train_with_features_outside_the_loop(w)

# %% [markdown]
# The two losses share the part of the graph made before the loop. The first `backward()`
# freed what `ExpBackward0` saved (its result $e^w$), so the second one cannot get through it.
# Three fixes, depending on what you mean:
#
# - `features` should follow `w` as it trains: compute it **inside** the loop, so every
#   iteration records its own graph (the usual case, lesson 6);
# - `features` is fixed input data: compute it from `w.detach()` (or under `no_grad()`), so no
#   graph leads back to `w`;
# - you really mean to backpropagate through the same graph again: `backward(retain_graph=True)`
#   on all but the last pass. The graph then stays in memory, and the gradients add up in
#   `w.grad`.

# %%
def train_with_features_inside_the_loop(w):
    for iteration in range(1, 3):
        features = w.exp()  # a new graph every iteration
        loss = (features * iteration).sum()
        loss.backward()
    return w.grad


w = at.tensor([1.0, 2.0], requires_grad=True)
print("w.grad after two iterations:", train_with_features_inside_the_loop(w))
print("that is 1 * e^w + 2 * e^w:  ", 3 * w.detach().exp())

# %% [markdown]
# ## 5. In-place changes and the tensors a node saved
#
# ### A saved result, modified
#
# A hand-made softmax that normalises "to save memory":

# %%
def softmax_in_place(x):
    p = x.exp()
    p /= p.sum()  # in place: p no longer holds e^x
    return p


x = at.tensor([1.0, 2.0, 3.0], requires_grad=True)
p = softmax_in_place(x)
p

# %% tags=["raises-exception"]
p[0].backward()

# %% [markdown]
# Read the message the way lesson 7 taught: a tensor of 3 elements, **output 0 of `Exp`**, is at
# version 1, but `ExpBackward0` saved it at version 0. `anomaly_report` adds the line of code
# that recorded the node whose saved tensor changed:

# %%
anomaly_report(lambda: softmax_in_place(at.tensor([1.0, 2.0, 3.0], requires_grad=True))[0]
               .backward())

# %% [markdown]
# `p = x.exp()`: the culprit is whatever modified `p` in place after that line, here `p /=`. The
# fix is the out-of-place `p = p / p.sum()`, which leaves the saved $e^x$ alone.
#
# ### Through a view
#
# Slicing (`x[0:2]`), `view`, `reshape` (when it need not copy), `t()`, `expand` and friends
# return **views**: new tensor objects that share their base's memory, and with it the base's
# version counter. Change a view in place and you have changed the base.
#
# **Exercise 5.** `MulBackward0` of `w * x` saves `x` (because $\partial (wx)/\partial w = x$).
# We then change only the first two entries of `x`, through a view. Does `loss.backward()` still
# work? Answer `"fine"` or `"error"`.

# %%
my_guess = None  # "fine" or "error"
w = at.ones(3, requires_grad=True)
x = at.tensor([1.0, 2.0, 3.0])  # data: no gradient needed
loss = (w * x).sum()            # MulBackward0 saves x
first_two = x[0:2]              # a view of x
first_two.mul_(10)              # in place, through the view
print("x is now", x)

# %% tags=["autograd-tutor-only"]
def backward_after_changing_a_view():
    w = at.ones(3, requires_grad=True)
    x = at.tensor([1.0, 2.0, 3.0])
    loss = (w * x).sum()
    x[0:2].mul_(10)
    try:
        loss.backward()
    except RuntimeError:
        return "error"
    return "fine"


at.widgets.check(
    my_guess, backward_after_changing_a_view(), "loss.backward() after first_two.mul_(10)",
    hints=["first_two is a view: whose memory, and whose version counter, does it share?"],
)

# %% jupyter={"outputs_hidden": true} tags=["raises-exception", "reveals-answer"]
print("x._version:", x._version, "| first_two._version:", first_two._version)
loss.backward()

# %% [markdown]
# <details><summary>Why (open after answering)</summary>
#
# The view and its base share one version counter, so `first_two.mul_(10)` moved `x` to
# version 1. The error names `[at.FloatTensor [3]]`, the base `x` that `MulBackward0` saved,
# although you never wrote to `x` directly, and the gradient would indeed have been wrong
# ($\partial loss/\partial w$ must be the `x` of the forward pass). The fix: compute with
# `x[0:2] * 10` out of place, or change a `clone()`.
# </details>
#
# ### A view of a leaf
#
# A leaf that requires grad may not be changed in place outside `no_grad()` (lesson 4), and
# neither may a view of it:

# %% tags=["raises-exception"]
w = at.ones(3, requires_grad=True)
w[0:2].mul_(2)

# %% [markdown]
# Under `no_grad()` it is allowed: that is how an update touches part of a parameter.

# %%
with at.no_grad():
    w[0:2].mul_(2)
print(w, "| still a leaf:", w.is_leaf)

# %% [markdown]
# ## 6. A `nan` gradient
#
# Masks are a classic source: multiplying by 0 removes a value from the *loss*, but not from
# the backward pass.
#
# **Exercise 6.** `x = [0, 4]`, and the loss is `(x.sqrt() * mask).sum()` with `mask = [0, 1]`:
# the first entry is masked out. What is `x.grad[0]`: `0`, `inf` or `nan`?

# %%
my_guess = None  # "0", "inf" or "nan"
mask = at.tensor([0.0, 1.0])


def masked_sqrt_loss(x):
    root = x.sqrt()
    return (root * mask).sum()


# %% tags=["autograd-tutor-only"]
def x_grad_of_masked_sqrt():
    x = at.tensor([0.0, 4.0], requires_grad=True)
    masked_sqrt_loss(x).backward()
    return str(x.grad[0].item())


at.widgets.check(
    my_guess, x_grad_of_masked_sqrt(), "x.grad[0]",
    hints=["The mask sends 0 to sqrt's node. What is sqrt's derivative at 0, and 0 times it?"],
    explain="d sqrt(x)/dx = 1 / (2 sqrt(x)) is inf at 0, and 0 * inf is nan.",
)

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
x = at.tensor([0.0, 4.0], requires_grad=True)
masked_sqrt_loss(x).backward()
x.grad

# %% [markdown]
# One `nan` in a gradient spreads to every weight it touches at the next update. Anomaly
# detection also checks every node's result for `nan` and stops at the first node that produced
# one, naming the forward line:

# %%
anomaly_report(lambda: masked_sqrt_loss(at.tensor([0.0, 4.0], requires_grad=True)).backward())

# %% [markdown]
# The fix keeps the input of `sqrt` away from 0 where it is masked, so its derivative stays
# finite there (the clamp then passes no gradient to the masked entry at all):

# %%
x = at.tensor([0.0, 4.0], requires_grad=True)
(x.clamp(min=1e-6).sqrt() * mask).sum().backward()
x.grad

# %% [markdown]
# ## 7. Hooks: watching gradients, and changing them
#
# When a network does not learn, look at its gradients layer by layer. A tensor hook,
# `t.register_hook(fn)` (lessons 2 and 3), is called with the gradient of `t` during
# `backward()`. Here six `tanh` layers with a large gain, $h \leftarrow \tanh(3h)$: each layer
# saturates, and saturated `tanh` units pass little gradient.
#
# **Exercise 7.** On its way back from the loss (after layer 5) to layer 0, does the gradient
# **grow** or **shrink**? Answer `"grow"` or `"shrink"`.

# %%
def deep_tanh(x, watch=None):
    h = x
    for layer in range(6):
        h = (h * 3).tanh()
        if watch is not None:
            h.register_hook(lambda grad, layer=layer: watch(layer, grad))
    return h.sum()


# %% tags=["autograd-tutor-only"]
def does_the_gradient_grow_or_shrink():
    sizes = {}
    at.manual_seed(0)
    x = at.randn(4, dtype=at.float64, requires_grad=True)
    deep_tanh(x, watch=lambda layer, grad: sizes.update({layer: grad.abs().mean().item()})
              ).backward()
    return "shrink" if sizes[0] < sizes[5] else "grow"


at.widgets.PredictReveal(
    compute=does_the_gradient_grow_or_shrink,
    question="From layer 5 back to layer 0, does the gradient grow or shrink?",
    hints=["Going back through tanh multiplies the gradient by 3 * (1 - tanh^2): how big is "
           "that for a saturated unit, whose tanh is close to 1 or -1?"],
    accept=["shrinks", "smaller", "vanishes", "decreases"],
    explain="A saturated tanh passes back a tiny fraction of its gradient, so the gradient "
    "shrinks on its way to the first layers: vanishing gradients.",
)

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
def print_size(layer, grad):
    print(f"layer {layer}: mean |gradient| = {grad.abs().mean().item():.1e}")


at.manual_seed(0)
x = at.randn(4, dtype=at.float64, requires_grad=True)
deep_tanh(x, watch=print_size).backward()

# %% [markdown]
# The hooks fire in the backward pass's order, from the loss down. Each saturated layer cuts
# the gradient by one or two orders of magnitude; a layer whose units are not saturated can pass
# back up to 3 times what it received (the gain), which is why it does not shrink at every
# single step here. Over six layers it falls by about a factor of $10^5$: the first layers would
# hardly train. (Smaller gains, other activations or normalisation layers are the usual cures.)
#
# A hook may also **return** a tensor, which then replaces the gradient for the rest of the
# backward pass. Here one clips the gradient of `h` to at most 1 per entry; `register_hook`
# returns a handle whose `remove()` takes the hook off again:

# %%
x = at.tensor([1.0, 2.0], requires_grad=True)
h = x * 3
handle = h.register_hook(lambda grad: grad.clamp(max=1.0))
loss = (h * 10).sum()
loss.backward(retain_graph=True)  # keep the graph for a second pass
print("with the hook:  ", x.grad, "(h's gradient, 10 per entry, was clipped to 1)")

handle.remove()
x.grad = None
loss.backward()
print("after remove(): ", x.grad)

# %% [markdown]
# ## The field guide in one table
#
# | symptom | likely cause | find it with | fix |
# |---|---|---|---|
# | `.grad` is `None`, with a warning | a non-leaf: an intermediate, or a parameter made by an operation (`randn(...) * 0.1`) | `t.is_leaf`, `t.grad_fn`, the graph picture | `retain_grad()`; create the tensor, then `requires_grad_()` |
# | `.grad` is `None`, no warning | the loss does not use the tensor | `autograd.grad(..., allow_unused=True)` | use it, or drop it from the optimizer |
# | "backward through the graph a second time" | a graph part shared between iterations | which value was computed before the loop | compute it in the loop, `detach()` it, or `retain_graph=True` |
# | "modified by an inplace operation" | a saved tensor (or a view of it) changed | the version numbers, `detect_anomaly()` | the out-of-place op, or `clone()` |
# | `nan` in a gradient | an infinite local derivative times 0 (`sqrt`, `log`, division at 0) | `detect_anomaly()` (checks results for `nan`) | keep inputs away from the singular point |
# | gradients tiny or huge | saturation, depth, scale | hooks on intermediate tensors | gains, activations, clipping |
#
# ## Moving to real PyTorch
#
# - Every cell except the exercise helpers and the graph picture runs under
#   `import torch as at`, with the same values, node names, warnings and error messages (a test
#   of this course checks it against PyTorch 2.13); PyTorch's messages say `torch.` where ours
#   say `at.`.
# - PyTorch packages second derivatives as `torch.autograd.functional.hessian(f, x)` and
#   `hvp(f, x, v)` (and `torch.func.hessian`); they do what `gradient_of` and `my_hvp` do here.
# - For pictures, PyTorch users install `torchviz` (`make_dot(loss, params=...)`); the
#   explorers of this course also step through real torch graphs
#   (`at.widgets.BackwardExplorer(torch_loss)`, lesson 4).
# - PyTorch has more hooks than this package: on backward **nodes**
#   (`loss.grad_fn.register_hook`, `register_prehook`), on modules
#   (`module.register_full_backward_hook`), and on the moment a leaf's gradient is accumulated
#   (`register_post_accumulate_grad_hook`).

# %% [markdown]
# ## Recap
#
# - With `create_graph=True` the backward pass is recorded, so a gradient can be differentiated
#   again: second derivatives, and Hessian-vector products $H v = \nabla(\nabla f \cdot v)$ in
#   two backward passes, without building $H$.
# - `.grad` is kept for **leaves** that require grad; an operation on a parameter (`* 0.1`,
#   `.double()`) makes a non-leaf. `is_leaf`, `grad_fn` and the graph picture show it, and
#   `autograd.grad(..., allow_unused=True)` shows which tensors a loss reaches.
# - A value computed before a loop shares its graph between iterations: compute it inside, or
#   `detach()` it.
# - A view shares memory and the **version counter** with its base: an in-place change through
#   it counts as a change of the base, and breaks the nodes that saved the base.
# - `detect_anomaly()` names the forward line behind a failing or `nan`-producing node.
# - Tensor hooks show the gradient arriving at each intermediate, and can replace it.
#
# ## The course
#
# | lesson | what you can now do |
# |---|---|
# | 1 | derive a network's gradients by hand, and check them with finite differences |
# | 2 | use `requires_grad`, `grad_fn`, `backward()`, `.grad`, `detach()`; tell the two ways gradients add up |
# | 3 | read and draw the recorded graph, and check its gradients with the chain rule |
# | 4 | train with autograd: the update under `no_grad()`, zeroing, evaluation without recording |
# | 5 | the same with `nn.Module`s and optimizers; your own module; freezing |
# | 6 | explain the order in which `backward()` runs nodes, and why the graph is new every pass |
# | 7 | explain saved tensors, the two errors they cause, and write and test your own operation |
# | 8 | write the engine yourself: nodes, backward rules, the schedule, broadcasting |
# | 9 | explain `backward(gradient=...)` as $J^\top v$, and choose between forward and reverse mode |
# | 10 | differentiate a gradient (`create_graph=True`, $H v$), and find the cause of a missing, failing or `nan` gradient |
#
# The one-page **[cheat sheet](../docs/cheatsheet.md)** lists the autograd API of the course
# and the errors you met, with their causes and fixes. From here on, `import torch` and read its
# graphs the way you built yours.
#
# <!-- course-nav -->
# [← Lesson 9: Vector-Jacobian products, and forward vs reverse mode](09_vjp_and_forward_mode.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
