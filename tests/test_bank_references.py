"""Every value reference in the bank, recomputed by an independent route.

The engine derives references symbolically (chain rule over the spec's graph). Here
each problem registers an *independent* computation — a plain numpy forward pass with
central finite differences, a simulation, an enumeration, a least-squares fit or a
search — that returns a value for each of its parts:

- ``@numeric(pid)`` functions take the problem's givens (as numpy arrays) and return
  ``{part: value}``;
- ``@formula(pid)`` functions take a point (a value for every symbol) and return
  ``{part: value at that point}``.

The tests below walk every number, vector, matrix and expression part *of the bank*
and compare the engine's reference with the registered value, so a new part without an
independent computation fails by structure (no value for it), not by a text search.
The numbers quoted in problem-bank.md are pinned separately (``QUOTED``): they catch a
wrong given, which an independent route fed the same givens cannot.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from dlcheck.check.registry import get_instance
from dlcheck.spec import bank
from tests.conftest import reference_at

Givens = dict[str, np.ndarray]
NUMERIC: dict[str, Callable[[Givens], dict[str, Any]]] = {}
FORMULA: dict[str, Callable[[dict[str, float]], dict[str, Any]]] = {}
TOLERANCE: dict[tuple[str, str], dict[str, float]] = {}   # (registry, problem): what its route's accuracy allows


def _registrar(name: str, table: dict):
    def register_for(pid: str, rel: float = 1e-6, abs: float = 1e-9):
        def register(fn):
            table[pid] = fn
            TOLERANCE[(name, pid)] = {"rel": rel, "abs": abs}
            return fn
        return register
    return register_for


numeric = _registrar("numeric", NUMERIC)   # @numeric(pid): fn(givens) -> {part: value}
formula = _registrar("formula", FORMULA)   # @formula(pid): fn(point) -> {part: value at the point}


def sig(z):
    return 1 / (1 + np.exp(-z))


def fd(f, x0, h: float = 1e-6) -> np.ndarray:
    """Central finite differences of scalar f at x0 (any shape)."""
    x0 = np.asarray(x0, dtype=float)
    grad = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        up, dn = x0.copy(), x0.copy()
        up[idx] += h
        dn[idx] -= h
        grad[idx] = (f(up) - f(dn)) / (2 * h)
    return grad


def ce(o, y):
    p = np.exp(o - o.max())
    p /= p.sum()
    return -np.sum(y * np.log(p))


# -- backprop ---------------------------------------------------------------------------
@numeric("backprop/q1")
def _backprop_q1(g: Givens) -> dict[str, Any]:
    w0 = np.array([g[f"w{k}"] for k in range(1, 9)], dtype=float)
    b0 = np.array([g["b1"], g["b2"]], dtype=float)

    def forward(w, b):
        h1 = sig(w[0] * g["x1"] + w[2] * g["x2"] + b[0])
        h2 = sig(w[1] * g["x1"] + w[3] * g["x2"] + b[0])
        y1 = sig(w[4] * h1 + w[6] * h2 + b[1])
        y2 = sig(w[5] * h1 + w[7] * h2 + b[1])
        return h1, h2, y1, y2, ((g["t1"] - y1) ** 2 + (g["t2"] - y2) ** 2) / 2

    h1, h2, y1, y2, loss = forward(w0, b0)
    gw = fd(lambda w: forward(w, b0)[-1], w0)
    gb = fd(lambda b: forward(w0, b)[-1], b0)
    out = {"out_h1": h1, "out_h2": h2, "out_y1": y1, "out_y2": y2, "loss": loss,
           "dE_db1": gb[0], "dE_db2": gb[1], "b1_new": b0[0] - g["eta"] * gb[0], "b2_new": b0[1] - g["eta"] * gb[1]}
    for k in range(8):
        out[f"dE_dw{k + 1}"] = gw[k]
        out[f"w{k + 1}_new"] = w0[k] - g["eta"] * gw[k]
    return out


def _q2_f(p: dict[str, float]):
    W1 = np.array([[p["w1_11"], p["w1_12"]], [p["w1_21"], p["w1_22"]]])
    W2 = np.array([[p["w2_11"], p["w2_12"]], [p["w2_21"], p["w2_22"]]])
    v = np.array([p["v1"], p["v2"]])
    x = np.array([p["x1"], p["x2"]])
    return W1, W2, v, x


@formula("backprop/q2", rel=1e-5)
def _backprop_q2(p: dict[str, float]) -> dict[str, Any]:
    W1, W2, v, x = _q2_f(p)
    z1 = W1 @ x

    def f_of_z2(z):
        return v @ sig(z)

    def f_of_z1(z):
        return f_of_z2(W2 @ sig(z))

    def f_of_w111(w):
        W = W1.copy()
        W[0, 0] = w[0]
        return f_of_z1(W @ x)

    d_z2 = fd(f_of_z2, W2 @ sig(z1))
    return {"d_z2_1": d_z2[0], "d_Z2": d_z2, "d_Z1": fd(f_of_z1, z1), "d_w1_11": fd(f_of_w111, [W1[0, 0]])[0]}


@formula("backprop/q3", rel=1e-9, abs=1e-12)
def _backprop_q3(p: dict[str, float]) -> dict[str, Any]:
    # the logistic model that gives softmax's class-1 probability: solve for it, don't assume it
    xs = np.array([-1.0, 0.5, 2.0])
    logit = np.log(np.exp(p["W_s2"] * xs + p["b_s2"]) / np.exp(p["W_s1"] * xs + p["b_s1"]))
    slope, intercept = np.polyfit(xs, logit, 1)
    # the sheet's direction: the second softmax row that, beside the given first row, gives
    # class 1 the logistic model's probability (softmax class 1 = sigmoid(s2 - s1))
    p_logistic = sig(p["Wl"] * xs + p["bl"])
    s2 = np.log(p_logistic / (1 - p_logistic)) + p["W_s1"] * xs + p["b_s1"]
    row_slope, row_intercept = np.polyfit(xs, s2, 1)
    return {"W_l": slope, "b_l": intercept, "W_s2_from_l": row_slope, "b_s2_from_l": row_intercept}


# -- rnn ---------------------------------------------------------------------------------
def _bptt_losses(g: Givens, whh, h1=None) -> list[float]:
    h = g["h_0"].astype(float)
    out = []
    for t in range(3):
        h = whh @ h + g["W_hx"] @ g[f"x_{t + 1}"]
        if t == 0 and h1 is not None:
            h = h1
        out.append(ce(g["W_yh"] @ h, g[f"y_{t + 1}"]))
    return out


@numeric("rnn/q2")
def _rnn_q2(g: Givens) -> dict[str, Any]:
    whh = g["W_hh"].astype(float)
    h1 = g["W_hh"] @ g["h_0"] + g["W_hx"] @ g["x_1"]
    return {"J": sum(_bptt_losses(g, whh)),
            "dJ3_dh1": fd(lambda h: _bptt_losses(g, whh, h)[2], h1),
            "dJ3_dWhh": fd(lambda w: _bptt_losses(g, w)[2], whh),
            "dJ_dWhh": fd(lambda w: sum(_bptt_losses(g, w)), whh)}


@formula("rnn/q2", rel=1e-6)
def _rnn_q2_formula(p: dict[str, float]) -> dict[str, Any]:
    y = np.array([p["y1"], 1 - p["y1"]])
    o = np.array([p["o1"], p["o2"]])
    probs = np.exp(o) / np.exp(o).sum()
    return {"dJ_do": fd(lambda o: ce(o, y), o),
            "dJ_dyhat": fd(lambda q: -np.sum(y * np.log(q)), probs)}   # J as a function of the probabilities


@numeric("rnn/q3", rel=1e-12)
def _rnn_q3(g: Givens) -> dict[str, Any]:
    scores = g["K"] @ g["q"]
    weights = np.exp(scores) / np.exp(scores).sum()
    return {"scores": scores, "hard_output": g["V"][np.argmax(scores)], "soft_weights": weights,
            "soft_output": weights @ g["V"]}


# -- rnn-gradients -------------------------------------------------------------------------
@numeric("rnn-gradients/q1", abs=1e-4)
def _rnn_gradients_q1(g: Givens) -> dict[str, Any]:
    z = np.linspace(-20, 20, 400_001)
    ds = sig(z) * (1 - sig(z))
    return {"max_dsigmoid": ds.max(), "argmax_dsigmoid": z[ds.argmax()], "W_threshold": 1 / ds.max()}


@formula("rnn-gradients/q1", rel=1e-6)
def _rnn_gradients_q1_formula(p: dict[str, float]) -> dict[str, Any]:
    b = float(givens("rnn-gradients/q1")["b"])   # the sheet's b = 0

    def h_next(h):
        return sig(p["U"] * p["x_next"] + p["W"] * h[0] + b)

    def h_3(h0):  # three steps unrolled from h_0
        h = h0[0]
        for x in (p["x_1"], p["x_2"], p["x_3"]):
            h = sig(p["U"] * x + p["W"] * h + b)
        return h

    def skip_paths(h):  # h_t reaches the loss through h_{t+1} (weight W) and h_{t+2} (weight M)
        a1 = p["U"] * p["x_next"] + p["W"] * h[0] + p["M"] * p["h_prev"]
        a2 = p["U"] * p["x_next2"] + p["W"] * p["h_t1"] + p["M"] * h[0]
        return p["g1"] * sig(a1) + p["g2"] * sig(a2)   # linear in the two states: its slope is dL/dh_t

    return {"dL_dht": p["g"] * fd(h_next, [p["h_t"]])[0], "dL_dh0": p["g3"] * fd(h_3, [p["h_0"]])[0],
            "dL_dht_skip": fd(skip_paths, [p["h_t"]])[0]}


@numeric("rnn-gradients/q3")
def _rnn_gradients_q3(g: Givens) -> dict[str, Any]:
    vocab, k = range(int(g["vocab"])), int(g["k"])
    beams = [(t,) for t in vocab][:k]
    return {"candidates_per_step": len([b + (t,) for b in beams for t in vocab])}


# -- seq-models ----------------------------------------------------------------------------
def _linear_rnn(p: dict[str, float], ws: tuple[float, float, float]) -> float:
    """yhat of the three-step linear RNN, each step with its own weight (the sheet's u_0 first)."""
    h = p["h_0"]
    for w, u in zip(ws, (p["u_0"], p["u_1"], p["u_2"])):
        h = w * (u + h)
    return h


@formula("seq-models/q2", rel=1e-6)
def _seq_models_q2(p: dict[str, float]) -> dict[str, Any]:
    w = p["w"]

    def loss(ws) -> float:
        return (p["y"] - _linear_rnn(p, tuple(ws))) ** 2

    # each step's term of dL/dw: the derivative by that step's own copy of w, the others held
    per_step = fd(loss, [w, w, w])
    return {"recurrence": w * (p["u_t"] + p["h_prev"]), "yhat": _linear_rnn(p, (w, w, w)),
            "dL_dw": fd(lambda v: loss([v[0]] * 3), [w])[0],
            # the sheet numbers the terms from the last step: (dL/dw)_1 is step 3's
            "dL_dw_1": per_step[2], "dL_dw_2": per_step[1], "dL_dw_3": per_step[0]}


def _rotation_by_least_squares(freqs: list[float], shift: float) -> np.ndarray:
    """The linear map P_t -> P_{t+shift}, fitted over many positions t."""
    ts = np.linspace(0, 50, 200)

    def enc(s):
        return np.concatenate([np.stack([np.sin(w * s), np.cos(w * s)]) for w in freqs])

    return np.linalg.lstsq(enc(ts).T, enc(ts + shift).T, rcond=None)[0].T


@numeric("seq-models/q4", abs=1e-6)
def _seq_models_q4(g: Givens) -> dict[str, Any]:
    return {"T": _rotation_by_least_squares([float(g["freq_0"]), float(g["freq_1"])], float(g["shift"]))}


@formula("seq-models/q4", abs=1e-9)
def _seq_models_q4_formula(p: dict[str, float]) -> dict[str, Any]:
    M = _rotation_by_least_squares([p["w_k"]], p["phi"])
    return {"M": M, "det_M": np.linalg.det(M), "M_MT": M @ M.T,
            "T_general": _rotation_by_least_squares([p["w_0"], p["w_1"], p["w_2"]], p["phi"])}


# -- attention/q3 (d): GRU gates, found by search ------------------------------------------
def _gru_isolates(z_tp: float, r_tp: float, z_after: float) -> bool:
    """Does h_T depend on x_t' alone (not on other inputs, nor on the state before t')?"""
    rng = np.random.default_rng(8)
    W_xh, W_hh, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)

    def run(xs, h0, tprime=2):
        h = h0
        for t, x in enumerate(xs):
            z = z_tp if t == tprime else (z_after if t > tprime else 0.5)
            r = r_tp if t == tprime else 0.5
            h = z * h + (1 - z) * np.tanh(x @ W_xh + (r * h) @ W_hh + b)
        return h

    xs, h0 = rng.normal(size=(6, 3)), rng.normal(size=4)
    base = run(xs, h0)
    others = xs.copy()
    others[[0, 1, 3, 4, 5]] = rng.normal(size=(5, 3))
    changed = xs.copy()
    changed[2] += 1
    return bool(np.allclose(run(others, rng.normal(size=4)), base) and not np.allclose(run(changed, h0), base))


@numeric("attention/q3")
def _attention_q3(g: Givens) -> dict[str, Any]:
    found = [gates for gates in itertools.product((0.0, 0.5, 1.0), repeat=3) if _gru_isolates(*gates)]
    assert len(found) == 1, found
    return dict(zip(("z_at_tprime", "r_at_tprime", "z_after_tprime"), found[0]))


# -- the numbers quoted in problem-bank.md ---------------------------------------------------
QUOTED: dict[tuple[str, str], Any] = {
    **{("backprop/q1", k): v for k, v in {
        "out_h1": 0.594476, "out_h2": 0.596283, "out_y1": 0.791820, "out_y2": 0.801464, "loss": 0.323394,
        "dE_dw5": 0.076614, "dE_dw6": -0.017834, "dE_dw7": 0.076847, "dE_dw8": -0.017888, "dE_db2": 0.098876,
        "dE_dw1": 0.000459, "dE_dw2": 0.000577, "dE_dw3": 0.000917, "dE_dw4": 0.001154, "dE_db1": 0.020713,
        "w1_new": 0.149771, "w2_new": 0.199711, "w3_new": 0.249541, "w4_new": 0.299423,
        "w5_new": 0.361693, "w6_new": 0.458917, "w7_new": 0.461577, "w8_new": 0.558944,
        "b1_new": 0.339643, "b2_new": 0.750562}.items()},
    ("rnn/q2", "J"): 1.762202,
    ("rnn/q2", "dJ3_dh1"): [0.121026, 0.197099],
    ("rnn/q2", "dJ3_dWhh"): [[-0.363078, -0.363078], [1.711652, 0.778024]],
    ("rnn/q2", "dJ_dWhh"): [[-0.221108, -0.434063], [1.285742, 0.990979]],
    ("rnn/q3", "scores"): [-2, 3, 0, 6],
    ("rnn/q3", "hard_output"): [6, 1, 2],
    ("rnn/q3", "soft_weights"): [0.000319, 0.047299, 0.002355, 0.950027],
    ("rnn/q3", "soft_output"): [5.705193, 1.002036, 1.904764],
    ("rnn-gradients/q1", "max_dsigmoid"): 0.25,
    ("rnn-gradients/q1", "argmax_dsigmoid"): 0,
    ("rnn-gradients/q1", "W_threshold"): 4,
    ("rnn-gradients/q3", "candidates_per_step"): 12,
    ("seq-models/q4", "T"): [[-0.989992, 0.141120, 0, 0], [-0.141120, -0.989992, 0, 0],
                             [0, 0, 0.999550, 0.029996], [0, 0, -0.029996, 0.999550]],
    ("attention/q3", "z_at_tprime"): 0,
    ("attention/q3", "r_at_tprime"): 0,
    ("attention/q3", "z_after_tprime"): 1,
}


# -- the walk over the bank ---------------------------------------------------------------
def value_parts(numeric_parts: bool) -> list[tuple[str, str]]:
    out = []
    for pid in bank.all_ids():
        inst = get_instance(pid)
        for part in inst.part_ref:
            if inst.is_numeric(part) == numeric_parts:
                out.append((pid, part))
    return out


def ref(pid: str, part: str) -> np.ndarray:
    inst = get_instance(pid)
    return np.array(inst.value(inst.part_ref[part]), dtype=float).squeeze()


def givens(pid: str) -> Givens:
    """The problem's given values, as numpy arrays: the inputs an independent route starts from."""
    return givens_of(get_instance(pid))


def givens_of(inst) -> Givens:
    """An instance's given values (the sheet's, or a student's variant), as numpy arrays."""
    out = {}
    for name, leaf in inst.leaves.items():
        if hasattr(leaf, "shape"):
            values = [[float(inst.given_values[s]) for s in leaf.row(i)] for i in range(leaf.rows)]
            out[name] = np.array(values).squeeze(axis=1) if leaf.cols == 1 else np.array(values)
        elif leaf in inst.given_values:
            out[name] = np.float64(inst.given_values[leaf])
    return out


_SAMPLE = {"real": (-1.5, 1.5), "nonzero": (0.2, 1.5), "positive": (0.1, 3.0), "negative": (-3.0, -0.1),
           "probability": (0.05, 0.95), "angle": (-3.0, 3.0)}


@pytest.mark.parametrize("pid, part", value_parts(numeric_parts=True), ids="/".join)
def test_numeric_reference_is_independently_reproduced(pid, part):
    assert pid in NUMERIC, f"{pid} has numeric parts but no @numeric independent computation"
    values = NUMERIC[pid](givens(pid))
    assert part in values, f"{pid}/{part} has no independent check"
    assert ref(pid, part) == pytest.approx(np.array(values[part], dtype=float).squeeze(), **TOLERANCE[("numeric", pid)])


@pytest.mark.parametrize("pid, part", value_parts(numeric_parts=False), ids="/".join)
def test_formula_reference_is_independently_reproduced(pid, part):
    assert pid in FORMULA, f"{pid} has formula parts but no @formula independent computation"
    inst = get_instance(pid)
    rng = np.random.default_rng(zlib.crc32(f"{pid}/{part}".encode()))
    for _ in range(5):
        point = {name: rng.uniform(*_SAMPLE[domain]) for name, domain in inst.spec.problem.symbols.items()}
        values = FORMULA[pid](point)
        assert part in values, f"{pid}/{part} has no independent check"
        got = np.array(reference_at(pid, part, **point), dtype=float).squeeze()
        assert got == pytest.approx(np.array(values[part], dtype=float).squeeze(), **TOLERANCE[("formula", pid)]), point


@pytest.mark.parametrize("key", list(QUOTED), ids="/".join)
def test_numbers_quoted_in_the_problem_bank(key):
    assert ref(*key) == pytest.approx(np.array(QUOTED[key], dtype=float), abs=1e-6)


def test_the_walk_covers_the_bank():
    """Every value part of the bank is in one of the two walks above (none slips through)."""
    walked = set(value_parts(True)) | set(value_parts(False))
    for pid in bank.all_ids():
        for part_id, part in get_instance(pid).spec.problem.parts.items():
            if part.kind in ("number", "vector", "matrix", "expression"):
                assert (pid, part_id) in walked


def test_the_sigmoid_of_the_logistic_model_is_softmax_class_1():
    """backprop/q3's point: sigmoid(W_l x + b_l) equals softmax's class-1 probability."""
    rng = np.random.default_rng(3)
    for _ in range(5):
        ws1, ws2, bs1, bs2, x = rng.uniform(-2, 2, size=5)
        vals = dict(W_s1=ws1, W_s2=ws2, b_s1=bs1, b_s2=bs2, x=x)
        wl, bl = (float(reference_at("backprop/q3", p, **vals)) for p in ("W_l", "b_l"))
        soft = np.exp([ws1 * x + bs1, ws2 * x + bs2])
        assert sig(wl * x + bl) == pytest.approx(soft[1] / soft.sum())


def test_the_per_step_terms_of_seq_models_q2_sum_to_dL_dw():
    """The sheet's (dL/dw)_1 + (dL/dw)_2 + (dL/dw)_3 is the whole gradient, at any point."""
    rng = np.random.default_rng(11)
    for _ in range(5):
        vals = dict(zip(("w", "u_0", "u_1", "u_2", "h_0", "y"), rng.uniform(-1.5, 1.5, size=6)))
        terms = [float(reference_at("seq-models/q2", f"dL_dw_{k}", **vals)) for k in (1, 2, 3)]
        assert sum(terms) == pytest.approx(float(reference_at("seq-models/q2", "dL_dw", **vals)))


def test_the_softmax_row_from_the_logistic_model_makes_the_same_decisions():
    """backprop/q3, the sheet's direction: with any first row, the second row the bank derives
    gives softmax's class 1 the logistic model's probability."""
    rng = np.random.default_rng(5)
    for _ in range(5):
        wl, bl, ws1, bs1, x = rng.uniform(-2, 2, size=5)
        vals = dict(Wl=wl, bl=bl, W_s1=ws1, b_s1=bs1, x=x)
        ws2, bs2 = (float(reference_at("backprop/q3", p, **vals)) for p in ("W_s2_from_l", "b_s2_from_l"))
        soft = np.exp([ws1 * x + bs1, ws2 * x + bs2])
        assert soft[1] / soft.sum() == pytest.approx(sig(wl * x + bl))
