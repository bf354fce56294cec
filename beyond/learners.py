"""beyond/learners.py — two learners the paper does not have (our additions).

  `MLPPolicy`, `view_features`, `MLPInternalization`: a learner on the raw view (`--learner
      mlp`): one hidden ReLU layer per learner, closer to the authors' CNN than the linear
      learner of agents.py, trained by the same REINFORCE with a baseline, entropy bonus and
      Adam (agents.logit_ascent, agents.adam_step). Figs 1 and 4 left run with it.
  `FEATURE_SETS`, `feature_superset`, `feature_mask`, `FeatureSubsets`: the linear learner on
      a subset of its features, one subset per learner in one batch (Fig. 9 c).
"""
from dataclasses import dataclass, replace

import numpy as np

import agents
import experiments as ex
from agents import features, n_features, sample
from env import GOAL, WALL


FEATURE_SETS = ("full", "no goal side", "minimal")   # Fig. 9 (c): the learner's features


def feature_superset(views):
    """(..., v·v + F) every feature of any of FEATURE_SETS: the goal's cell one-hot (not split
    by the wall ahead), then `features`. A feature set is a mask over it (`feature_mask`)."""
    phi = features(views)
    cells = np.shape(views)[-1] ** 2
    goal_cell = phi[..., :cells] + phi[..., cells:2 * cells]     # "wall ahead" and "free ahead" split it
    return np.concatenate([goal_cell, phi], axis=-1)


def feature_mask(name, view):
    """(v·v + F,) bool, the features of `feature_superset` that the set `name` keeps:
    full          `features` as they are (the goal's cell split by "wall ahead", nearby walls,
                  the goal's side alone and × wall ahead, a bias);
    no goal side  without the goal's side (alone and × wall ahead);
    minimal       the goal's cell (one one-hot), the nearby walls and a bias."""
    cells = view * view
    parts = {"goal": cells, "goal_wall_ahead": cells, "goal_free_ahead": cells, "near": 6, "side": 4,
             "side_wall_ahead": 4, "bias": 1}
    keep = {"full": set(parts) - {"goal"}, "no goal side": set(parts) - {"goal", "side", "side_wall_ahead"},
            "minimal": {"goal", "near", "bias"}}
    if name not in keep:
        raise ValueError(f"unknown feature set {name!r}; choose from {', '.join(FEATURE_SETS)}")
    return np.concatenate([np.full(n, part in keep[name]) for part, n in parts.items()])


class FeatureSubsets:
    """A featurizer giving each learner its own feature set: `feature_superset` times a mask
    per learner (S, F). A masked feature's weights get no gradient and stay at 0, so a learner
    is the linear learner on its subset (up to float32 summation order). Views (S, N, v, v) → (S, N, F); a single view
    (the size check) gets the unmasked superset."""

    def __init__(self, masks):
        self.masks = np.asarray(masks, dtype=np.float32)

    def __call__(self, views):
        phi = feature_superset(views)
        return phi * self.masks[:, None, :] if phi.ndim == 3 else phi

    def tile(self, copies):
        return FeatureSubsets(np.tile(self.masks, (copies, 1)))



def view_features(views):
    """(..., 2·v·v + 1) float32: the egocentric view one-hot over walls and the goal, and a
    bias — the raw view, as the authors' CNN saw it (`MLPPolicy`)."""
    views = np.asarray(views)
    cells = np.stack([views == WALL, views == GOAL], axis=-1).reshape(*views.shape[:-2], -1)
    return np.concatenate([cells, np.ones(cells.shape[:-1] + (1,), dtype=bool)], axis=-1).astype(np.float32)


class MLPPolicy:
    """A learner on the raw view (Figs 1 and 4 left with `learner="mlp"`; not in the paper,
    closer to its CNN): π(a | s) = softmax(W2·relu(W1·x + b1) + b2), x = `view_features`,
    one hidden ReLU layer per learner, trained by the same REINFORCE with a linear baseline
    on x, entropy bonus and Adam as `Policy` (`update`). Arrays carry the learner axis S first.
    """

    def __init__(self, params, w, m=None, v=None, k=0):
        self.params, self.w, self.k = params, w, k
        self.m = m if m is not None else {name: np.zeros_like(p) for name, p in params.items()}
        self.v = v if v is not None else {name: np.zeros_like(p) for name, p in params.items()}

    @classmethod
    def for_world(cls, n_seeds, world_cfg, hidden=64, rng=None):
        """S fresh learners: He-normal W1, W2 scaled by 0.01 (a near-uniform first policy),
        zero biases, w = 0. rng: a generator for the draw (default: seed 0)."""
        rng = np.random.default_rng(0) if rng is None else rng
        n_in, n_actions = n_features(view_features, world_cfg.view), world_cfg.n_actions
        params = {"W1": rng.normal(0, np.sqrt(2 / n_in), (n_seeds, n_in, hidden)),
                  "b1": np.zeros((n_seeds, 1, hidden)),
                  "W2": rng.normal(0, 0.01 * np.sqrt(2 / hidden), (n_seeds, hidden, n_actions)),
                  "b2": np.zeros((n_seeds, 1, n_actions))}
        return cls(params, np.zeros((n_seeds, n_in)))

    @property
    def n_learners(self):
        return self.w.shape[0]

    @property
    def sizes(self):
        return self.params["W1"].shape[1], self.params["W2"].shape[2]

    def _arrays(self):
        return [self.params, self.m, self.v]

    def select(self, learners):
        pick = lambda a: np.array(a[learners], ndmin=a.ndim)
        params, m, v = ({k: pick(a) for k, a in d.items()} for d in self._arrays())
        return MLPPolicy(params, pick(self.w), m, v, self.k)

    def tile(self, copies):
        return MLPPolicy.stack(*[self] * copies)

    @staticmethod
    def stack(*policies):
        cat = lambda get: np.concatenate([get(p) for p in policies], axis=0)
        dicts = [{k: cat(lambda p, k=k, i=i: p._arrays()[i][k]) for k in policies[0].params} for i in range(3)]
        return MLPPolicy(*dicts[:1], cat(lambda p: p.w), dicts[1], dicts[2], policies[0].k)

    def _forward(self, x):
        """x (S, B, D) → (hidden activations (S, B, H), logits (S, B, A)), in x's precision."""
        p = {k: a.astype(x.dtype, copy=False) for k, a in self.params.items()}
        h = np.maximum(np.matmul(x, p["W1"]) + p["b1"], 0)
        return h, np.matmul(h, p["W2"]) + p["b2"]

    def probs(self, phi):
        """(S, ..., A) action probabilities for inputs phi (S, ..., D)."""
        x = phi.reshape(phi.shape[0], -1, phi.shape[-1])
        return agents.softmax(self._forward(x)[1]).reshape(*phi.shape[:-1], -1)

    def probs_shared(self, phi):
        """(S, n, A) for inputs phi (n, D) that every learner shares."""
        return self.probs(np.broadcast_to(phi, (self.n_learners, *phi.shape)))

    def sample(self, phi, u):
        return sample(self.probs(phi), u)

    def gradients(self, x, actions, advantages, entropy):
        """The ascent direction of J = mean_b [A_b log π(a_b | s_b) + β H(π(· | s_b))] with
        respect to every parameter, by hand-written backprop; x (S, B, D), actions and
        advantages (S, B). (The gradient check in tests/test_agents.py compares it with
        finite differences of J.)"""
        h, logits = self._forward(x)
        d_logits = agents.logit_ascent(agents.softmax(logits), actions, advantages, entropy) / x.shape[1]   # dJ/dlogits
        d_hidden = np.matmul(d_logits, self.params["W2"].astype(x.dtype).transpose(0, 2, 1)) * (h > 0)
        return {"W2": np.matmul(h.transpose(0, 2, 1), d_logits), "b2": d_logits.sum(1, keepdims=True),
                "W1": np.matmul(x.transpose(0, 2, 1), d_hidden), "b1": d_hidden.sum(1, keepdims=True)}

    learn_from = agents.Policy.learn_from    # agents.learn's rollout → REINFORCE's `update`

    def update(self, b_phi, b_actions, b_returns, cfg, b_probs=None):
        """One REINFORCE-with-baseline step on a batch of episodes (S, T, N, ...), as
        `Policy.update`: Adam ascent along `gradients`, least-squares SGD on the baseline."""
        n_seeds, n_in = self.n_learners, self.sizes[0]
        x = b_phi.reshape(n_seeds, -1, n_in)
        returns = b_returns.reshape(n_seeds, -1).astype(np.float32)
        advantages = returns - np.matmul(x, self.w[..., None].astype(np.float32))[..., 0]
        grads = self.gradients(x, b_actions.reshape(n_seeds, -1), advantages, cfg.entropy)
        self.k += 1
        for name, g in grads.items():
            self.m[name], self.v[name], step = agents.adam_step(self.m[name], self.v[name], g, self.k, cfg)
            self.params[name] += step
        self.w += cfg.lr_value / x.shape[1] * np.matmul(x.transpose(0, 2, 1), advantages[..., None])[..., 0]


@dataclass(frozen=True)
class MLPInternalization(ex.Internalization):
    """Figs 1 and 4 left with the MLP learner (`python figures.py 1 4 --learner mlp`): Adam lr
    0.03, entropy bonus 0.03, and 18K socialization episodes (with the paper's 6K it reaches
    a lower share of the planner: docs/beyond.md, the `mlp` table)."""
    agent: agents.AgentConfig = agents.AgentConfig(lr=0.03, entropy=0.03)
    socialization: int = 18000                      # 3 × the paper's 6K (see above)
    hidden: int = 64                                # hidden units

    def quick(self):
        quick = super().quick()
        return replace(quick, socialization=3 * quick.socialization,
                       agent=replace(quick.agent, lr=self.agent.lr, entropy=self.agent.entropy))

    def fresh_learners(self, n_seeds, rng):
        """(S fresh MLP learners, their featurizer)."""
        return MLPPolicy.for_world(n_seeds, self.world, self.hidden, rng), view_features
