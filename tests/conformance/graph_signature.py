"""Describe a backward graph the same way for torch and autograd_tutor, to compare them."""


def signature(root, leaves=()):
    """Nodes in breadth-first order from ``root``: (name, [(child index or None, nr)]).

    AccumulateGrad children are named by the position of their variable in ``leaves``
    (so the test checks that each edge reaches the right leaf).
    """
    if root is None:
        return None
    order, index = [], {}
    index[root] = 0
    order.append(root)
    i = 0
    while i < len(order):
        node = order[i]
        i += 1
        for child, _ in node.next_functions:
            if child is not None and child not in index:
                index[child] = len(order)
                order.append(child)
    out = []
    for node in order:
        name = type(node).__name__
        if name == "AccumulateGrad":
            var = node.variable
            pos = next((k for k, t in enumerate(leaves) if t is var), "?")
            name = f"AccumulateGrad[{pos}]"
        edges = [
            (index[c] if c is not None else None, nr) for c, nr in node.next_functions
        ]
        out.append((name, edges))
    return out
