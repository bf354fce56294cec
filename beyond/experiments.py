"""beyond/experiments.py — questions the paper leaves open (Fig. 3's last panel, Figs 8 and 9).

The paper's utility U = R_e + P·R_s + (1 − P)·R_i (Eq. 1) allows any P, yet its experiments
switch the caregiver fully on or off; it reports no sensitivity to the ISR's threshold, to
the ISR's data and training, or to the learner's features. Each experiment here continues
the paper's protocol (experiments.py) with the same learner, ISR and worlds:

  `ISRDesigns`, `isr_designs` (Fig. 3's last panel): the ISR designs and the training we did
      not choose, each driving the learners the caregiver left.
  `PartialPresence`, `partial_presence` (Fig. 8): after socialization the caregiver comes back
      in a fraction q of the episodes; learners without an ISR, with their ISR, and with an
      ISR that keeps training on the episodes the caregiver comes to (online internalization).
  `Thresholds`, `thresholds` (Fig. 9 a): Fig. 4 right's learning in new worlds with the ISR's
      R_i thresholded at each level.
  `FeatureSets`, `feature_sets` (Fig. 9 c): Figs 1 and 4 left with three feature sets.
  Fig. 9 (b) reads Fig. 6's grid, whose learners `incomplete_internalization` also scores on
  Fig. 4 right's test layouts.
"""
from dataclasses import dataclass, replace

import numpy as np

import agents
import env
import evaluation
import isr
from beyond.learners import FEATURE_SETS, FeatureSubsets, feature_mask
from experiments import (LOGGED, PRESENCE, Generalization, Internalization, Several, caregiver_leaves,
                         ood_test_layouts, quiet, shared_rng, socialize, streams, train_isr)
from isr import ISRConfig, balanced_sampler, optimizer_state, train_step



# ---------------------------------------------------------------------------------------------
# Fig. 3, last panel: the ISR designs we did not choose, re-run

@dataclass(frozen=True)
class ISRDesigns:
    """Fig. 3, last panel: ISR designs × trainings, each driving the learners the caregiver
    left in the training world (Eq. 1's raw R_i), as Fig. 4 left's `isr` condition."""
    source: Internalization = Internalization()     # the learners and data it continues from
    designs: tuple = ("one output per action", "action as input", "empty channel")
    old_training: ISRConfig = ISRConfig(zero_output=False, updates=None, calibrate=False)  # He init, one pass
    after: int = 6000                               # episodes after the caregiver leaves
    tail: int = 500                                 # the last episodes compared

    def quick(self):
        return replace(self, source=self.source.quick(), after=300, tail=150)


def isr_design(name, cfg):
    """(ISR codes, ISRConfig changes) of a named design."""
    codes = cfg.source.isr_codes
    if name == "empty channel":
        return (env.EMPTY,) + tuple(codes), {}
    if name == "action as input":
        return tuple(codes), {"action_input": True}
    return tuple(codes), {}


def isr_designs(cfg, seeds, socialized, log=quiet):
    """Each design, trained the old way and ours, on each learner's socialization data; then
    the learners the caregiver left learn `after` episodes from it. Arrays (trainings,
    designs, S, ...): the calibration sums (evaluation.measure) and the learning logs."""
    source, data = cfg.source, socialized.data
    trainings = (cfg.old_training, source.isr)
    models, measured = [], []
    for t, training in enumerate(trainings):
        for d, name in enumerate(cfg.designs):
            codes, changes = isr_design(name, cfg)
            model, _ = train_isr(data, replace(training, **changes), streams(seeds, "isr_designs", f"isr {t} {d}"),
                                 source.world, codes, curve=False)
            models.append(model)
            measured.append(evaluation.measure(model, data, evaluation.single_agent_hazards))
    log(f"  learning from {len(models)} ISR designs: {cfg.after} episodes x {len(seeds)} seeds")
    logs = caregiver_leaves(socialized.policy.tile(len(models)), ("isr",), source.world, source.agent, cfg.after,
                            streams(seeds, "isr_designs", "after", len(models)), Several(models, len(seeds)))
    shape = (len(trainings), len(cfg.designs), len(seeds), -1)
    return {
        "seeds": np.array(seeds), "episodes_per_update": source.agent.worlds_per_seed, "tail_episodes": cfg.tail,
        "designs": np.array(cfg.designs), "trainings": np.array(["random output layer, one pass, raw",
                                                                 "zero output layer, 1,000 updates, calibrated"]),
        "social": {"goals": socialized.goals},                       # (S, updates) of socialization
        "calibration": {k: np.stack([m[k] for m in measured]).reshape(*shape[:3], *measured[0][k].shape[1:])
                        for k in measured[0]},
        "after": {k: logs["isr"][k].reshape(shape) for k in LOGGED},
        "env_steps": logs["env_steps"],
    }


# ---------------------------------------------------------------------------------------------
# Fig. 8: a caregiver present in a fraction q of the episodes

PRESENCE_ARMS = ("none", "isr", "isr_online")   # R_i = 0 / the ISR / the ISR trained online


@dataclass(frozen=True)
class PartialPresence:
    """Fig. 8: after socialization the caregiver comes back in each episode with probability q."""
    source: Internalization = Internalization()     # the learners and ISRs it continues from
    visit_rates: tuple = (0.0, 0.05, 0.1, 0.25, 0.5, 1.0)   # q, the share of episodes it comes to
    after: int = 6000                               # episodes after socialization (as Fig. 4 left)
    tail: int = 500                                 # the last episodes, for the claims
    online_every: int = 300                         # episodes between the online ISR's refreshes
    online_updates: int = 20                        # its SGD updates per refresh, on the episodes
                                                    # the caregiver came to since the last one

    def quick(self):
        return replace(self, source=self.source.quick(), after=600, tail=150, online_every=150)


def partial_presence(cfg, seeds, socialized, log=quiet):
    """The socialized learners of `internalization` go on for cfg.after episodes; in each
    episode the caregiver comes (P = 1, it pays R_s) with probability q, and otherwise is away
    (P = 0): `none` then gets R_i = 0, `isr` the R_i of its ISR as trained after socialization,
    `isr_online` the R_i of an ISR that, every cfg.online_every episodes, takes
    cfg.online_updates class-balanced SGD steps on the transitions of the episodes the caregiver
    came to in that stretch (its calibration kept). Arrays per arm: (rates, S, updates)."""
    if cfg.after % cfg.online_every:
        raise ValueError(f"after ({cfg.after}) must be a multiple of online_every ({cfg.online_every})")
    n_seeds, rates = len(seeds), np.array(cfg.visit_rates, dtype=float)
    source, model = cfg.source, socialized.isrs[-1]
    n_rates = len(rates)
    visits = np.repeat(rates, n_seeds)                                    # rate-major, then seed
    log(f"  none and isr: {cfg.after} episodes x {n_seeds} seeds x {n_rates} visit rates")
    fixed = socialized.policy.tile(2 * n_rates)
    logs = agents.learn(fixed, source.world, source.agent, cfg.after, 0.0,
                        streams(seeds, "partial_presence", "none and isr", 2 * n_rates),
                        isr=model.tile(n_rates), has_isr=np.repeat([False, True], n_rates * n_seeds),
                        visits=np.tile(visits, 2))
    curves = {arm: {k: logs[k][i * n_rates * n_seeds:(i + 1) * n_rates * n_seeds] for k in LOGGED + ("present",)}
              for i, arm in enumerate(PRESENCE_ARMS[:2])}
    log(f"  isr_online: {cfg.after} episodes x {n_seeds} seeds x {n_rates} visit rates, "
        f"its ISR refreshed every {cfg.online_every}")
    curves["isr_online"], steps = online_internalization(cfg, socialized.policy.tile(n_rates), model.tile(n_rates),
                                                         visits, streams(seeds, "partial_presence", "online", n_rates))
    shape = lambda a: a.reshape(n_rates, n_seeds, *a.shape[1:])
    return {
        "seeds": np.array(seeds), "visit_rates": rates, "episodes_per_update": source.agent.worlds_per_seed,
        "tail_episodes": cfg.tail, "social": {"goals": socialized.goals},
        "curves": {arm: {k: shape(v) for k, v in c.items() if k != "present"} for arm, c in curves.items()},
        "visited": {arm: shape(c["present"].mean(axis=2)) for arm, c in curves.items()},   # share per update
        "env_steps": logs["env_steps"] + steps,
    }


def online_internalization(cfg, policy, model, visits, rng):
    """The `isr_online` arm: learn in stretches of cfg.online_every episodes, recording the
    transitions; after each, the ISR trains on those of the episodes the caregiver came to
    (`fine_tune`). Returns (logs {LOGGED, present} over the whole phase, env steps)."""
    source = cfg.source
    parts, steps = [], 0
    for _ in range(cfg.after // cfg.online_every):
        part = agents.learn(policy, source.world, source.agent, cfg.online_every, 0.0, rng, isr=model,
                            visits=visits, record=True)
        data, came = part.pop("data"), part["present"]                   # came (S, updates, N)
        # Each recorded transition (update, t, world) belongs to the episode of (update, world).
        eligible = np.broadcast_to(came[:, :, None, :], (*came.shape[:2], source.world.episode_len,
                                                         came.shape[2])).reshape(len(came), -1)
        params = fine_tune(model.params, data["views"], data["actions"], data["r_s"], eligible,
                               source.isr, rng, model.codes, source.world.n_actions, cfg.online_updates)
        model = isr.ISR(params, model.codes, model.threshold, model.odds, model.reward)
        parts.append(part)
        steps += part["env_steps"]
    logs = {k: np.concatenate([p[k] for p in parts], axis=1) for k in LOGGED + ("present",)}
    return logs, steps


def fine_tune(params, views, actions, r_s, eligible, cfg, rng, codes, n_actions, updates):
    """Online internalization (Fig. 8): `updates` more class-balanced SGD steps of trained
    ISR params (a copy is returned) on the eligible (M, n) of each model's transitions
    views (M, n, v, v), actions, r_s (M, n), from fresh momentum. A model with no eligible
    transition is left as it was."""
    params = {k: p.copy() for k, p in params.items()}
    state = optimizer_state(params, cfg)
    sample = balanced_sampler(r_s > 0, rng, eligible)
    has_data = eligible.any(axis=1).astype(np.float32)
    m = np.arange(len(views))[:, None]
    for _ in range(updates):
        index = sample(cfg.batch)
        train_step(params, state, views[m, index], actions[m, index].astype(np.int64),
                   r_s[m, index].astype(np.float32), cfg, codes, n_actions, has_data)
    return params


# ---------------------------------------------------------------------------------------------
# Fig. 9 (a): the ISR's threshold

@dataclass(frozen=True)
class Thresholds:
    """Fig. 9 (a): Fig. 4 right's further learning from the ISR, at each threshold."""
    source: Generalization = Generalization()      # the one-block learners and ISRs it continues
    thresholds: tuple = (0.0, 0.05, 0.1, 0.2, 0.3)  # R_i at or below counts as 0 (Fig. 4 right: 0.2)

    def quick(self):
        return replace(self, source=self.source.quick())


def thresholds(cfg, seeds, socialized, log=quiet):
    """The learners `generalization` socialized with one block learn cfg.source.new_world_episodes
    in new 5-block worlds from their ISR thresholded at each level, with the oracle (P = 1) as
    a reference; every policy, and the frozen learners, is scored by its exact greedy return
    on Fig. 4 right's test layouts. Arrays (levels, S) and the oracle's and frozen's (S,)."""
    n_seeds, source = len(seeds), cfg.source
    model = socialized.isrs[-1]
    levels = len(cfg.thresholds)
    log(f"  new worlds: {source.new_world_episodes} episodes x {n_seeds} seeds x {levels} thresholds + oracle")
    policy = socialized.policy.tile(levels + 1)                      # levels × isr, then the oracle
    is_isr = np.repeat(np.arange(levels + 1) < levels, n_seeds)
    logs = agents.learn(policy, source.new_world, source.agent, source.new_world_episodes,
                        np.where(is_isr, PRESENCE["isr"], PRESENCE["oracle"]),
                        streams(seeds, "thresholds", "new worlds", levels + 1),
                        isr=Several([model.with_threshold(t) for t in cfg.thresholds], n_seeds), has_isr=is_isr)
    log(f"  exact test: {source.test_layouts} random layouts")
    layouts = ood_test_layouts(source.new_world, source.test_layouts)
    scores = evaluation.expected_return(agents.Policy.stack(policy, socialized.policy), source.new_world, layouts,
                                        with_stochastic=False)
    per = lambda v: v.reshape(levels + 2, n_seeds)
    return {
        "seeds": np.array(seeds), "thresholds": np.array(cfg.thresholds, dtype=float),
        "episodes_per_update": source.agent.worlds_per_seed,
        "return": per(scores["return"])[:levels], "goals": per(scores["goals"])[:levels],
        "oracle_return": per(scores["return"])[levels], "frozen_return": per(scores["return"])[levels + 1],
        "r_i": logs["r_i"][is_isr].reshape(levels, n_seeds, -1),     # (levels, S, updates)
        "r_s": logs["r_s"][is_isr].reshape(levels, n_seeds, -1),
        "env_steps": logs["env_steps"],
    }


# ---------------------------------------------------------------------------------------------
# Fig. 9 (c): the learner's features

@dataclass(frozen=True)
class FeatureSets:
    """Fig. 9 (c): Figs 1 and 4 left's protocol with each of FEATURE_SETS (beyond/learners.py)."""
    source: Internalization = Internalization()    # world, learner, ISR and budgets as Fig. 1
    sets: tuple = FEATURE_SETS                      # full, no goal side, minimal

    def quick(self):
        return replace(self, source=self.source.quick())


def feature_sets(cfg, seeds, log=quiet):
    """Socialize one learner per seed and feature set (one batch: each learner's features are
    a mask over beyond.learners.feature_superset), train each one's ISR, then continue as Fig. 4 left
    with `none` and `isr`. Arrays (sets, S, updates)."""
    n_seeds, source, n_sets = len(seeds), cfg.source, len(cfg.sets)
    masks = np.repeat([feature_mask(name, source.world.view) for name in cfg.sets], n_seeds, axis=0)
    featurize = FeatureSubsets(masks)
    log(f"  socialization: {source.socialization} episodes x {n_seeds} seeds x {n_sets} feature sets")
    policy, social, data = socialize(source.world, source.agent, source.isr, n_sets * n_seeds, source.socialization,
                                     streams(seeds, "feature_sets", "socialization", n_sets), featurize=featurize)
    model, _ = train_isr(data, source.isr, streams(seeds, "feature_sets", "isr", n_sets), source.world,
                         source.isr_codes, curve=False)
    del data
    log(f"  after the caregiver leaves: {source.after} episodes x {n_seeds} seeds x {n_sets} sets x 2 conditions")
    arms = ("none", "isr")
    after = caregiver_leaves(policy.tile(len(arms)), arms, source.world, source.agent, source.after,
                             streams(seeds, "feature_sets", "after", len(arms) * n_sets),
                             model, featurize=featurize.tile(len(arms)))
    planner = env.planner_goals(source.world, source.planner_worlds, source.planner_episodes,
                                shared_rng("feature_sets", "planner"))
    per_set = lambda a: a.reshape(n_sets, n_seeds, *a.shape[1:])
    return {
        "seeds": np.array(seeds), "sets": np.array(cfg.sets), "episodes_per_update": source.agent.worlds_per_seed,
        "tail_episodes": source.tail, "planner_goals": planner["goals"].mean(),
        "social": {"goals": per_set(social["goals"])},
        "after": {arm: {k: per_set(v) for k, v in after[arm].items()} for arm in arms},
        "env_steps": social["env_steps"] + after["env_steps"] + planner["env_steps"],
    }
