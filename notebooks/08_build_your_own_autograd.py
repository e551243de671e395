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
# # Lesson 8 of 10: Build your own autograd
# <!-- course-nav -->
# [← Lesson 7: Saved tensors and custom functions](07_saved_tensors_and_custom_functions.ipynb) · [Lesson 9: Vector-Jacobian products, and forward vs reverse mode →](09_vjp_and_forward_mode.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
#
# In the lessons so far you used `backward()`, walked its graph and stepped through it. Now you
# write it: a complete reverse-mode autograd engine, first for single numbers, then for NumPy
# arrays with broadcasting, and at the end you train the blog's network with it. Each piece is
# checked as soon as it exists against `autograd_tutor`, whose graphs are PyTorch's.
#
# **In this lesson you will**
#
# - record operations as *nodes* with `next_functions`, named as PyTorch names them,
# - write an operation's backward rule from its local derivative, and check it with finite
#   differences,
# - write `AccumulateGrad`, and see why gradients add up in `.grad`,
# - implement the dependency-count schedule that decides the order of the backward steps,
# - undo broadcasting in the backward pass, and differentiate `sum`, `mean` and `mm`,
# - check your whole engine against the package: values, node names, step order, `gradcheck`.
#
# **How this lesson works.** What you write is called `My...` or `my_...`; the cell after it
# compares it with the library. Questions ask you to **predict first**: type your answer in the
# box (or replace the `None` in the cell) and check it; the answer is shown only after you have
# tried. The reference solution of the whole lesson ships with the package as
# `autograd_tutor.teaching` (three short files: `engine.py`, `scalar.py`, `tensor.py`, with the
# same node names): read it when you are stuck, or afterwards to compare with yours.

# %%
import heapq
import itertools
import math
import weakref

import numpy as np

import autograd_tutor as at
from autograd_tutor import teaching

# %% [markdown]
# ## Part 1. The node class, and the node at a leaf
#
# In lesson 3 you walked `out.grad_fn` and its `next_functions` back to the leaves. That
# structure is all the backward pass needs. Every recorded operation creates one **node** that
# remembers
#
# * `next_functions`: one `(node, 0)` pair per input of the operation, saying where that input's
#   gradient must go: the input's own `grad_fn`, or the `AccumulateGrad` node of a leaf, or
#   `(None, 0)` for an input that needs no gradient (a constant such as the `2` in `x + 2`).
#   The `0` says which output of that node is meant; all our operations have one output;
# * `saved`: the values from the forward pass that its backward rule will need;
# * a **sequence number**: the order in which nodes were recorded (part 3 uses it).
#
# Each operation is a subclass with PyTorch's name for its node in `node_name`, so that our
# graphs print exactly like PyTorch's (the reference solution simply calls its classes
# `AddBackward0`, `MulBackward0`, ...; here the `My` prefix marks the code you wrote). A leaf's node, `AccumulateGrad`, has no
# `next_functions`: every path ends there. Its backward rule adds the gradient that arrives into
# the leaf's `.grad`.

# %%
my_sequence = itertools.count()  # nodes are numbered in the order they are recorded


class MyNode:
    """One recorded operation, as the backward pass sees it (what y.grad_fn is)."""

    node_name = "Node"  # each operation sets PyTorch's name, e.g. "MulBackward0"

    def __init__(self, next_functions, saved=(), **settings):
        self.next_functions = next_functions  # one (node, 0) or (None, 0) per input
        self.saved = saved  # what the backward rule needs from the forward pass
        self.__dict__.update(settings)  # e.g. the exponent of a pow
        self._sequence_nr = next(my_sequence)

    def name(self):
        return self.node_name

    def __repr__(self):
        return f"<{self.name()}>"


class MyAccumulateGrad(MyNode):
    """The node at a leaf: adds the gradient that arrives into the leaf's .grad."""

    node_name = "torch::autograd::AccumulateGrad"  # PyTorch's name() for it

    def __init__(self, variable):
        self.variable = variable  # the leaf
        self.next_functions = ()  # every path ends here
        self.saved = ()
        self._sequence_nr = math.inf  # runs as soon as it is ready (part 3)

    def backward(self, grad):
        leaf = self.variable
        leaf.grad = grad if leaf.grad is None else leaf.grad + grad
        return ()  # nothing to send further


# %% [markdown]
# Two helpers connect values to nodes. `my_grad_edge(v)` answers "where must the gradient of
# `v` go?", and `my_record` attaches a new node to the result of an operation, but only if some
# input needs a gradient: that is how autograd records nothing for constants. A leaf makes its
# `AccumulateGrad` on first use and keeps only a *weak* reference to it (as PyTorch does): the
# graph points at the leaf, the leaf does not point back, so a finished graph is freed at once.

# %%
def my_grad_edge(value):
    """Where the gradient of `value` must go: a (node, 0) pair, or (None, 0)."""
    if value.grad_fn is not None:
        return (value.grad_fn, 0)
    if not value.requires_grad:
        return (None, 0)  # a constant: nothing to send
    acc = value._accumulate_grad() if value._accumulate_grad else None
    if acc is None:  # one AccumulateGrad per leaf, made on first use
        acc = MyAccumulateGrad(value)
        value._accumulate_grad = weakref.ref(acc)
    return (acc, 0)


def my_record(node_class, inputs, result, saved=(), **settings):
    """Attach a node_class node to `result` if any input needs a gradient."""
    if any(v.requires_grad for v in inputs):
        edges = tuple(my_grad_edge(v) for v in inputs)
        result.grad_fn = node_class(edges, saved, **settings)
        result.requires_grad = True
    return result


# %% [markdown]
# ## Part 2. Values and backward rules
#
# A value needs its `data`, `requires_grad`, `grad`, and `grad_fn`, the node of the operation
# that made it (`None` for a leaf, so `is_leaf` is simply `grad_fn is None`). Each operation
# computes its result and records its node with what the backward rule needs.
#
# A **backward rule** gets `grad` = $\partial L/\partial\,\text{output}$ and returns
# $\partial L/\partial\,\text{input}$ for each input: the chain rule,
# $\frac{\partial L}{\partial a} = \frac{\partial L}{\partial z}\cdot\frac{\partial z}{\partial a}$.
# For $z = a\,b$ the local derivatives are $b$ and $a$, so `MyMul` saves both factors.

# %%
class MyAdd(MyNode):
    """z = a + b.   dz/da = 1, dz/db = 1: the gradient passes on unchanged."""

    node_name = "AddBackward0"

    def backward(self, grad):
        return grad, grad


class MySub(MyNode):
    """z = a - b.   dz/da = 1, dz/db = -1."""

    node_name = "SubBackward0"

    def backward(self, grad):
        return grad, -grad


class MyMul(MyNode):
    """z = a * b.   dz/da = b, dz/db = a."""

    node_name = "MulBackward0"

    def backward(self, grad):
        a, b = self.saved
        return grad * b, grad * a


class MyPow(MyNode):
    """y = x ** n (n a number).   dy/dx = n * x ** (n - 1)."""

    node_name = "PowBackward0"

    def backward(self, grad):
        (x,) = self.saved
        return (grad * self.exponent * x ** (self.exponent - 1),)


class MyDiv(MyNode):
    """z = a / b.   Exercise 2 below: write its rule."""

    node_name = "DivBackward0"

    def backward(self, grad):
        a, b = self.saved
        return None  # replace None with (dL/da, dL/db)


class MyScalar:
    """A number that remembers which operation made it."""

    def __init__(self, data, requires_grad=False):
        self.data = float(data)
        self.requires_grad = requires_grad
        self.grad = None
        self.grad_fn = None
        self._accumulate_grad = None  # weak reference to this leaf's AccumulateGrad

    @property
    def is_leaf(self):
        return self.grad_fn is None

    def __repr__(self):
        fn = f", grad_fn=<{self.grad_fn.name()}>" if self.grad_fn else ""
        return f"MyScalar({self.data:.4f}{fn})"

    def __add__(self, other):
        other = my_scalar(other)
        return my_record(MyAdd, (self, other), MyScalar(self.data + other.data))

    def __sub__(self, other):
        other = my_scalar(other)
        return my_record(MySub, (self, other), MyScalar(self.data - other.data))

    def __mul__(self, other):
        other = my_scalar(other)
        out = MyScalar(self.data * other.data)
        return my_record(MyMul, (self, other), out, saved=(self.data, other.data))

    def __truediv__(self, other):
        other = my_scalar(other)
        out = MyScalar(self.data / other.data)
        return my_record(MyDiv, (self, other), out, saved=(self.data, other.data))

    def pow(self, n):
        out = MyScalar(self.data**n)
        return my_record(MyPow, (self,), out, saved=(self.data,), exponent=n)

    __radd__ = __add__  # 2 + x: PyTorch records it as x + 2 too
    __rmul__ = __mul__
    __pow__ = pow


def my_scalar(x):
    """A plain number becomes a constant: a MyScalar that needs no gradient."""
    return x if isinstance(x, MyScalar) else MyScalar(x)


# %% [markdown]
# Build the seed graph of lessons 2 and 3 with one number per value (so `mean` is not needed):
# $y = x_1 (x_2 + 2)$, $out = 3 y^2$.
#
# **Exercise 1.** How many entries does `next_functions` have for the node that `x2 + 2`
# records? (Predict before you run the cell after the question.)

# %%
x1 = MyScalar(1.0, requires_grad=True)
x2 = MyScalar(1.1, requires_grad=True)
y = x1 * (x2 + 2)
out = y**2 * 3


def at_seed_graph():
    """The same graph in autograd_tutor (float64), built anew on each call."""
    x1 = at.tensor(1.0, dtype=at.float64, requires_grad=True)
    x2 = at.tensor(1.1, dtype=at.float64, requires_grad=True)
    y = x1 * (x2 + 2)
    return x1, x2, y, y**2 * 3


out

# %% tags=["autograd-tutor-only"]
at.widgets.PredictReveal(
    compute=lambda: len(at_seed_graph()[2].grad_fn.next_functions[1][0].next_functions),
    question="How many entries has next_functions of the node recorded by x2 + 2?",
    hints=["One entry per input of the operation, whether it needs a gradient or not."],
    explain="x2 + 2 has two inputs: x2 leads to its AccumulateGrad, the constant 2 to "
    "(None, 0).",
)


# %% [markdown]
# Now compare the whole graph with `autograd_tutor`'s. `plan(root)` lists every node reachable
# from `root` with the names of its `next_functions`; it only uses `name()` and
# `next_functions`, so it works on both engines.

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
def plan(root):
    """(name, names of next_functions) for every node reachable from root, breadth first."""
    order, seen = [root], {root}
    for node in order:
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
    return [
        (n.name(), [None if nxt is None else nxt.name() for nxt, _ in n.next_functions])
        for n in order
    ]


at_x1, at_x2, at_y, at_out = at_seed_graph()
for row in plan(out.grad_fn):
    print(row)
print("same graph as autograd_tutor:", plan(out.grad_fn) == plan(at_out.grad_fn))
print("same value:", np.isclose(out.data, at_out.item()))

constant = MyScalar(2.0) * 3  # no input needs a gradient: nothing is recorded
print("a result of constants is a leaf:", constant.is_leaf, (at.tensor(2.0) * 3).is_leaf)


# %% [markdown]
# ### Checking a rule with finite differences
#
# A rule can be checked without any library: nudge one input by a tiny $\varepsilon$ and watch
# the output, $\frac{f(a+\varepsilon) - f(a-\varepsilon)}{2\varepsilon} \approx
# \frac{\partial f}{\partial a}$. `my_rule_check` runs one operation on two leaves, calls its
# node's `backward(1.0)` directly, and compares each result with the finite difference.

# %%
def my_numerical_derivative(f, a, eps=1e-6):
    return (f(a + eps) - f(a - eps)) / (2 * eps)


def my_rule_check(op, a=1.5, b=-0.7):
    """Compare the rule of one operation op(a, b) with finite differences."""
    node = op(MyScalar(a, requires_grad=True), MyScalar(b, requires_grad=True)).grad_fn
    rule = node.backward(1.0)  # dz/d(input) for each input
    if rule is None:
        return None
    numeric = (
        my_numerical_derivative(lambda t: op(MyScalar(t), MyScalar(b)).data, a),
        my_numerical_derivative(lambda t: op(MyScalar(a), MyScalar(t)).data, b),
    )[: len(rule)]  # a one-input operation has one rule
    return bool(np.allclose(rule, numeric, rtol=1e-6)), rule


for name, op in [
    ("a + b", lambda a, b: a + b),
    ("a - b", lambda a, b: a - b),
    ("a * b", lambda a, b: a * b),
    ("a ** 3", lambda a, b: a**3),
]:
    ok, rule = my_rule_check(op)
    print(f"{name:10} rule {np.round(rule, 4)}  matches finite differences: {ok}")

# %% [markdown]
# **Exercise 2.** Write the rule of `MyDiv` above: for $z = a / b$,
# $\partial z/\partial a = 1/b$ and $\partial z/\partial b = -a/b^2$; return `(grad * ..., grad
# * ...)`. Run the `MyDiv` cell again, then this one: it checks your rule with finite
# differences and against `autograd_tutor`.

# %%
div_check = my_rule_check(lambda a, b: a / b)
if div_check is None:
    print("No answer yet: write MyDiv.backward, run its cell, then run this one again.")
else:
    ok, rule = div_check
    at_a = at.tensor(1.5, dtype=at.float64, requires_grad=True)
    at_b = at.tensor(-0.7, dtype=at.float64, requires_grad=True)
    library = [g.item() for g in at.autograd.grad(at_a / at_b, (at_a, at_b))]
    same = bool(np.allclose(rule, library))
    print("Right! Your rule matches finite differences and autograd_tutor."
          if ok and same else f"Not quite: your rule gives {np.round(rule, 4)}.")


# %% [markdown]
# ## Part 3. The schedule
#
# Running the rules in the right order is the engine's whole job (lesson 6 re-implemented this
# order on the package's graph; now it drives your own nodes). A node may run only once
# **every** gradient flowing into it has arrived (a value used twice gets two contributions,
# which add up). The engine therefore works in five steps:
#
# 1. count, for every node reachable from the output, how many edges lead into it (its
#    *dependencies*);
# 2. seed the output's node with $\partial L/\partial L = 1$;
# 3. repeatedly take the ready node with the **highest sequence number** (the most recently
#    recorded operation; `AccumulateGrad` has the highest of all, so a leaf's gradient is
#    stored as soon as it is complete), run it, and send one gradient along each edge; where
#    two gradients meet at a node they are added, and a node whose count drops to zero is ready;
# 4. running an `AccumulateGrad` adds the gradient into the leaf's `.grad`;
# 5. unless `retain_graph=True`, free a node's saved values once it has run.
#
# The ready nodes wait in a heap ordered by sequence number (`heapq` pops the smallest, so we
# store minus the number; a counter breaks ties first come, first served). The generator
# yields one step per node, like `at.autograd.iter_backward_for`.

# %%
def my_iter_backward(root, gradient=1.0, retain_graph=False):
    """The backward pass from root, one node at a time: yields (node, grad, grads_out)."""
    start = my_grad_edge(root)[0]
    # 1. dependencies: how many edges lead into each node
    deps, seen, stack = {}, {start}, [start]
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    # 2. seed: the output receives dL/dL = 1
    buffers = {start: gradient}
    # 3. ready nodes, highest sequence number first
    tie = itertools.count()
    ready = [(-start._sequence_nr, next(tie), start)]
    while ready:
        node = heapq.heappop(ready)[2]
        grad = buffers.pop(node)  # all contributions have arrived, and were added
        if node.saved is None:
            raise RuntimeError("Trying to backward through the graph a second time")
        grads_out = node.backward(grad)  # 4. (an AccumulateGrad adds into .grad)
        if node.saved and not retain_graph:
            node.saved = None  # 5. its saved values are no longer needed
        for (nxt, _), g in zip(node.next_functions, grads_out):
            if nxt is None:
                continue  # a constant: the gradient goes nowhere
            buffers[nxt] = g if nxt not in buffers else buffers[nxt] + g  # paths meet
            deps[nxt] -= 1
            if deps[nxt] == 0:
                heapq.heappush(ready, (-nxt._sequence_nr, next(tie), nxt))
        yield node, grad, grads_out


def my_backward(root, gradient=1.0, retain_graph=False):
    for _ in my_iter_backward(root, gradient, retain_graph):
        pass


# %% [markdown]
# **Exercise 3.** The seed graph has six nodes: `MulBackward0` (of `out`), `PowBackward0`,
# `MulBackward0` (of `y`), the `AddBackward0` of `x2 + 2`, and one `AccumulateGrad` for each of
# `x1` and `x2`. The output's node runs first. At which position (1 to 6) does `AddBackward0`
# run? Replace `None` with your number.

# %% tags=["autograd-tutor-only"]
my_guess = None  # a whole number from 1 to 6
at_steps = [s.node.name() for s in at.autograd.iter_backward_for(at_seed_graph()[3])]
at.widgets.check(
    my_guess,
    at_steps.index("AddBackward0") + 1,
    "the position of AddBackward0",
    hints=[
        "A node is ready once all its gradients have arrived; which nodes are ready "
        "when y's MulBackward0 has run, and which of them has the highest sequence "
        "number?",
    ],
    explain="After y's MulBackward0, both x1's AccumulateGrad and AddBackward0 are "
    "ready; AccumulateGrad has the highest priority of all, so it goes first.",
)


# %% [markdown]
# **Exercise 4.** What will `x1.grad` be after `out.backward()`? Follow the chain rule from
# `out` back to `x1` ($out = 3y^2$, $y = x_1(x_2 + 2)$, $x_1 = 1$, $x_2 = 1.1$).

# %% tags=["autograd-tutor-only"]
def at_x1_grad():
    x1, _, _, out = at_seed_graph()
    return at.autograd.grad(out, x1)[0]


at.widgets.PredictReveal(
    compute=at_x1_grad,
    question="After out.backward(), what is x1.grad?",
    hints=[
        "d out/dy = 6y and dy/dx1 = x2 + 2.",
        "y = 3.1 here, so multiply 6 * 3.1 by (x2 + 2) = 3.1.",
    ],
    explain="6 * y * (x2 + 2) = 6 * 3.1 * 3.1.",
)

# %% [markdown]
# Now run your engine and compare every step with `autograd_tutor`'s: the node that ran, and
# the gradient that arrived at it.

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
mine = [(node.name(), round(grad, 4)) for node, grad, _ in my_iter_backward(out)]
for step in mine:
    print(step)
at_out.backward()
print("x1.grad, x2.grad:", round(x1.grad, 4), round(x2.grad, 4))
library = [at_x1.grad.item(), at_x2.grad.item()]
print("same gradients as autograd_tutor:", np.allclose([x1.grad, x2.grad], library))

# %% [markdown]
# `at.autograd.iter_backward_for` steps the package's engine the same way: compare the two
# step by step.

# %% tags=["autograd-tutor-only"]
theirs = [
    (s.node.name(), round(float(s.grads_in[0]), 4))
    for s in at.autograd.iter_backward_for(at_seed_graph()[3])
]
print("same steps as autograd_tutor:", mine == theirs)


# %% [markdown]
# Step 5 freed the saved values, so a second pass through the same graph fails, in your engine
# as in `autograd_tutor` and PyTorch (`MyPow` and `MyMul` saved values; an `AddBackward0`
# alone could run again, since it saves nothing):

# %%
def first_line_of_error(run):
    try:
        run()
    except RuntimeError as e:
        return str(e).split(" (")[0]
    return "no error"


print("mine:   ", first_line_of_error(lambda: my_backward(out)))
print("library:", first_line_of_error(lambda: at_out.backward()))

# %% [markdown]
# ## Part 4. Why count dependencies?
#
# Here `a` is used twice, by `b = a + 1` and by `c = a * b`:
# $w = 1.5$, $a = 2w$, $b = a + 1$, $c = a\,b$.
#
# **Exercise 5.** What gradient $\partial c/\partial a$ arrives at `a`'s node (the
# `MulBackward0` of `w * 2`), once both paths have delivered?

# %%
w = MyScalar(1.5, requires_grad=True)
a = w * 2
b = a + 1
c = a * b

at_w = at.tensor(1.5, requires_grad=True)
at_a = at_w * 2
at_c = at_a * (at_a + 1)

# %% tags=["autograd-tutor-only"]
at.widgets.PredictReveal(
    compute=lambda: next(
        s.grads_in[0]
        for s in at.autograd.iter_backward_for(at_c, retain_graph=True)
        if s.node is at_a.grad_fn
    ),
    question="Which gradient arrives at a's node, dc/da?",
    hints=[
        "Two paths: directly as a factor of c (local derivative b), and through b "
        "(local derivative a).",
    ],
    explain="dc/da = b + a = 4 + 3: the two contributions are added before the node runs.",
)

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
ran = [node for node, _, _ in my_iter_backward(c)]
print([node.name() for node in ran])
print("a's node ran", ran.count(a.grad_fn), "time; w.grad =", w.grad)


# %% [markdown]
# A naive engine that runs a node each time *a* gradient reaches it (recursion along every
# path) still gets the right total, because `AccumulateGrad` adds. But it does the work once per
# *path*, and the number of paths can grow exponentially. Squaring 12 times in a row,
# `v = v * v`, gives $2^{12}$ paths from the output back to `w`:

# %%
def my_naive_backward(node, grad, counter):
    """Recursive backward: runs a node once for every gradient that reaches it."""
    counter[0] += 1
    for (nxt, _), g in zip(node.next_functions, node.backward(grad)):
        if nxt is not None:
            my_naive_backward(nxt, g, counter)


def squared_12_times(w):
    v = w
    for _ in range(12):
        v = v * v
    return v


naive_w = MyScalar(1.0001, requires_grad=True)
counter = [0]
my_naive_backward(squared_12_times(naive_w).grad_fn, 1.0, counter)

scheduled_w = MyScalar(1.0001, requires_grad=True)
steps = list(my_iter_backward(squared_12_times(scheduled_w)))
print("node runs, naive:", counter[0], " scheduled:", len(steps))
print("same gradient:", np.isclose(naive_w.grad, scheduled_w.grad))

# %% [markdown]
# ## Part 5. Tensors, and broadcasting undone
#
# The rules carry over to NumPy arrays unchanged: `grad * b`, `x ** (n - 1)` work element by
# element. One thing is new. In `x + b` with `x` of shape `(4, 3)` and `b` of shape `(1, 3)`,
# NumPy **broadcasts** `b`: each of its entries is used in 4 rows, so its gradient is the *sum*
# of those 4 rows' gradients. `my_unbroadcast(grad, shape)` sums a gradient back to its input's
# shape: over the dimensions broadcasting added in front, and over dimensions stretched from
# size 1. This is why a bias gradient is summed over the batch.
#
# **Exercise 6.** `x` has shape `(4, 3)`, `b` shape `(1, 3)`, and `loss = (x + b).sum()`. What
# is each entry of `b.grad`?

# %% tags=["autograd-tutor-only"]
at_xb = at.ones(4, 3)
at_bias = at.zeros(1, 3, requires_grad=True)
at.widgets.PredictReveal(
    compute=lambda: at.autograd.grad((at_xb + at_bias).sum(), at_bias)[0],
    question="loss = (x + b).sum() with x (4, 3) and b (1, 3): each entry of b.grad?",
    hints=["Each entry of b is added to how many entries of x?"],
    explain="Each entry of b is used in 4 rows, each contributing 1: the sum is 4.",
)


# %%
def my_unbroadcast(grad, shape):
    """Sum grad back to `shape`, undoing broadcasting."""
    while grad.ndim > len(shape):  # dimensions broadcasting added in front
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):  # dimensions stretched from size 1
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


g = np.arange(24.0).reshape(2, 4, 3)
for shape in [(1, 3), (3,), (4, 1), ()]:
    same = np.array_equal(my_unbroadcast(g, shape), teaching.unbroadcast(g, shape))
    print(f"{str(shape):7} -> {my_unbroadcast(g, shape).shape}  same as the teaching core: {same}")


# %% [markdown]
# The tensor versions of the binary rules are the scalar rules followed by `my_unbroadcast`.
# Three new operations complete the blog's network:
#
# * `sum`: $y = \sum_i x_i$, so $\partial y/\partial x_i = 1$: the gradient is copied to every
#   entry (`mean` divides it by the number of entries $n$);
# * `mm`: $C = A B$ gives $\partial L/\partial A = \partial L/\partial C \cdot B^T$ and
#   $\partial L/\partial B = A^T \cdot \partial L/\partial C$ (check the shapes: they are the
#   only ones that fit);
# * `clamp(min=0)`: the lesson's ReLU; the gradient passes where $x \ge 0$, PyTorch's
#   `ClampBackward1`.

# %%
class MyTensorAdd(MyAdd):
    def backward(self, grad):
        ga, gb = super().backward(grad)
        return my_unbroadcast(ga, self.shapes[0]), my_unbroadcast(gb, self.shapes[1])


class MyTensorSub(MySub):
    def backward(self, grad):
        ga, gb = super().backward(grad)
        return my_unbroadcast(ga, self.shapes[0]), my_unbroadcast(gb, self.shapes[1])


class MyTensorMul(MyMul):
    def backward(self, grad):
        ga, gb = super().backward(grad)
        a, b = self.saved
        return my_unbroadcast(ga, np.shape(a)), my_unbroadcast(gb, np.shape(b))


class MySum(MyNode):
    """y = sum of all x_i.   dy/dx_i = 1."""

    node_name = "SumBackward0"

    def backward(self, grad):
        return (grad * np.ones(self.shape),)


class MyMean(MyNode):
    """y = mean of the n entries x_i.   dy/dx_i = 1 / n."""

    node_name = "MeanBackward0"

    def backward(self, grad):
        return (grad * np.ones(self.shape) / np.prod(self.shape),)


class MyMm(MyNode):
    """C = A @ B.   dL/dA = dL/dC @ B.T,  dL/dB = A.T @ dL/dC."""

    node_name = "MmBackward0"

    def backward(self, grad):
        a, b = self.saved
        return grad @ b.T, a.T @ grad


class MyClamp(MyNode):
    """y = max(x, min).   dy/dx = 1 where x >= min, else 0."""

    node_name = "ClampBackward1"

    def backward(self, grad):
        (x,) = self.saved
        return (grad * (x >= self.min),)


class MyRelu(MyNode):
    """y = max(x, 0).   Exercise 7 below: write its rule (it saves its result y)."""

    node_name = "ReluBackward0"

    def backward(self, grad):
        (y,) = self.saved
        return None  # replace None with (dL/dx,)


class MyTensor:
    """An array that remembers which operation made it (float64 data)."""

    def __init__(self, data, requires_grad=False):
        self.data = np.array(data, dtype=np.float64)
        self.requires_grad = requires_grad
        self.grad = None
        self.grad_fn = None
        self._accumulate_grad = None

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def shape(self):
        return self.data.shape

    def item(self):
        return self.data.item()

    def __repr__(self):
        fn = f", grad_fn=<{self.grad_fn.name()}>" if self.grad_fn else ""
        return f"MyTensor({np.round(self.data, 4).tolist()}{fn})"

    def _binary(self, node_class, other, data):
        other = my_tensor(other)
        out = MyTensor(data(self.data, other.data))
        saved = (self.data, other.data) if node_class is MyTensorMul else ()
        shapes = (self.shape, other.shape)
        return my_record(node_class, (self, other), out, saved=saved, shapes=shapes)

    def __add__(self, other):
        return self._binary(MyTensorAdd, other, np.add)

    def __sub__(self, other):
        return self._binary(MyTensorSub, other, np.subtract)

    def __mul__(self, other):
        return self._binary(MyTensorMul, other, np.multiply)

    __radd__, __rmul__, add = __add__, __mul__, __add__

    def pow(self, n):  # MyPow's rule works on arrays as it is
        out = MyTensor(self.data**n)
        return my_record(MyPow, (self,), out, saved=(self.data,), exponent=n)

    __pow__ = pow

    def sum(self):
        return my_record(MySum, (self,), MyTensor(self.data.sum()), shape=self.shape)

    def mean(self):
        return my_record(MyMean, (self,), MyTensor(self.data.mean()), shape=self.shape)

    def mm(self, other):
        out = MyTensor(self.data @ other.data)
        return my_record(MyMm, (self, other), out, saved=(self.data, other.data))

    def clamp(self, min):
        out = MyTensor(np.maximum(self.data, min))
        return my_record(MyClamp, (self,), out, saved=(self.data,), min=min)

    def relu(self):
        out = MyTensor(np.maximum(self.data, 0.0))
        return my_record(MyRelu, (self,), out, saved=(out.data,))


def my_tensor(x):
    """A number or an array becomes a constant: a MyTensor that needs no gradient."""
    return x if isinstance(x, MyTensor) else MyTensor(x)


# %% [markdown]
# The seed graph of lessons 2 and 3 again, now with `x1` a 2×2 tensor and the `mean`: your
# engine's steps print the gradient that arrives at each node. The ones arriving at `z`'s node
# (`MulBackward0`, 0.25) and at `y`'s (4.65) are what `retain_grad()` would keep in `z.grad` and
# `y.grad`: it simply stores what arrives at the node.

# %%
x1 = MyTensor(np.ones((2, 2)), requires_grad=True)
x2 = MyTensor(1.1, requires_grad=True)
out = ((x1 * (x2 + 2)).pow(2) * 3).mean()

at_x1 = at.ones(2, 2, dtype=at.float64, requires_grad=True)
at_x2 = at.tensor(1.1, dtype=at.float64, requires_grad=True)
at_out = ((at_x1 * (at_x2 + 2)).pow(2) * 3).mean()

mine = [(node.name(), grad) for node, grad, _ in my_iter_backward(out)]
for name, grad in mine:
    print(f"{name:32} {np.round(grad, 4).tolist()}")
print("same graph as autograd_tutor:", plan(out.grad_fn) == plan(at_out.grad_fn))
print("x1.grad:", np.round(x1.grad, 4).tolist(), " x2.grad:", round(float(x2.grad), 4))
at_out.backward(retain_graph=True)
print("same gradients as autograd_tutor:",
      np.allclose(x1.grad, at_x1.grad.numpy()) and np.isclose(x2.grad, at_x2.grad.item()))

# %% tags=["autograd-tutor-only"]
theirs = [(s.node.name(), s.grads_in[0]) for s in at.autograd.iter_backward_for(at_out)]
print("same steps as autograd_tutor:", [n for n, _ in mine] == [n for n, _ in theirs]
      and all(np.allclose(g, h) for (_, g), (_, h) in zip(mine, theirs)))

# %% [markdown]
# **Exercise 7.** Write the rule of `MyRelu` above: the gradient passes where the result
# $y > 0$ and is 0 elsewhere (`grad * (y > 0)` does that element by element). Run its cell
# (the `MyTensor` cell), then this one: it compares with finite differences and with
# `autograd_tutor`.

# %%
x_np = np.array([[-1.5, 0.5, 2.0], [0.3, -0.2, 1.0]])
weights = np.array([[1.0, -2.0, 0.5], [3.0, 1.0, -1.0]])  # makes each entry count differently
mine = MyTensor(x_np, requires_grad=True)
relu_grads = mine.relu().grad_fn.backward(weights)
if relu_grads is None:
    print("No answer yet: write MyRelu.backward, run the MyTensor cell, then this one.")
else:
    eps = 1e-6
    numeric = ((np.maximum(x_np + eps, 0) - np.maximum(x_np - eps, 0)) / (2 * eps)) * weights
    at_x = at.tensor(x_np, requires_grad=True)
    (at_x.relu() * at.tensor(weights)).sum().backward()
    ok = np.allclose(relu_grads[0], numeric) and np.allclose(relu_grads[0], at_x.grad.numpy())
    print("Right! Your rule matches finite differences and autograd_tutor." if ok
          else f"Not quite: your rule gives {np.round(relu_grads[0], 2).tolist()}.")

# %% [markdown]
# ## Part 6. Train the blog's network with your engine
#
# The network of lessons 1 and 4: 3 inputs, 32 hidden units with ReLU (`clamp(min=0)`), 1
# output, 100 samples, squared error summed, learning rate $10^{-4}$, 200 iterations. The same
# data and initial weights go into your engine and into `autograd_tutor` (float64 in both).
#
# **Exercise 8.** `b1` has shape `(1, 32)` and is broadcast over the 100 rows of the batch. What
# is the shape of `b1.grad`?

# %%
rng = np.random.default_rng(0)
n, d_in, d_hidden, d_out = 100, 3, 32, 1
x_np = rng.standard_normal((n, d_in))
y_np = x_np[:, 0:1] * 0.2 - x_np[:, 1:2] * 1.3 - x_np[:, 2:3] * 0.5 + rng.standard_normal((n, 1))
init = [
    rng.standard_normal((d_in, d_hidden)),
    np.zeros((1, d_hidden)),
    rng.standard_normal((d_hidden, d_out)),
    np.zeros((1, d_out)),
]


# %% tags=["autograd-tutor-only"]
def at_gradients():
    x, y = at.tensor(x_np), at.tensor(y_np)
    w1, b1, w2, b2 = (at.tensor(p, requires_grad=True) for p in init)
    ((x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2) - y).pow(2).sum()).backward()
    return w1.grad, b1.grad, w2.grad, b2.grad


my_guess = None  # a shape, e.g. (2, 3)
at.widgets.check(
    my_guess,
    tuple(at_gradients()[1].shape),
    "the shape of b1.grad",
    hints=["A gradient always has the shape of its tensor."],
    explain="my_unbroadcast summed the (100, 32) gradient over the batch, back to b1's "
    "shape.",
)


# %%
def train(L, params, iterations=200, learning_rate=1e-4):
    """The lesson's loop on engine L (MyTensor, or at.tensor), with float64 data."""
    x, y = L(x_np), L(y_np)
    w1, b1, w2, b2 = params
    losses = []
    for _ in range(iterations):
        y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        if L is MyTensor:
            my_backward(loss)
            for p in params:  # the update changes .data: nothing is recorded
                p.data = p.data - learning_rate * p.grad
                p.grad = None
        else:
            loss.backward()
            with at.no_grad():
                for p in params:
                    p.sub_(learning_rate * p.grad)
                    p.grad.zero_()
    return losses


my_params = [MyTensor(p, requires_grad=True) for p in init]
my_losses = train(MyTensor, my_params)
at_losses = train(at.tensor, [at.tensor(p, requires_grad=True) for p in init])
for i in range(0, 200, 40):
    print(f"iteration {i:3}: loss {my_losses[i]:9.3f}")
print(f"iteration 199: loss {my_losses[-1]:9.3f}")
print("same losses as autograd_tutor:", np.allclose(my_losses, at_losses, rtol=1e-9))

# %% [markdown]
# ## Part 7. `gradcheck` on your engine
#
# `at.autograd.gradcheck` compares a function's gradients with finite differences, entry by
# entry (lesson 7). To point it at *your* engine, wrap a function computed with `MyTensor` in an
# `at.autograd.Function`: its `forward` runs your forward pass, its `backward` runs
# `my_backward` and hands your gradient to `autograd_tutor`.

# %%
W_np = np.array([[0.5, -1.0], [2.0, 0.3], [-0.7, 1.2]])


def my_function(x):
    """Any function of MyTensor operations: here a layer, a square, a broadcast, a mean."""
    h = (x.mm(MyTensor(W_np)) + MyTensor([[1.0, -1.0]])).clamp(min=0)
    return (h.pow(2) * x.sum()).mean()


class OnMyEngine(at.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return at.tensor(my_function(MyTensor(x.detach().numpy())).data)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        mine = MyTensor(x.detach().numpy(), requires_grad=True)
        my_backward(my_function(mine), gradient=grad_output.numpy())
        return at.tensor(mine.grad)


at.manual_seed(0)
x64 = at.randn(4, 3, dtype=at.float64, requires_grad=True)
at.autograd.gradcheck(OnMyEngine.apply, (x64,))

# %% [markdown]
# Try breaking a rule on purpose, say `MyMean` without the division by $n$, run its cell and
# this one again: `gradcheck` raises and shows both Jacobians. (Run the cell with the correct
# rule afterwards to repair your engine.)

# %% [markdown]
# ## Moving to real PyTorch
#
# * PyTorch's engine is C++ (`torch/csrc/autograd/engine.cpp`) and can run nodes of different
#   devices on different threads, but its rule is the one you wrote: dependency counts, a ready
#   queue ordered by sequence number, `AccumulateGrad` first. To watch the order in PyTorch,
#   register a hook on each node (`node.register_prehook(...)`): on the seed graph it runs the
#   steps you printed above.
# * The node names, `next_functions` with `(None, 0)` for constants, `.variable` on
#   `AccumulateGrad`, and the "backward through the graph a second time" error are PyTorch's.
#   `at.autograd.iter_backward_for` (stepping the engine) and `at.widgets` are ours: the cells
#   that use them are tagged `autograd-tutor-only`; every other cell of this lesson runs under
#   `import torch as at` and prints the same (a test checks this against torch 2.13).
# * In PyTorch you add a rule with `torch.autograd.Function` (a `forward` and a `backward`, as
#   `OnMyEngine` above), and check it with `torch.autograd.gradcheck` in float64.
# * R's `torch` records the same structure (`y$grad_fn$next_functions`); it prints the scalar
#   overloads as `MulBackward1`/`AddBackward1`.
# * The reference solution, `autograd_tutor.teaching`, is tested against the full engine on
#   these graphs and on hundreds of randomly generated ones: the next time a gradient looks
#   wrong, you know every line that computed it. To read the full engine the same way, follow
#   [How to read the engine](../docs/reading-the-engine.md): one multiplication and its
#   `backward()` through `Mul`, `Op.apply`, `iter_backward`, `AccumulateGrad` and `unbroadcast`.

# %% [markdown]
# ## Recap
#
# * A **node** per recorded operation holds `next_functions` (where each input's gradient goes:
#   a `grad_fn`, a leaf's `AccumulateGrad`, or `(None, 0)` for a constant), the values its rule
#   saved, and a sequence number. Its name is PyTorch's: `MulBackward0`, `ClampBackward1`.
# * A **backward rule** multiplies the arriving gradient by the local derivatives, one result
#   per input; finite differences check it without any library.
# * **AccumulateGrad** adds into `.grad`. Within one pass the schedule has already added all
#   paths' contributions, so it runs once per leaf; across `backward()` calls `.grad` adds up,
#   which is why training loops reset it.
# * The **schedule** counts dependencies, seeds the output with 1, and runs the ready node with
#   the highest sequence number first; every node runs exactly once, however many paths meet
#   at it. Saved values are freed after use unless `retain_graph=True`.
# * **Broadcasting** is undone by summing the gradient back to the input's shape: a bias
#   gradient is a sum over the batch. `sum` copies the gradient to every entry, `mean` divides
#   it by $n$, `mm` multiplies by the other factor transposed.
# * Your engine trains the blog's network with the same losses as `autograd_tutor`, and passes
#   `gradcheck`. `autograd_tutor.teaching` is the same engine, tidied up, to reread.
#
# Next: what `backward()` computes when the output is not a single number (vector-Jacobian
# products), and the other way to run the chain rule, forward mode. The
# [cheat sheet](../docs/cheatsheet.md) sums up the autograd API and its errors on one page.
#
# <!-- course-nav -->
# [← Lesson 7: Saved tensors and custom functions](07_saved_tensors_and_custom_functions.ipynb) · [Lesson 9: Vector-Jacobian products, and forward vs reverse mode →](09_vjp_and_forward_mode.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
