"""The lesson's two example graphs, built the same way in our engine and in torch."""


def seed_graph(lib, backward=True):
    """Lesson 'digging deeper': out = mean(3 * (x1 * (x2 + 2))**2)."""
    x1 = lib.ones(2, 2, requires_grad=True)
    x2 = lib.tensor(1.1, requires_grad=True)
    y = x1 * (x2 + 2)
    z = y.pow(2) * 3
    out = z.mean()
    y.retain_grad()
    z.retain_grad()
    if backward:
        out.backward()
    return dict(x1=x1, x2=x2, y=y, z=z, out=out)


def blog_net(lib, backward=True):
    """The blog network's loss graph (seeded)."""
    lib.manual_seed(0)
    n, d_in, d_hidden, d_out = 100, 3, 32, 1
    x = lib.randn(n, d_in)
    y = x[:, 0:1] * 0.2 - x[:, 1:2] * 1.3 - x[:, 2:3] * 0.5 + lib.randn(n, 1)
    w1 = lib.randn(d_in, d_hidden, requires_grad=True)
    b1 = lib.zeros(1, d_hidden, requires_grad=True)
    w2 = lib.randn(d_hidden, d_out, requires_grad=True)
    b2 = lib.zeros(1, d_out, requires_grad=True)
    y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
    loss = (y_pred - y).pow(2).sum()
    if backward:
        loss.backward()
    return dict(x=x, y=y, w1=w1, b1=b1, w2=w2, b2=b2, y_pred=y_pred, loss=loss)
