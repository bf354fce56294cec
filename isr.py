"""isr.py — the internalized social reward model, ISR (paper §3, Fig. 3).

During socialization the learner records every transition (egocentric view, action, R_s).
The ISR is a small MLP, trained by hand-written backprop and SGD, that predicts R_s from
(view, action); once the caregiver leaves, its prediction R_i stands in for R_s
(agents.utility). Every array has a leading model axis M, so the ISRs of all seeds train
as one batched computation.

This module imports nothing else of ours: views are integer cell codes, and the caller
says which codes exist (`codes`).

Public names: ISRConfig, AUTHORS, encode, init_params, orthogonal, forward, backward, mse,
clip_by_norm, predict, network_input, action_grad, optimizer_state, descend, balanced_sampler,
balanced_loss, SocialRewardData, minibatches, train_isr, train_step, ISR, ISRGroups, ODDS_CEILING,
shift_odds, calibrate_odds.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ISRConfig:
    """ISR design and training. The defaults are ours; `AUTHORS` below is the authors' ISR as
    far as an MLP can be it (their conv net over raw codes is authors.py). Each field says
    where the two differ."""
    hidden: tuple = (32, 32)      # two hidden ReLU layers of 32 units (both: the authors' MLP head)
    optimizer: str = "sgd"        # "sgd" with momentum (ours), "adam" (the authors')
    lr: float = 0.2               # step size (the authors': 3e-4)
    momentum: float = 0.9         # SGD momentum
    betas: tuple = (0.9, 0.999)   # Adam's moment decays (torch's defaults, as the authors)
    adam_eps: float = 1e-8        # Adam's ε in √v̂ + ε (the authors': 1e-5)
    batch: int = 256              # transitions per minibatch, half of them positive (the
                                  # authors': 1, a fair coin)
    max_grad_norm: float = 1.0    # global gradient-norm clip per model (both)
    epochs: float = 1.0           # if updates is None: passes over the train split (the
                                  # authors': one)
    updates: int | None = 1000    # updates whatever the data size (the authors': None, one pass)
    init: str = "he"              # "he": He-normal weights; "orthogonal": gain √2 in every layer
                                  # (the authors' linear layers; their convolutions: authors.py)
    zero_output: bool = True      # start the output layer at 0 (the authors': False; why:
                                  # docs/deviations.md)
    calibrate: bool = True        # shift the output's odds to pay, on the train split, what R_s
                                  # paid (the authors': False, the raw output)
    calibration_size: int = 20000 # train transitions (evenly spaced in time) the odds are fitted on
    action_input: str | None = None   # None: one output per action (ours); "one_hot": the
                                  # action one-hot as input, one output; "value": the action's
                                  # number (left = 0) as one more input, one output (the authors',
                                  # at the agent's cell)
    threshold_replaces_cost: bool = False   # with a threshold, a paid step's R_i replaces its step
                                  # cost instead of adding to it (the authors' Figs 5 and 6)
    test_every: int = 10          # every 10th batch of episodes is held out (10%, as the original)
    curve_points: int = 25        # loss-curve evaluations during training (Fig. 3 left)
    eval_size: int = 3000         # transitions per split the loss curve is measured on

    def __post_init__(self):
        for name, allowed in (("optimizer", ("sgd", "adam")), ("init", ("he", "orthogonal")),
                              ("action_input", (None, "one_hot", "value"))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"ISRConfig.{name} must be one of {', '.join(map(str, allowed))}, "
                                 f"got {getattr(self, name)!r}")

    def action_inputs(self, n_actions):
        """How many inputs the action takes (0: it picks one of n_actions outputs instead)."""
        return {None: 0, "one_hot": n_actions, "value": 1}[self.action_input]


AUTHORS = ISRConfig(optimizer="adam", lr=3e-4, adam_eps=1e-5, batch=1, updates=None, epochs=1.0,
                    init="orthogonal", zero_output=False, calibrate=False, action_input="value",
                    threshold_replaces_cost=True)


def encode(views, codes):
    """(..., D) float32 ISR input: the view's cells one-hot over `codes`, D = v·v·len(codes).

    views (..., v, v) integer codes; a cell whose code is not in `codes` (unseen, the agent
    itself) is all zeros.
    """
    views = np.asarray(views)
    cells = np.stack([views == code for code in codes], axis=-1)
    return cells.reshape(*views.shape[:-2], -1).astype(np.float32)


def init_params(sizes, n_models, rng, dtype=np.float32, zero_output=False, init="he"):
    """Random weights, zero biases: {W1, b1, ..., WL, bL}, Wl (M, in, out), bl (M, 1, out).

    init "he": He-normal, N(0, 2 / fan_in); "orthogonal": orthonormal rows or columns times
    √2, as torch's orthogonal_ with gain √2 (the authors'). zero_output: the output layer
    starts at 0, so that each action's output moves only with evidence about that action
    (the random draw is made anyway: the hidden layers start the same either way). float32
    by default (speed); the gradient check uses float64.
    """
    if init not in ("he", "orthogonal"):
        raise ValueError(f"init must be 'he' or 'orthogonal', got {init!r}")
    params = {}
    n_layers = len(sizes) - 1
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        if init == "he":
            w = rng.normal(0.0, np.sqrt(2.0 / fan_in), (n_models, fan_in, fan_out))
        else:
            w = np.sqrt(2.0) * orthogonal(rng, n_models, fan_in, fan_out)
        if zero_output and layer == n_layers:
            w = np.zeros_like(w)
        params[f"W{layer}"] = w.astype(dtype)
        params[f"b{layer}"] = np.zeros((n_models, 1, fan_out), dtype=dtype)
    return params


def orthogonal(rng, n_models, fan_in, fan_out):
    """(M, fan_in, fan_out) matrices with orthonormal columns (or rows, if wider than tall):
    the Q of a Gaussian matrix's QR, its signs fixed by R's diagonal (torch's orthogonal_)."""
    tall = rng.normal(0.0, 1.0, (n_models, max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(tall)
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
    return q if fan_in >= fan_out else q.transpose(0, 2, 1)


def forward(params, x):
    """MLP forward pass: x (M, B, D) → y (M, B, K), plus the activations backward needs.

    h_0 = x, h_l = relu(h_{l−1} W_l + b_l) for hidden layers, y = h_{L−1} W_L + b_L (no
    squashing: the original's output is unbounded too). The ISR has K = 3 outputs, one
    per action: its prediction for (s, a) is y(s)_a (`predict`).
    """
    n_layers = len(params) // 2
    acts = [x]
    for layer in range(1, n_layers + 1):
        z = np.matmul(acts[-1], params[f"W{layer}"]) + params[f"b{layer}"]
        acts.append(np.maximum(z, 0.0) if layer < n_layers else z)
    return acts[-1], acts


def backward(params, acts, dloss_dy, input_grad=False):
    """Backprop dloss/dy (M, B, K) through the MLP; grads have the keys and shapes of params.
    input_grad: also return dloss/dx (M, B, D), for a network below it (authors.py's convs)."""
    n_layers = len(params) // 2
    grads = {}
    delta = dloss_dy                                             # (M, B, K) dloss/dz_L
    for layer in range(n_layers, 0, -1):
        grads[f"W{layer}"] = np.matmul(acts[layer - 1].transpose(0, 2, 1), delta)
        grads[f"b{layer}"] = delta.sum(axis=1, keepdims=True)
        if layer > 1 or input_grad:
            delta = np.matmul(delta, params[f"W{layer}"].transpose(0, 2, 1))
        if layer > 1:
            delta = delta * (acts[layer - 1] > 0)                 # ReLU'
    return (grads, delta) if input_grad else grads


def predict(params, x, actions):
    """(M, B) the ISR's R_i for inputs x (M, B, D) and actions (M, B): y(s)_a, or y(s, a) when
    the network has a single output (the action was an input, `network_input`)."""
    y = forward(params, x)[0]
    if y.shape[-1] == 1:
        return y[..., 0]
    return np.take_along_axis(y, actions[..., None], axis=-1)[..., 0]


def network_input(params, views, actions, codes):
    """(M, B, D) the network's input: the views one-hot over `codes` (`encode`), followed by
    the action if the network is wider than that (ISRConfig.action_input): one more input
    holding its number (the authors'), or several, its one-hot."""
    x = encode(views, codes)
    extra = params["W1"].shape[1] - x.shape[-1]
    if extra <= 0:
        return x
    actions = np.asarray(actions)
    if extra == 1:
        action = actions[..., None].astype(np.float32)
    else:
        action = np.eye(extra, dtype=np.float32)[actions]
    return np.concatenate([x, action], axis=-1)


def action_grad(dloss_dpred, actions, n_actions):
    """Scatter dloss/dR_i (M, B) onto the outputs (M, B, K): only y(s)_a was used."""
    return dloss_dpred[..., None] * (actions[..., None] == np.arange(n_actions))


def mse(y, target):
    """Per-model mean squared error (M,) and its gradient dloss/dy (M, B)."""
    err = y - target
    return (err ** 2).mean(axis=1), 2.0 * err / err.shape[1]


def clip_by_norm(grads, max_norm):
    """Scale each model's gradient so its global L2 norm is at most max_norm."""
    norm = np.sqrt(sum((g ** 2).sum(axis=(1, 2)) for g in grads.values()))   # (M,)
    scale = np.minimum(1.0, max_norm / (norm + 1e-12))[:, None, None]
    return {k: g * scale for k, g in grads.items()}


def optimizer_state(params, cfg):
    """Zeroed optimizer state, one array per layer as the params: SGD's velocity, or Adam's
    two moments and its step count (ISRConfig has checked cfg.optimizer)."""
    if cfg.optimizer == "sgd":
        return {"velocity": {k: np.zeros_like(p) for k, p in params.items()}}
    return {"m": {k: np.zeros_like(p) for k, p in params.items()},
            "v": {k: np.zeros_like(p) for k, p in params.items()}, "k": 0,
            "scratch": {k: (np.empty_like(p), np.empty_like(p)) for k, p in params.items()}}


def descend(params, grads, state, cfg):
    """One descent step of every layer, in place: SGD with momentum (v ← μ·v − lr·g;
    θ ← θ + v), or Adam (θ ← θ − lr·m̂ / (√v̂ + ε), m̂ and v̂ the bias-corrected moments, as
    torch's)."""
    if cfg.optimizer == "sgd":
        for k, g in grads.items():
            velocity = state["velocity"][k]
            velocity *= cfg.momentum
            velocity -= cfg.lr * g
            params[k] += velocity
        return
    (b1, b2), state["k"] = cfg.betas, state["k"] + 1
    step_size = cfg.lr / (1 - b1 ** state["k"])
    root_correction = (1 - b2 ** state["k"]) ** 0.5     # a Python float keeps float32 float32
    for k, g in grads.items():
        # θ −= step_size·m / (√v / root_correction + ε), written into two scratch arrays: the
        # authors' batch 1 takes 10^5 steps, and fresh temporaries made each step 2-3x slower
        m, v, (a, b) = state["m"][k], state["v"][k], state["scratch"][k]
        m *= b1
        m += np.multiply(g, 1 - b1, out=a)
        v *= b2
        np.multiply(g, 1 - b2, out=a)
        v += np.multiply(a, g, out=a)
        np.sqrt(v, out=a)
        a /= root_correction
        a += cfg.adam_eps
        params[k] -= np.divide(np.multiply(m, step_size, out=b), a, out=b)


class SocialRewardData:
    """Every socialization transition (view, action, R_s) of M learners (paper §3).

    views (M, T, v, v) int codes, actions (M, T), r_s (M, T), in the order they happened,
    in blocks of `block` transitions that hold whole episodes (one learner update).
    Every `test_every`-th block is the held-out test split, which no training step touches;
    the rest, in time order, is the train split.
    Deviation: the authors held out the last 10% of socialization, which tests on the best
    policy's states only (and their loop then took a gradient step on every test sample it
    scored); ours spreads the test episodes over the whole run, so train and test come from
    one distribution, and no training step sees them.
    """

    def __init__(self, views, actions, r_s, block, test_every=10, episode_len=None):
        n = views.shape[1]
        if block < 1 or n % block:
            raise ValueError(f"{n} transitions do not split into blocks of {block}")
        if test_every < 2 or n // block < test_every:
            raise ValueError(f"{n // block} blocks are too few to hold out one in {test_every}")
        self.views, self.actions, self.r_s = views, actions, r_s
        self.block, self.episode_len = block, episode_len     # a block is (episode_len, worlds)
        is_test = (np.arange(n) // block) % test_every == test_every - 1
        self.train_index, self.test_index = np.flatnonzero(~is_test), np.flatnonzero(is_test)
        self.n_train = len(self.train_index)

    def rows(self, index):
        """(views, actions, r_s) at transitions index (M, B) of each model."""
        m = np.arange(index.shape[0])[:, None]
        return (self.views[m, index], self.actions[m, index].astype(np.int64),
                self.r_s[m, index].astype(np.float32))


def balanced_sampler(positive, rng, eligible=None):
    """A function (batch, steps=None) → (M, batch) indices, half drawn from each model's
    positives, or (M, steps, batch): `steps` batches drawn at once, as if one after another.

    positive (M, n) bool. Sampling is with replacement, each class picked with probability
    1/2 as in the original's WeightedRandomSampler: the first batch // 2 draws are positive,
    and the last draw of an odd batch (all of a batch of 1) is positive on a fair coin
    (a uniform below 1/2, from the same stream after the draws); a model without positives
    samples its negatives only (the original's fallback). eligible (M, n) bool: draw only
    among these (default all; Figs 8 and 10's online ISRs, in beyond/, train on the visited
    episodes only); a model with none eligible draws indices that must not be used.
    """
    eligible = np.ones_like(positive) if eligible is None else eligible
    positive = positive & eligible
    rank = np.where(positive, 0, np.where(eligible, 1, 2))
    order = np.argsort(rank, axis=1, kind="stable")          # positives first, in time order
    n_pos = positive.sum(axis=1)
    n_neg = eligible.sum(axis=1) - n_pos

    def sample(batch, steps=None):
        shape = (len(order), steps or 1, batch)
        u = rng.random(shape)
        take_pos = np.arange(batch) < batch // 2
        if batch % 2:
            take_pos = take_pos | (
                (np.arange(batch) == batch - 1) & (rng.random(shape[:2] + (1,)) < 0.5)
            )
        take_pos = take_pos & (n_pos[:, None, None] > 0)
        idx = np.where(take_pos, np.floor(u * n_pos[:, None, None]),
                       n_pos[:, None, None] + np.floor(u * np.maximum(n_neg, 1)[:, None, None]))
        idx = np.minimum(idx.astype(np.int64), positive.shape[1] - 1).reshape(len(order), -1)
        picked = np.take_along_axis(order, idx, 1).reshape(shape)
        return picked if steps else picked[:, 0]
    return sample


def balanced_loss(params, data, index, codes, chunk=4096):
    """(M,) class-balanced MSE over transitions `index` (n,) of every model.

    ½·MSE over positives + ½·MSE over negatives, balanced like the training batches so a
    train and a test loss compare; a model with no positives gets the negatives' MSE
    alone. Evaluated in chunks to bound memory.
    """
    n_models = data.views.shape[0]
    err2, target = [], []
    for start in range(0, len(index), chunk):
        part = index[start:start + chunk]
        views, actions, r_s = data.rows(np.broadcast_to(part, (n_models, len(part))))
        err2.append(
            (predict(params, network_input(params, views, actions, codes), actions) - r_s) ** 2
        )
        target.append(r_s)
    err2, pos = np.concatenate(err2, axis=1), np.concatenate(target, axis=1) > 0
    n_pos, n_neg = pos.sum(axis=1), (~pos).sum(axis=1)
    pos_mse = (err2 * pos).sum(1) / np.maximum(n_pos, 1)
    neg_mse = (err2 * ~pos).sum(1) / np.maximum(n_neg, 1)
    return np.where(n_pos > 0, 0.5 * pos_mse + 0.5 * neg_mse, neg_mse)


def minibatches(data, train, sample, batch, n_updates, encode, per_draw, per_encode):
    """Yield (x, actions, target), (M, batch, ...) each, for n_updates class-balanced
    minibatches of the transitions `train` (`balanced_sampler`'s `sample`), x = encode(views,
    actions). They are drawn per_draw at a time and encoded per_encode at a time: at batch 1
    (the authors' 10^5 steps) one call per minibatch would cost more than the step, and a
    block of per_encode stays in the cache."""
    n_models = data.views.shape[0]
    for first in range(0, n_updates, per_draw):
        drawn = sample(batch, min(per_draw, n_updates - first))          # (M, steps, batch)
        for start in range(0, drawn.shape[1], per_encode):
            some = drawn[:, start:start + per_encode]
            views, actions, target = data.rows(train[some].reshape(n_models, -1))
            x = encode(views, actions)
            x = x.reshape(*some.shape, *x.shape[2:])
            actions, target = actions.reshape(some.shape), target.reshape(some.shape)
            for j in range(some.shape[1]):
                yield x[:, j], actions[:, j], target[:, j]


def train_isr(data, cfg, rng, codes, n_actions, n_train=None, curve=True):
    """Train one ISR per model on its first n_train train transitions (paper §3).

    cfg.updates minibatches whatever n_train (or, if cfg.updates is None, cfg.epochs passes
    over the n_train transitions), class-balanced, MSE, hand-written backprop, gradient-norm
    clipping, SGD with momentum or Adam (cfg.optimizer); the output layer starts at 0
    (cfg.zero_output). The loss curve's subsets are evenly spaced in time. With
    cfg.action_input the action is an input and the network has one output. Returns the params
    and a log: the held-out test loss at the end and, if `curve`, the train and test losses
    (class-balanced, on fixed subsets of cfg.eval_size transitions of each split) at
    cfg.curve_points moments, with the number of transitions drawn so far (Fig. 3 left),
    and the final loss on the whole train split. rng: a numpy Generator, or one random stream
    per model (streams.Streams: model m draws its weights and minibatches from row m alone).
    """
    n_train = data.n_train if n_train is None else int(n_train)
    if not 1 <= n_train <= data.n_train:
        raise ValueError(f"n_train must be in 1..{data.n_train}, got {n_train}")
    n_models = data.views.shape[0]
    train = data.train_index[:n_train]
    n_in = data.views.shape[2] * data.views.shape[3] * len(codes) + cfg.action_inputs(n_actions)
    params = init_params((n_in, *cfg.hidden, 1 if cfg.action_input else n_actions), n_models, rng,
                         zero_output=cfg.zero_output, init=cfg.init)
    state = optimizer_state(params, cfg)
    sample = balanced_sampler(data.r_s[:, train] > 0, rng)
    n_updates = cfg.updates if cfg.updates else max(1, int(round(cfg.epochs * n_train / cfg.batch)))
    checkpoints = (
        set(np.linspace(0, n_updates, cfg.curve_points).round().astype(int)) if curve else set()
    )
    subset = lambda index: index[
        np.linspace(0, len(index) - 1, min(cfg.eval_size, len(index))).astype(np.int64)
    ]
    train_eval, test_eval = subset(train), subset(data.test_index)
    log = {"samples": [], "train_loss": [], "test_loss": []}

    def record(step):                                        # the loss curve (Fig. 3 left)
        log["samples"].append(step * cfg.batch)
        log["train_loss"].append(balanced_loss(params, data, train_eval, codes))
        log["test_loss"].append(balanced_loss(params, data, test_eval, codes))

    encode = lambda views, actions: network_input(params, views, actions, codes)
    batches = minibatches(data, train, sample, cfg.batch, n_updates, encode,
                          per_draw=max(1, 4096 // cfg.batch), per_encode=max(1, 256 // cfg.batch))
    for step, (x, actions, target) in enumerate(batches):
        if step in checkpoints:
            record(step)
        train_step(params, state, x, actions, target, cfg, n_actions)
    if n_updates in checkpoints:
        record(n_updates)
    log = {k: np.array(v).T if k != "samples" else np.array(v) for k, v in log.items()}
    log["final_test_loss"] = balanced_loss(params, data, data.test_index, codes)
    if curve:
        log["final_train_loss"] = balanced_loss(params, data, train, codes)
    return params, log


def train_step(params, state, x, actions, target, cfg, n_actions, scale=None):
    """One minibatch step of every model, in place: MSE of y(s)_a (or of y(s, a) with
    cfg.action_input) against R_s, backprop, gradient clipping, SGD with momentum or Adam
    (cfg.optimizer; state: `optimizer_state` of these same params).
    x (M, B, D) the network's input (`network_input`), actions and target (M, B); scale (M,):
    multiplies each model's gradient (0 leaves a model as it is: Figs 8 and 10's online ISRs,
    in beyond/, train only the models that saw the caregiver)."""
    y, acts = forward(params, x)
    if cfg.action_input:
        _, dloss_dr = mse(y[..., 0], target)
        dloss_dy = dloss_dr[..., None]
    else:
        _, dloss_dr = mse(np.take_along_axis(y, actions[..., None], axis=-1)[..., 0], target)
        dloss_dy = action_grad(dloss_dr, actions, n_actions)
    grads = clip_by_norm(backward(params, acts, dloss_dy), cfg.max_grad_norm)
    if scale is not None:
        grads = {k: g * scale[:, None, None].astype(g.dtype) for k, g in grads.items()}
    descend(params, grads, state, cfg)


class ISR:
    """A trained ISR as the learner sees it: (views (M, N, v, v), actions (M, N)) → R_i (M, N).

    odds: None (the network's output as it is), or (M,) one calibration factor per model (NaN:
    that model's output as it is; Fig. 10 refits some of the authors' uncalibrated ISRs).
    The network is trained on class-balanced minibatches (half of them rewarded), so its
    output y estimates R_s as if half of all steps were rewarded; where the view cannot
    settle whether the reward comes, that inflates it toward reward / 2. R_s is 0 or
    `reward`, so q = y / reward is a probability, and a shift of the class prior multiplies
    its odds by a factor k (Bayes' rule; k = π/(1 − π) for a true rewarded share π): in logit
    space, R_i = reward · σ(logit q + log k), q clipped to [0, 1 − 1e-3]. q = 0 stays 0 (the
    network says "never rewarded"); no output pays the full reward whatever k is, so k moves
    every paid step (clipping q at 1 made every output ≥ reward pay it in full, a step
    function for a poorly trained ISR). `calibrate_odds` picks k per model on its training data.
    threshold: None (the paper's Eq. 1), or a level at or below which R_i counts as 0, as the
    authors' Figs 5 and 6 runs did with 0.2 (their Figs 1, 4 and 7 runs used the raw R_i).
    replaces_cost: with a threshold, a paid step's R_i replaces the step's cost instead of
    adding to it, as in the authors' Figs 5 and 6 (`replaces_step_cost`; agents.learn).
    """

    def __init__(self, params, codes, threshold=None, odds=None, reward=None, replaces_cost=False):
        if odds is not None and reward is None:
            raise ValueError("a calibrated ISR needs the size of the social reward (reward=)")
        self.params, self.codes, self.threshold = params, codes, threshold
        self.odds = None if odds is None else np.asarray(odds, dtype=np.float64)
        self.reward, self.replaces_cost = reward, replaces_cost

    @property
    def replaces_step_cost(self):
        """Whether the learner's step cost is dropped on the steps this ISR pays."""
        return self.replaces_cost and self.threshold is not None

    @property
    def n_models(self):
        return self.params["W1"].shape[0]

    def output(self, views, actions):
        """(M, N) the network's own estimate y(s)_a, before any calibration or threshold."""
        return predict(
            self.params, network_input(self.params, views, actions, self.codes), np.asarray(actions)
        )

    def __call__(self, views, actions):
        return self.pay(self.output(views, actions))

    def pay(self, y):
        """R_i from the network's output y (M, ...): calibrated (odds), then thresholded."""
        r_i = y
        if self.odds is not None:
            odds = self.odds.reshape((-1,) + (1,) * (r_i.ndim - 1))
            r_i = np.where(
                np.isnan(odds), r_i, shift_odds(r_i, np.nan_to_num(odds, nan=1.0), self.reward)
            )
        if self.threshold is not None:
            r_i = np.where(r_i > self.threshold, r_i, 0.0).astype(r_i.dtype)
        return r_i

    def raw(self):
        """The same ISRs without the threshold (Eq. 1's R_i)."""
        return type(self)(self.params, self.codes, None, self.odds, self.reward, self.replaces_cost)

    def with_threshold(self, threshold):
        return type(self)(
            self.params, self.codes, threshold, self.odds, self.reward, self.replaces_cost
        )

    def select(self, models):
        """The ISRs `models` (indices) of this one, in that order."""
        odds = None if self.odds is None else self.odds[models]
        return type(self)({k: p[models] for k, p in self.params.items()}, self.codes,
                          self.threshold, odds, self.reward, self.replaces_cost)

    def tile(self, copies):
        """The same ISRs repeated `copies` times along the model axis (one per condition)."""
        return type(self).stack(*[self] * copies)

    @staticmethod
    def stack(*models):
        """One ISR holding the models of several (same codes, threshold and reward), in order."""
        first = models[0]
        params = {k: np.concatenate([m.params[k] for m in models], axis=0) for k in first.params}
        odds = None if first.odds is None else np.concatenate([m.odds for m in models])
        return type(first)(
            params, first.codes, first.threshold, odds, first.reward, first.replaces_cost
        )


class ISRGroups:
    """Several ISRs as one, each paying its own consecutive group of `per_model_group` learners:
    ours and the authors' (their networks differ in shape, so they cannot be stacked into one
    ISR), or a thresholded ISR and its raw twin. The paper's Figs 1, 4 and 5 run both ISRs."""

    def __init__(self, models, per_model_group):
        self.models, self.n = models, per_model_group
        self.n_models = sum(m.n_models for m in models)

    def _each(self, method, *arrays):
        return np.concatenate([getattr(m, method)(*(a[i * self.n:(i + 1) * self.n] for a in arrays))
                               for i, m in enumerate(self.models)])

    def output(self, views, actions):
        return self._each("output", views, actions)

    def pay(self, y):
        return self._each("pay", y)

    @property
    def replaces_step_cost(self):
        """(n_models,) bool: whose pay replaces the step's cost (ISR.replaces_step_cost)."""
        return np.concatenate([np.full(m.n_models, m.replaces_step_cost) for m in self.models])

    def __call__(self, views, actions):
        return self._each("__call__", views, actions)


ODDS_CEILING = 1 - 1e-3    # q's ceiling: logit 6.9, so a fitted k can lower even the largest output


def shift_odds(y, odds, reward):
    """reward · σ(logit q + log k), q = clip(y / reward, 0, ODDS_CEILING): the estimate y of a
    reward that is 0 or `reward`, with the odds of the reward multiplied by k (broadcast
    against y); q = 0 or k = 0 pays 0."""
    q = np.clip(y / reward, 0.0, ODDS_CEILING)
    with np.errstate(divide="ignore", over="ignore"):
        logit = np.log(q) - np.log1p(-q) + np.log(odds)
        return (reward / (1.0 + np.exp(-logit))).astype(y.dtype)


def calibrate_odds(y, r_s, reward, iterations=60):
    """(M,) the odds factor per model for which the ISR pays, in total over its transitions,
    what the caregiver paid: Σ shift_odds(y, k) = Σ R_s, with y, r_s (M, n). Found by bisection
    on log k (the sum grows with k); k = 0 for a model whose data hold no reward."""
    target = r_s.sum(axis=1)
    low, high = np.full(len(y), -20.0), np.full(len(y), 20.0)
    for _ in range(iterations):
        mid = (low + high) / 2
        paid = shift_odds(y, np.exp(mid)[:, None], reward).sum(axis=1, dtype=np.float64)
        low, high = np.where(paid < target, mid, low), np.where(paid < target, high, mid)
    return np.where(target > 0, np.exp((low + high) / 2), 0.0)
