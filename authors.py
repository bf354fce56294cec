"""authors.py — the authors' system as their code ran it, in numpy: their ISR network
(paper §3) and their learner's algorithm, PPO (paper §2), beside ours (isr.py, agents.py).

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

Every array has a leading model axis M, as in isr.py. A convolution is a batched matrix
product over the 2×2 patches, stacked from four shifted slices (`patches`); its backward
pass adds the patches' gradients back onto the cells they came from (`add_patches`).

PPO, as their stable-baselines3 run had it, trains our linear softmax policy and a linear
value head V(s) = φ(s)·w (their CNN would hide the algorithm under a network we do not
study): `PPOPolicy`, with their settings in `PPO`. Per rollout (one episode in each of the N
worlds: 100 × 20 = 2,000 steps; theirs 2,048 steps of one world, across episodes):
  - time-limit bootstrap: every episode is truncated, so γ·V(the view it ended in) is added
    to its last reward, and the step ends the episode for GAE (`gae`);
  - GAE(γ 0.99, λ 0.95) advantages, returns = advantages + V;
  - Adam at 1e-3 (theirs 1e-4, for their CNN: `PPO`);
  - 10 epochs, each a fresh permutation of the steps in minibatches of 64; per minibatch
    the advantages normalized, the clipped surrogate (clip 0.2), 0.5 × the value MSE, no
    entropy bonus, the global gradient norm of θ and w clipped at 0.5, one Adam step (ε 1e-5)
    (`PPOPolicy.step`).

Public names: COLOUR, state_action, init_params, patches, add_patches, forward, backward,
predict, train_step, ConvISR, train_isr; PPO, PPOPolicy, gae, clipped_ascent.
"""

from dataclasses import dataclass

import numpy as np

import agents
import isr
from env import AGENT, FACING, GOAL, WALL

COLOUR = {WALL: 5, GOAL: 1}  # minigrid's colour index of the objects in view (grey, green)
KERNEL = 2  # the convolutions' 2×2 kernels, stride 1, no padding


def state_action(views, actions):
    """(..., 9, 9, 5) float32: the authors' ISR input for the ISR's views (..., 9, 9) with the
    heading (env.WorldConfig(isr_heading=True): UNSEEN, EMPTY, WALL, GOAL, and FACING + the
    agent's absolute heading at its cell) and the actions taken (...): per cell its object,
    colour, state (the heading, at the agent's cell), goal channel, and the action at the agent."""
    views = np.asarray(views)
    if (views == AGENT).any():
        raise ValueError(
            "the authors' ISR needs the agent's heading in its view: "
            "WorldConfig(isr_heading=True)"
        )
    agent = (views >= FACING) & (views < FACING + 4)
    code = np.where(agent, AGENT, views)
    colour = np.select([code == c for c in COLOUR], list(COLOUR.values()), 0)
    at_agent = lambda values: np.where(agent, values, 0)
    channels = [code, colour, at_agent(views - FACING), code == GOAL,
                at_agent(np.asarray(actions)[..., None, None])]
    return np.stack(channels, axis=-1).astype(np.float32)


def init_params(n_models, rng, rows=9, columns=9, features=5, dtype=np.float32):
    """The network's weights as torch initialized them (module docstring), each (M, in, out)
    with biases (M, 1, out): conv kernels C1, C2 as (channels·2·2, out), in torch's
    (channel, kernel row, kernel column) order; the linear layers W1–W3."""
    params = {}
    for name, fan_in, fan_out in (("1", rows * KERNEL**2, 16), ("2", 16 * KERNEL**2, 32)):
        bound = 1.0 / np.sqrt(fan_in)
        uniform = lambda shape: bound * (2 * rng.random(shape) - 1)  # Streams draw no uniform(a, b)
        params["C" + name] = uniform((n_models, fan_in, fan_out)).astype(dtype)
        params["c" + name] = uniform((n_models, 1, fan_out)).astype(dtype)
    flat = 32 * (columns - 2) * (features - 2)
    head = isr.init_params((flat, 32, 32, 1), n_models, rng, dtype=dtype, init="orthogonal")
    return {**params, **head}


def patches(x):
    """(..., H − 1, W − 1, C·4) the 2×2 patches of x (..., C, H, W), each in torch's weight
    order (channel, kernel row, kernel column)."""
    h, w = x.shape[-2] - 1, x.shape[-1] - 1
    parts = [x[..., i : i + h, j : j + w] for i in range(KERNEL) for j in range(KERNEL)]
    stacked = np.stack(parts, axis=-1)  # (..., C, h, w, 4)
    return np.moveaxis(stacked, -4, -2).reshape(*stacked.shape[:-4], h, w, -1)


def add_patches(d_patches, channels):
    """The transpose of `patches`: (..., C, H, W), each patch's gradient added onto its cells."""
    h, w = d_patches.shape[-3:-1]
    d = d_patches.reshape(*d_patches.shape[:-1], channels, KERNEL**2)
    d = np.moveaxis(d, -2, -4)  # (..., C, h, w, 4)
    out = np.zeros((*d.shape[:-4], channels, h + 1, w + 1), dtype=d.dtype)
    for k, (i, j) in enumerate((i, j) for i in range(KERNEL) for j in range(KERNEL)):
        out[..., i : i + h, j : j + w] += d[..., k]
    return out


def _conv(params, name, x):
    """One convolution + ReLU over x (M, B, C, H, W): (M, B, out, H − 1, W − 1), its patches."""
    p = patches(x)  # (M, B, h, w, C·4)
    m, b, h, w, n = p.shape
    z = np.matmul(p.reshape(m, -1, n), params["C" + name]) + params["c" + name]
    out = np.maximum(z, 0.0).reshape(m, b, h, w, -1)
    return np.moveaxis(out, -1, 2), p


def forward(params, x):
    """x (M, B, 9, 9, 5) → the raw R_i (M, B), and what `backward` needs. The rows of x are
    the first convolution's channels (torch read the tensor without a permute)."""
    a1, p1 = _conv(params, "1", x)  # (M, B, 16, 8, 4)
    a2, p2 = _conv(params, "2", a1)  # (M, B, 32, 7, 3)
    flat = a2.reshape(*a2.shape[:2], -1)  # torch's flatten order
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
        dz = np.moveaxis(d_a * (a > 0), 2, -1)  # (M, B, h, w, out), ReLU'
        m, out = dz.shape[0], dz.shape[-1]
        dz = dz.reshape(m, -1, out)
        grads["C" + name] = np.matmul(p.reshape(m, -1, p.shape[-1]).transpose(0, 2, 1), dz)
        grads["c" + name] = dz.sum(axis=1, keepdims=True)
        if below is not None:
            d_p = np.matmul(dz, params["C" + name].transpose(0, 2, 1)).reshape(p.shape)
            d_a = add_patches(d_p, below.shape[2])
    return grads


def predict(params, views, actions):
    """(M, B) the raw R_i of transitions: the ISR's views (M, B, 9, 9), actions (M, B)."""
    return forward(params, state_action(views, actions))[0]


def train_step(params, state, x, target, cfg=isr.AUTHORS):
    """One minibatch step of every model, in place: MSE against R_s, backprop, the global
    gradient norm clipped at cfg.max_grad_norm, Adam (isr.descend; state: isr.optimizer_state)."""
    y, cache = forward(params, x)
    _, dloss = isr.mse(y, target)
    isr.descend(
        params, isr.clip_by_norm(backward(params, cache, dloss), cfg.max_grad_norm), state, cfg
    )


# ---------------------------------------------------------------------------------------------
# Their learner's algorithm: PPO on our linear policy

# Their rate, 1e-4, was their CNN's: with it our linear policy reached 0.36 of the planner's
# goals after 6,000 episodes (4 learners), with 1e-3 0.85 (ours: 0.83), so 1e-3 it is.
PPO = agents.AgentConfig(algorithm="ppo", worlds_per_seed=100, lr=1e-3, adam_eps=1e-5, entropy=0.0)


def gae(rewards, values, final_values, gamma, lam):
    """(advantages, returns) (S, T, N) of one rollout of whole episodes: rewards and values
    (S, T, N), final_values (S, N) the value of the view each episode was truncated in, added
    to its last reward times γ (SB3's time-limit bootstrap); GAE(γ, λ) with the episode ending
    at its last step, A_t = δ_t + γλ A_{t+1}, δ_t = r_t + γ V_{t+1} − V_t."""
    rewards = rewards.copy()
    rewards[:, -1] += gamma * final_values
    advantages = np.zeros_like(values)
    running, next_value = np.zeros_like(values[:, 0]), np.zeros_like(values[:, 0])
    for t in range(rewards.shape[1] - 1, -1, -1):
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        running = delta + gamma * lam * running
        advantages[:, t], next_value = running, values[:, t]
    return advantages, advantages + values


def clipped_ascent(probs, actions, old_probs, advantages, clip, entropy):
    """(..., A) the gradient, with respect to the logits, of PPO's clipped surrogate
    min(r·A, clip(r, 1 ± clip)·A), r = π(a) / π_old(a), plus β·H: r·A·(onehot(a) − π) where
    the unclipped term is the smaller (or both are equal), 0 where the clip holds it."""
    ratio = np.take_along_axis(probs, actions[..., None], -1)[..., 0] / old_probs
    held = ((advantages > 0) & (ratio > 1 + clip)) | ((advantages < 0) & (ratio < 1 - clip))
    return agents.logit_ascent(probs, actions, np.where(held, 0.0, ratio * advantages), entropy)


@dataclass
class PPOPolicy(agents.Policy):
    """S linear softmax policies with linear value heads, trained by PPO (module docstring).
    θ and w share one Adam, as in SB3: m_w and v_w are its moments for w."""

    m_w: np.ndarray = None  # (S, F) Adam first moment of w
    v_w: np.ndarray = None  # (S, F) Adam second moment of w
    algorithm = "ppo"

    @classmethod
    def zeros(cls, n_seeds, n_features, n_actions):
        base = agents.Policy.zeros(n_seeds, n_features, n_actions)
        return cls(
            base.theta, base.w, base.m, base.v, 0, np.zeros_like(base.w), np.zeros_like(base.w)
        )

    def learn_from(self, rollout, cfg, rng):
        """PPO on one `agents.Rollout`: GAE, then cfg.epochs passes in minibatches of
        cfg.minibatch steps, each learner's order drawn from its own row of rng."""
        n_seeds, n_features = self.theta.shape[:2]
        w = self.w.astype(np.float32)
        values = np.einsum("stnf,sf->stn", rollout.phi, w)
        final_values = np.einsum("snf,sf->sn", rollout.final_phi, w)
        advantages, returns = gae(rollout.utility, values, final_values, cfg.gamma, cfg.gae_lambda)
        flat = lambda a: a.reshape(n_seeds, -1, *a.shape[3:])
        phi, actions, advantages, returns = map(flat, (rollout.phi, rollout.actions, advantages,
                                                       returns))
        old = np.take_along_axis(flat(rollout.probs), actions[..., None], -1)[..., 0]
        for _ in range(cfg.epochs):
            order = np.argsort(rng.random(actions.shape), axis=1)  # a fresh permutation each
            for start in range(0, actions.shape[1], cfg.minibatch):
                rows = order[:, start:start + cfg.minibatch]                  # (S, B), once
                take = lambda a: np.take_along_axis(
                    a, rows.reshape(*rows.shape, *[1] * (a.ndim - 2)), 1)
                self.step(take(phi), take(actions), take(old), take(advantages), take(returns), cfg)

    def step(self, phi, actions, old_probs, advantages, returns, cfg):
        """One PPO gradient step on a minibatch (S, B, ...): the loss −surrogate + c·MSE(V, G)
        (advantages normalized in the minibatch), its gradient's global norm clipped, Adam."""
        n = phi.shape[1]
        if n > 1:
            advantages = (advantages - advantages.mean(1, keepdims=True)) / (
                advantages.std(1, ddof=1, keepdims=True) + 1e-8
            )
        ascent = clipped_ascent(
            self.probs(phi), actions, old_probs, advantages, cfg.clip, cfg.entropy
        )
        grad_theta = -np.matmul(phi.transpose(0, 2, 1), ascent) / n  # (S, F, A)
        values = np.matmul(phi, self.w[..., None].astype(phi.dtype))[..., 0]
        error = np.matmul(phi.transpose(0, 2, 1), (values - returns)[..., None])[..., 0]
        grad_w = cfg.value_coef * 2 * error / n
        norm = np.sqrt((grad_theta**2).sum(axis=(1, 2)) + (grad_w**2).sum(axis=1))
        scale = np.minimum(1.0, cfg.max_grad_norm / (norm + 1e-6))  # torch's clip
        self.k += 1
        self.m, self.v, step_theta = agents.adam_step(
            self.m, self.v, grad_theta * scale[:, None, None], self.k, cfg
        )
        self.m_w, self.v_w, step_w = agents.adam_step(
            self.m_w, self.v_w, grad_w * scale[:, None], self.k, cfg
        )
        self.theta -= step_theta
        self.w -= step_w


class ConvISR(isr.ISR):
    """The authors' ISR network as the learner sees it: (the ISR's views with the heading
    (M, N, 9, 9), actions (M, N)) → R_i (M, N); its output read as isr.ISR reads it (raw,
    or thresholded). codes: unused (the network reads raw codes)."""

    def output(self, views, actions):
        return predict(self.params, views, actions)


def train_isr(data, cfg, rng, chunk=1024):
    """One authors' ISR network per model of `data` (isr.SocialRewardData of views with the
    heading), trained on its train split as isr.train_isr trains with cfg: cfg.epochs passes
    of class-balanced minibatches of cfg.batch (theirs: one pass at batch 1), MSE against
    R_s, the gradient norm clipped, Adam (or cfg.updates minibatches, if set). rng: a
    Generator or one stream per model. Returns the params."""
    n_models, train = data.views.shape[0], data.train_index
    params = init_params(n_models, rng)
    state = isr.optimizer_state(params, cfg)
    sample = isr.balanced_sampler(data.r_s[:, train] > 0, rng)
    n_updates = cfg.updates or max(1, int(round(cfg.epochs * len(train) / cfg.batch)))
    batches = isr.minibatches(data, train, sample, cfg.batch, n_updates, state_action, chunk, chunk)
    for x, _, target in batches:
        train_step(params, state, x, target, cfg)
    return params
