"""Conformance of ``inference_mode`` with torch 2.13: which tensors are inference
tensors, how grad mode and the mode nest, the decorator forms, and torch's errors when
inference tensors meet autograd or in-place changes outside inference mode."""

import autograd_tutor as at


def _outcome(fn):
    try:
        result = fn()
    except Exception as e:  # noqa: BLE001  (compared with torch's)
        return type(e).__name__, str(e).replace("torch.", "at.")
    return result.tolist() if hasattr(result, "tolist") else result


def _facts(L):
    facts = {"before": L.is_inference_mode_enabled()}
    w = L.ones(2, requires_grad=True)
    x = L.ones(2)
    with L.inference_mode():
        facts["inside"] = (L.is_inference_mode_enabled(), L.is_grad_enabled())
        a = L.ones(2)
        b = L.tensor([1.0, 2.0], requires_grad=True)
        y = w * 2
        v, vw = x[0:1], w[0:1]
        facts["made"] = (a.is_inference(), b.is_inference(), b.requires_grad)
        facts["results"] = (y.is_inference(), y.requires_grad, y.grad_fn is None)
        facts["views of normal"] = (
            v.is_inference(),
            vw.is_inference(),
            vw.requires_grad,
        )
        facts["view of inference"] = a[0:1].is_inference()
        x.add_(1)  # a normal tensor may change in place inside
        facts["normal version"] = x._version
        a.add_(1)  # so may an inference tensor
        facts["requires_grad_ inside"] = a.clone().requires_grad_().requires_grad
        with L.inference_mode(False):
            facts["off inside"] = (
                L.is_inference_mode_enabled(),
                L.is_grad_enabled(),
                L.ones(1).is_inference(),
            )
        with L.no_grad():
            facts["no_grad inside"] = L.is_inference_mode_enabled()
    facts["after"] = (L.is_inference_mode_enabled(), L.is_grad_enabled())
    with L.no_grad():
        facts["no_grad is not inference"] = L.ones(1).is_inference()
    facts["outside"] = (
        (a + 1).is_inference(),
        a.clone().is_inference(),
        a.detach().is_inference(),
        a[0:1].is_inference(),
        x.is_inference(),
    )

    def setitem():
        a[0] = 3.0

    def saved():
        (w * a).sum().backward()

    def not_saved():
        (w + a).sum().backward()
        return [round(g, 4) for g in w.grad.tolist()]  # float32 exp: ulps differ

    def leaf_grad():  # an inference leaf that requires grad, in a graph made outside
        b.mul(2).sum().backward()
        return b.grad.tolist()

    facts["errors"] = [
        _outcome(lambda: a._version),
        _outcome(lambda: a.add_(1)),
        _outcome(lambda: a.zero_()),
        _outcome(lambda: a.fill_(2.0)),
        _outcome(lambda: a.copy_(x)),
        _outcome(setitem),
        _outcome(lambda: a.requires_grad_()),
        _outcome(saved),
        _outcome(lambda: (a * w).sum().backward()),
        _outcome(lambda: (a.exp() * w).sum().backward()),  # a.exp() is normal
        _outcome(not_saved),
        _outcome(leaf_grad),
        _outcome(lambda: v.add_(1)),
        _outcome(lambda: v.mul_(w)),
    ]

    class Keep(L.autograd.Function):  # saves its second input
        @staticmethod
        def forward(ctx, t, u):
            ctx.save_for_backward(u)
            return t * 2

        @staticmethod
        def backward(ctx, g):
            return g, None

    facts["custom saves"] = [
        _outcome(lambda: Keep.apply(w, a).requires_grad),
        _outcome(lambda: Keep.apply(a, w).requires_grad),
        _outcome(lambda: Keep.apply(a, a).requires_grad),
    ]

    @L.inference_mode()
    def called(t):
        return t * 2, L.is_inference_mode_enabled()

    @L.inference_mode
    def bare(t):
        return t * 2

    @L.inference_mode(False)
    def off(t):
        return L.is_inference_mode_enabled(), L.is_grad_enabled()

    out, on = called(w)
    facts["decorated"] = (out.is_inference(), out.requires_grad, on)
    facts["bare"] = (bare(w).is_inference(), bare.__name__)
    facts["off decorated"] = off(w)
    with L.inference_mode():
        facts["off decorated inside"] = off(w)
    facts["not a block"] = L.is_inference_mode_enabled()  # making one switches nothing
    L.inference_mode()
    facts["not a block"] = (facts["not a block"], L.is_inference_mode_enabled())
    return facts


def test_inference_mode_matches_torch(torch):
    expected = _facts(torch)
    got = _facts(at)
    for key in expected:
        assert got[key] == expected[key], key
    assert got == expected
