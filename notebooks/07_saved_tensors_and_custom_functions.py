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
# # Lesson 7 of 10: Saved tensors and custom functions
# <!-- course-nav -->
# [← Lesson 6: How backward() runs](06_under_the_hood.ipynb) · [Lesson 8: Build your own autograd →](08_build_your_own_autograd.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
#
# Lesson 6 followed the gradients through the graph. To compute them, the nodes need values from
# the forward pass, and that is where the last two famous errors come from.
#
# **In this lesson you will**
#
# - look at the values a node saves, and see when they are freed,
# - meet "backward through the graph a second time" and the in-place error, and read what they
#   say (which tensor, which node, which version),
# - write your own operation with `at.autograd.Function`,
# - test its gradient with `at.autograd.gradcheck`, and fix a buggy one.

# %%
import numpy as np

import autograd_tutor as at

# %xmode Minimal

# %% [markdown]
# **Reading errors.** This lesson is about errors, so read them from the bottom: the last line,
# `ErrorType: message`, says what went wrong, in the same words here as in PyTorch.
# `%xmode Minimal` (above) shows only that line. Without it, the lines above it are the
# traceback, the chain of calls that led there: first your cell, then the library's own code
# (here this package's Python source; in PyTorch, `torch/_tensor.py` and `torch/autograd/`, then
# its C++ engine). Only the top frames are yours, and the message repeats what matters, so the
# lessons hide the traceback (`%xmode Context` shows the whole chain again). When the last line
# is not enough, anomaly detection (at the end of this lesson) points at the forward line that
# caused the trouble.
#
# Exercises ask you to **predict first** with `at.widgets.check`, the course's answer checker:
# replace the `None` in the exercise cell with your guess and run the cell again (a wrong guess
# gets a hint and another try).

# %% [markdown]
# ## 1. What the graph keeps, and when it lets go
#
# Lesson 6's graph again: $u = 3w$, $loss = \sum (u^2 + e^u)$. To compute local derivatives,
# nodes **save** values from the forward pass: `PowBackward0` needs `u`, `ExpBackward0` needs its
# result $e^u$. PyTorch exposes them as `_saved_*` attributes:

# %%
w = at.tensor([0.5, -1.0], requires_grad=True)
u = w * 3
loss = (u.pow(2) + u.exp()).sum()

pow_node = loss.grad_fn.next_functions[0][0].next_functions[0][0]
print(pow_node.name(), "saved self:", pow_node._saved_self, "exponent:", pow_node._saved_exponent)

# %% [markdown]
# After a normal `backward()` these saved values are **freed**, so a second `backward()` through
# the same graph fails:

# %%
loss.backward()  # retain_graph=False (the default) frees the saved values
w.grad

# %% tags=["raises-exception"]
loss.backward()

# %% [markdown]
# The message names both ways to get here: a second `backward()`, or reading a saved tensor
# such as `pow_node._saved_self` after the first. If you really need a second pass, ask the first
# one to keep the graph with `loss.backward(retain_graph=True)`. Usually, though, the fix is to
# run the forward pass again, which builds a new graph (lesson 6).
#
# ## 2. In-place changes to saved tensors
#
# Saved values must still be the *same* values when backward runs. Every tensor carries a version
# counter, `_version`, that in-place operations bump; each node remembers the version it saved.

# %%
a = at.tensor([1.0, 2.0], requires_grad=True)
b = a.exp()  # ExpBackward0 saves its result b (d e^a / da = e^a)
print("b._version before:", b._version)
b.add_(1)  # in place: b no longer holds e^a
print("b._version after: ", b._version)

# %% tags=["raises-exception"]
b.sum().backward()

# %% [markdown]
# Read the message: the tensor is the `[2]`-element output 0 of `Exp`, it is now at version 1,
# but `ExpBackward0` saved it at version 0. Fix it with an out-of-place `b = b + 1`.
#
# **Exercise 1.** Will `c = a * 2; c.add_(1); c.sum().backward()` raise the same error?
# (Hint: what does `MulBackward0` need to save when the other factor is the constant 2?)
# Answer `"error"` or `"fine"`.

# %%
my_guess = None  # "error" or "fine"
c = a * 2
c.add_(1)
try:
    c.sum().backward()
    outcome = "fine"
except RuntimeError:
    outcome = "error"

# %% tags=["autograd-tutor-only"]
at.widgets.check(
    my_guess, outcome, "c.sum().backward()",
    hints=["d(2a)/da is the constant 2: does MulBackward0 need c at all?"],
)


# %% [markdown]
# <details><summary>Why (open after answering)</summary>
#
# The derivative of `a * 2` with respect to `a` is the constant 2; `MulBackward0` saves that
# constant, not its output `c`. Changing `c` in place changes nothing the backward pass needs.
# </details>
#
# ## 3. Your own operation: `at.autograd.Function`
#
# Subclass `at.autograd.Function` and write two static methods. `forward` computes the result and
# may save tensors on `ctx`; `backward` receives $\partial L/\partial\,output$ and returns
# $\partial L/\partial\,input$, one per input. Here is $e^x$, whose derivative is the result
# itself:

# %%
class MyExp(at.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result  # chain rule: dL/dx = dL/dy * e^x


x = at.tensor([0.0, 1.0, 2.0], requires_grad=True)
y = MyExp.apply(x)
y

# %%
y.sum().backward()
x_ref = at.tensor([0.0, 1.0, 2.0], requires_grad=True)
x_ref.exp().sum().backward()
print("MyExp gradient:", x.grad)
print("matches the built-in exp:", np.allclose(x.grad.numpy(), x_ref.grad.numpy()))

# %% [markdown]
# The node is named after your class, `MyExpBackward`, and takes part in graphs like any other.
#
# ## 4. Testing a gradient: `gradcheck`
#
# A typo in `backward` gives wrong gradients silently. `at.autograd.gradcheck` compares your
# analytical gradient with a numerical estimate, $\frac{f(x+\varepsilon) - f(x-\varepsilon)}
# {2\varepsilon}$ (lesson 1's finite differences), element by element. Use float64 inputs: in
# float32 the estimate is too noisy.

# %%
at.manual_seed(0)
x64 = at.randn(4, dtype=at.float64, requires_grad=True)
at.autograd.gradcheck(MyExp.apply, (x64,))


# %% [markdown]
# Now a buggy square, $x^2$ with the derivative written as $x$ instead of $2x$:

# %%
class MySquareBuggy(at.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x  # bug: should be 2 * x


at.autograd.gradcheck(MySquareBuggy.apply, (x64,), raise_exception=False)

# %% [markdown]
# By default `gradcheck` raises and shows both Jacobians, so you can see the analytical one is
# half the numerical one:

# %% tags=["raises-exception"]
at.autograd.gradcheck(MySquareBuggy.apply, (x64,))


# %% [markdown]
# **Exercise 2.** Write the correct backward of $x^2$ in `my_square_grad` (replace `None`)
# and run the cell: `gradcheck` tells you whether you got it right.

# %%
def my_square_grad(x, grad_output):
    """Your dL/dx for y = x * x, given dL/dy = grad_output."""
    return None  # replace None with your formula


class MySquare(at.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return my_square_grad(x, grad_output)


if my_square_grad(x64, at.ones(4, dtype=at.float64)) is None:
    print("No answer yet: write the formula in my_square_grad and run again.")
else:
    ok = at.autograd.gradcheck(MySquare.apply, (x64,), raise_exception=False)
    print("Right! gradcheck passes." if ok else "Not quite: gradcheck fails.")

# %% [markdown]
# ## 5. Finding the line: anomaly detection
#
# The in-place error above says *which* tensor, but not *where* in your code it was made. Inside
# `at.autograd.detect_anomaly()` every node also remembers the forward line that created it, and
# a failing backward reports it first, as a warning, then raises the same error. (We catch
# both here to print the interesting lines; `detect_anomaly()` also warns that it is on.)

# %%
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    with at.autograd.detect_anomaly():
        a2 = at.tensor([1.0, 2.0], requires_grad=True)
        b2 = a2.exp()
        b2.add_(1)
        try:
            b2.sum().backward()
        except RuntimeError as error:
            print("the error:", str(error).split(":")[0])

report = [str(w.message) for w in caught if "Error detected" in str(w.message)][0]
lines = [line for line in report.splitlines() if line.strip()]
print("the report:", lines[0])
print("its last line of code:", [line for line in lines if "(Triggered" not in line][-1].strip())

# %% [markdown]
# The report points at `b2 = a2.exp()`, the operation whose saved output was later changed. Use
# anomaly detection only while debugging: recording every line makes the forward pass slower.
#
# ## Moving to real PyTorch
#
# - `torch.autograd.Function` with `ctx.save_for_backward` / `ctx.saved_tensors`,
#   `torch.autograd.gradcheck`, `retain_graph=True`, `_version`, `_saved_*`,
#   `torch.autograd.detect_anomaly()` and both error messages are the same in PyTorch (a test of
#   this course runs these cells under PyTorch 2.13). PyTorch's messages say `torch.` where
#   ours say `at.`.
# - R's `torch` writes a custom function with `autograd_function(forward = function(ctx, x) ...,
#   backward = function(ctx, grad_output) ...)`, saves with `ctx$save_for_backward(result = r)`,
#   reads `ctx$saved_variables$result`, and returns the gradients as a named list.

# %% [markdown]
# ## Recap
#
# - Nodes save what their local derivative needs (`_saved_*`); `backward()` frees it, so a second
#   pass needs `retain_graph=True` or, better, a new forward pass.
# - In-place changes bump `_version`; a node whose saved tensor changed refuses to compute its
#   gradient, and the message names the tensor, the node and both versions.
# - An `autograd.Function` is a forward and a backward; `gradcheck` (in float64) tests the
#   backward against finite differences.
# - Read errors from the last line up; `detect_anomaly()` finds the forward line.
#
# ## The course so far
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
#
# The one-page **[cheat sheet](../docs/cheatsheet.md)** lists the autograd API of the course and
# the errors you met, with their causes and fixes.
#
# Next: you write the engine yourself, and check it piece by piece against this one.
#
# <!-- course-nav -->
# [← Lesson 6: How backward() runs](06_under_the_hood.ipynb) · [Lesson 8: Build your own autograd →](08_build_your_own_autograd.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
