"""experiments.py — the paper's protocol and its four experiments (numpy only).

The protocol (paper §2–§3, Fig. 2):
  1. `socialize`: fresh learners learn with the caregiver present (P = 1); every
     transition (view, action, R_s) is recorded.
  2. `internalize`: each learner's ISR learns R_s from its own socialization data.
  3. `caregiver_leaves`: the socialized learners go on under the conditions
       oracle  the caregiver stays (P = 1);
       none    the caregiver leaves (P = 0), no ISR: R_i = 0;
       isr     the caregiver leaves (P = 0), R_i from the learner's own ISR
               (isr_authors: from the authors' ISR design, isr.AUTHORS, trained beside it);
     U = R_e + P·R_s + (1 − P)·R_i (Eq. 1, agents.utility).

The experiments, each a frozen config (every setting a documented field; `.quick()` is the
budget of `figures.py --quick`) and a function `(config, seeds) → run`:
  `Internalization`, `internalization` (Figs 1, 3, 4 left);
  `Generalization`, `generalization` (Figs 4 right, 5);
  `IncompleteInternalization`, `incomplete_internalization` (Fig. 6);
and in prosocial.py `Helping`, `helping` (Fig. 7, the two-agent world). (Our
experiments beyond the paper are in beyond/.) A run is a nested dict of plain arrays
keyed by condition name (figures.py saves it as .npz); `env_steps` counts its world-steps.
The seeds of a run are learners of one batch, but each learner (and each copy of it, one per
condition) draws from streams keyed by its own seed, the experiment and the stage alone
(`learner_streams`): its numbers do not depend on the seeds beside it, the batching or the
processes. What is drawn once for every learner (the planner's worlds, the test layouts, the
pools of layouts) is keyed by the experiment and the stage alone (`shared_rng`).
"""
import zlib
from functools import partial
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

import agents
import env
import evaluation
import isr
from isr import AUTHORS as AUTHORS_DESIGN, ISRConfig   # the authors' ISR, beside ours
from streams import Streams

CONDITIONS = ("oracle", "none", "isr")     # after socialization: caregiver stays / leaves / ISR
# P of Eq. 1 per condition: isr_authors, the authors' ISR (isr.AUTHORS) pays; isr_raw, Fig. 4
# right's raw R_i
PRESENCE = MappingProxyType({"oracle": 1.0, "none": 0.0, "isr": 0.0, "isr_authors": 0.0,
                             "isr_raw": 0.0})
ISR_CONDITIONS = ("isr", "isr_authors", "isr_raw")   # the conditions whose learners an ISR pays
CALIBRATION = MappingProxyType({"isr": "calibration",                       # a run's keys
                                "isr_authors": "calibration_authors"})
OOD_CONDITIONS = ("frozen", "frozen_authors", "isr", "isr_authors", "oracle")   # Figs 4 right, 5
ISR_CODES = env.WorldConfig().isr_codes                     # walls, goal (docs/deviations.md)
# The quick budget's learner: 15 worlds per update instead of 30, so that a quarter of the
# episodes still makes half the paper's updates (1,500 episodes: 71 % of the planner).
QUICK_AGENT = agents.AgentConfig(worlds_per_seed=15)
LOGGED = ("goals", "internal", "r_i", "r_s")   # agents.learn's per-update logs, (S, updates) each
def learner_streams(seeds, experiment, stage, copies=1):
    """Streams with one row per copy and seed, copy-major as Policy.tile stacks learners:
    row (copy c, seed s) is keyed by s, the experiment, the stage and c alone. Their common
    stream (layout pools) is keyed by the experiment and the stage."""
    key = _key(experiment, stage)
    rows = [np.random.default_rng([int(seed), *key, copy])
            for copy in range(copies) for seed in seeds]
    return Streams(rows, np.random.default_rng([*key, 0, 0]))


def shared_rng(experiment, stage):
    """A generator for what an experiment draws once for all its learners (the planner's
    worlds, the test layouts), keyed by the experiment and the stage, not by the seeds."""
    return np.random.default_rng([*_key(experiment, stage), 1, 0])


def _key(experiment, stage):
    return [zlib.crc32(experiment.encode()), zlib.crc32(stage.encode())]


def no_log(message):
    """The default progress report: none."""


def tail_updates(episodes, per_update):
    """Updates that cover `episodes` episodes (at least one): 500 episodes → 17 updates of 30."""
    return max(1, int(np.ceil(episodes / per_update)))


def check_episodes(per_update, **episodes):
    """A one-line ValueError unless each count of episodes fills whole updates of per_update."""
    for name, count in episodes.items():
        if count < per_update or count % per_update:
            raise ValueError(f"{name} must be a positive multiple of the learner's worlds_per_seed "
                             f"({per_update}), got {count}")


def check_fractions(name, fractions):
    if not fractions or not all(0 < f <= 1 for f in fractions):
        raise ValueError(f"{name} must be shares of the data in (0, 1], got {fractions}")


# ---------------------------------------------------------------------------------------------
# The protocol

def fresh_policy(n_seeds, world_cfg, agent_cfg, featurize=agents.features):
    """S fresh linear learners of agent_cfg's algorithm: ours, REINFORCE (agents.Policy), or
    the authors' PPO (authors.PPOPolicy)."""
    if agent_cfg.algorithm == "ppo":
        import authors        # here, not above: the paper's protocol and the lesson run without it
        return authors.PPOPolicy.for_world(n_seeds, world_cfg, featurize)
    return agents.Policy.for_world(n_seeds, world_cfg, featurize)


def socialize(world_cfg, agent_cfg, isr_cfg, n_seeds, episodes, rng, featurize=agents.features,
              policy=None, **learn_args):
    """Phase 1: S fresh learners with the caregiver present (P = 1), every transition recorded.

    policy: the fresh learners (default: S linear learners on `featurize`, `fresh_policy`).
    Returns the socialized policy, its logs {goals, internal, env_steps} (S, updates) and the
    ISR's data set (isr.SocialRewardData, every isr_cfg.test_every-th update held out).
    """
    policy = fresh_policy(n_seeds, world_cfg, agent_cfg, featurize) if policy is None else policy
    logs = agents.learn(policy, world_cfg, agent_cfg, episodes, 1.0, rng, record=True,
                        featurize=featurize, **learn_args)
    block = world_cfg.episode_len * agent_cfg.worlds_per_seed          # one update's transitions
    data = isr.SocialRewardData(**logs.pop("data"), block=block, test_every=isr_cfg.test_every,
                                episode_len=world_cfg.episode_len)
    return policy, logs, data


def internalize(data, isr_cfg, rng, world_cfg, codes=None, threshold=None, n_train=None,
                curve=True):
    """Step 2 of the protocol: one ISR per learner on its first n_train socialization
    transitions (all by default); (isr.ISR, training log). The ISR sees the view cells
    `codes` (default: the world's own, world_cfg.isr_codes). With isr_cfg.calibrate, each ISR's
    odds are then shifted so that on those transitions (isr_cfg.calibration_size of them,
    evenly spaced in time) it pays in total what the caregiver paid: its R_i estimates R_s
    itself, not R_s under class-balanced sampling (isr.ISR, isr.calibrate_odds)."""
    codes = world_cfg.isr_codes if codes is None else tuple(codes)
    params, log = isr.train_isr(data, isr_cfg, rng, codes, world_cfg.n_actions, n_train=n_train,
                                curve=curve)
    model = isr.ISR(params, codes, threshold, replaces_cost=isr_cfg.threshold_replaces_cost)
    if not isr_cfg.calibrate:
        return model, log
    train = data.train_index[:data.n_train if n_train is None else n_train]
    train = train[::max(1, len(train) // isr_cfg.calibration_size)]
    views, actions, r_s = data.rows(np.broadcast_to(train, (data.views.shape[0], len(train))))
    y = evaluation.in_chunks(model.output, views, actions)
    odds = isr.calibrate_odds(y, r_s, world_cfg.social_reward)
    log["odds"] = odds
    model = isr.ISR(params, codes, threshold, odds, world_cfg.social_reward,
                    isr_cfg.threshold_replaces_cost)
    return model, log


def train_designs(data, cfg, stage, world_cfg, curve=True):
    """Our ISR (cfg.isr) and, unless cfg.authors_isr is None, the authors' beside it, on the
    same data: ({condition: isr.ISR}, {condition: training log}), keyed "isr" and "isr_authors"."""
    designs = {("isr", "isr"): cfg.isr,                                  # (condition, stage)
               ("isr_authors", "the authors' isr"): cfg.authors_isr}
    trained = {c: internalize(data, design, stage(name), world_cfg, cfg.isr_codes,
                              cfg.isr_threshold, curve=curve)
               for (c, name), design in designs.items() if design}
    return {c: m for c, (m, _) in trained.items()}, {c: log for c, (_, log) in trained.items()}


def caregiver_leaves(learners, conditions, world_cfg, agent_cfg, episodes, rng, model=None,
                     presence=None, **learn_args):
    """Phase 2: the socialized learners go on under each condition (CONDITIONS), one batch.

    learners: a Policy of len(conditions) equal groups, in the order of `conditions`, each
    group its copies of the socialized learners (`Policy.tile`); trained in place. Each
    group's P is PRESENCE[condition], unless `presence` gives one P per learner. `model`: the
    ISRs of the groups of ISR_CONDITIONS, one per learner in order (others get R_i = 0).
    Returns {condition: {LOGGED: (learners per group, updates)}}, with agents.learn's
    `env_steps` and, if recorded, `data` beside them.
    """
    if len(set(conditions)) < len(conditions):      # the logs are keyed by condition
        raise ValueError(f"caregiver_leaves needs distinct conditions, got {conditions}")
    n = learners.n_learners // len(conditions)
    if presence is None:
        presence = np.repeat([PRESENCE[c] for c in conditions], n)
    has_isr = np.repeat([c in ISR_CONDITIONS for c in conditions], n)
    logs = agents.learn(learners, world_cfg, agent_cfg, episodes, presence, rng,
                        isr=model if has_isr.any() else None, has_isr=has_isr, **learn_args)
    per_condition = {c: {key: logs[key][i * n:(i + 1) * n] for key in LOGGED}
                     for i, c in enumerate(conditions)}
    return {**per_condition, **{key: value for key, value in logs.items() if key not in LOGGED}}


# ---------------------------------------------------------------------------------------------
# Figs 1, 3 and 4 left: the caregiver leaves

@dataclass(frozen=True)
class Internalization:
    """Figs 1, 3 and 4 left: socialize, train the ISR, then the three conditions."""
    world: env.WorldConfig = env.WorldConfig()      # 7×7, 3 random blocks, 20-step episodes
    agent: agents.AgentConfig = agents.AgentConfig()   # the learner: 30 worlds each, Adam lr 0.15
    isr: ISRConfig = ISRConfig()                   # ours: 1,000 updates, SGD+momentum, calibrated
    authors_isr: ISRConfig | None = AUTHORS_DESIGN   # the authors' ISR beside ours (None: not run)
    isr_codes: tuple = ISR_CODES                   # view cells the ISR sees
    isr_threshold: float | None = None             # Eq. 1's raw R_i (the authors' Fig. 1 run)
    socialization: int = 6000                      # episodes with the caregiver (paper: 6K)
    after: int = 6000                              # episodes after the caregiver leaves (paper: 6K)
    tail: int = 500                                # "the last 500 episodes" of a phase, for claims
    isr_fractions: tuple = (1 / 12, 1 / 6, 1 / 4, 1 / 3, 2 / 3, 1.0)   # Fig. 3 right: data sizes
    planner_worlds: int = 400                      # worlds the shortest-path planner plays
    planner_episodes: int = 10                     # episodes per planner world

    def quick(self):
        return replace(self, socialization=1500, after=1500, tail=300, planner_worlds=60,
                       planner_episodes=2, isr_fractions=(1 / 12, 1 / 3, 1.0), agent=QUICK_AGENT,
                       isr=replace(self.isr, updates=250))

    def check(self):
        """A one-line ValueError naming the first setting this experiment cannot run."""
        self.world.validate()
        check_episodes(self.agent.worlds_per_seed, socialization=self.socialization,
                       after=self.after)
        for name in ("tail", "planner_worlds", "planner_episodes"):
            env.check_count(getattr(self, name), name)
        check_fractions("isr_fractions", self.isr_fractions)

    def fresh_learners(self, n_seeds, rng):
        """(S fresh linear learners, their featurizer); a hook: beyond/learners.py's
        MLPInternalization runs this protocol with its own learner, drawn from rng."""
        return fresh_policy(n_seeds, self.world, self.agent), agents.features


class Socialized(NamedTuple):
    """What later experiments reuse of an `internalization` (or `generalization`) run, kept in
    memory, not saved."""
    policy: agents.Policy            # the learners as the caregiver left them
    isrs: tuple                      # one isr.ISR per data size of cfg.isr_fractions (Fig. 3
                                     # right), the last on all the data (generalization: that one)
    isr_sizes: tuple                 # the train transitions each of those ISRs saw
    data: isr.SocialRewardData       # the socialization data (Fig. 6 trains its own ISRs on it;
                                     # None from generalization)
    goals: np.ndarray                # (S, updates) goals per episode during socialization


def internalization(cfg, seeds, log=no_log):
    """Socialize S learners, train their ISRs, then continue under the four conditions.

    Phase 1 (6K episodes): the caregiver is present; every transition is recorded.
    ISR: trained on 90% of each learner's transitions (and on its first 1/12 … 2/3 for
    Fig. 3 right); every 10th update's episodes are the held-out test split.
    The authors' ISR (cfg.authors_isr) trains on the same 90 %, beside ours.
    Phase 2 (6K episodes), from the socialized policy: oracle, none, isr and isr_authors
    (`caregiver_leaves`). Returns (run, Socialized).
    """
    n_seeds = len(seeds)
    stage = partial(learner_streams, seeds, "internalization")
    log(f"  socialization: {cfg.socialization} episodes x {n_seeds} seeds")
    fresh, featurize = cfg.fresh_learners(n_seeds, stage("learners"))
    policy, social, data = socialize(cfg.world, cfg.agent, cfg.isr, n_seeds, cfg.socialization,
                                     stage("socialization"), featurize, fresh)
    log(f"  ISR on {data.n_train} transitions per seed, and on "
        f"{len(cfg.isr_fractions) - 1} smaller sets")
    sizes = [max(1, int(round(f * data.n_train))) for f in cfg.isr_fractions]
    smaller = [internalize(data, cfg.isr, stage(f"isr on data size {i}"), cfg.world, cfg.isr_codes,
                           cfg.isr_threshold, n_train=size, curve=False)
               for i, size in enumerate(sizes[:-1])]
    models, logs = train_designs(data, cfg, stage, cfg.world)
    size_models = [model for model, _ in smaller] + [models["isr"]]
    size_losses = [size_log["final_test_loss"] for _, size_log in smaller]
    size_losses.append(logs["isr"]["final_test_loss"])
    measured = {c: evaluation.measure(m, data, evaluation.single_agent_hazards)
                for c, m in models.items()}
    conditions = CONDITIONS + tuple(models)[1:]
    log(f"  after the caregiver leaves: {cfg.after} episodes x {n_seeds} seeds x "
        f"{len(conditions)} conditions")
    after = caregiver_leaves(policy.tile(len(conditions)), conditions, cfg.world, cfg.agent,
                             cfg.after, stage("after", len(conditions)),
                             isr.ISRGroups(list(models.values()), n_seeds), featurize=featurize)
    planner = env.planner_goals(cfg.world, cfg.planner_worlds, cfg.planner_episodes,
                                shared_rng("internalization", "planner"))
    run = {
        "seeds": np.array(seeds), "episodes_per_update": cfg.agent.worlds_per_seed,
        "tail_episodes": cfg.tail,
        "social": {k: social[k] for k in LOGGED},                    # (S, updates) each
        "after": {c: after[c] for c in conditions},                  # condition → (S, updates) each
        "planner_goals": planner["goals"].mean(),
        **logs,                                                      # the trainings
        "isr_sizes": np.array(sizes), "isr_size_test_loss": np.array(size_losses),
        **{CALIBRATION[c]: m for c, m in measured.items()},          # each ISR as an instrument
        "env_steps": social["env_steps"] + after["env_steps"] + planner["env_steps"],
    }
    return run, Socialized(policy, tuple(size_models), tuple(sizes), data, social["goals"])


# ---------------------------------------------------------------------------------------------
# Figs 4 right and 5: socialized with one block, tested in new worlds

@dataclass(frozen=True)
class Generalization:
    """Figs 4 right and 5: socialized with one random block, then learning in new worlds."""
    train_world: env.WorldConfig = env.WorldConfig(n_blocks=1)   # socialization: one random block
    new_world: env.WorldConfig = env.WorldConfig(n_blocks=5)     # Fig. 4 right: five random blocks
    layouts: tuple = tuple(env.HANDPICKED)          # Fig. 5: plus, x, U, T, 4 rooms
    agent: agents.AgentConfig = agents.AgentConfig()   # the learner, as in Internalization
    isr: ISRConfig = ISRConfig()                    # our ISR, as in Internalization
    authors_isr: ISRConfig | None = AUTHORS_DESIGN  # the authors' ISR, as in Internalization
    isr_codes: tuple = ISR_CODES                    # view cells the ISR sees
    isr_threshold: float = 0.2                      # R_i below 0.2 counts as 0 (their Fig. 5)
    socialization: int = 6000                       # episodes with the caregiver, one block
    new_world_episodes: int = 6000                  # Fig. 4 right: further episodes, 5 blocks
    layout_episodes: int = 12000                    # Fig. 5: further episodes in each layout
    reruns: int = 2                                 # independent runs of the further learning
    test_layouts: int = 200                         # Fig. 4 right's exact test: random layouts
    tail: int = 500                                 # first/last episodes compared in the learning

    def quick(self):
        return replace(self, socialization=1500, new_world_episodes=1500, layout_episodes=900,
                       tail=300, reruns=1, test_layouts=20, agent=QUICK_AGENT,
                       isr=replace(self.isr, updates=250))

    def check(self):
        """A one-line ValueError naming the first setting this experiment cannot run."""
        self.train_world.validate()
        self.new_world.validate()
        unknown = [name for name in self.layouts if name not in env.HANDPICKED]
        if unknown or not self.layouts:
            raise ValueError(f"layouts must be hand-picked layouts, some of "
                             f"{', '.join(env.HANDPICKED)} (comma-separated), got "
                             f"{', '.join(self.layouts) or 'none'}")
        check_episodes(self.agent.worlds_per_seed, socialization=self.socialization,
                       new_world_episodes=self.new_world_episodes,
                       layout_episodes=self.layout_episodes)
        for name in ("reruns", "test_layouts", "tail"):
            env.check_count(getattr(self, name), name)


def generalization(cfg, seeds, log=no_log):
    """Socialize S learners with one random block, then test them out of distribution.

    After socialization and the ISRs (as `internalization`), from the socialized policy:
      frozen          no further learning (the policy as the caregiver left it);
      frozen_authors  the authors' frozen arm: keeps learning with the caregiver (P = 1) in
                      the one-block training world for as many episodes (6K, then 12K);
      isr             learns from its ISR, caregiver gone (P = 0), R_i thresholded at 0.2;
      isr_authors     the same from the authors' ISR, as they ran it: in new worlds its raw
                      R_i added to the step cost (their Fig. 4 right), in the layouts
                      thresholded, a paid step's R_i replacing its cost (their Fig. 5);
      oracle          learns with the caregiver still present (P = 1);
      isr_raw         (Fig. 4 right only) learns from the raw R_i of Eq. 1.
    Fig. 4 right: 6K episodes in `new_world`. Fig. 5: 12K episodes in each hand-picked layout,
    one batch. The further learning runs cfg.reruns times, independently, from the same
    learners and ISRs. Every policy is then scored by its exact expected return with the true
    rewards (evaluation.expected_return), greedy (the authors' test) and stochastic: in each of
    Fig. 5's layouts, and over cfg.test_layouts random 5-block layouts (Fig. 4 right) drawn
    once, the same for every learner and run.
    Arrays: the learning (R, S, updates) or (R, L, S, updates); the scores (R, S) or (R, L, S).
    Returns (run, Socialized: the frozen learners and their ISRs, no data; Fig. 9 a continues them).
    """
    n_seeds, n_layouts = len(seeds), len(cfg.layouts)
    stage = partial(learner_streams, seeds, "generalization")
    log(f"  socialization with one block: {cfg.socialization} episodes x {n_seeds} seeds")
    frozen, social, data = socialize(cfg.train_world, cfg.agent, cfg.isr, n_seeds,
                                     cfg.socialization, stage("socialization"))
    models, _ = train_designs(data, cfg, stage, cfg.train_world, curve=False)
    measured = {c: evaluation.measure(m, data, evaluation.single_agent_hazards)
                for c, m in models.items()}
    n_train = data.n_train
    del data
    test_layouts = ood_test_layouts(cfg.new_world, cfg.test_layouts)
    grids = np.stack([env.parse_layout(env.HANDPICKED[name]) for name in cfg.layouts])
    run_streams = lambda r: lambda stage, copies=1: learner_streams(
        seeds, "generalization", f"further learning {r}: {stage}", copies)
    runs = [further_learning(cfg, frozen, models, grids, run_streams(r), log)
            for r in range(cfg.reruns)]
    log(f"  exact test: {cfg.test_layouts} random layouts and {n_layouts} hand-picked ones")
    # Fig. 4 right, one test: frozen once, then each run's frozen_authors and its learning arms.
    per_run = [agents.Policy.stack(run.pop("authors_6k"), run.pop("new_world_policy"))
               for run in runs]
    scores = evaluation.expected_return(agents.Policy.stack(frozen, *per_run), cfg.new_world,
                                        test_layouts)
    size = per_run[0].n_learners
    of_run = lambda v, r: np.concatenate([v[:n_seeds],
                                          v[n_seeds + r * size:n_seeds + (r + 1) * size]])
    arms = ("frozen", "frozen_authors") + tuple(runs[0]["new_world_curves"])
    new_world = [evaluation.by_condition({k: of_run(v, r) for k, v in scores.items()}, arms,
                                         n_seeds)
                 for r in range(cfg.reruns)]
    # Fig. 5: each layout's learners in that layout (frozen in each, then each run's others).
    per_layout = lambda a: a.reshape(n_layouts, n_seeds, *a.shape[1:])
    layouts = []
    for run in runs:
        tested = agents.Policy.stack(frozen.tile(n_layouts), run.pop("authors_12k").tile(n_layouts),
                                     run.pop("layout_policy"))
        arms = ("frozen", "frozen_authors") + tuple(run["layout_curves"])
        scores = evaluation.in_own_layouts(tested, cfg.train_world,
                                           np.tile(grids, (len(arms), 1, 1)), n_seeds)
        by_arm = evaluation.by_condition(scores, arms, n_layouts * n_seeds)
        layouts.append({c: {k: per_layout(v) for k, v in metrics.items()}
                        for c, metrics in by_arm.items()})
    stack = lambda parts: {c: {k: np.stack([p[c][k] for p in parts]) for k in parts[0][c]}
                           for c in parts[0]}
    return {
        "seeds": np.array(seeds), "episodes_per_update": cfg.agent.worlds_per_seed,
        "tail_episodes": cfg.tail, "layout_names": np.array(cfg.layouts),
        "test_layouts": test_layouts,
        **{CALIBRATION[c]: m for c, m in measured.items()},                 # (S,) each
        "social": {"goals": social["goals"]},                              # (S, updates)
        "new_world": stack(new_world),                                     # condition → (R, S)
        "new_world_curves": stack([r["new_world_curves"] for r in runs]),  # (R, S, updates)
        "layouts": stack(layouts),                                         # (R, L, S)
        "layout_curves": stack([r["layout_curves"] for r in runs]),        # (R, L, S, updates)
        "env_steps": social["env_steps"] + sum(r["env_steps"] for r in runs),
    }, Socialized(frozen, (models["isr"],), (n_train,), None, social["goals"])


def ood_test_layouts(world_cfg, n):
    """(n, H, W) Fig. 4 right's test: n random layouts of world_cfg (blocks included), the same
    for every learner, seed set and experiment that scores in new worlds."""
    rng = shared_rng("generalization", "test layouts")
    pool = env.random_pool(replace(world_cfg, layout_pool=n), rng)
    return pool.walls.copy()


def further_learning(cfg, frozen, models, grids, stage, log=no_log):
    """One run of Figs 4 right and 5's further learning from the socialized learners `frozen`
    (models: `train_designs`'): isr, oracle, isr_raw and isr_authors in new worlds; the
    authors' frozen arm in the training world (snapshots after new_world_episodes and
    layout_episodes); isr, oracle and isr_authors in each layout. stage(name, copies): this
    run's random streams of a stage."""
    n_seeds, n_layouts, authors_isr = frozen.n_learners, len(grids), tuple(models)[1:]
    # In new worlds the authors' ISR pays as in their Fig. 4 right, its raw R_i added to the
    # step cost; ours keeps Fig. 5's threshold (isr_raw beside it is ours without it).
    model, paying = models["isr"], [m.raw() for m in list(models.values())[1:]]
    new_conditions = ("isr", "oracle", "isr_raw") + authors_isr
    log(f"  new worlds: {cfg.new_world_episodes} episodes x {n_seeds} seeds x "
        f"{len(new_conditions)} conditions")
    new_policy = frozen.tile(len(new_conditions))
    new = caregiver_leaves(new_policy, new_conditions, cfg.new_world, cfg.agent,
                           cfg.new_world_episodes, stage("new worlds", len(new_conditions)),
                           isr.ISRGroups([model, model.raw(), *paying], n_seeds))
    log(f"  the authors' frozen arm: {cfg.layout_episodes} more episodes with the caregiver, "
        f"one block")
    authors, authors_rng = frozen.tile(1), stage("the authors' frozen arm")
    first = agents.learn(authors, cfg.train_world, cfg.agent, cfg.new_world_episodes, 1.0,
                         authors_rng)
    authors_6k = authors.tile(1)
    rest = {"env_steps": 0}
    if cfg.layout_episodes > cfg.new_world_episodes:
        rest = agents.learn(authors, cfg.train_world, cfg.agent,
                            cfg.layout_episodes - cfg.new_world_episodes, 1.0, authors_rng)
    learning = ("isr", "oracle") + authors_isr
    log(f"  hand-picked layouts: {cfg.layout_episodes} episodes x {n_seeds} seeds x "
        f"{len(learning)} conditions x {n_layouts} layouts")
    per_learner = np.repeat(np.tile(grids, (len(learning), 1, 1)), n_seeds, axis=0)  # (3·L·S, H, W)
    layout_policy = frozen.tile(len(learning) * n_layouts)
    layout_isrs = isr.ISRGroups([m.tile(n_layouts) for m in models.values()], n_layouts * n_seeds)
    layout = caregiver_leaves(layout_policy, learning, cfg.train_world, cfg.agent,
                              cfg.layout_episodes, stage("layouts", len(learning) * n_layouts),
                              layout_isrs, layouts=per_learner)
    per_layout = lambda a: a.reshape(n_layouts, n_seeds, *a.shape[1:])
    return {
        "new_world_policy": new_policy, "authors_6k": authors_6k, "authors_12k": authors,
        "layout_policy": layout_policy,
        "new_world_curves": {c: new[c] for c in new_conditions},
        "layout_curves": {c: {k: per_layout(v) for k, v in layout[c].items()} for c in learning},
        "env_steps": (new["env_steps"] + first["env_steps"] + rest["env_steps"]
                      + layout["env_steps"]),
    }


# ---------------------------------------------------------------------------------------------
# Fig. 6: incomplete internalization

def isr_training(isr_cfg, training):
    """The ISR of a Fig. 6 column: None, ours (isr_cfg) in one pass at our batch (256); an int,
    ours for that many updates; "authors", the authors' ISR (isr.AUTHORS)."""
    return isr.AUTHORS if training == "authors" else replace(isr_cfg, updates=training)


@dataclass(frozen=True)
class IncompleteInternalization:
    """Fig. 6 as a designed grid: learners the caregiver left learn in new worlds from ISRs
    that saw less socialization data (rows) and trained for less long (columns)."""
    source: Internalization = Internalization()     # the learners and data it continues from
    new_world: env.WorldConfig = env.WorldConfig(n_blocks=5)   # new worlds: five random blocks
    data_fractions: tuple = (1 / 48, 1 / 24, 1 / 12, 1 / 6, 1 / 3, 1.0)   # 125 … 6,000 episodes
    isr_training: tuple = (None, 1000, "authors")   # ours in one pass (None), at the stated
                                                    # budget; the authors'
    isr_threshold: float = 0.2                      # as the authors' Fig. 6 run
    after: int = 6000                               # further episodes
    tail: int = 500                                 # first/last episodes compared; last recorded
    test_layouts: int = 100                         # Fig. 9 b (ours): random 5-block layouts,
                                                    # scored exactly here

    def quick(self):
        return replace(self, source=self.source.quick(), after=300, tail=150,
                       isr_training=(None, 250, "authors"), test_layouts=20)

    def check(self):
        """A one-line ValueError naming the first setting this experiment cannot run."""
        self.source.check()
        self.new_world.validate()
        check_fractions("data_fractions", self.data_fractions)
        per_update = self.source.agent.worlds_per_seed
        check_episodes(per_update, after=self.after)
        if tail_updates(self.tail, per_update) * per_update >= self.after:
            raise ValueError(f"after ({self.after}) must be longer than the tail it records "
                             f"({self.tail})")
        env.check_count(self.test_layouts, "test_layouts")


class GridLearners(NamedTuple):
    """Fig. 6's learners and ISRs, kept in memory, not saved (what Fig. 10, in beyond/,
    continues: a run's learners are handed on this way, as `Socialized` hands on Fig. 1's)."""
    policy: agents.Policy            # the learners after their phase in new worlds, cell-major
    model: isr.ISRGroups             # their ISRs (thresholded), in that order: one per column
    run: dict                        # the run's arrays (curves, last recorded steps)
    socialized: Socialized           # what the run continued (the socialization data)


def incomplete_internalization(cfg, seeds, socialized, log=no_log):
    """A designed Fig. 6: the learners the caregiver left keep learning in new worlds from ISRs
    trained on the first cfg.data_fractions of their socialization data, each one of
    cfg.isr_training (`isr_training`), and measured on the held-out data (evaluation.measure).
    All columns × sizes × seeds learn `after` episodes in `new_world` as one batch, R_i
    thresholded as the authors' Fig. 6 run; the last `tail` episodes (whole updates) are
    recorded to find what the learners farm. Arrays (columns, sizes, S, ...). Returns (run,
    GridLearners).
    """
    n_seeds, n_budgets, n_sizes = len(seeds), len(cfg.isr_training), len(cfg.data_fractions)
    data, source = socialized.data, cfg.source
    sizes = [max(1, int(round(f * data.n_train))) for f in cfg.data_fractions]
    log(f"  {n_budgets * n_sizes} ISRs per seed: {n_sizes} data sizes x {n_budgets} training "
        f"budgets")
    stage = partial(learner_streams, seeds, "incomplete_internalization")
    models = [internalize(data, isr_training(source.isr, training), stage(f"isr {b} {z}"),
                          source.world, source.isr_codes, cfg.isr_threshold, n_train=size,
                          curve=False)[0]
              for b, training in enumerate(cfg.isr_training) for z, size in enumerate(sizes)]
    measured = [evaluation.measure(m, data, evaluation.single_agent_hazards) for m in models]
    columns = [isr.ISR.stack(*models[b * n_sizes:(b + 1) * n_sizes]) for b in range(n_budgets)]
    model = isr.ISRGroups(columns, n_sizes * n_seeds)                   # (budgets·sizes·S) models
    per_update = source.agent.worlds_per_seed
    tail = tail_updates(cfg.tail, per_update) * per_update
    log(f"  learning from them: {cfg.after} episodes x {n_seeds} seeds x {len(models)} ISRs")
    policy = socialized.policy.tile(len(models))
    first = caregiver_leaves(policy, ("isr",), cfg.new_world, source.agent, cfg.after - tail,
                             stage("first", len(models)), model)
    last = caregiver_leaves(policy, ("isr",), cfg.new_world, source.agent, tail,
                            stage("last", len(models)), model, record=True)
    recorded = last["data"]
    output = evaluation.in_chunks(model.output, recorded["views"],
                                  recorded["actions"].astype(np.int64))
    r_i = model.pay(output)                                            # the network runs once
    shape = (n_budgets, n_sizes, n_seeds, -1)
    log(f"  exact test of the {len(models)} learners per seed: {cfg.test_layouts} random layouts")
    scores = evaluation.expected_return(policy, cfg.new_world,
                                        ood_test_layouts(cfg.new_world, cfg.test_layouts),
                                        with_stochastic=False)
    run = {
        "seeds": np.array(seeds), "episodes_per_update": per_update, "tail_episodes": cfg.tail,
        "transitions": np.array(sizes),                                   # ISR train sizes
        "episodes": np.array([int(round(f * source.socialization)) for f in cfg.data_fractions]),
        "isr_training": np.array([{None: "ours, one pass", "authors": "the authors' ISR"}.get(t)
                                  or f"ours, {t:,} updates" for t in cfg.isr_training]),
        # (budgets, sizes, S, ...) each: the ISRs as instruments; the curves (..., updates); the
        # last steps (..., steps); Fig. 9 b's exact return in new worlds (budgets, sizes, S)
        "calibration": evaluation.stack_measures(measured, (n_budgets, n_sizes)),
        "curves": {k: np.concatenate([first["isr"][k], last["isr"][k]], axis=1).reshape(shape)
                   for k in LOGGED},
        "last": {"views": recorded["views"].reshape(*shape[:3], *recorded["views"].shape[1:]),
                 "actions": recorded["actions"].reshape(shape),
                 "r_s": recorded["r_s"].reshape(shape), "r_i": r_i.reshape(shape),
                 "output": output.reshape(shape)},
        "ood_return": scores["return"].reshape(shape[:3]),
        "env_steps": first["env_steps"] + last["env_steps"],
    }
    return run, GridLearners(policy, model, run, socialized)
