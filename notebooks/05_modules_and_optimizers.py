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
# # Lesson 5 of 10: Modules and optimizers
# <!-- course-nav -->
# [← Lesson 4: The network, now with autograd](04_network_with_autograd.ipynb) · [Lesson 6: How backward() runs →](06_under_the_hood.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
#
# In lesson 4 autograd computed the gradients, but two things were still written by hand: the
# forward pass, operation by operation, and the update, weight by weight. PyTorch packages both:
#
# - **modules** (`at.nn`, PyTorch's `torch.nn`) hold their weights and know their forward pass;
# - **optimizers** (`at.optim`, PyTorch's `torch.optim`) know how to update the weights and how
#   to zero their gradients.
#
# We build the *same* network again and check, number by number, that nothing changed but the
# amount of code.
#
# **In this lesson you will**
#
# - build the network from `nn.Linear`, `nn.ReLU` and `nn.Sequential`, and as your own
#   `nn.Module` subclass,
# - train it with `optim.SGD` and get lesson 4's numbers,
# - freeze parameters so that training leaves them alone, and evaluate without recording,
# - swap in momentum and Adam.

# %%
import numpy as np

import autograd_tutor as at
import matplotlib.pyplot as plt

# %% [markdown]
# Exercises use `at.widgets.PredictReveal`: type your prediction, press *check*; a wrong
# answer gets a hint and another try, and *reveal* shows the engine's answer once you have
# tried.
#
# ## The data (and lesson 4's starting weights)

# %%
at.manual_seed(0)
d_in, d_hidden, d_out, n = 3, 32, 1, 100
x = at.randn(n, d_in)
y = x[:, 0:1] * 0.2 - x[:, 1:2] * 1.3 - x[:, 2:3] * 0.5 + at.randn(n, 1)
w1_start = at.randn(d_in, d_hidden)   # lesson 4's starting weights, drawn in the same order
w2_start = at.randn(d_hidden, d_out)

# %% [markdown]
# ## A layer as a module: `Linear`
#
# `at.nn.Linear(in_features, out_features)` computes $x W^\top + b$. It creates its weight and
# bias as **parameters**: tensors with `requires_grad=True` that the module registers, so you
# never write `requires_grad` yourself.

# %%
layer = at.nn.Linear(d_in, d_hidden)
for name, p in layer.named_parameters():
    print(f"{name:7} shape {tuple(p.shape)}  requires_grad={p.requires_grad}")

# %% [markdown]
# **Exercise 1.** Why is the weight `(32, 3)` and not `(3, 32)` like lesson 4's `w1`? Because the
# layer multiplies by the *transpose*. So what does `layer(x)` return for our `x` of shape
# `(100, 3)`? Type the shape as two numbers, e.g. `10, 4`.

# %% tags=["autograd-tutor-only"]
at.widgets.PredictReveal(
    compute=lambda: tuple(layer(x).shape),
    question="What is the shape of layer(x)?",
    hints=["x W^T is (100, 3) @ (3, 32): the rows of x, the columns of W^T."],
    explain="(100, 3) @ (3, 32) = (100, 32): one row of 32 hidden values per example.",
)


# %% [markdown]
# A re-implementation of the layer's forward pass, checked against the module:

# %%
def my_linear(x, weight, bias):
    """y = x W^T + b, what at.nn.Linear computes."""
    return x.mm(weight.t()).add(bias)


print("my_linear matches at.nn.Linear:",
      np.allclose(my_linear(x, layer.weight, layer.bias).detach().numpy(),
                  layer(x).detach().numpy(), atol=1e-6))

# %% [markdown]
# ## The whole network: `Sequential`
#
# `at.nn.Sequential` chains modules: the output of each is the input of the next. Lesson 4's
# `x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)` becomes:

# %%
model = at.nn.Sequential(
    at.nn.Linear(d_in, d_hidden),
    at.nn.ReLU(),
    at.nn.Linear(d_hidden, d_out),
)
model


# %% [markdown]
# The modules start from their own random weights. To compare with lesson 4 number by number, we
# copy lesson 4's starting weights in (transposed, and biases at zero), under `no_grad()` since
# this is not part of the model's computation:

# %%
def load_lesson4_start(model):
    with at.no_grad():
        model[0].weight.copy_(w1_start.t())
        model[0].bias.zero_()
        model[2].weight.copy_(w2_start.t())
        model[2].bias.zero_()


load_lesson4_start(model)
print("parameters:", [name for name, _ in model.named_parameters()])
print("numbers to learn:", sum(p.numel() for p in model.parameters()))

# %% [markdown]
# The loss is a module too. `at.nn.MSELoss()` averages the squared errors by default; lesson 4
# summed them, which is `reduction="sum"`:

# %%
loss_fn = at.nn.MSELoss(reduction="sum")
loss = loss_fn(model(x), y)
loss

# %% [markdown]
# 7149.34: lesson 4's starting loss. Note the node name `MseLossBackward0`: the loss module
# records one node where lesson 4 recorded `Sub`, `Pow` and `Sum`.
#
# ## Your own module: subclass `nn.Module`
#
# `Sequential` only chains modules one after the other. For anything else (two inputs, a skip
# connection, a loop) you write a module yourself: subclass `at.nn.Module`, create the layers
# in `__init__`, and say what happens to the input in `forward`. Layers assigned as attributes
# are registered automatically, and so are their parameters:

# %%
class TwoLayerNet(at.nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()  # sets up the registry of parameters and submodules
        self.hidden = at.nn.Linear(d_in, d_hidden)
        self.output = at.nn.Linear(d_hidden, d_out)

    def forward(self, x):
        return self.output(self.hidden(x).clamp(min=0))


net = TwoLayerNet(d_in, d_hidden, d_out)
net

# %% [markdown]
# Calling `net(x)` runs `forward(x)`. With lesson 4's starting weights copied in, it computes
# exactly what the `Sequential` model computes:

# %%
with at.no_grad():
    net.hidden.weight.copy_(w1_start.t())
    net.hidden.bias.zero_()
    net.output.weight.copy_(w2_start.t())
    net.output.bias.zero_()
print("parameters:", [name for name, _ in net.named_parameters()])
print("same loss as the Sequential model:", round(loss_fn(net(x), y).item(), 2))

# %% [markdown]
# ## Training with modules
#
# The forward pass is now `model(x)`. The update still loops over the weights, which the model
# hands out with `model.parameters()`, and `model.zero_grad()` resets all their gradients:

# %%
learning_rate = 1e-4
for t in range(200):
    loss = loss_fn(model(x), y)
    if t % 50 == 0:
        print(f"iteration {t:3d}   loss {loss.item():9.2f}")
    loss.backward()
    with at.no_grad():
        for p in model.parameters():
            p.sub_(learning_rate * p.grad)
    model.zero_grad()
print(f"final loss {loss.item():.2f}")

# %% [markdown]
# Compare with lesson 4's printout: 7149.34, 89.90, 76.59, 70.06. The same network, the same
# arithmetic.
#
# ## Optimizers
#
# The update loop is itself a reusable piece: **stochastic gradient descent**. `at.optim.SGD`
# takes the parameters and the learning rate. The training step becomes the three lines you will
# see in almost every PyTorch program:

# %%
model = at.nn.Sequential(
    at.nn.Linear(d_in, d_hidden), at.nn.ReLU(), at.nn.Linear(d_hidden, d_out)
)
load_lesson4_start(model)
optimizer = at.optim.SGD(model.parameters(), lr=1e-4)

sgd_losses = []
for t in range(200):
    loss = loss_fn(model(x), y)
    sgd_losses.append(loss.item())
    optimizer.zero_grad()  # gradients from the last step are used up
    loss.backward()        # fill p.grad for every parameter
    optimizer.step()       # p -= lr * p.grad, without recording
print(f"final loss {sgd_losses[-1]:.2f}")


# %% [markdown]
# `optimizer.step()` is the `no_grad()` loop of `sub_` calls. Here is that re-implementation,
# checked against `SGD` on two identical models after one backward pass:

# %%
def my_sgd_step(params, lr):
    """Plain gradient descent: what at.optim.SGD(params, lr).step() does."""
    with at.no_grad():
        for p in params:
            p.sub_(lr * p.grad)


twins = []
for _ in range(2):
    twin = at.nn.Sequential(
        at.nn.Linear(d_in, d_hidden), at.nn.ReLU(), at.nn.Linear(d_hidden, d_out)
    )
    load_lesson4_start(twin)
    loss_fn(twin(x), y).backward()
    twins.append(twin)

my_sgd_step(list(twins[0].parameters()), lr=1e-4)
at.optim.SGD(twins[1].parameters(), lr=1e-4).step()
print("my_sgd_step matches at.optim.SGD:", all(
    np.allclose(a.detach().numpy(), b.detach().numpy())
    for a, b in zip(twins[0].parameters(), twins[1].parameters())
))

# %% [markdown]
# `zero_grad()` sets the gradients to `None` (PyTorch's default, `set_to_none=True`) rather than
# to zeros; the next `backward()` then creates them fresh instead of adding to them:

# %%
optimizer.zero_grad()
print(model[0].bias.grad)


# %% [markdown]
# ## Freezing parameters
#
# Sometimes part of a model must stay as it is, for example a pretrained first layer while you
# train only the last one. Switch its parameters' `requires_grad` off with `requires_grad_(False)`:
# `backward()` then leaves their `.grad` at `None`, and the optimizer skips parameters without a
# gradient.
#
# **Exercise 2.** With the first layer of our network frozen, how many numbers does one
# `optimizer.step()` change? (The whole model has 161.)

# %% tags=["autograd-tutor-only"]
def numbers_trained_with_first_layer_frozen():
    frozen = at.nn.Sequential(
        at.nn.Linear(d_in, d_hidden), at.nn.ReLU(), at.nn.Linear(d_hidden, d_out)
    )
    frozen[0].requires_grad_(False)
    return sum(p.numel() for p in frozen.parameters() if p.requires_grad)


at.widgets.PredictReveal(
    compute=numbers_trained_with_first_layer_frozen,
    question="How many numbers does a step change with the first layer frozen?",
    hints=["Only the last layer trains: a Linear(32, 1) has a 1x32 weight and one bias."],
    explain="32 + 1 = 33; the first layer's 96 + 32 = 128 numbers stay as they are.",
)

# %% [markdown]
# Now for real: freeze the first layer, train for a few steps, and check which weights moved.

# %% jupyter={"outputs_hidden": true} tags=["reveals-answer"]
model = at.nn.Sequential(
    at.nn.Linear(d_in, d_hidden), at.nn.ReLU(), at.nn.Linear(d_hidden, d_out)
)
load_lesson4_start(model)
model[0].requires_grad_(False)  # every parameter of the first layer
optimizer = at.optim.SGD(model.parameters(), lr=1e-4)
first_before = model[0].weight.detach().clone()
last_before = model[2].weight.detach().clone()
for t in range(5):
    optimizer.zero_grad()
    loss_fn(model(x), y).backward()
    optimizer.step()

print("first layer: grad", model[0].weight.grad,
      "| changed:", not np.allclose(model[0].weight.detach().numpy(), first_before.numpy()))
print("last layer: grad shape", tuple(model[2].weight.grad.shape),
      "| changed:", not np.allclose(model[2].weight.detach().numpy(), last_before.numpy()))
print("numbers trained:", sum(p.numel() for p in model.parameters() if p.requires_grad))

# %% [markdown]
# `model[0].requires_grad_(False)` is the module's shortcut for calling `p.requires_grad_(False)`
# on each of its parameters. (Passing only the trainable ones to the optimizer,
# `SGD(model[2].parameters(), ...)`, is the other common way; freezing also saves the backward
# pass the work of computing the frozen gradients.)
#
# ## Evaluating: `eval()` and `no_grad()`
#
# Two different switches are used when you evaluate a model, and they are often confused:
#
# - `model.eval()` puts the modules in evaluation **mode** (`model.train()` switches back). It
#   matters for layers that behave differently while training, such as dropout or batch
#   normalisation; our network has none, so nothing changes here. It does **not** stop recording.
# - `with at.no_grad():` stops **recording**, as in lesson 4.

# %%
model.eval()
print("training mode:", model.training)
print("recorded in eval mode:", model(x).requires_grad)
with at.no_grad():
    print("recorded under no_grad:", model(x).requires_grad)
model.train()
print("training mode:", model.training)

# %% [markdown]
# ## Momentum and Adam
#
# Swapping the optimizer is a one-line change. **Momentum** keeps a running sum of past
# gradients, a "velocity" $v \leftarrow \mu v + g$, and steps along it: consistent directions
# speed up. **Adam** also scales each parameter's step by a running estimate of its gradient's
# size, so the learning rate means roughly "how far each weight moves per step".

# %%
def train(make_optimizer, iterations=200):
    model = at.nn.Sequential(
        at.nn.Linear(d_in, d_hidden), at.nn.ReLU(), at.nn.Linear(d_hidden, d_out)
    )
    load_lesson4_start(model)
    optimizer = make_optimizer(model.parameters())
    losses = []
    for t in range(iterations):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


runs = {
    "SGD, lr=1e-4": sgd_losses,
    "SGD + momentum 0.5, lr=1e-4": train(
        lambda ps: at.optim.SGD(ps, lr=1e-4, momentum=0.5)
    ),
    "Adam, lr=0.03": train(lambda ps: at.optim.Adam(ps, lr=0.03)),
}
for label, losses in runs.items():
    print(f"{label:28} loss after 200 iterations: {losses[-1]:7.2f}")

# %%
fig, ax = plt.subplots(figsize=(6, 3))
for label, losses in runs.items():
    ax.plot(losses, label=label)
ax.set_yscale("log")
ax.set_xlabel("iteration")
ax.set_ylabel("sum of squared errors")
ax.legend()
plt.show()


# %% [markdown]
# **Exercise 3.** A single parameter `p = 0` has gradient 1 at every step (its loss is `p`).
# With `SGD(lr=0.1, momentum=0.9)`, where is `p` after **two** steps? (PyTorch's momentum: the
# first step uses $v = g$, later steps $v \leftarrow 0.9\,v + g$, and $p \leftarrow p - 0.1\,v$.)

# %% tags=["autograd-tutor-only"]
def p_after_two_momentum_steps():
    p = at.zeros(1, requires_grad=True)
    optimizer = at.optim.SGD([p], lr=0.1, momentum=0.9)
    for _ in range(2):
        optimizer.zero_grad()
        p.sum().backward()
        optimizer.step()
    return p.detach()


at.widgets.PredictReveal(
    compute=p_after_two_momentum_steps,
    question="Where is p after two momentum steps?",
    hints=["Step 1: v = 1, so p = 0 - 0.1 * 1.", "Step 2: v = 0.9 * 1 + 1 = 1.9."],
    mistakes={"-0.2": "That is plain SGD; momentum makes the second step longer."},
    explain="p = -0.1 after the first step, then -0.1 - 0.1 * 1.9 = -0.29.",
)

# %% [markdown]
# ## What we built
#
# From lesson 1 to here the program shrank from hand-derived gradients to
#
# ```python
# loss = loss_fn(model(x), y)
# optimizer.zero_grad()
# loss.backward()
# optimizer.step()
# ```
#
# and every step in between produced the same numbers. Lesson 6 opens the engine that
# `backward()` runs.
#
# ## Moving to real PyTorch
#
# - Replace `at.` by `torch.`: `torch.nn.Linear`, `torch.nn.Sequential`, `torch.nn.ReLU`,
#   `torch.nn.MSELoss(reduction="sum")`, `torch.optim.SGD`, `torch.optim.Adam`,
#   `optimizer.zero_grad()`, `optimizer.step()` and `model.parameters()` are PyTorch's names.
#   PyTorch draws its own starting weights (a scaled uniform distribution), so without
#   `load_lesson4_start` the numbers differ.
# - R's `torch` spells them `nn_linear(3, 32)`, `nn_sequential(...)`, `nn_relu()`,
#   `nn_mse_loss(reduction = "sum")`, `optim_sgd(model$parameters, lr = 1e-4)`,
#   `optimizer$zero_grad()`, `optimizer$step()`. R indexes the layers of a sequential model
#   from 1, Python from 0 (`model[0]`); a custom module is an `nn_module()` in R and a subclass
#   of `nn.Module` with `__init__` and `forward` in Python.

# %% [markdown]
# ## Recap
#
# - A module holds its parameters (registered when assigned as attributes, with
#   `requires_grad=True`) and its forward pass; `model(x)` calls `forward(x)`.
# - `nn.Sequential` chains modules; anything else is a subclass of `nn.Module` with `__init__`
#   and `forward`.
# - An optimizer does the `no_grad()` update (`step()`) and clears the gradients
#   (`zero_grad()`, which sets them to `None`); the training step is `zero_grad()`, forward,
#   loss, `backward()`, `step()`.
# - `requires_grad_(False)` freezes parameters; `model.eval()` changes a module's mode, while
#   `no_grad()` stops recording.
# - Momentum and Adam are one-line swaps of the optimizer.
#
# Next: what `backward()` does inside, and in which order.
#
# <!-- course-nav -->
# [← Lesson 4: The network, now with autograd](04_network_with_autograd.ipynb) · [Lesson 6: How backward() runs →](06_under_the_hood.ipynb) · [Cheat sheet](../docs/cheatsheet.md)
