"""authors.py — the authors' ISR network as their code ran it (paper §3), in numpy.

Their ISR reads a "state-action" tensor of raw minigrid codes, 9×9×5 per transition
(`state_action`): per view cell its object, colour and state, a goal channel, and the action
written at the agent's cell (left = 0 writes nothing). Raw codes tell an empty cell (1, 0, 0)
from an unseen one (0, 0, 0), and the agent's cell holds its absolute heading (10, 0, dir).
The tensor went into torch's Conv2d without a permute, so the 9 egocentric rows are the
input channels and the 2×2 kernels slide over (column, feature):

    Conv(9→16, 2×2) + ReLU → 16×8×4,  Conv(16→32, 2×2) + ReLU → 32×7×3,
    flatten (channel, column, feature) → 672,  Linear 32 + ReLU, Linear 32 + ReLU, Linear 1.

The convolutions keep torch's default initialization (Kaiming-uniform with a = √5: weights
and biases uniform in ±1/√fan_in); the linear layers are orthogonal with gain √2, biases 0.
The output is the raw, unbounded R_i. Training is isr.py's, as `isr.AUTHORS` sets it
(batch 1, Adam at 3e-4 with ε 1e-5, one pass, gradient norm clipped at 1): `train_step`.

Every array has a leading model axis M, as in isr.py. A convolution is an index gather of
2×2 patches (`patches`) and a batched matrix product; its backward pass adds the patches'
gradients back onto the cells they came from (`add_patches`).

Public names: COLOUR, state_action, init_params, patches, add_patches, forward, backward,
predict, train_step.
"""
import numpy as np

import isr
from env import AGENT, GOAL, WALL

COLOUR = {WALL: 5, GOAL: 1}     # minigrid's colour index of the objects in view (grey, green)
KERNEL = 2                      # the convolutions' 2×2 kernels, stride 1, no padding


def state_action(views, headings, actions):
    """(..., 9, 9, 5) float32: the authors' ISR input for views (..., 9, 9) of cell codes
    (env.UNSEEN, EMPTY, WALL, GOAL, AGENT), the agent's absolute headings (...) and the
    actions taken (...): object, colour, state (the heading at the agent's cell), goal, action."""
    views = np.asarray(views)
    agent = views == AGENT
    colour = np.select([views == code for code in COLOUR], list(COLOUR.values()), 0)
    at_agent = lambda values: np.where(agent, np.asarray(values)[..., None, None], 0)
    channels = [views, colour, at_agent(headings), views == GOAL, at_agent(actions)]
    return np.stack(channels, axis=-1).astype(np.float32)


def init_params(n_models, rng, rows=9, columns=9, features=5, dtype=np.float32):
    """The network's weights as torch initialized them (module docstring), each (M, in, out)
    with biases (M, 1, out): conv kernels C1, C2 as (channels·2·2, out), in torch's
    (channel, kernel row, kernel column) order; the linear layers W1–W3."""
    params = {}
    for name, fan_in, fan_out in (("1", rows * KERNEL ** 2, 16), ("2", 16 * KERNEL ** 2, 32)):
        bound = 1.0 / np.sqrt(fan_in)
        params["C" + name] = rng.uniform(-bound, bound, (n_models, fan_in, fan_out)).astype(dtype)
        params["c" + name] = rng.uniform(-bound, bound, (n_models, 1, fan_out)).astype(dtype)
    flat = 32 * (columns - 2) * (features - 2)
    head = isr.init_params((flat, 32, 32, 1), n_models, rng, dtype=dtype, init="orthogonal")
    return {**params, **head}


def patches(x):
    """(..., H − 1, W − 1, C·4) the 2×2 patches of x (..., C, H, W), each in torch's weight
    order (channel, kernel row, kernel column)."""
    h, w = x.shape[-2] - 1, x.shape[-1] - 1
    parts = [x[..., i:i + h, j:j + w] for i in range(KERNEL) for j in range(KERNEL)]
    stacked = np.stack(parts, axis=-1)                              # (..., C, h, w, 4)
    return np.moveaxis(stacked, -4, -2).reshape(*stacked.shape[:-4], h, w, -1)


def add_patches(d_patches, channels):
    """The transpose of `patches`: (..., C, H, W), each patch's gradient added onto its cells."""
    h, w = d_patches.shape[-3:-1]
    d = d_patches.reshape(*d_patches.shape[:-1], channels, KERNEL ** 2)
    d = np.moveaxis(d, -2, -4)                                      # (..., C, h, w, 4)
    out = np.zeros((*d.shape[:-4], channels, h + 1, w + 1), dtype=d.dtype)
    for k, (i, j) in enumerate((i, j) for i in range(KERNEL) for j in range(KERNEL)):
        out[..., i:i + h, j:j + w] += d[..., k]
    return out


def _conv(params, name, x):
    """One convolution + ReLU over x (M, B, C, H, W): (M, B, out, H − 1, W − 1), its patches."""
    p = patches(x)                                                  # (M, B, h, w, C·4)
    m, b, h, w, n = p.shape
    z = np.matmul(p.reshape(m, -1, n), params["C" + name]) + params["c" + name]
    out = np.maximum(z, 0.0).reshape(m, b, h, w, -1)
    return np.moveaxis(out, -1, 2), p


def forward(params, x):
    """x (M, B, 9, 9, 5) → the raw R_i (M, B), and what `backward` needs. The rows of x are
    the first convolution's channels (torch read the tensor without a permute)."""
    a1, p1 = _conv(params, "1", x)                                  # (M, B, 16, 8, 4)
    a2, p2 = _conv(params, "2", a1)                                 # (M, B, 32, 7, 3)
    flat = a2.reshape(*a2.shape[:2], -1)                            # torch's flatten order
    head = {k: v for k, v in params.items() if k[0] in "Wb"}
    y, acts = isr.forward(head, flat)
    return y[..., 0], (p1, a1, p2, a2, acts)


def backward(params, cache, dloss_dy):
    """Gradients of every weight from dloss/dR_i (M, B), through the MLP head and both
    convolutions; the keys and shapes of params."""
    p1, a1, p2, a2, acts = cache
    head = {k: v for k, v in params.items() if k[0] in "Wb"}
    grads, d_flat = isr.backward(head, acts, dloss_dy[..., None], input_grad=True)
    d_a = d_flat.reshape(a2.shape)
    for name, a, p, below in (("2", a2, p2, a1), ("1", a1, p1, None)):
        dz = np.moveaxis(d_a * (a > 0), 2, -1)                      # (M, B, h, w, out), ReLU'
        m, out = dz.shape[0], dz.shape[-1]
        dz = dz.reshape(m, -1, out)
        grads["C" + name] = np.matmul(p.reshape(m, -1, p.shape[-1]).transpose(0, 2, 1), dz)
        grads["c" + name] = dz.sum(axis=1, keepdims=True)
        if below is not None:
            d_p = np.matmul(dz, params["C" + name].transpose(0, 2, 1)).reshape(p.shape)
            d_a = add_patches(d_p, below.shape[2])
    return grads


def predict(params, views, headings, actions):
    """(M, B) the raw R_i of transitions: views (M, B, 9, 9), headings and actions (M, B)."""
    return forward(params, state_action(views, headings, actions))[0]


def train_step(params, state, x, target, cfg=isr.AUTHORS):
    """One minibatch step of every model, in place: MSE against R_s, backprop, the global
    gradient norm clipped at cfg.max_grad_norm, Adam (isr.descend; state: isr.optimizer_state)."""
    y, cache = forward(params, x)
    _, dloss = isr.mse(y, target)
    isr.descend(params, isr.clip_by_norm(backward(params, cache, dloss), cfg.max_grad_norm), state, cfg)
