"""beyond/experiments.py — questions the paper leaves open (Fig. 3's last panel, Figs 8–10).

The paper's utility U = R_e + P·R_s + (1 − P)·R_i (Eq. 1) allows any P, yet its experiments
switch the caregiver fully on or off; it reports no sensitivity to the ISR's threshold, to
the ISR's data and training, or to the learner's features. Each experiment here continues
the paper's protocol (experiments.py) with the same learner, ISR and worlds:

  `ISRDesigns`, `isr_designs` (Fig. 3's last panel): the ISR designs and the training we did
      not choose, each driving the learners the caregiver left.
  `PartialPresence`, `partial_presence` (Fig. 8): after socialization the caregiver comes back
      in a fraction q of the episodes; learners without an ISR, with their ISR, and with an
      ISR that keeps training on the episodes the caregiver comes to (online internalization).
  `Repair`, `repair` (Fig. 10): the same visits to Fig. 6's learners, some of which hack
      their incomplete ISR; the online ISR's calibration kept or refitted.
  `Ablations`, `ablations` (Fig. 11): Fig. 6's least-data cells with the authors' ISR and
      with each of our ISR choices switched on in it, one at a time: which removes the hacking?
  `Thresholds`, `thresholds` (Fig. 9 a): Fig. 4 right's learning in new worlds with the ISR's
      R_i thresholded at each level.
  `FeatureSets`, `feature_sets` (Fig. 9 c): Figs 1 and 4 left with three feature sets.
  `Factorial`, `factorial` (Fig. 12): Fig. 4 left for each learner (ours, ours without its
      entropy bonus, the authors' PPO) × ISR (ours, the authors' in MLP form, their network).
  Fig. 9 (b) reads Fig. 6's grid, whose learners `incomplete_internalization` also scores on
  Fig. 4 right's test layouts.
"""
from dataclasses import dataclass, replace
from functools import partial
from types import MappingProxyType

import numpy as np

import agents
import authors
import env
import evaluation
import isr
from beyond.learners import FEATURE_SETS, FeatureSubsets, feature_mask
from experiments import (LOGGED, PRESENCE, Generalization, IncompleteInternalization, Internalization,
                         caregiver_leaves, check_episodes, isr_training, ood_test_layouts, no_log, shared_rng, socialize,
                         learner_streams, tail_updates, internalize)
from isr import ISRConfig, ISRGroups, balanced_sampler, network_input, optimizer_state, train_step



# ---------------------------------------------------------------------------------------------
# Fig. 3, last panel: the ISR designs we did not choose, re-run

@dataclass(frozen=True)
class ISRDesigns:
    """Fig. 3, last panel: ISR designs × trainings, each driving the learners the caregiver
    left in the training world (Eq. 1's raw R_i), as Fig. 4 left's `isr` condition."""
    source: Internalization = Internalization()     # the learners and data it continues from
    designs: tuple = ("one output per action", "action as input", "empty channel")   # `isr_design`'s
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
        return tuple(codes), {"action_input": "one_hot"}
    return tuple(codes), {}


def isr_designs(cfg, seeds, socialized, log=no_log):
    """Each design, trained the old way and ours, on each learner's socialization data; then
    the learners the caregiver left learn `after` episodes from it. Arrays (trainings,
    designs, S, ...): the calibration sums (evaluation.measure) and the learning logs."""
    source, data = cfg.source, socialized.data
    trainings = (cfg.old_training, source.isr)
    models, measured = [], []
    for t, training in enumerate(trainings):
        for d, name in enumerate(cfg.designs):
            codes, changes = isr_design(name, cfg)
            model, _ = internalize(data, replace(training, **changes), learner_streams(seeds, "isr_designs", f"isr {t} {d}"),
                                 source.world, codes, curve=False)
            models.append(model)
            measured.append(evaluation.measure(model, data, evaluation.single_agent_hazards))
    log(f"  learning from {len(models)} ISR designs: {cfg.after} episodes x {len(seeds)} seeds")
    logs = caregiver_leaves(socialized.policy.tile(len(models)), ("isr",), source.world, source.agent, cfg.after,
                            learner_streams(seeds, "isr_designs", "after", len(models)), ISRGroups(models, len(seeds)))
    shape = (len(trainings), len(cfg.designs), len(seeds), -1)
    return {
        "seeds": np.array(seeds), "episodes_per_update": source.agent.worlds_per_seed, "tail_episodes": cfg.tail,
        "designs": np.array(cfg.designs), "trainings": np.array(["random output layer, one pass, raw",
                                                                 "zero output layer, 1,000 updates, calibrated"]),
        "social": {"goals": socialized.goals},                       # (S, updates) of socialization
        "calibration": evaluation.stack_measures(measured, shape[:2]),
        "after": {k: logs["isr"][k].reshape(shape) for k in LOGGED},
        "env_steps": logs["env_steps"],
    }


# ---------------------------------------------------------------------------------------------
# Fig. 8: a caregiver present in a fraction q of the episodes

PRESENCE_ARMS = ("none", "isr", "isr_online")   # R_i = 0 / the ISR / the ISR trained online
ONLINE_ARMS = {"kept": "isr_online", "refitted": "isr_online_refit"}   # the online ISR's calibration


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
    online_calibration: tuple = ("kept",)           # the online ISR's calibration (ONLINE_ARMS)

    def quick(self):
        return replace(self, source=self.source.quick(), after=600, tail=150, online_every=150)


def partial_presence(cfg, seeds, socialized, log=no_log):
    """The socialized learners of `internalization` go on for cfg.after episodes; in each
    episode the caregiver comes (P = 1, it pays R_s) with probability q, and otherwise is away
    (P = 0), in the three arms of `caregiver_visits`. Arrays per arm: (rates, S, updates)."""
    n_seeds, rates = len(seeds), np.array(cfg.visit_rates, dtype=float)
    source, n_rates = cfg.source, len(rates)
    log(f"  none, isr and isr_online: {cfg.after} episodes x {n_seeds} seeds x {n_rates} visit rates, "
        f"the online ISR refreshed every {cfg.online_every}")
    curves, _, steps = caregiver_visits(cfg, socialized.policy.tile(n_rates), socialized.isrs[-1].tile(n_rates),
                                        np.repeat(rates, n_seeds), source.world, source.agent, source.isr,
                                        lambda stage, arms: learner_streams(seeds, "partial_presence", stage, arms * n_rates))
    shape = lambda a: a.reshape(n_rates, n_seeds, *a.shape[1:])
    return {
        "seeds": np.array(seeds), "visit_rates": rates, "episodes_per_update": source.agent.worlds_per_seed,
        "tail_episodes": cfg.tail, "social": {"goals": socialized.goals},
        "curves": {arm: {k: shape(c[k]) for k in LOGGED} for arm, c in curves.items()},
        "visited": {arm: shape(c["present"].mean(axis=2)) for arm, c in curves.items()},   # share per update
        "env_steps": steps,
    }


def caregiver_visits(cfg, policy, model, visits, world, agent, isr_cfg, stage):
    """Figs 8 and 10: the learners `policy` (L) with their ISRs `model` (L) go on for cfg.after
    episodes in `world`, the caregiver coming to each episode with probability visits (L,), in
    the arms `none` (R_i = 0 while it is away), `isr` (its ISR, frozen) and one online arm per
    entry of cfg.online_calibration (ONLINE_ARMS): every cfg.online_every episodes the ISR
    takes cfg.online_updates class-balanced steps of `isr_cfg` on the transitions of the
    episodes the caregiver came to in that stretch, its calibration "kept", or "refitted" on
    those transitions (isr.calibrate_odds: it pays there what the caregiver paid; kept when
    they hold no reward). stage(name, arms): the random streams of a stage with `arms` copies
    of the learners. Returns ({arm: {LOGGED, present} (L, updates)}, with the rewarded
    transitions each online refresh trained on, `rewarded_seen` (L, refreshes); the online
    ISRs at the end, arm-major; env steps)."""
    if cfg.after % cfg.online_every:
        raise ValueError(f"after ({cfg.after}) must be a multiple of online_every ({cfg.online_every})")
    n, variants = policy.n_learners, len(cfg.online_calibration)
    logs = agents.learn(policy.tile(2), world, agent, cfg.after, 0.0, stage("none and isr", 2), isr=model,
                        has_isr=np.repeat([False, True], n), visits=np.tile(visits, 2))
    curves = {arm: {k: logs[k][i * n:(i + 1) * n] for k in LOGGED + ("present",)}
              for i, arm in enumerate(PRESENCE_ARMS[:2])}
    refit = np.repeat([c == "refitted" for c in cfg.online_calibration], n)
    policy, model, visits = policy.tile(variants), model.tile(variants), np.tile(visits, variants)
    parts, seen, steps, rng = [], [], logs["env_steps"], stage("online", variants)
    for _ in range(cfg.after // cfg.online_every):
        part = agents.learn(policy, world, agent, cfg.online_every, 0.0, rng, isr=model, visits=visits, record=True)
        data, came = part.pop("data"), part["present"]                   # came (L, updates, N)
        # Each recorded transition (update, t, world) belongs to the episode of (update, world).
        eligible = np.broadcast_to(came[:, :, None, :], (*came.shape[:2], world.episode_len,
                                                         came.shape[2])).reshape(len(came), -1)
        params = fine_tune(model.params, data["views"], data["actions"], data["r_s"], eligible, isr_cfg, rng,
                           model.codes, world.n_actions, cfg.online_updates)
        rewarded = eligible & (data["r_s"] > 0)
        odds = refit_odds(params, model, data, eligible, np.flatnonzero(refit & rewarded.any(axis=1)),
                          world.social_reward)
        model = isr.ISR(params, model.codes, model.threshold, odds, world.social_reward, model.replaces_cost)
        parts.append(part)
        seen.append(rewarded.sum(axis=1))
        steps += part["env_steps"]
    for v, calibration in enumerate(cfg.online_calibration):
        rows = slice(v * n, (v + 1) * n)
        curves[ONLINE_ARMS[calibration]] = {k: np.concatenate([p[k][rows] for p in parts], axis=1)
                                            for k in LOGGED + ("present",)}
        curves[ONLINE_ARMS[calibration]]["rewarded_seen"] = np.stack(seen, axis=1)[rows]   # (L, refreshes)
    return curves, model, steps


def refit_odds(params, model, data, eligible, fit, reward):
    """`model`'s odds factors (NaN where it is uncalibrated: the authors'), those of the models
    `fit` refitted for the network `params` on their eligible (M, n) recorded transitions `data`
    (isr.calibrate_odds, R_s 0 or `reward`); only the eligible transitions are run, packed at
    the front of each row. None where no model is calibrated or refitted."""
    if not len(fit):
        return model.odds
    odds = np.full(model.n_models, np.nan) if model.odds is None else model.odds.copy()
    order = np.argsort(~eligible[fit], axis=1, kind="stable")[:, :eligible[fit].sum(axis=1).max()]
    keep, rows = np.take_along_axis(eligible[fit], order, 1), fit[:, None]
    network = isr.ISR({k: p[fit] for k, p in params.items()}, model.codes)
    y = evaluation.in_chunks(network.output, data["views"][rows, order], data["actions"][rows, order].astype(np.int64))
    odds[fit] = isr.calibrate_odds(np.where(keep, y, 0), np.where(keep, data["r_s"][rows, order], 0), reward)
    return odds


def fine_tune(params, views, actions, r_s, eligible, cfg, rng, codes, n_actions, updates):
    """Online internalization (Fig. 8): `updates` more class-balanced SGD steps of trained
    ISR params (a copy is returned) on the eligible (M, n) of each model's transitions
    views (M, n, v, v), actions, r_s (M, n), from fresh momentum. A model with no eligible
    transition is left as it was."""
    params = {k: p.copy() for k, p in params.items()}           # train a copy: descend moves it in place
    state = optimizer_state(params, cfg)
    sample = balanced_sampler(r_s > 0, rng, eligible)
    has_data = eligible.any(axis=1).astype(np.float32)
    m = np.arange(len(views))[:, None]
    for _ in range(updates):
        index = sample(cfg.batch)
        acted = actions[m, index].astype(np.int64)
        train_step(params, state, network_input(params, views[m, index], acted, codes), acted,
                   r_s[m, index].astype(np.float32), cfg, n_actions, has_data)
    return params


# ---------------------------------------------------------------------------------------------
# Fig. 10: a caregiver's visits to learners of an incomplete ISR

@dataclass(frozen=True)
class Repair:
    """Fig. 10: Fig. 6's learners and ISRs of one column and some data sizes go on with a
    caregiver who comes back in a share q of the episodes."""
    source: IncompleteInternalization = IncompleteInternalization()   # the grid it continues
    isr_training: object = "authors"                # Fig. 6's column: the authors' ISR, the most hacked
    data_fractions: tuple = (1 / 12, 1 / 6, 1.0)    # its rows: 500, 1,000 and 6,000 episodes (some
                                                    # learners hack each; Fig. 10 b: those of 6,000 that do not)
    visit_rates: tuple = (0.0, 0.05, 0.1, 0.25)     # q, as Fig. 8's lower ones
    after: int = 6000                               # episodes with the visits, in Fig. 6's new worlds
    tail: int = 500                                 # the last episodes, for the claims
    online_every: int = 300                         # as Fig. 8
    online_updates: int = 20                        # as Fig. 8
    online_calibration: tuple = ("kept", "refitted")   # Fig. 8's online arm, and one refitting k

    def quick(self):
        """Small: Fig. 6's least data, where some learners hack the authors' ISR even at this budget."""
        return replace(self, source=self.source.quick(), data_fractions=(1 / 48, 1.0), visit_rates=(0.0, 0.25),
                       after=300, tail=150, online_every=150)


def repair(cfg, seeds, grid, log=no_log):
    """Fig. 6's learners (experiments.GridLearners) of the cells cfg.isr_training × cfg.data_fractions
    go on for cfg.after episodes in its new worlds, the caregiver coming with probability q, in
    the arms of `caregiver_visits` (the online ISRs train as their column did, their
    calibration kept or refitted), from where Fig. 6 left them: no re-socialization. Each ISR,
    before and after, is measured on the held-out socialization data (`evaluation.measure`)
    and on the steps its learners farmed in Fig. 6's last episodes (R_i > 0 where the
    caregiver pays 0). Arrays (rates, cells, S, ...), the online ISRs' per online arm; Fig. 6's
    own (cells, S, ...) under `before`."""
    source, n_seeds, rates = cfg.source, len(seeds), np.array(cfg.visit_rates, dtype=float)
    if cfg.isr_training not in source.isr_training or not set(cfg.data_fractions) <= set(source.data_fractions):
        raise ValueError(f"Fig. 10's cells must be in Fig. 6's grid: isr_training {cfg.isr_training!r} of "
                         f"{source.isr_training}, data_fractions of {source.data_fractions}")
    column = source.isr_training.index(cfg.isr_training)
    rows = [source.data_fractions.index(f) for f in cfg.data_fractions]
    n_rates, n_cells = len(rates), len(rows)
    in_column = np.concatenate([np.arange(row * n_seeds, (row + 1) * n_seeds) for row in rows])   # cell-major
    learners = column * len(source.data_fractions) * n_seeds + in_column
    log(f"  none, isr and {len(cfg.online_calibration)} online arms: {cfg.after} episodes x {n_seeds} seeds x "
        f"{n_cells} ISRs x {n_rates} visit rates")
    curves, online, steps = caregiver_visits(
        cfg, grid.policy.select(learners).tile(n_rates),
        grid.model.models[column].select(in_column).tile(n_rates),
        np.repeat(rates, n_cells * n_seeds), source.new_world, source.source.agent,
        isr_training(source.source.isr, cfg.isr_training),
        lambda stage, arms: learner_streams(seeds, "repair", stage, arms * n_rates * n_cells))
    log("  the ISRs before and after, on held-out data and on the farmed steps")
    pick = lambda a: a[column][rows]                                   # (cells, S, ...)
    last = {k: pick(v) for k, v in grid.run["last"].items()}
    farmed = (last["r_i"] > 0) & (last["r_s"] == 0)                    # (cells, S, steps)
    copies = len(cfg.online_calibration) * n_rates                      # online ISRs: arm, rate, cell, seed
    tiled = lambda a: np.broadcast_to(a, (copies, *a.shape)).reshape(-1, *a.shape[2:])
    r_i_after = evaluation.in_chunks(online, tiled(last["views"]), tiled(last["actions"]).astype(np.int64))
    data = grid.socialized.data
    measured = lambda model, groups: [evaluation.measure(model.select(np.arange(g * n_seeds, (g + 1) * n_seeds)),
                                                         data, evaluation.single_agent_hazards) for g in range(groups)]
    per_cell = lambda a: a.reshape(n_rates, n_cells, n_seeds, *a.shape[1:])
    arms = [ONLINE_ARMS[c] for c in cfg.online_calibration]
    per_arm = lambda a: dict(zip(arms, a.reshape(len(arms), n_rates, n_cells, n_seeds, *a.shape[1:])))
    after, block = measured(online, copies * n_cells), n_rates * n_cells      # arm-major blocks of cells
    return {
        "seeds": np.array(seeds), "visit_rates": rates, "episodes_per_update": source.source.agent.worlds_per_seed,
        "tail_episodes": cfg.tail, "online_every": cfg.online_every,
        "isr_training": grid.run["isr_training"][column], "episodes": grid.run["episodes"][rows],
        "social": {"goals": grid.socialized.goals},
        "before": {k: pick(v) for k, v in grid.run["curves"].items()},  # Fig. 6's phase, (cells, S, updates)
        "curves": {arm: {k: per_cell(c[k]) for k in LOGGED} for arm, c in curves.items()},
        "rewarded_seen": {arm: per_cell(curves[arm]["rewarded_seen"]) for arm in arms},   # (..., refreshes)
        "farmed": {"steps": farmed.sum(axis=-1), "r_i_before": np.where(farmed, last["r_i"], 0).sum(axis=-1),
                   "r_i_after": per_arm(np.where(farmed, r_i_after.reshape(copies, *farmed.shape), 0)
                                        .sum(axis=-1).reshape(copies * n_cells * n_seeds))},
        "calibration": {"before": {k: pick(v) for k, v in grid.run["calibration"].items()},   # Fig. 6 measured them
                        "after": {arm: evaluation.stack_measures(after[a * block:(a + 1) * block], (n_rates, n_cells))
                                  for a, arm in enumerate(arms)}},
        "env_steps": steps,
    }


# ---------------------------------------------------------------------------------------------
# Fig. 9 (a): the ISR's threshold

@dataclass(frozen=True)
class Thresholds:
    """Fig. 9 (a): Fig. 4 right's further learning from the ISR, at each threshold."""
    source: Generalization = Generalization()      # the one-block learners and ISRs it continues
    thresholds: tuple = (0.0, 0.05, 0.1, 0.2, 0.3)  # R_i at or below counts as 0 (Fig. 4 right: 0.2)

    def quick(self):
        return replace(self, source=self.source.quick())


def thresholds(cfg, seeds, socialized, log=no_log):
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
                        learner_streams(seeds, "thresholds", "new worlds", levels + 1),
                        isr=ISRGroups([model.with_threshold(t) for t in cfg.thresholds], n_seeds), has_isr=is_isr)
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


def feature_sets(cfg, seeds, log=no_log):
    """Socialize one learner per seed and feature set (one batch: each learner's features are
    a mask over beyond.learners.feature_superset), train each one's ISR, then continue as Fig. 4 left
    with `none` and `isr`. Arrays (sets, S, updates)."""
    n_seeds, source, n_sets = len(seeds), cfg.source, len(cfg.sets)
    masks = np.repeat([feature_mask(name, source.world.view) for name in cfg.sets], n_seeds, axis=0)
    featurize = FeatureSubsets(masks)
    log(f"  socialization: {source.socialization} episodes x {n_seeds} seeds x {n_sets} feature sets")
    policy, social, data = socialize(source.world, source.agent, source.isr, n_sets * n_seeds, source.socialization,
                                     learner_streams(seeds, "feature_sets", "socialization", n_sets), featurize=featurize)
    model, _ = internalize(data, source.isr, learner_streams(seeds, "feature_sets", "isr", n_sets), source.world,
                         source.isr_codes, curve=False)
    del data
    log(f"  after the caregiver leaves: {source.after} episodes x {n_seeds} seeds x {n_sets} sets x 2 conditions")
    arms = ("none", "isr")
    after = caregiver_leaves(policy.tile(len(arms)), arms, source.world, source.agent, source.after,
                             learner_streams(seeds, "feature_sets", "after", len(arms) * n_sets),
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


# ---------------------------------------------------------------------------------------------
# Fig. 11: which of our ISR choices removes the authors' ISR's hacking

OUR_CHOICES = MappingProxyType({      # an ISRConfig field each, switched to our value (isr.ISRConfig)
    "calibrate": "calibrated", "zero_output": "zero output layer", "action_input": "an output per action",
    "threshold_replaces_cost": "R_i plus step cost"})    # the last: R_i adds to the cost, not replaces it


@dataclass(frozen=True)
class Ablations:
    """Fig. 11: the authors' ISR, and the same with one of our choices (OUR_CHOICES) switched
    on, trained on Fig. 6's least data; the learners the caregiver left learn from each in
    Fig. 6's new worlds."""
    source: IncompleteInternalization = IncompleteInternalization()   # Fig. 6: worlds, threshold, length
    switches: tuple = (("calibrate",), ("zero_output",), ("action_input",), ("threshold_replaces_cost",),
                       ("calibrate", "zero_output"))   # our choices, one at a time, then the two that
                                                        # each lowered the hacking (a tuning run), together
    data_fractions: tuple = (1 / 48, 1 / 12)        # 125 and 500 socialization episodes (Fig. 6's rows)
    after: int = 6000                               # further episodes, as Fig. 6
    tail: int = 500                                 # the last episodes, for the claims

    def quick(self):
        return replace(self, source=self.source.quick(), after=300, tail=150)


def ablation_designs(cfg):
    """[(name, ISRConfig)]: the authors' ISR, then it with each switch's fields set to our value."""
    ours = ISRConfig()
    return [("the authors' ISR", isr.AUTHORS)] + [
        ("+ " + " + ".join(OUR_CHOICES[name] for name in names),
         replace(isr.AUTHORS, **{name: getattr(ours, name) for name in names})) for names in cfg.switches]


def ablations(cfg, seeds, socialized, log=no_log):
    """Each design of `ablation_designs` trained on the first cfg.data_fractions of each
    learner's socialization data (thresholded as Fig. 6); the learners the caregiver left then
    learn cfg.after episodes from it in Fig. 6's new worlds. Arrays (designs, sizes, S, updates)."""
    n_seeds, grid, data = len(seeds), cfg.source, socialized.data
    designs, sizes = ablation_designs(cfg), [max(1, int(round(f * data.n_train))) for f in cfg.data_fractions]
    stage = partial(learner_streams, seeds, "ablations")
    log(f"  {len(designs)} ISR designs x {len(sizes)} data sizes per seed")
    models = [isr.ISR.stack(*[internalize(data, design, stage(f"isr {d} {z}"), grid.source.world, grid.source.isr_codes,
                                        grid.isr_threshold, n_train=size, curve=False)[0]
                              for z, size in enumerate(sizes)])
              for d, (_, design) in enumerate(designs)]
    cells = len(designs) * len(sizes)
    log(f"  learning from them: {cfg.after} episodes x {n_seeds} seeds x {cells} ISRs")
    logs = caregiver_leaves(socialized.policy.tile(cells), ("isr",), grid.new_world, grid.source.agent, cfg.after,
                            stage("after", cells), ISRGroups(models, len(sizes) * n_seeds))
    shape = (len(designs), len(sizes), n_seeds, -1)
    return {
        "seeds": np.array(seeds), "episodes_per_update": grid.source.agent.worlds_per_seed, "tail_episodes": cfg.tail,
        "designs": np.array([name for name, _ in designs]),
        "episodes": np.array([int(round(f * grid.source.socialization)) for f in cfg.data_fractions]),
        "curves": {k: logs["isr"][k].reshape(shape) for k in LOGGED},       # (designs, sizes, S, updates)
        "env_steps": logs["env_steps"],
    }


# ---------------------------------------------------------------------------------------------
# Fig. 12: what makes an ISR hackable: the ISR, the learner's algorithm, or its exploration

FACTORIAL_LEARNERS = MappingProxyType({"ours": "ours (REINFORCE)", "ours_no_entropy": "ours, no entropy bonus",
                                       "ppo": "the authors' PPO (our linear policy)"})
FACTORIAL_ISRS = MappingProxyType({"ours": "ours", "authors_mlp": "the authors' in MLP form (our MLP and view)",
                                   "authors_conv": "the authors' network"})


@dataclass(frozen=True)
class Factorial:
    """Fig. 12: Fig. 4 left's protocol for each learner × each ISR: fresh learners socialized,
    the ISRs trained on each learner's own data, then the caregiver leaves and each ISR pays
    Eq. 1's raw R_i (the authors' additive rule in Figs 1 and 4 left)."""
    source: Internalization = Internalization()    # world, budgets, our ISR, the authors' MLP form
    learners: tuple = tuple(FACTORIAL_LEARNERS)     # ours; ours without the entropy bonus (the
                                                    # control that separates exploration from
                                                    # the algorithm); PPO on our linear policy
    ppo: agents.AgentConfig = authors.PPO           # the authors' algorithm (authors.py)
    mlp_isr: ISRConfig = isr.AUTHORS                # the authors' ISR in MLP form and its training
    conv_isr: ISRConfig = isr.AUTHORS               # the authors' network's training: one pass, batch 1
    conv_for: tuple = ("ours", "ppo")               # the learners it is trained for (a pass costs
                                                    # about 2 ms an update for 10 models)

    def quick(self):
        return replace(self, source=self.source.quick(),
                       mlp_isr=replace(self.mlp_isr, updates=1000), conv_isr=replace(self.conv_isr, updates=1000))

    def check(self):
        """A one-line ValueError naming the first setting this experiment cannot run."""
        self.source.check()
        unknown = [name for name in self.learners if name not in FACTORIAL_LEARNERS]
        if unknown or not self.learners:
            raise ValueError(f"learners must be some of {', '.join(FACTORIAL_LEARNERS)}, got {', '.join(self.learners)}")
        check_episodes(self.ppo.worlds_per_seed, socialization=self.source.socialization, after=self.source.after)

    def agent(self, learner):
        """The AgentConfig of a learner of FACTORIAL_LEARNERS."""
        return {"ours": self.source.agent, "ours_no_entropy": replace(self.source.agent, entropy=0.0),
                "ppo": self.ppo}[learner]


def factorial(cfg, seeds, log=no_log):
    """For each learner of cfg.learners: S fresh learners socialized (the world's ISR view
    holds the heading, which the authors' network reads), our ISR, the authors' MLP form and
    (for cfg.conv_for) the authors' network trained on their data, each measured on the
    held-out split (evaluation.measure); then the caregiver leaves and the learners learn
    `after` episodes from each ISR, the last `tail` recorded to find what the ISRs paid for.
    Arrays per learner and ISR: the curves (S, updates), what the ISR paid in the last
    episodes (paid) and the part of it paid where the caregiver would have paid nothing
    (farmed), (S,) each."""
    source, n_seeds = cfg.source, len(seeds)
    world = replace(source.world, isr_heading=True)
    run = {"seeds": np.array(seeds), "tail_episodes": source.tail, "learners": np.array(cfg.learners),
           "isrs": np.array(list(FACTORIAL_ISRS)), "social": {}, "after": {}, "last": {}, "calibration": {},
           "episodes_per_update": {}, "env_steps": 0}
    for learner in cfg.learners:
        agent, stage = cfg.agent(learner), partial(learner_streams, seeds, f"factorial {learner}")
        log(f"  {FACTORIAL_LEARNERS[learner]}: socialization, {source.socialization} episodes x {n_seeds} seeds")
        policy, social, data = socialize(world, agent, source.isr, n_seeds, source.socialization, stage("socialization"))
        models = {"ours": internalize(data, source.isr, stage("isr"), world, source.isr_codes, curve=False)[0],
                  "authors_mlp": internalize(data, cfg.mlp_isr, stage("the authors' isr"), world, source.isr_codes,
                                           curve=False)[0]}
        if learner in cfg.conv_for:
            log(f"  the authors' network on its data: {data.n_train:,} updates of batch 1 x {n_seeds} seeds")
            params = authors.train_isr(data, cfg.conv_isr, stage("the authors' network"))
            models["authors_conv"] = authors.ConvISR(params, None)
        run["calibration"][learner] = {k: evaluation.measure(m, data, evaluation.single_agent_hazards)
                                       for k, m in models.items()}
        del data
        log(f"  after the caregiver leaves: {source.after} episodes x {n_seeds} seeds x {len(models)} ISRs")
        learners, model = policy.tile(len(models)), ISRGroups(list(models.values()), n_seeds)
        per_update = agent.worlds_per_seed
        tail = tail_updates(source.tail, per_update) * per_update
        first = agents.learn(learners, world, agent, source.after - tail, 0.0, stage("after", len(models)), isr=model)
        last = agents.learn(learners, world, agent, tail, 0.0, stage("last", len(models)), isr=model, record=True)
        recorded = last["data"]
        r_i = evaluation.in_chunks(model, recorded["views"], recorded["actions"].astype(np.int64))
        part = lambda a, i: a[i * n_seeds:(i + 1) * n_seeds]
        run["social"][learner] = {k: social[k] for k in LOGGED}
        run["after"][learner] = {name: {k: np.concatenate([part(first[k], i), part(last[k], i)], axis=1) for k in LOGGED}
                                 for i, name in enumerate(models)}
        run["last"][learner] = {name: {"paid": part(r_i, i).sum(axis=1, dtype=np.float64),
                                       "farmed": np.where(part(recorded["r_s"], i) == 0, part(r_i, i), 0).sum(
                                           axis=1, dtype=np.float64)}
                                for i, name in enumerate(models)}
        run["episodes_per_update"][learner] = per_update
        run["env_steps"] += social["env_steps"] + first["env_steps"] + last["env_steps"]
    planner = env.planner_goals(world, source.planner_worlds, source.planner_episodes, shared_rng("factorial", "planner"))
    run["planner_goals"] = planner["goals"].mean()
    run["env_steps"] += planner["env_steps"]
    return run
