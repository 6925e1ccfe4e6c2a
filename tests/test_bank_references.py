"""Every reference in the bank, recomputed by an independent route.

The engine derives references symbolically (chain rule over the spec's graph). These
tests recompute them with plain numpy forward passes and central finite differences,
direct simulation, or a hand-written formula, and also against the numbers quoted in
problem-bank.md.
"""

from __future__ import annotations

import numpy as np
import pytest

from dlcheck import engine
from tests.conftest import reference_at


def ref(problem_id: str, part: str):
    inst = engine.load(problem_id)
    return np.array(inst.value(inst.part_ref[part]), dtype=float).squeeze()


def sig(z):
    return 1 / (1 + np.exp(-z))


def fd(f, x0: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite differences of scalar f at x0 (any shape)."""
    x0 = np.asarray(x0, dtype=float)
    grad = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        up, dn = x0.copy(), x0.copy()
        up[idx] += h
        dn[idx] -= h
        grad[idx] = (f(up) - f(dn)) / (2 * h)
    return grad


# -- backprop/q1 ----------------------------------------------------------------------
Q1_W = np.array([0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55])
Q1_B = np.array([0.35, 0.80])


def q1_forward(w, b):
    x1, x2, t1, t2 = 0.05, 0.10, 0.01, 0.99
    h1 = sig(w[0] * x1 + w[2] * x2 + b[0])
    h2 = sig(w[1] * x1 + w[3] * x2 + b[0])
    y1 = sig(w[4] * h1 + w[6] * h2 + b[1])
    y2 = sig(w[5] * h1 + w[7] * h2 + b[1])
    return h1, h2, y1, y2, ((t1 - y1) ** 2 + (t2 - y2) ** 2) / 2


def test_backprop_q1_forward_and_gradients():
    h1, h2, y1, y2, loss = q1_forward(Q1_W, Q1_B)
    for part, value, quoted in [("out_h1", h1, 0.594476), ("out_h2", h2, 0.596283), ("out_y1", y1, 0.791820),
                                ("out_y2", y2, 0.801464), ("loss", loss, 0.323394)]:
        assert ref("backprop/q1", part) == pytest.approx(value, rel=1e-12)
        assert ref("backprop/q1", part) == pytest.approx(np.array(quoted), abs=1e-6)
    gw = fd(lambda w: q1_forward(w, Q1_B)[-1], Q1_W)
    gb = fd(lambda b: q1_forward(Q1_W, b)[-1], Q1_B)
    quoted_w = [0.000459, 0.000577, 0.000917, 0.001154, 0.076614, -0.017834, 0.076847, -0.017888]
    grads = ["dE_dw1", "dE_dw2", "dE_dw3", "dE_dw4", "dE_dw5", "dE_dw6", "dE_dw7", "dE_dw8"]
    news = ["w1_new", "w2_new", "w3_new", "w4_new", "w5_new", "w6_new", "w7_new", "w8_new"]
    for k in range(8):
        assert ref("backprop/q1", grads[k]) == pytest.approx(gw[k], rel=1e-6, abs=1e-10)
        assert ref("backprop/q1", grads[k]) == pytest.approx(quoted_w[k], abs=1e-6)
        assert ref("backprop/q1", news[k]) == pytest.approx(Q1_W[k] - 0.5 * gw[k], abs=1e-9)
    assert ref("backprop/q1", "dE_db1") == pytest.approx(gb[0], rel=1e-6)
    assert ref("backprop/q1", "dE_db2") == pytest.approx(gb[1], rel=1e-6)
    assert ref("backprop/q1", "b1_new") == pytest.approx(0.339643, abs=1e-6)
    assert ref("backprop/q1", "b2_new") == pytest.approx(0.750562, abs=1e-6)
    quoted_new = [0.149771, 0.199711, 0.249541, 0.299423, 0.361693, 0.458917, 0.461577, 0.558944]
    for k in range(8):
        assert ref("backprop/q1", news[k]) == pytest.approx(quoted_new[k], abs=1e-6)


# -- backprop/q2: formulas vs finite differences of a numpy network ----------------------------
def q2_f(p):
    x1, x2, w111, w112, w121, w122, w211, w212, w221, w222, v1, v2 = p
    a1 = sig(np.array([w111 * x1 + w112 * x2, w121 * x1 + w122 * x2]))
    z2 = np.array([w211 * a1[0] + w212 * a1[1], w221 * a1[0] + w222 * a1[1]])
    a2 = sig(z2)
    return v1 * a2[0] + v2 * a2[1], a1, z2


Q2_NAMES = ["x1", "x2", "w1_11", "w1_12", "w1_21", "w1_22", "w2_11", "w2_12", "w2_21", "w2_22", "v1", "v2"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backprop_q2_deltas_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(-1.5, 1.5, size=12)
    values = dict(zip(Q2_NAMES, p))
    _, a1, z2 = q2_f(p)

    def f_of_z2(z):  # f as a function of z2, the rest fixed
        a2 = sig(z)
        return p[10] * a2[0] + p[11] * a2[1]

    dz2 = fd(f_of_z2, z2)

    def f_of_z1(z):
        a = sig(z)
        zz = np.array([p[6] * a[0] + p[7] * a[1], p[8] * a[0] + p[9] * a[1]])
        return f_of_z2(zz)

    z1 = np.array([p[2] * p[0] + p[3] * p[1], p[4] * p[0] + p[5] * p[1]])
    dz1 = fd(f_of_z1, z1)
    assert float(reference_at("backprop/q2", "d_z2_1", **values)) == pytest.approx(dz2[0], rel=1e-6)
    assert np.ravel(reference_at("backprop/q2", "d_Z2", **values)) == pytest.approx(dz2, rel=1e-6)
    assert np.ravel(reference_at("backprop/q2", "d_Z1", **values)) == pytest.approx(dz1, rel=1e-5, abs=1e-9)
    dw = fd(lambda q: q2_f(q)[0], p)[2]  # d f / d w1_11
    assert float(reference_at("backprop/q2", "d_w1_11", **values)) == pytest.approx(dw, rel=1e-5, abs=1e-9)


def test_backprop_q3_matches_hand_formula():
    rng = np.random.default_rng(3)
    for _ in range(5):
        ws1, ws2, bs1, bs2, x = rng.uniform(-2, 2, size=5)
        vals = dict(W_s1=ws1, W_s2=ws2, b_s1=bs1, b_s2=bs2, x=x)
        assert float(reference_at("backprop/q3", "W_l", **vals)) == pytest.approx(ws2 - ws1, rel=1e-9)
        assert float(reference_at("backprop/q3", "b_l", **vals)) == pytest.approx(bs2 - bs1, rel=1e-9, abs=1e-12)
        # and the point of it: sigmoid(W_l x + b_l) is softmax's class-1 probability
        soft = np.exp([ws1 * x + bs1, ws2 * x + bs2])
        assert sig((ws2 - ws1) * x + (bs2 - bs1)) == pytest.approx(soft[1] / soft.sum())


# -- rnn/q2: BPTT by numpy and finite differences -----------------------------------------
WHH = np.array([[0.5, -0.3], [0.2, 0.4]])
WHX = np.array([[1, 0.5], [-0.5, 1]])
WYH = np.array([[1, -1], [0.5, 0.5]])
XS = [np.array([1, 0]), np.array([0, 1]), np.array([1, 1])]
YS = [np.array([1, 0]), np.array([0, 1]), np.array([1, 0])]


def ce(o, y):
    p = np.exp(o - o.max())
    p /= p.sum()
    return -np.sum(y * np.log(p))


def losses(whh, h1=None):
    h = np.zeros(2)
    out = []
    for t in range(3):
        h = whh @ h + WHX @ XS[t]
        if t == 0 and h1 is not None:
            h = h1
        out.append(ce(WYH @ h, YS[t]))
    return out


def test_rnn_q2_numbers():
    assert float(ref("rnn/q2", "J")) == pytest.approx(sum(losses(WHH)), rel=1e-12)
    assert float(ref("rnn/q2", "J")) == pytest.approx(1.762202, abs=1e-6)
    h1 = WHX @ XS[0]
    assert ref("rnn/q2", "dJ3_dh1") == pytest.approx(fd(lambda h: losses(WHH, h)[2], h1), rel=1e-6)
    assert ref("rnn/q2", "dJ3_dh1") == pytest.approx([0.121026, 0.197099], abs=1e-6)
    assert ref("rnn/q2", "dJ3_dWhh") == pytest.approx(fd(lambda w: losses(w)[2], WHH), rel=1e-6)
    assert ref("rnn/q2", "dJ3_dWhh") == pytest.approx(np.array([[-0.363078, -0.363078], [1.711652, 0.778024]]), abs=1e-6)
    assert ref("rnn/q2", "dJ_dWhh") == pytest.approx(fd(lambda w: sum(losses(w)), WHH), rel=1e-6)
    assert ref("rnn/q2", "dJ_dWhh") == pytest.approx(np.array([[-0.221108, -0.434063], [1.285742, 0.990979]]), abs=1e-6)


def test_rnn_q2_dJ_do_matches_finite_differences():
    rng = np.random.default_rng(4)
    for _ in range(5):
        o1, o2 = rng.uniform(-3, 3, size=2)
        y1 = rng.uniform(0, 1)
        grad = fd(lambda o: ce(o, np.array([y1, 1 - y1])), np.array([o1, o2]))
        got = np.ravel(reference_at("rnn/q2", "dJ_do", o1=o1, o2=o2, y1=y1))
        assert got == pytest.approx(grad, rel=1e-6, abs=1e-9)


# -- rnn/q3 -------------------------------------------------------------------------
def test_rnn_q3_attention():
    q = np.array([1, -1, -1])
    keys = np.array([[3, 2, 3], [6, 2, 1], [0, 1, -1], [0, -2, -4]])
    vals = np.array([[1, 0, 0], [0, 1, 0], [2, 2, 2], [6, 1, 2]])
    scores = keys @ q
    weights = np.exp(scores) / np.exp(scores).sum()
    assert ref("rnn/q3", "scores") == pytest.approx(scores)
    assert ref("rnn/q3", "hard_output") == pytest.approx(vals[np.argmax(scores)])
    assert ref("rnn/q3", "soft_weights") == pytest.approx(weights, rel=1e-12)
    assert ref("rnn/q3", "soft_output") == pytest.approx(weights @ vals, rel=1e-12)
    assert ref("rnn/q3", "soft_weights") == pytest.approx([0.000319, 0.047299, 0.002355, 0.950027], abs=1e-6)
    assert ref("rnn/q3", "soft_output") == pytest.approx([5.705193, 1.002036, 1.904764], abs=1e-6)


# -- rnn-gradients ---------------------------------------------------------------------
def test_rnn_gradients_q1_numbers():
    z = np.linspace(-20, 20, 400_001)
    ds = sig(z) * (1 - sig(z))
    assert float(ref("rnn-gradients/q1", "max_dsigmoid")) == pytest.approx(ds.max(), rel=1e-9)
    assert float(ref("rnn-gradients/q1", "max_dsigmoid")) == pytest.approx(0.25, rel=1e-9)
    assert float(ref("rnn-gradients/q1", "argmax_dsigmoid")) == pytest.approx(z[ds.argmax()], abs=1e-4)
    assert float(ref("rnn-gradients/q1", "W_threshold")) == pytest.approx(1 / ds.max(), rel=1e-9)


def test_rnn_gradients_q1_formulas():
    rng = np.random.default_rng(5)
    for _ in range(5):
        g, U, W, b, xn, ht = rng.uniform(-2, 2, size=6)
        dh = fd(lambda h: sig(U * xn + W * h[0] + b), np.array([ht]))[0]
        got = float(reference_at("rnn-gradients/q1", "dL_dht", g=g, U=U, W=W, b=b, x_next=xn, h_t=ht))
        assert got == pytest.approx(g * dh, rel=1e-6)
        g1, g2, a1, a2, M = rng.uniform(-2, 2, size=5)
        want = g1 * sig(a1) * (1 - sig(a1)) * W + g2 * sig(a2) * (1 - sig(a2)) * M
        got = float(reference_at("rnn-gradients/q1", "dL_dht_skip", g1=g1, g2=g2, a1=a1, a2=a2, W=W, M=M))
        assert got == pytest.approx(want, rel=1e-9)


def test_rnn_gradients_q3_candidates_by_enumeration():
    vocab, k = range(4), 3
    beams = [(t,) for t in vocab][:k]  # after the first step k beams are kept
    candidates = [b + (t,) for b in beams for t in vocab]
    assert float(ref("rnn-gradients/q3", "candidates_per_step")) == len(candidates) == 12


# -- seq-models ------------------------------------------------------------------------
def test_seq_models_q2_formulas():
    rng = np.random.default_rng(6)

    def yhat(p):
        w, u1, u2, u3, h0 = p
        h = h0
        for u in (u1, u2, u3):
            h = w * (u + h)
        return h

    for _ in range(5):
        p = rng.uniform(-1.5, 1.5, size=6)
        w, u1, u2, u3, h0, y = p
        vals = dict(w=w, u1=u1, u2=u2, u3=u3, h0=h0, y=y)
        assert float(reference_at("seq-models/q2", "yhat", **vals)) == pytest.approx(yhat(p[:5]), rel=1e-12)
        grad = fd(lambda q: (y - yhat(np.r_[q, p[1:5]])) ** 2, np.array([w]))[0]
        assert float(reference_at("seq-models/q2", "dL_dw", **vals)) == pytest.approx(grad, rel=1e-6)


def test_seq_models_q4_rotation():
    rng = np.random.default_rng(7)
    for _ in range(5):
        wk, phi, t = rng.uniform(0.1, 3), rng.uniform(-3, 3), rng.uniform(-5, 5)
        m = np.array(reference_at("seq-models/q4", "M", w_k=wk, phi=phi, t=t), dtype=float)
        p = lambda s: np.array([np.sin(wk * s), np.cos(wk * s)])  # noqa: E731
        assert m @ p(t) == pytest.approx(p(t + phi), abs=1e-12)
        assert float(reference_at("seq-models/q4", "det_M", w_k=wk, phi=phi, t=t)) == pytest.approx(1.0)
    # T: least squares over many positions recovers the map P_t -> P_{t+3}
    ts = np.linspace(0, 50, 200)
    enc = lambda s: np.stack([np.sin(s), np.cos(s), np.sin(s / 100), np.cos(s / 100)])  # noqa: E731
    T_ls = np.linalg.lstsq(enc(ts).T, enc(ts + 3).T, rcond=None)[0].T
    assert ref("seq-models/q4", "T") == pytest.approx(T_ls, abs=1e-6)
    quoted = [[-0.989992, 0.141120, 0, 0], [-0.141120, -0.989992, 0, 0],
              [0, 0, 0.999550, 0.029996], [0, 0, -0.029996, 0.999550]]
    assert ref("seq-models/q4", "T") == pytest.approx(np.array(quoted), abs=1e-6)


# -- attention/q3 (d): GRU gates, by simulation ----------------------------------------
def test_attention_q3_gates_isolate_one_input():
    rng = np.random.default_rng(8)
    z_tp, r_tp, z_after = (float(ref("attention/q3", p)) for p in ("z_at_tprime", "r_at_tprime", "z_after_tprime"))
    W_xh, W_hh, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)

    def run(xs, tprime):
        h = rng_h0.copy()
        for t, x in enumerate(xs):
            z = z_tp if t == tprime else (z_after if t > tprime else 0.5)
            r = r_tp if t == tprime else 0.5
            cand = np.tanh(x @ W_xh + (r * h) @ W_hh + b)
            h = z * h + (1 - z) * cand
        return h

    rng_h0 = rng.normal(size=4)
    xs = rng.normal(size=(6, 3))
    base = run(xs, 2)
    other = xs.copy()
    other[[0, 1, 3, 4, 5]] = rng.normal(size=(5, 3))
    rng_h0 = rng.normal(size=4)  # a different past state too
    assert run(other, 2) == pytest.approx(base)
    changed = xs.copy()
    changed[2] += 1
    assert not np.allclose(run(changed, 2), base)


def test_every_numeric_part_is_tested_here():
    """A new numeric part must come with a check in this file."""
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    from dlcheck.spec import bank

    for pid in bank.all_ids():
        inst = engine.load(pid)
        for part_id, part in inst.spec.problem.parts.items():
            if part.kind in ("number", "vector", "matrix", "expression"):
                assert f'"{part_id}"' in source, f"{pid}/{part_id} has no independent check"

