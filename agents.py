"""agents.py — the learner (paper §2–§3; every figure): a linear policy-gradient agent.

The learner is a softmax policy linear in features of the egocentric view, trained by
REINFORCE with a learned linear baseline, Adam and an entropy bonus (our choice in place
of the authors' convolutional network trained by PPO: a reader can follow every line, and
it learns the task in seconds). Every array carries a leading seed axis S, then time T,
then the world axis N: S independent learners, each acting in N parallel worlds, are
trained in one batched computation. The protocol around it (socialization, the caregiver
leaving) is in experiments.py.

Utility (paper Eq. 1), computed in `utility` and nowhere else:
    U = R_e + P·R_s + (1 − P)·R_i
R_e is the step cost, R_s the caregiver's social reward, P = 1 while the caregiver is
present, and R_i the internalized social reward the ISR predicts (0 without an ISR).

Logged per episode and seed (arrays of shape (S, episodes/N)), averaged over the N worlds:
    goals     goals reached per episode;
    internal  the return the learner is trained on, Σ_t U_t per episode (its "internal"
              return; equals the true return while the caregiver is present);
    r_i       Σ_t R_i per episode: what its ISR paid (0 without one);
    r_s       Σ_t R_s per episode: what the caregiver paid, or would have paid had it been
              present (so r_i − r_s measures how much more the ISR pays than the caregiver).

Public names: AgentConfig, Rollout, Policy, features, n_features, where_is, nearby_cells, utility,
discounted_returns, logit_ascent, adam_step, softmax, sample, learn, evaluate.
(The authors' algorithm, PPO, on this policy: authors.PPOPolicy, `AgentConfig(algorithm="ppo")`.)
(The two-agent world's features are prosocial.features; the learners beyond the paper, an
MLP on the raw view and feature subsets, are in beyond/learners.py.)
"""
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from env import EMPTY, GOAL, WALL, check_count
from streams import Streams


@dataclass(frozen=True)
class AgentConfig:
    """The learner's settings: ours by default (REINFORCE); the authors trained a CNN with PPO
    at lr 1e-4. algorithm="ppo" trains our linear policy by their PPO (authors.PPO has
    their settings); the fields marked PPO are read by it alone."""
    worlds_per_seed: int = 30    # N parallel worlds per learner; an update uses N episodes
    lr: float = 0.15             # Adam step size of the policy weights θ (PPO: of θ and w)
    lr_value: float = 0.1        # SGD step size of the baseline weights w
    gamma: float = 0.99          # discount of the reward-to-go within an episode (PPO's γ)
    beta1: float = 0.9           # Adam's first-moment decay
    beta2: float = 0.999         # Adam's second-moment decay
    adam_eps: float = 1e-8       # Adam's ε in √v̂ + ε (the authors' PPO: 1e-5)
    entropy: float = 0.01        # entropy bonus (PPO's default is 0; docs/deviations.md: why)
    algorithm: str = "reinforce" # "reinforce" (ours) or "ppo" (the authors', authors.PPOPolicy)
    clip: float = 0.2            # PPO: the ratio's clip range
    gae_lambda: float = 0.95     # PPO: GAE's λ
    epochs: int = 10             # PPO: passes over each rollout
    minibatch: int = 64          # PPO: steps per gradient step
    value_coef: float = 0.5      # PPO: the value loss's weight
    max_grad_norm: float = 0.5   # PPO: global gradient-norm clip of θ and w together

    def __post_init__(self):
        if self.algorithm not in ("reinforce", "ppo"):
            raise ValueError(
                f"AgentConfig.algorithm must be reinforce or ppo, got {self.algorithm!r}"
            )


def features(views):
    """(..., F) float32 features of egocentric views (..., v, v), any odd v >= 5.

    - where the goal is: a one-hot over the view's cells (the goal is always in view),
      given twice, once for "a wall is ahead" and once for "the way ahead is free";
    - walls on the four cells around the agent and two ahead;
    - which side the goal is on (ahead, left, right, behind), alone and × wall ahead;
    - a bias.
    One-hot walls over the whole view do not learn: the ~27 outer-ring walls are on in
    nearly every 9×9 view, so the forward logit moves ~27× faster than any goal feature
    and the policy collapses to "never go forward".
    """
    flat, near = nearby_cells(views, WALL)
    goal_cell, goal_side = where_is(flat, GOAL)
    wall_ahead = near[..., :1]
    parts = [goal_cell & wall_ahead, goal_cell & ~wall_ahead, near, goal_side,
             wall_ahead & goal_side, np.ones(flat.shape[:-1] + (1,), dtype=bool)]
    return np.concatenate(parts, axis=-1).astype(np.float32)


def nearby_cells(views, code):
    """Flattened views (..., v·v), and (..., 6) whether the four cells around the agent and
    the two ahead hold `code` (None: anything but an empty cell). Ahead comes first."""
    views = np.asarray(views)
    v = views.shape[-1]
    c = v // 2
    flat = views.reshape(*views.shape[:-2], v * v)
    cells = flat[..., [(c - 1) * v + c, (c - 2) * v + c, c * v + c - 1, c * v + c + 1,
                       (c - 1) * v + c - 1, (c - 1) * v + c + 1]]
    return flat, (cells != EMPTY) if code is None else (cells == code)


def where_is(flat, code):
    """(one-hot (..., v·v), side (..., 4)) of the cell holding `code` in flattened views;
    side = ahead, left, right, behind. All False when it is out of view."""
    v2 = flat.shape[-1]
    is_code = flat == code
    at = np.where(is_code.any(axis=-1), is_code.argmax(axis=-1), v2)
    found = _CELL_TABLES[int(round(v2 ** 0.5))][at]
    return found[..., :v2], found[..., v2:]


def _cell_table(v):
    """(v·v + 1, v·v + 4) bool: per cell, its one-hot and its side (ahead, left, right,
    behind); the last row (nothing in view) is all False."""
    c = v // 2
    rows, cols = np.divmod(np.arange(v * v), v)
    side = np.stack([(rows < c) & (cols == c), cols < c, cols > c, (rows > c) & (cols == c)], -1)
    table = np.zeros((v * v + 1, v * v + 4), dtype=bool)
    table[:-1, :v * v] = np.eye(v * v, dtype=bool)
    table[:-1, v * v:] = side
    return table


# One read-only table per odd view size (the features ask for it at every step).
def _read_only(array):
    array.setflags(write=False)
    return array


_CELL_TABLES = MappingProxyType({v: _read_only(_cell_table(v)) for v in range(3, 17, 2)})


def n_features(featurize, view):
    """How many features `featurize` makes of a view × view view."""
    return featurize(np.zeros((view, view), dtype=np.int8)).shape[-1]


def utility(r_e, r_s, r_i, presence, replaces_cost=False):
    """Paper Eq. 1: U = R_e + P·R_s + (1 − P)·R_i. The only place rewards are combined.

    replaces_cost (a bool, or one per learner broadcast against the rewards): the authors'
    rule for a thresholded ISR (their Figs 5 and 6): where the caregiver is away (P < 1)
    and the ISR pays (R_i > 0), R_i replaces the step's cost (R_e = 0)."""
    if np.any(replaces_cost):
        r_e = np.where((r_i > 0) & (presence < 1) & replaces_cost, 0.0, r_e)
    return r_e + presence * r_s + (1.0 - presence) * r_i


def discounted_returns(rewards, gamma, axis=0):
    """Reward-to-go along the time axis: G_t = Σ_{k≥t} γ^(k−t) r_k, for one episode."""
    rewards = np.moveaxis(rewards, axis, 0)                    # (T, ...)
    returns = np.zeros_like(rewards)
    running = np.zeros_like(rewards[0])
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running
        returns[t] = running
    return np.moveaxis(returns, 0, axis)


class Rollout(NamedTuple):
    """What a learner learns from: one episode in each of its N worlds, (S, T, N, ...)."""
    phi: np.ndarray        # (S, T, N, F) features of the views it acted on
    actions: np.ndarray    # (S, T, N) the actions taken
    probs: np.ndarray      # (S, T, N, A) π at each step, as it acted
    utility: np.ndarray    # (S, T, N) U of Eq. 1 at each step
    final_phi: np.ndarray  # (S, N, F) features of the view each episode ended in (PPO only)


@dataclass
class Policy:
    """S independent linear softmax policies with linear baselines.

    π(a | s) = softmax(φ(s)·θ)_a, baseline b(s) = φ(s)·w. `m`, `v`, `k` are Adam's moment
    estimates and step count for θ; like PPO's optimiser state they carry over from
    socialization into the second phase.
    """
    theta: np.ndarray    # (S, F, A) policy weights
    w: np.ndarray        # (S, F) baseline weights
    m: np.ndarray        # (S, F, A) Adam first moment
    v: np.ndarray        # (S, F, A) Adam second moment
    k: int = 0           # Adam steps taken
    algorithm = "reinforce"   # the AgentConfig.algorithm that trains it

    @classmethod
    def zeros(cls, n_seeds, n_features, n_actions):
        """S fresh learners: θ = 0 (a uniform policy), w = 0, no Adam steps yet."""
        shape = (n_seeds, n_features, n_actions)
        return cls(np.zeros(shape), np.zeros(shape[:2]), np.zeros(shape), np.zeros(shape))

    @classmethod
    def for_world(cls, n_seeds, world_cfg, featurize=features):
        """S fresh learners sized for a world's view and actions and the features used."""
        return cls.zeros(n_seeds, n_features(featurize, world_cfg.view), world_cfg.n_actions)

    @property
    def n_learners(self):
        return self.theta.shape[0]

    @property
    def sizes(self):
        """(features, actions) the policy takes and gives."""
        return self.theta.shape[1:]

    def tile(self, copies):
        """A new Policy holding `copies` copies of every learner, stacked on the seed axis."""
        return Policy.stack(*[self] * copies)

    def select(self, learners):
        """A new Policy holding the learners `learners` (an index or a slice) of this one."""
        pick = lambda a: np.array(a[learners], ndmin=3 if a.ndim == 3 else 2)
        return type(self)(**{name: pick(getattr(self, name)) for name in self._arrays()}, k=self.k)

    @staticmethod
    def stack(*policies):
        """One Policy holding the learners of several, in order, on the seed axis."""
        cat = lambda name: np.concatenate([getattr(p, name) for p in policies], axis=0)
        return type(policies[0])(
            **{name: cat(name) for name in policies[0]._arrays()}, k=policies[0].k
        )

    @classmethod
    def _arrays(cls):
        """The names of its per-learner arrays (all its fields but Adam's step count)."""
        return [f.name for f in fields(cls) if f.name != "k"]

    def probs(self, phi):
        """(S, ..., A) action probabilities for features phi (S, ..., F).

        The matmul runs in phi's precision: float32 in training (the hot path).
        """
        theta = self.theta.astype(phi.dtype, copy=False)
        return softmax(np.matmul(phi, theta[:, None] if phi.ndim == 4 else theta))

    def probs_shared(self, phi):
        """(S, n, A) action probabilities of every learner for features phi (n, F) that all
        of them share (evaluation.py's states), as one matrix product, in phi's precision."""
        n_seeds, n_features, n_actions = self.theta.shape
        theta = self.theta.astype(phi.dtype).transpose(1, 0, 2)
        theta = theta.reshape(n_features, n_seeds * n_actions)
        return softmax((phi @ theta).reshape(len(phi), n_seeds, n_actions).transpose(1, 0, 2))

    def sample(self, phi, u):
        """(S, N) actions drawn from π with uniforms u (S, N) (`sample`)."""
        return sample(self.probs(phi), u)

    def learn_from(self, rollout, cfg, rng):
        """Learn from one `Rollout` (an episode in each of N worlds): a REINFORCE step on the
        discounted reward-to-go of the utility (rng unused: authors.PPOPolicy draws minibatches)."""
        returns = discounted_returns(rollout.utility, cfg.gamma, axis=1)          # (S, T, N)
        self.update(rollout.phi, rollout.actions, returns, cfg, rollout.probs)

    def update(self, b_phi, b_actions, b_returns, cfg, b_probs=None):
        """One REINFORCE-with-baseline step on a batch of episodes (S, T, N, ...).

        g = mean_{t,n} [(G_t − b(s_t)) ∇θ log π(a_t | s_t) + β ∇θ H(π(· | s_t))], with
        ∇θ log π(a | s) = φ(s) ⊗ (onehot(a) − π(· | s)): no γ^t factor, no advantage
        normalisation, no clipping; β = cfg.entropy. θ takes an Adam ascent step along g;
        the baseline one least-squares SGD step. Adam matters: the goal features are on in
        ~1/25 of the states, the bias in all, and plain SGD either crawls or lets some seeds
        collapse; without the entropy bonus 1–2 learners in 10 stall at 2.1–2.5 goals.
        b_probs: π at each step of the batch, if the rollout kept it (θ has not changed since).
        """
        n_seeds, n_features, n_actions = self.theta.shape
        phi = b_phi.reshape(n_seeds, -1, n_features)                          # (S, T·N, F)
        returns = b_returns.reshape(n_seeds, -1).astype(np.float32)           # (S, T·N)
        actions = b_actions.reshape(n_seeds, -1)
        baseline = np.matmul(phi, self.w[..., None].astype(np.float32))[..., 0]   # b(s_t)
        advantages = returns - baseline                                       # G_t − b(s_t)
        probs = self.probs(phi) if b_probs is None else b_probs.reshape(n_seeds, -1, n_actions)
        n = returns.shape[1]
        # ∂J/∂logits at each step, (G_t − b(s_t))·(onehot(a_t) − π) + β ∂H/∂logits, (S, T·N, A)
        ascent = logit_ascent(probs, actions, advantages, cfg.entropy)
        # Σ_t φ(s_t) ⊗ ascent_t (REINFORCE's sum) and Σ_t φ(s_t)·(G_t − b(s_t)) (the baseline's
        # least-squares gradient) in one pass over φ: one product of φᵀ with [ascent | advantages]
        sums = np.matmul(
            phi.transpose(0, 2, 1), np.concatenate([ascent, advantages[..., None]], axis=-1)
        )
        self.k += 1
        self.m, self.v, step = adam_step(self.m, self.v, sums[..., :n_actions] / n, self.k, cfg)
        self.theta += step                                    # Adam ascent on J
        self.w += cfg.lr_value / n * sums[..., n_actions]     # SGD on the baseline's squared error


def logit_ascent(probs, actions, advantages, entropy):
    """(..., A) the gradient, with respect to the logits, of A·log π(a | s) + β·H(π(· | s)) at
    each sample (probs (..., A), actions and advantages (...)), not yet averaged: the score
    onehot(a) − π times the advantage, plus the entropy bonus ∂H/∂logit_a = −π_a (log π_a + H),
    H = −Σ_b π_b log π_b. Both learners' updates start from it."""
    score = np.eye(probs.shape[-1], dtype=probs.dtype)[actions] - probs
    log_probs = np.log(probs + 1e-12)
    entropy_grad = -probs * (log_probs - (probs * log_probs).sum(-1, keepdims=True))
    return advantages[..., None] * score + entropy * entropy_grad


def adam_step(m, v, grad, k, cfg):
    """Adam's moments after the k-th gradient, and the ascent step they give:
    (m, v, lr · m̂ / (√v̂ + ε)) with the bias corrections m̂ = m/(1 − β1^k), v̂ = v/(1 − β2^k)."""
    m = cfg.beta1 * m + (1 - cfg.beta1) * grad
    v = cfg.beta2 * v + (1 - cfg.beta2) * grad ** 2
    m_hat, v_hat = m / (1 - cfg.beta1 ** k), v / (1 - cfg.beta2 ** k)
    return m, v, cfg.lr * m_hat / (np.sqrt(v_hat) + cfg.adam_eps)


def softmax(logits):
    """Probabilities from logits (..., A), the largest logit subtracted first."""
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def sample(probs, u):
    """(...) actions drawn from probabilities (..., A) by inverse-CDF sampling, with one
    uniform number in [0, 1) per action drawn, u (...)."""
    cdf = np.cumsum(probs, axis=-1)
    return np.minimum((u[..., None] > cdf).sum(axis=-1), cdf.shape[-1] - 1)


def learn(policy, world_cfg, agent_cfg, episodes, presence, rng, isr=None, has_isr=None,
          record=False, layouts=None, featurize=features, visits=None):
    """Train `policy` in place for `episodes` episodes per learner; return the logs.

    presence: P of Eq. 1, a number or one per learner (S,): 1 while the caregiver is
              present, 0 once it has left.
    rng:      streams.Streams with one row per learner (each learner draws its worlds, actions
              and visits from its own stream alone), or a numpy Generator (it spawns them).
    isr:      None (R_i = 0 for everyone: the `none` condition), or the ISR of the learners
              that have one: a callable (views (S', N, v, v), actions (S', N)) → R_i (S', N),
              such as `isr.ISR`, holding S' = has_isr.sum() models in learner order. One
              whose `replaces_step_cost` is true (the authors' thresholded ISR) pays a step
              instead of its cost, where the caregiver is away.
    has_isr:  (S,) bool, which learners have an ISR (default: all of them, if `isr` is given).
    record:   keep every transition (the view the ISR sees, action, R_s) for the ISR's data set.
    layouts:  what world_cfg.make takes: for env.WorldConfig one fixed layout per learner
              (S, H, W) (Fig. 5), for prosocial.ProsocialConfig the `Layouts` to draw from.
    featurize: the policy's features (`prosocial.features` in the two-agent world).
    visits:   None, or a number or one per learner (S,) in [0, 1]: the caregiver comes back in
              each episode with this probability, drawn per episode; P is 1 in the episodes it
              comes and `presence` in the others (Fig. 8). The logs then hold `present`
              (S, updates, N), which episodes it came to.
    The world says what the ISR sees (`world.isr_view`). An update uses one episode in each
    of the N worlds of a learner, so `episodes` must be a multiple of N; the logs hold one
    point per update (the mean over the N worlds), and the env steps taken.
    """
    n_seeds, n = policy.n_learners, agent_cfg.worlds_per_seed
    if episodes < n or episodes % n:
        raise ValueError(f"episodes ({episodes}) must be a positive multiple of "
                         f"worlds_per_seed ({n})")
    presence = _per_learner(presence, n_seeds, "presence", float)[:, None]     # (S, 1)
    has_isr = _isr_mask(isr, has_isr, n_seeds)
    replaces = np.zeros(n_seeds, dtype=bool)          # whose ISR pays instead of the step cost
    if isr is not None:
        replaces[has_isr] = np.broadcast_to(
            getattr(isr, "replaces_step_cost", False), (int(has_isr.sum()),)
        )
    v, T, updates = world_cfg.view, world_cfg.episode_len, episodes // n
    if visits is not None:
        visits = _per_learner(visits, n_seeds, "visits", float)
        if not ((visits >= 0) & (visits <= 1)).all():
            raise ValueError(
                f"visits must be probabilities in [0, 1], got {visits.min()} … {visits.max()}"
            )
        came = np.zeros((n_seeds, updates, n), dtype=bool)
    _check_sizes(policy, featurize, world_cfg)
    if getattr(policy, "algorithm", "reinforce") != agent_cfg.algorithm:
        raise ValueError(
            f"AgentConfig.algorithm is {agent_cfg.algorithm!r}, but the policy is a "
            f"{type(policy).__name__} (algorithm {getattr(policy, 'algorithm', None)!r})"
        )
    world_rng, action_rng, visit_rng, update_rng = Streams.of(rng, n_seeds).spawn(4)
    world = world_cfg.make(n_seeds, n, world_rng, layouts)
    obs = world.reset().reshape(n_seeds, n, v, v)
    goals, internal = np.zeros((n_seeds, updates)), np.zeros((n_seeds, updates))
    paid_i, paid_s = np.zeros((n_seeds, updates)), np.zeros((n_seeds, updates))
    if record:
        data = {"views": np.zeros((n_seeds, updates, T, n, v, v), dtype=np.int8),
                "actions": np.zeros((n_seeds, updates, T, n), dtype=np.int8),
                "r_s": np.zeros((n_seeds, updates, T, n), dtype=np.float32)}
    n_phi, n_actions = policy.sizes
    for k in range(updates):
        b_phi = np.empty((n_seeds, T, n, n_phi), dtype=np.float32)      # each step fills its slice
        b_probs = np.empty((n_seeds, T, n, n_actions), dtype=np.float32)
        b_actions = np.empty((n_seeds, T, n), dtype=np.int64)
        b_r_e, b_r_s = np.zeros((n_seeds, T, n)), np.zeros((n_seeds, T, n))
        b_r_i = np.zeros((n_seeds, T, n), dtype=np.float32)
        b_reached = np.zeros((n_seeds, T, n), dtype=bool)
        p = presence[:, :, None]                                            # (S, 1, 1)
        u = action_rng.random((n_seeds, T, n))                              # the episode's draws
        if visits is not None:                                              # (S, 1, N): per episode
            came[:, k] = visit_rng.random((n_seeds, n)) < visits[:, None]
            p = np.where(came[:, k], 1.0, presence)[:, None, :]
        for t in range(T):
            b_phi[:, t] = phi = featurize(obs)
            b_probs[:, t] = probs = policy.probs(phi)
            b_actions[:, t] = actions = sample(probs, u[:, t])
            step = world.step(actions.ravel())
            b_r_e[:, t], b_r_s[:, t] = step.r_e.reshape(n_seeds, n), step.r_s.reshape(n_seeds, n)
            b_reached[:, t] = step.reached.reshape(n_seeds, n)
            seen = world.isr_view(obs, step) if isr is not None or record else obs
            if isr is not None:
                b_r_i[has_isr, t] = isr(seen[has_isr], actions[has_isr])
            if record:
                data["views"][:, k, t], data["actions"][:, k, t] = seen, actions
                data["r_s"][:, k, t] = b_r_s[:, t]
            obs = step.obs.reshape(n_seeds, n, v, v)
        final_phi = None                                    # PPO bootstraps the truncated episodes
        if agent_cfg.algorithm == "ppo":
            final_phi = featurize(step.final_obs.reshape(n_seeds, n, v, v))
        b_utility = utility(b_r_e, b_r_s, b_r_i, p, replaces[:, None, None])   # (S, T, N)
        goals[:, k] = b_reached.mean(axis=2).sum(axis=1)
        internal[:, k] = b_utility.sum(axis=1).mean(axis=1)
        paid_i[:, k], paid_s[:, k] = b_r_i.mean(axis=2).sum(axis=1), b_r_s.mean(axis=2).sum(axis=1)
        policy.learn_from(
            Rollout(b_phi, b_actions, b_probs, b_utility, final_phi), agent_cfg, update_rng
        )
    logs = {"goals": goals, "internal": internal, "r_i": paid_i, "r_s": paid_s,
            "env_steps": world.env_steps}
    if visits is not None:
        logs["present"] = came
    if record:  # (S, M) transitions per learner in the order they happened, M = episodes·T
        logs["data"] = {key: a.reshape(n_seeds, -1, *a.shape[4:]) for key, a in data.items()}
    return logs


def evaluate(policy, world_cfg, episodes, rng, layouts=None, featurize=features, greedy=True,
             max_worlds=60_000):
    """Monte-Carlo evaluation with the true rewards and no learning.

    greedy: act by argmax π, as the authors' test in new worlds (ties to the first action,
    as torch's argmax); else sample from π. Each learner plays `episodes` episodes in
    parallel worlds, at most `max_worlds` worlds at a time (memory). Returns, each (S,):
    goals and the true return Σ_t (R_e + R_s) per episode averaged over the episodes, the
    return's standard error over them (`return_se`); and the env steps taken.
    """
    episodes = check_count(episodes, "episodes")
    n_seeds = policy.n_learners
    _check_sizes(policy, featurize, world_cfg)
    chunk = max(1, min(episodes, max_worlds // n_seeds))
    goals, returns = [], []
    parts = range(0, episodes, chunk)
    for first, part_rng in zip(parts, Streams.of(rng, n_seeds).spawn(len(parts))):
        g, r = _play(
            policy, world_cfg, min(chunk, episodes - first), part_rng, layouts, featurize, greedy
        )
        goals.append(g)
        returns.append(r)
    goals, returns = np.concatenate(goals, axis=1), np.concatenate(returns, axis=1)  # (S, episodes)
    se = np.full(n_seeds, np.nan)
    if episodes > 1:
        se = returns.std(axis=1, ddof=1) / np.sqrt(episodes)
    return {"goals": goals.mean(axis=1), "return": returns.mean(axis=1), "return_se": se,
            "env_steps": n_seeds * episodes * world_cfg.episode_len}


def _play(policy, world_cfg, episodes, rng, layouts, featurize, greedy):
    """(goals, return) (S, episodes) of one episode in each of S·episodes parallel worlds."""
    n_seeds = policy.n_learners
    world_rng, action_rng = rng.spawn(2)
    world = world_cfg.make(n_seeds, episodes, world_rng, layouts)
    obs = world.reset().reshape(n_seeds, episodes, world_cfg.view, world_cfg.view)
    goals, returns = np.zeros((n_seeds, episodes)), np.zeros((n_seeds, episodes))
    u = None if greedy else action_rng.random((n_seeds, world_cfg.episode_len, episodes))
    for t in range(world_cfg.episode_len):
        phi = featurize(obs)
        actions = policy.probs(phi).argmax(axis=-1) if greedy else policy.sample(phi, u[:, t])
        step = world.step(actions.ravel())
        goals += step.reached.reshape(n_seeds, episodes)
        returns += utility(step.r_e, step.r_s, 0.0, 1.0).reshape(n_seeds, episodes)
        obs = step.obs.reshape(obs.shape)
    return goals, returns


def _per_learner(value, n_seeds, name, dtype):
    """A number or a (S,) array as a (S,) array, or a one-line error."""
    value = np.asarray(value, dtype=dtype)
    if value.ndim > 1 or value.size not in (1, n_seeds):
        raise ValueError(f"{name} must be a number or one value per learner ({n_seeds}), "
                         f"got shape {value.shape}")
    return np.broadcast_to(value, (n_seeds,))


def _isr_mask(isr, has_isr, n_seeds):
    """(S,) bool: which learners receive R_i; checks the ISR holds one model for each."""
    if isr is None:
        if has_isr is not None and np.any(has_isr):
            raise ValueError("has_isr marks learners with an ISR, but no isr was given")
        return np.zeros(n_seeds, dtype=bool)
    has_isr = _per_learner(True if has_isr is None else has_isr, n_seeds, "has_isr", bool)
    n_models = getattr(isr, "n_models", None)
    if n_models is not None and n_models != has_isr.sum():
        raise ValueError(
            f"the ISR holds {n_models} models but has_isr marks {has_isr.sum()} learners"
        )
    return has_isr


def _check_sizes(policy, featurize, world_cfg):
    """A one-line error if the policy does not fit the world's view and actions."""
    expected = (n_features(featurize, world_cfg.view), world_cfg.n_actions)
    if policy.sizes != expected:
        raise ValueError(f"the policy has (features, actions) = {policy.sizes}, but "
                         f"this world and featurizer need {expected}")
