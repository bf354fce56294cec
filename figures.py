"""figures.py — regenerate the paper's figures: `python figures.py [FIG ...] [--seeds N] [--quick]`.

One function per figure (figure_1 … figure_7), each returning the numbers it plotted and
writing DIR/figN.png; `main` writes DIR/results.json (layout in the README). Four cached
experiments feed them, each run once per process and seed set:
  `caregiver_leaves` (Figs 1, 3, 4 left, 6): socialization, the ISR, then the three
      conditions after the caregiver leaves;
  `generalization` (Figs 4 right, 5): socialization with one block, the ISR, then further
      learning and greedy tests in new worlds;
  `incomplete_internalization` (Fig. 6): further learning from ISRs that saw less data;
  `prosocial` (Fig. 7): the two-agent world, socialization to help, the three conditions.

Deviations from the paper are marked `Deviation:` and listed in the README.
"""
import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from functools import lru_cache, wraps
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import agents  # noqa: E402
import env  # noqa: E402
import isr  # noqa: E402
import stats  # noqa: E402

FIG_DIR = Path(__file__).parent / "figures"
FIRST_SEED = 1234                       # the authors' seeds are 1234–1243
ISR_CODES = (env.WALL, env.GOAL)        # the view channels the ISR sees (README: ISR input)
CONDITIONS = ("oracle", "none", "isr")  # after socialization: caregiver stays / leaves / ISR
PRESENCE = {"oracle": 1.0, "none": 0.0, "isr": 0.0}
COLORS = {"social": "tab:blue", "none": "tab:green", "isr": "tab:red", "oracle": "0.5"}


@dataclass(frozen=True)
class Budget:
    """How much each experiment runs. `PAPER` is the paper's scale; `QUICK` is a smoke test."""
    episodes: int = 6000                # socialization episodes per seed (paper: 6K)
    after: int = 6000                   # episodes after the caregiver leaves (paper: 6K)
    tail: int = 500                     # "the last 500 episodes" of a phase, for the claims
    isr_fractions: tuple = (1 / 12, 1 / 6, 1 / 4, 1 / 3, 2 / 3, 1.0)  # Fig. 3 right sizes
    planner_worlds: int = 400           # worlds the shortest-path planner is measured in
    planner_episodes: int = 10          # episodes per planner world
    new_world: int = 6000               # Fig. 4 right: episodes of learning in 5 random blocks
    new_layouts: int = 12000            # Fig. 5: episodes of learning in each hand-picked layout
    eval_episodes: int = 100            # greedy evaluation episodes per learner (Figs 4 right, 5)
    hack_fractions: tuple = (1 / 12, 1 / 6, 1 / 3, 1.0)  # Fig. 6: the ISRs of Fig. 3 right used
    prosocial: int = 2400               # Fig. 7: episodes (of 100 steps) per phase = 24e4 steps
    helper_worlds: int = 400            # worlds the scripted helper (Fig. 7's ceiling) plays
    helper_episodes: int = 2            # episodes per helper world


PAPER = Budget()
QUICK = Budget(episodes=600, after=600, tail=150, planner_worlds=60, planner_episodes=2,
               new_world=600, new_layouts=1200, prosocial=300, helper_worlds=60, helper_episodes=1)
WORLD = env.WorldConfig()
TRAIN_WORLD = replace(WORLD, n_blocks=1)   # Figs 4 right, 5: socialized with one random block
NEW_WORLD = replace(WORLD, n_blocks=5)     # Fig. 4 right: the new world, five random blocks
LAYOUTS = tuple(env.HANDPICKED)            # Fig. 5: plus, x, U, T, 4 rooms
OOD_CONDITIONS = ("frozen", "isr", "oracle")  # Figs 4 right, 5, in the paper's order
ISR_THRESHOLD = 0.2                        # Figs 4 right, 5: R_i below 0.2 counts as 0 (README)
PROSOCIAL = env.ProsocialConfig()          # Fig. 7's two-agent world
PROSOCIAL_ISR_CODES = (env.WALL, env.GOAL, env.BALL) + tuple(   # + the caregiver's action
    env.PARTNER_ACTION + a for a in (env.Prosocial.LEFT, env.Prosocial.RIGHT, env.Prosocial.FORWARD))
AGENT = agents.AgentConfig()
ISR_CFG = isr.ISRConfig()
PROSOCIAL_ISR_CFG = replace(ISR_CFG, epochs=2.0)   # Fig. 7's ISR: 2 passes (the original: 10)
PROSOCIAL_AGENT = replace(AGENT, lr=0.05)   # Fig. 7: a smaller step; at 0.15 1–2 of 10 learners
                                            # stalled at 0 goals in socialization (README)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


SPENT = []   # one entry per experiment run in this process: its name, seconds and env steps


def experiment(fn):
    """Cache an experiment per (seeds, budget), and record in SPENT what running it cost."""
    @lru_cache(maxsize=2)
    @wraps(fn)
    def run(seeds, budget=PAPER):
        start = time.perf_counter()
        out = fn(seeds, budget)
        SPENT.append({"experiment": fn.__name__, "seconds": round(time.perf_counter() - start, 2),
                      "env_steps": out["env_steps"]})
        return out
    return run


# ---------------------------------------------------------------------------------------------
# The shared experiment: socialization → ISR → the caregiver leaves (Figs 1, 3, 4 left)

@experiment
def caregiver_leaves(seeds, budget=PAPER):
    """Socialize S learners, train their ISRs, then continue in the three conditions.

    Phase 1 (6K episodes): the caregiver is present (P = 1); every transition is recorded.
    ISR: trained on 90% of each learner's transitions (and on its first 1/12 … 2/3 for
    Fig. 3 right); every 10th batch of episodes is the held-out test split.
    Phase 2 (6K episodes), from the socialized policy: `oracle` (P = 1), `none` (P = 0, no
    ISR), `isr` (P = 0, R_i from the ISR); the three run as one batch of 3·S learners.
    Deviation: one random stream (from all the seeds together) drives the whole batch, so a
    seed's numbers depend on the seed set it ran with; the same set reproduces bit for bit.
    """
    n_seeds = len(seeds)
    streams = random_streams(seeds, 0, 4)
    log(f"  socialization: {budget.episodes} episodes x {n_seeds} seeds")
    policy, social, data = socialize(WORLD, AGENT, n_seeds, budget.episodes, streams[0])
    log(f"  ISR on {data.n_train} transitions per seed, and on {len(budget.isr_fractions) - 1} smaller sets")
    sizes = [max(1, int(round(f * data.n_train))) for f in budget.isr_fractions]
    size_losses, size_params = [], []
    for size in sizes[:-1]:
        size_param, size_log = isr.train_isr(data, ISR_CFG, streams[1], ISR_CODES, agents.N_ACTIONS,
                                             n_train=size, curve=False)
        size_losses.append(size_log["final_test_loss"])
        size_params.append(size_param)
    params, isr_log = isr.train_isr(data, ISR_CFG, streams[1], ISR_CODES, agents.N_ACTIONS)
    size_losses.append(isr_log["final_test_loss"])
    size_params.append(params)
    log(f"  after the caregiver leaves: {budget.after} episodes x {n_seeds} seeds x {len(CONDITIONS)} conditions")
    after = policy.tile(len(CONDITIONS))
    presence = np.repeat([PRESENCE[c] for c in CONDITIONS], n_seeds)
    internalized = np.repeat([c == "isr" for c in CONDITIONS], n_seeds)
    model = isr.ISR(params, ISR_CODES)              # the `isr` learners' own ISRs
    phase2 = agents.learn(after, WORLD, AGENT, budget.after, presence, streams[2],
                          isr=(model, internalized))
    planner = env.planner_goals(WORLD, budget.planner_worlds, budget.planner_episodes, streams[3])
    steps = WORLD.episode_len * (n_seeds * (budget.episodes + len(CONDITIONS) * budget.after)
                                 + planner.size)
    return {
        "budget": budget, "seeds": seeds,
        "social": social,                                           # (S, updates) each
        "after": {k: v.reshape(len(CONDITIONS), n_seeds, -1) for k, v in phase2.items()},
        "planner_goals": float(planner.mean()),
        "isr_log": isr_log, "isr_sizes": np.array(sizes), "isr_size_test_loss": np.array(size_losses),
        "isr_size_params": size_params,                             # one ISR per data size (Fig. 6)
        "socialized": policy,                                       # the learners the caregiver left
        "env_steps": int(steps),
    }


def socialize(world_cfg, agent_cfg, n_seeds, episodes, rng, n_features=agents.N_FEATURES,
              n_actions=agents.N_ACTIONS, **learn_args):
    """Phase 1 of every experiment: S fresh learners with the caregiver present (P = 1),
    every transition recorded. Returns the socialized policy, its logs and the ISR's data."""
    policy = agents.Policy.zeros(n_seeds, n_features, n_actions)
    social = agents.learn(policy, world_cfg, agent_cfg, episodes, np.ones(n_seeds), rng,
                          record=True, **learn_args)
    data = isr.SocialRewardData(**social.pop("data"), block=world_cfg.episode_len * agent_cfg.worlds_per_seed,
                                test_every=ISR_CFG.test_every)
    return policy, social, data


def random_streams(seeds, first, n):
    """Generators first … first+n−1 spawned from the seed set (each experiment its own)."""
    children = np.random.SeedSequence(list(seeds)).spawn(first + n)[first:]
    return [np.random.default_rng(child) for child in children]


def shared_run(seeds, quick):
    """The shared experiment for these seeds at the paper's or the quick budget (cached)."""
    return caregiver_leaves(tuple(seeds), QUICK if quick else PAPER)


def tail_updates(episodes):
    """Updates that cover `episodes` episodes (at least one): 500 episodes → 17 updates of 30."""
    return max(1, int(np.ceil(episodes / AGENT.worlds_per_seed)))


def tail_mean(curve, episodes, first=False):
    """Mean over the last (or the first) `episodes` episodes of per-update curves (..., updates)."""
    k = tail_updates(episodes)
    return (curve[..., :k] if first else curve[..., -k:]).mean(axis=-1)


def episodes_axis(n_updates, offset=0):
    """Episode count (per seed) at the end of each update."""
    return offset + AGENT.worlds_per_seed * np.arange(1, n_updates + 1)


def smooth(curves, width=5):
    """Running mean over `width` updates (150 episodes), per seed, for the learning curves."""
    kernel = np.ones(width) / width
    padded = np.concatenate([np.repeat(curves[..., :1], width - 1, axis=-1), curves], axis=-1)
    return np.apply_along_axis(lambda c: np.convolve(c, kernel, mode="valid"), -1, padded)


def band(ax, x, curves, color, label):
    """Mean over seeds (line) and the min–max range (shaded), as the paper's Figs 1 and 4."""
    curves = smooth(curves)
    ax.plot(x, curves.mean(axis=0), color=color, label=label)
    ax.fill_between(x, curves.min(axis=0), curves.max(axis=0), color=color, alpha=0.25, lw=0)


def learning_curves(ax, run, conditions, ceiling="Shortest-path planner", ylabel="Goals reached per episode"):
    """Socialization (blue), then the given conditions; dashed: caregiver leaves, ceiling."""
    social, after = run["social"]["goals"], run["after"]["goals"]
    n_seeds, soc_episodes = social.shape[0], social.shape[1] * AGENT.worlds_per_seed
    band(ax, episodes_axis(social.shape[1]) / 1e3, social, COLORS["social"], "With social rewards")
    x_after = episodes_axis(after.shape[2], soc_episodes) / 1e3
    for condition, label in conditions:
        band(ax, x_after, after[CONDITIONS.index(condition)], COLORS[condition], label)
    ax.axvline(soc_episodes / 1e3, color="k", ls="--", lw=1)
    ax.axhline(run["planner_goals"], color="0.3", ls=":", lw=1.2, label=ceiling)
    ax.set_xlabel("Episodes (×10³)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, max(4.0, run["planner_goals"] * 1.1))
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_title(f"mean and min–max over {n_seeds} seeds", fontsize=9)


def claims(run):
    """Per-seed numbers behind the claims of Figs 1 and 4 left, with the t-tests."""
    budget = run["budget"]
    socialized = tail_mean(run["social"]["goals"], budget.tail)             # (S,)
    after = tail_mean(run["after"]["goals"], budget.tail)                   # (3, S)
    out = {"planner_goals_per_episode": run["planner_goals"],
           "socialized_goals_per_episode": socialized.tolist(),
           "socialized_fraction_of_planner": float(socialized.mean() / run["planner_goals"]),
           "tail_episodes": tail_updates(budget.tail) * AGENT.worlds_per_seed}
    for i, condition in enumerate(CONDITIONS):
        out[f"{condition}_goals_per_episode"] = after[i].tolist()
        out[f"{condition}_fraction_of_socialized"] = (after[i] / socialized).tolist()
        out[f"{condition}_internal_return"] = tail_mean(run["after"]["internal"][i], budget.tail).tolist()
    isr_row, none_row = after[CONDITIONS.index("isr")], after[CONDITIONS.index("none")]
    out["isr_vs_none_student"] = stats.student_t_test(isr_row, none_row)._asdict()
    out["isr_vs_none_welch"] = stats.welch_t_test(isr_row, none_row)._asdict()
    return out


# ---------------------------------------------------------------------------------------------
# Generalization (Figs 4 right and 5): socialized with one block, tested in new worlds

@experiment
def generalization(seeds, budget=PAPER):
    """Socialize S learners with one random block, then test them out of distribution.

    Phase 1 (6K episodes, caregiver present) in TRAIN_WORLD; the ISR is trained on it as in
    `caregiver_leaves`. Phase 2, from the socialized policy, in new worlds:
      `frozen`  no further learning (the policy as the caregiver left it);
      `isr`     learns from its ISR, caregiver gone (P = 0);
      `oracle`  learns with the caregiver still present (P = 1).
    Fig. 4 right: 6K episodes in NEW_WORLD (five random blocks). Fig. 5: 12K episodes in each
    hand-picked layout; its 2 conditions × 5 layouts × S seeds run as one batch. Every policy
    is then evaluated greedily for 100 episodes with the true rewards (agents.evaluate).
    The ISR's R_i counts only above ISR_THRESHOLD, as in the original's Fig. 5; `isr_raw`
    (Fig. 4 right only) learns from the raw R_i of Eq. 1, to show why (README).
    Deviation: `frozen` is the socialized policy itself; the original trained it 6K (Fig. 4
    right) or 12K (Fig. 5) more episodes with the caregiver in the training world.
    """
    n_seeds, n_layouts = len(seeds), len(LAYOUTS)
    streams = random_streams(seeds, 4, 6)
    log(f"  socialization with one block: {budget.episodes} episodes x {n_seeds} seeds")
    frozen, social, data = socialize(TRAIN_WORLD, AGENT, n_seeds, budget.episodes, streams[0])
    params, _ = isr.train_isr(data, ISR_CFG, streams[1], ISR_CODES, agents.N_ACTIONS, curve=False)
    learners = ("isr", "oracle")                     # the two conditions that keep learning

    def keep_learning(world_cfg, episodes, copies, rng, layouts=None, conditions=learners,
                      threshold=ISR_THRESHOLD):
        """`conditions` (isr/oracle), each `copies`·S learners, from the socialized policy."""
        policy = frozen.tile(len(conditions) * copies)
        internalized = np.repeat([c == "isr" for c in conditions], copies * n_seeds)
        model = isr.ISR(params, ISR_CODES, threshold).tile(copies)
        logs = agents.learn(policy, world_cfg, AGENT, episodes, 1.0 - internalized, rng,
                            isr=(model, internalized), layouts=layouts)
        return policy, logs

    log(f"  new world (5 random blocks): {budget.new_world} episodes x {n_seeds} seeds x 3 conditions")
    new_policy, new_logs = keep_learning(NEW_WORLD, budget.new_world, 1, streams[2])
    raw_policy, raw_logs = keep_learning(NEW_WORLD, budget.new_world, 1, streams[3],
                                         conditions=("isr",), threshold=None)
    log(f"  hand-picked layouts: {budget.new_layouts} episodes x {n_seeds} seeds x 2 conditions x {n_layouts} layouts")
    grids = np.stack([env.parse_layout(env.HANDPICKED[name]) for name in LAYOUTS])
    per_learner = np.repeat(np.tile(grids, (len(learners), 1, 1)), n_seeds, axis=0)  # (2·5·S, H, W)
    layout_policy, layout_logs = keep_learning(WORLD, budget.new_layouts, n_layouts, streams[4], per_learner)

    # Greedy evaluation with the true rewards: [frozen, isr, oracle(, isr_raw)] × seeds (× layouts).
    new_eval = agents.evaluate(agents.Policy.stack(frozen, new_policy, raw_policy), NEW_WORLD, budget.eval_episodes,
                               streams[5])
    layout_eval = agents.evaluate(agents.Policy.stack(frozen.tile(n_layouts), layout_policy), WORLD, budget.eval_episodes,
                                  streams[5], np.concatenate([np.repeat(grids, n_seeds, axis=0), per_learner]))
    steps = WORLD.episode_len * n_seeds * (budget.episodes + 3 * budget.new_world
                                           + 2 * n_layouts * budget.new_layouts
                                           + budget.eval_episodes * (4 + 3 * n_layouts))
    new_conditions = OOD_CONDITIONS + ("isr_raw",)
    return {
        "budget": budget, "seeds": seeds,
        "social_goals": social["goals"],                                            # (S, updates)
        "new_world": {k: v.reshape(len(new_conditions), n_seeds) for k, v in new_eval.items()},  # (4, S)
        "new_world_curves": {k: np.concatenate([new_logs[k], raw_logs[k]]).reshape(3, n_seeds, -1)
                             for k in new_logs},                                    # isr, oracle, isr_raw
        "layouts": {k: v.reshape(len(OOD_CONDITIONS), n_layouts, n_seeds)           # (3, 5, S)
                    for k, v in layout_eval.items()},
        "layout_curves": {k: v.reshape(2, n_layouts, n_seeds, -1) for k, v in layout_logs.items()},
        "env_steps": int(steps),
    }


def generalization_run(seeds, quick):
    return generalization(tuple(seeds), QUICK if quick else PAPER)


def new_world_claims(run):
    """Fig. 4 right: per-seed greedy returns and goals, and the paper's two t-tests."""
    out = {}
    for metric in ("return", "goals"):
        values = dict(zip(OOD_CONDITIONS + ("isr_raw",), run["new_world"][metric]))
        out[metric] = {c: v.tolist() for c, v in values.items()}
        out[f"{metric}_tests"] = {
            f"{a}_vs_{b}_{name}": test(values[a], values[b])._asdict()
            for a, b in (("frozen", "isr"), ("isr", "oracle"), ("frozen", "isr_raw"))
            for name, test in (("student", stats.student_t_test), ("welch", stats.welch_t_test))}
    tail = run["budget"].tail
    out["learning"] = {   # per seed, the first and last `tail` episodes of the further learning
        c: {f"{key}_{end}": tail_mean(curves[i], tail, first=end == "first").tolist()
            for key, curves in run["new_world_curves"].items() for end in ("first", "last")}
        for i, c in enumerate(("isr", "oracle", "isr_raw"))}
    return out


def layout_claims(run):
    """Fig. 5: per layout and seed greedy returns; the paper's OLS and the two better analyses.

    - paper: y ~ method × env, the method coefficient at the reference layout "T" (what the
      original tested; with the interaction it is the effect in "T" alone);
    - additive: y ~ method + env, the method effect common to all five layouts;
    - paired: per seed, the mean over the five layouts, compared by a paired t-test.
    Methods are named as the original's analysis: frozen "Simple", isr "Reward", oracle "Oracle".
    """
    y = run["layouts"]["return"]                                       # (3, 5, S)
    n_seeds = y.shape[-1]
    names = {"frozen": "Simple", "isr": "Reward", "oracle": "Oracle"}
    out = {"layouts": list(LAYOUTS),
           "return": {c: y[i].tolist() for i, c in enumerate(OOD_CONDITIONS)},
           "goals": {c: run["layouts"]["goals"][i].tolist() for i, c in enumerate(OOD_CONDITIONS)}}
    for a, b in (("frozen", "isr"), ("isr", "oracle")):
        ia, ib = OOD_CONDITIONS.index(a), OOD_CONDITIONS.index(b)
        values = np.concatenate([y[ia].ravel(), y[ib].ravel()])
        method = np.repeat([names[a], names[b]], y[ia].size)
        layout = np.tile(np.repeat(LAYOUTS, n_seeds), 2)
        tested = f"method[{names[a]}]"                                   # a − b, b the reference
        fits = {}
        for model, interaction in (("paper_interaction_at_T", True), ("additive", False)):
            X, cols = stats.treatment_design({"method": method, "env": layout}, interaction,
                                             reference={"method": names[b], "env": "T"})
            fits[model] = stats.ols(values, X, cols).row(tested)
        fits["paired_per_seed"] = stats.paired_t_test(y[ia].mean(axis=0), y[ib].mean(axis=0))._asdict()
        out[f"{a}_vs_{b}"] = fits
    return out


# ---------------------------------------------------------------------------------------------
# Incomplete internalization (Fig. 6): ISRs that saw too little, and what the learner farms

@experiment
def incomplete_internalization(seeds, budget=PAPER):
    """The learners the caregiver left keep learning in new worlds from ISRs trained on less
    and less socialization data (the ISRs of Fig. 3 right); design.md decision 8.

    For each data size in budget.hack_fractions, each seed's socialized learner (from
    `caregiver_leaves`) learns for 6K episodes in NEW_WORLD (five random blocks) with the
    caregiver gone and R_i from the ISR of that size, thresholded as in Figs 4 right and 5
    (the original's Fig. 6 run). All sizes × seeds run as one batch; the last `tail`
    episodes are recorded to find the state–action pairs the learner farms.
    """
    shared = caregiver_leaves(seeds, budget)
    n_seeds, n_sizes = len(seeds), len(budget.hack_fractions)
    which = [budget.isr_fractions.index(f) for f in budget.hack_fractions]
    params = {k: np.concatenate([shared["isr_size_params"][i][k] for i in which])
              for k in shared["isr_size_params"][0]}                      # (sizes·S, ...)
    model = isr.ISR(params, ISR_CODES, ISR_THRESHOLD)
    policy = shared["socialized"].tile(n_sizes)
    everyone = np.ones(n_sizes * n_seeds, dtype=bool)
    tail = tail_updates(budget.tail) * AGENT.worlds_per_seed
    log(f"  learning from ISRs of {n_sizes} data sizes: {budget.after} episodes x {n_seeds} seeds x {n_sizes} sizes")
    streams = random_streams(seeds, 10, 2)
    logs = agents.learn(policy, NEW_WORLD, AGENT, budget.after - tail, ~everyone, streams[0],
                        isr=(model, everyone))
    last = agents.learn(policy, NEW_WORLD, AGENT, tail, ~everyone, streams[1],
                        isr=(model, everyone), record=True)
    data = last.pop("data")
    r_i = model(data["views"], data["actions"].astype(np.int64))
    shape = (n_sizes, n_seeds, -1)
    return {
        "budget": budget, "seeds": seeds,
        "transitions": shared["isr_sizes"][which],                         # ISR train sizes
        "episodes": [int(round(f * budget.episodes)) for f in budget.hack_fractions],
        "curves": {k: np.concatenate([logs[k], last[k]], axis=1).reshape(shape) for k in logs},
        "last": {"views": data["views"].reshape(n_sizes, n_seeds, *data["views"].shape[1:]),
                 "actions": data["actions"].reshape(shape), "r_s": data["r_s"].reshape(shape),
                 "r_i": r_i.reshape(shape)},
        "env_steps": int(WORLD.episode_len * n_sizes * n_seeds * budget.after),
    }


AHEAD = {env.WALL: "a wall", env.EMPTY: "a free cell", env.GOAL: "the goal", env.UNSEEN: "nothing"}


def hacked_pairs(last, tail_episodes):
    """The state–action pairs the ISR rewards and the caregiver never would (R_i > 0, R_s = 0).

    Grouped by what the learner did (action × the cell ahead), with the visits per seed in
    the recorded episodes; plus the single most visited (view, action) of the least-trained
    ISR, to draw. last: {views (sizes, S, M, v, v), actions, r_s, r_i (sizes, S, M)}.
    """
    views, actions, r_s, r_i = last["views"], last["actions"], last["r_s"], last["r_i"]
    c = views.shape[-1] // 2
    ahead = views[..., c - 1, c]
    hacked = (r_i > 0) & (r_s == 0)
    groups = []
    for a in range(agents.N_ACTIONS):
        for code, where in AHEAD.items():
            mask = hacked & (actions == a) & (ahead == code)
            if mask.any():
                visits = mask.sum(axis=-1)                              # (sizes, S)
                groups.append({"action": env.Action(a).name.lower(), "ahead": where,
                               "visits_per_seed": visits.tolist(),
                               "visits_per_episode": (visits.mean(axis=1) / tail_episodes).tolist(),
                               "mean_r_i": float(r_i[mask].mean())})
    groups.sort(key=lambda g: -np.sum(g["visits_per_seed"][0]))
    least = hacked[0].ravel()
    keys = np.concatenate([views[0].reshape(least.size, -1), actions[0].reshape(-1, 1)], axis=1)[least]
    example = None
    if len(keys):
        unique, counts = np.unique(keys, axis=0, return_counts=True)
        top = unique[counts.argmax()]
        i = np.flatnonzero(least)[np.flatnonzero((keys == top).all(axis=1))[0]]
        view = top[:-1].reshape(views.shape[-2:])
        example = {"view": view.tolist(), "action": env.Action(int(top[-1])).name.lower(),
                   "ahead": AHEAD.get(int(view[c - 1, c]), "?"),
                   "visits": int(counts.max()), "r_i": float(r_i[0].ravel()[i]), "r_s": 0.0}
    return {"episodes": tail_episodes,
            "hacked_steps_per_episode": (hacked.sum(axis=-1).mean(axis=1) / tail_episodes).tolist(),
            "groups": groups, "example": example}


def hacking_claims(run):
    """Fig. 6: per size and seed, internal return and goals in the first vs last episodes."""
    curves, tail = run["curves"], run["budget"].tail
    out = {"isr_episodes": run["episodes"], "isr_transitions": run["transitions"].tolist()}
    for key in ("internal", "goals"):
        out[f"{key}_first"] = tail_mean(curves[key], tail, first=True).tolist()   # (sizes, S)
        out[f"{key}_last"] = tail_mean(curves[key], tail).tolist()
    first, last = (np.array(out[f"{k}"]) for k in ("internal_first", "internal_last"))
    goals_first, goals_last = np.array(out["goals_first"]), np.array(out["goals_last"])
    out["seeds_hacked"] = ((last > first) & (goals_last < goals_first)).sum(axis=1).tolist()
    out["hacked"] = hacked_pairs(run["last"], tail_updates(tail) * AGENT.worlds_per_seed)
    return out


def incomplete_run(seeds, quick):
    return incomplete_internalization(tuple(seeds), QUICK if quick else PAPER)


# ---------------------------------------------------------------------------------------------
# The prosocial two-agent world (Fig. 7)

@experiment
def prosocial(seeds, budget=PAPER):
    """Socialize S learners to help: the caregiver rewards them when it reaches its goal,
    which needs the learner to lift the ball off its way (paper §5, Fig. 7).

    Phase 1 (2,400 episodes of 100 steps = 24e4 steps): caregiver's reward present; every
    transition recorded (the ISR sees the view with the caregiver's action in its cell).
    ISR: trained as in the single-agent world, on the view one-hot over walls, goal, ball
    and the caregiver's action, one output per learner action, 2 passes over the data.
    Phase 2 (2,400 episodes): `oracle`, `none`, `isr` as Figs 1 and 4, one batch of 3·S
    learners; R_i thresholded at 0.2 as Figs 4 right to 6 (the original's Fig. 7 used the
    raw ISR; README: why).
    """
    n_seeds = len(seeds)
    streams = random_streams(seeds, 12, 6)
    pool = env.symmetric_layouts(PROSOCIAL, PROSOCIAL.pool, streams[0])
    common = dict(layouts=pool, featurize=agents.prosocial_features)
    log(f"  socialization to help: {budget.prosocial} episodes x {n_seeds} seeds")
    policy, social, data = socialize(PROSOCIAL, PROSOCIAL_AGENT, n_seeds, budget.prosocial, streams[1],
                                     agents.N_PROSOCIAL_FEATURES, agents.N_PROSOCIAL_ACTIONS, **common)
    params, isr_log = isr.train_isr(data, PROSOCIAL_ISR_CFG, streams[2], PROSOCIAL_ISR_CODES,
                                    agents.N_PROSOCIAL_ACTIONS, curve=False)
    positives = float((data.r_s[:, data.train_index] > 0).mean())
    del data
    log(f"  after the caregiver's reward stops: {budget.prosocial} episodes x {n_seeds} seeds x 3 conditions")
    presence = np.repeat([PRESENCE[c] for c in CONDITIONS], n_seeds)
    internalized = np.repeat([c == "isr" for c in CONDITIONS], n_seeds)
    phase2 = agents.learn(policy.tile(len(CONDITIONS)), PROSOCIAL, PROSOCIAL_AGENT, budget.prosocial, presence,
                          streams[3], isr=(isr.ISR(params, PROSOCIAL_ISR_CODES, ISR_THRESHOLD), internalized),
                          **common)
    helper = env.helper_goals(PROSOCIAL, pool, budget.helper_worlds, budget.helper_episodes, streams[4])
    random = env.random_goals(PROSOCIAL, pool, budget.helper_worlds, budget.helper_episodes, streams[5])
    steps = PROSOCIAL.episode_len * (n_seeds * budget.prosocial * (1 + len(CONDITIONS)) + 2 * helper.size)
    return {
        "budget": budget, "seeds": seeds,
        "social": social, "after": {k: v.reshape(len(CONDITIONS), n_seeds, -1) for k, v in phase2.items()},
        "planner_goals": float(helper.mean()),           # the scripted helper's rate (the ceiling)
        "random_goals": float(random.mean()),            # a uniformly random learner's rate
        "isr_test_loss": isr_log["final_test_loss"], "isr_positive_share": positives,
        "env_steps": int(steps),
    }


def prosocial_run(seeds, quick):
    return prosocial(tuple(seeds), QUICK if quick else PAPER)


# ---------------------------------------------------------------------------------------------
# The figures

def figure_1(seeds, out_dir, quick=False):
    """Regenerate Figure 1: "Left: example gridworlds. Right: a learner socialized with social
    rewards (blue) un-learns once they stop (green)."

    Left: three random worlds of the experiment (3 blocks). Right: 6K episodes with the
    caregiver, then 6K without it and without an ISR; mean over seeds, min–max band.
    Deviation: curves are a running mean over 150 episodes (the paper says "smoothed"
    without saying how); the y axis is goals per episode, not the original's relabelled
    0.4·G/20 (paper-setup.md §9 item 16).
    """
    run = shared_run(seeds, quick)
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2), gridspec_kw={"width_ratios": [1, 1, 1, 2.4]})
    world = env.GridWorld(WORLD, 3, np.random.default_rng(seeds[0]))
    world.reset()
    for b, ax in enumerate(axes[:3]):
        env.draw_world(ax, world.walls[b], world.goal[b], world.pos[b], world.dir[b])
    learning_curves(axes[3], run, [("none", "Without social rewards")])
    save(fig, out_dir, "fig1.png")
    result = claims(run)
    return {k: result[k] for k in result if not k.startswith(("isr", "oracle"))}


def figure_2(seeds, out_dir, quick=False):
    """Regenerate Figure 2: the two agent architectures. Left: standard RL, the agent learns
    from the environment's reward. Right: learning from social reward; the caregiver's
    reward R_s (dotted: the caregiver is not always present) trains the ISR, whose R_i stands
    in for R_s when the caregiver is away: U = R_e + P·R_s + (1 − P)·R_i (Eq. 1)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    boxes_left = {"Environment": (0.5, 0.8), "Agent": (0.5, 0.2)}
    boxes_right = {"Environment": (0.25, 0.82), "Caregiver": (0.78, 0.82),
                   "ISR": (0.78, 0.2), "Agent": (0.25, 0.2)}
    for ax, boxes in ((left, boxes_left), (right, boxes_right)):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        for name, (x, y) in boxes.items():
            ax.text(x, y, name, ha="center", va="center", fontsize=12,
                    bbox=dict(boxstyle="round,pad=0.6", fc="#eef3fb", ec="k"))
    arrow(left, (0.42, 0.72), (0.42, 0.28), "state $s$,\nreward $R_e$", side="left")
    arrow(left, (0.58, 0.28), (0.58, 0.72), "action $a$", side="right")
    left.set_title("Standard reinforcement learning")
    arrow(right, (0.18, 0.74), (0.18, 0.28), "$s$, $R_e$", side="left")
    arrow(right, (0.31, 0.28), (0.31, 0.74), "$a$", side="right")
    arrow(right, (0.40, 0.82), (0.66, 0.82), "sees $s$, $a$", side="above")
    arrow(right, (0.70, 0.74), (0.36, 0.27), "$R_s$ ($P = 1$)", side="right", dotted=True)
    arrow(right, (0.84, 0.74), (0.84, 0.28), "trains on\n$(s, a, R_s)$", side="right", dotted=True)
    arrow(right, (0.70, 0.2), (0.36, 0.2), "$R_i$ ($P = 0$)", side="above")
    right.text(0.5, 0.02, "$U = R_e + P \\cdot R_s + (1 - P) \\cdot R_i$", ha="center", fontsize=13)
    right.set_title("Learning from social reward with an ISR")
    save(fig, out_dir, "fig2.png")
    return {}


def arrow(ax, start, end, label, side, dotted=False):
    """An arrow from start to end with its label beside it (left, right or above)."""
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", lw=1.5, ls=":" if dotted else "-"))
    x, y = (np.asarray(start) + np.asarray(end)) / 2
    dx, dy, ha = {"left": (-0.02, 0, "right"), "right": (0.02, 0, "left"),
                  "above": (0, 0.04, "center")}[side]
    ax.text(x + dx, y + dy, label, fontsize=10, ha=ha, va="center")


def figure_3(seeds, out_dir, quick=False):
    """Regenerate Figure 3: "Left: ISR train and test loss during training. Right: test loss
    against the amount of socialization data."

    Left: class-balanced MSE on a fixed subset of the train split and of the held-out test
    split, against transitions drawn. Right: the held-out test loss of ISRs trained on the
    first 1/12 … all of the train split (≈9K … 108K transitions at paper scale); mean ± SE.
    Deviation: the test split is truly held out (the original took a gradient step on every
    test sample it scored, paper-setup.md §9 item 5); both panels use one balanced loss.
    """
    run = shared_run(seeds, quick)
    isr_log, n_seeds = run["isr_log"], len(seeds)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    x = isr_log["samples"] / 1e3
    for key, color, label in (("train_loss", "tab:blue", "Train"), ("test_loss", "tab:red", "Test (held out)")):
        mean, se = stats.mean_se(isr_log[key])
        left.plot(x, mean, color=color, label=label)
        left.fill_between(x, mean - se, mean + se, color=color, alpha=0.25, lw=0)
    left.set_yscale("log")
    left.set_xlabel("Transitions drawn (×10³)")
    left.set_ylabel("Balanced MSE loss")
    left.legend(frameon=False)
    mean, se = stats.mean_se(run["isr_size_test_loss"], axis=1)
    right.errorbar(run["isr_sizes"] / 1e3, mean, yerr=se, marker="o", capsize=3, color="tab:red")
    right.set_yscale("log")
    right.set_xlabel("Socialization transitions the ISR saw (×10³)")
    right.set_ylabel("Held-out test loss")
    for ax in (left, right):
        ax.set_title(f"mean ± SE over {n_seeds} seeds", fontsize=9)
    save(fig, out_dir, "fig3.png")
    final_train, final_test = isr_log["final_train_loss"], isr_log["final_test_loss"]
    return {"final_train_loss": final_train.tolist(), "final_test_loss": final_test.tolist(),
            "test_over_train": float(final_test.mean() / final_train.mean()),
            "transitions": run["isr_sizes"].tolist(),
            "test_loss_by_transitions": run["isr_size_test_loss"].tolist(),
            "mean_test_loss_by_transitions": mean.tolist(),
            "monotone": bool(np.all(np.diff(mean) < 0))}


def figure_4(seeds, out_dir, quick=False):
    """Regenerate Figure 4. Left: "After socialization (blue), a learner with an ISR keeps
    reaching the goal (red); without one it un-learns (green)." Right: socialized with one
    block, tested in worlds with five: the ISR learner generalizes better than the frozen one,
    nearly as well as the oracle that kept its caregiver.

    Left: 6K episodes with the caregiver, then 6K with it gone, with and without the ISR; mean
    over seeds, min–max band; the ISR reward is Eq. 1's raw R_i (the original's variant A).
    Right: greedy return over 100 episodes in new 5-block worlds after 6K more episodes
    there (frozen: none); mean ± SE over seeds, dots are seeds; Student t-tests as the paper.
    """
    run = shared_run(seeds, quick)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11.5, 3.8), gridspec_kw={"width_ratios": [1.6, 1]})
    learning_curves(left, run, [("isr", "With ISR model"), ("none", "Without ISR model")])
    ood = new_world_claims(generalization_run(seeds, quick))
    bars(right, ["frozen", "isr", "oracle", "isr_raw"], ood["return"])
    tests = ood["return_tests"]
    right.set_title(f"Frozen vs ISR: t = {tests['frozen_vs_isr_student']['t']:.2f}, "
                    f"p = {tests['frozen_vs_isr_student']['p']:.2g}\n"
                    f"ISR vs Oracle: t = {tests['isr_vs_oracle_student']['t']:.2f}, "
                    f"p = {tests['isr_vs_oracle_student']['p']:.2g}", fontsize=9)
    right.set_ylabel("Return in new worlds (greedy)")
    save(fig, out_dir, "fig4.png")
    return {**claims(run), "right": ood}


LABELS = {"frozen": "Frozen", "isr": "ISR", "oracle": "Oracle", "isr_raw": "ISR,\nraw $R_i$"}
OOD_COLORS = {"frozen": "tab:blue", "isr": "tab:red", "oracle": "0.5", "isr_raw": "#f4a6a6"}


def bars(ax, conditions, values, x0=0.0, labels=True):
    """Mean ± SE bars per condition, one dot per seed (Figs 4 right and 5)."""
    rng = np.random.default_rng(0)                   # dot jitter only
    for i, condition in enumerate(conditions):
        v = np.asarray(values[condition])
        mean, se = stats.mean_se(v)
        ax.bar(x0 + i, mean, yerr=se, color=OOD_COLORS[condition], capsize=3, width=0.75,
               hatch="//" if condition == "isr_raw" else None, edgecolor="k", lw=0.5)
        ax.scatter(x0 + i + rng.uniform(-0.2, 0.2, v.size), v, s=6, color="k", zorder=3)
    ax.set_xticks(x0 + np.arange(len(conditions)), [LABELS[c] for c in conditions] if labels else [])
    ax.axhline(0, color="k", lw=0.5)


def figure_5(seeds, out_dir, quick=False):
    """Regenerate Figure 5: socialized with one block, tested in five hand-picked 5-block
    layouts (paper-setup.md §6.4) after 12K further episodes in each (frozen: none).

    Bars: greedy return over 100 episodes per layout, mean ± SE over seeds, dots are seeds.
    The title holds the paper's analysis (OLS y ~ method × env, the method coefficient at the
    reference layout "T") beside the additive model and the paired per-seed comparison.
    """
    result = layout_claims(generalization_run(seeds, quick))
    fig, axes = plt.subplots(1, len(LAYOUTS), figsize=(12, 3.9), sharey=True)
    for j, (ax, name) in enumerate(zip(axes, LAYOUTS)):
        bars(ax, OOD_CONDITIONS, {c: np.asarray(result["return"][c])[j] for c in OOD_CONDITIONS})
        ax.set_title(f'"{name}"', fontsize=10)
        inset = ax.inset_axes([0.02, 0.72, 0.26, 0.26])
        inset.imshow(env.parse_layout(env.HANDPICKED[name]), cmap="Greys", vmin=0, vmax=1.6)
        inset.set_xticks([])
        inset.set_yticks([])
    axes[0].set_ylabel("Return in the layout (greedy)")
    axes[0].set_ylim(top=max(ax.get_ylim()[1] for ax in axes) * 1.3)
    fi, io = result["frozen_vs_isr"], result["isr_vs_oracle"]
    fig.suptitle(
        f"Frozen − ISR: paper's OLS (at \"T\") t = {fi['paper_interaction_at_T']['t']:.2f}, "
        f"p = {fi['paper_interaction_at_T']['p']:.2g}; additive t = {fi['additive']['t']:.2f}, "
        f"p = {fi['additive']['p']:.2g}; paired t = {fi['paired_per_seed']['t']:.2f}, "
        f"p = {fi['paired_per_seed']['p']:.2g}\n"
        f"ISR − Oracle: additive {io['additive']['coef']:+.3f} "
        f"[{io['additive']['ci95'][0]:+.3f}, {io['additive']['ci95'][1]:+.3f}], p = {io['additive']['p']:.2g}; "
        f"paper's OLS t = {io['paper_interaction_at_T']['t']:.2f}, p = {io['paper_interaction_at_T']['p']:.2g}",
        fontsize=9)
    save(fig, out_dir, "fig5.png")
    return result


def figure_6(seeds, out_dir, quick=False):
    """Regenerate Figure 6 as a designed experiment: an ISR that saw too little is hacked.

    Left and middle: internal (ISR) return and goals per episode while the learners the
    caregiver left keep learning in new 5-block worlds from ISRs trained on the first 500 …
    6,000 socialization episodes; mean ± SE over seeds, running mean over 150 episodes.
    Right: the (view, action) the least-trained ISR's learners farmed most, R_s = 0.
    Deviation: the paper shows one run (layout "x", seed 1235); that version is
    `figure_6_single_run` (`python figures.py 6-single-run`).
    """
    run = incomplete_run(seeds, quick)
    result = hacking_claims(run)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), gridspec_kw={"width_ratios": [1, 1, 0.8]})
    colors = plt.cm.Reds(np.linspace(0.35, 1.0, len(run["episodes"])))
    x = episodes_axis(run["curves"]["goals"].shape[-1]) / 1e3
    for key, ax, label in (("internal", axes[0], "Internal (ISR) return per episode"),
                           ("goals", axes[1], "Goals reached per episode")):
        for curves, color, episodes in zip(run["curves"][key], colors, run["episodes"]):
            mean, se = stats.mean_se(smooth(curves))
            ax.plot(x, mean, color=color, label=f"ISR from {episodes:,} episodes")
            ax.fill_between(x, mean - se, mean + se, color=color, alpha=0.25, lw=0)
        ax.set_xlabel("Episodes after the caregiver left (×10³)")
        ax.set_ylabel(label)
        ax.set_title(f"new 5-block worlds; mean ± SE over {len(seeds)} seeds", fontsize=9)
    axes[1].legend(fontsize=8, frameon=False)
    example = result["hacked"]["example"]
    if example is None:
        axes[2].axis("off")
    else:
        view = np.array(example["view"])
        c = view.shape[0] // 2
        goal = np.argwhere(view == env.GOAL)
        env.draw_world(axes[2], view == env.WALL, goal[0, ::-1] if len(goal) else None, (c, c), 3,
                       unseen=view == env.UNSEEN)
        axes[2].set_title(f"Farmed: '{example['action']}' into {example['ahead']}, R_i = {example['r_i']:.2f}, "
                          f"R_s = 0;\n{example['visits']} visits in the last {result['hacked']['episodes']} "
                          f"episodes (ISR from {run['episodes'][0]} episodes)", fontsize=9)
    save(fig, out_dir, "fig6.png")
    return result


def figure_6_single_run(seeds, out_dir, quick=False):
    """The paper's own Figure 6: one run of Fig. 5's ISR condition (layout "x", seed 1235,
    thresholded ISR), internal return and goals over the further learning, EMA-smoothed 0.8
    as the original (paper-setup.md §6.5). Not run by default; it needs the Fig. 5 experiment."""
    run = generalization_run(seeds, quick)
    seed = 1235 if 1235 in seeds else seeds[1]
    i_seed, i_layout = seeds.index(seed), LAYOUTS.index("x")
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    out = {"seed": seed, "layout": "x"}
    for ax, key, label in ((axes[0], "internal", "Internal reward"), (axes[1], "goals", "Goals reached per episode")):
        curve = run["layout_curves"][key][0, i_layout, i_seed]          # condition 0 = isr
        ema = np.zeros_like(curve)
        for k, value in enumerate(curve):
            ema[k] = value if k == 0 else 0.8 * ema[k - 1] + 0.2 * value
        ax.plot(episodes_axis(len(curve)) / 1e3, ema, color="tab:red")
        ax.set_xlabel("Episodes after the caregiver left (×10³)")
        ax.set_ylabel(label)
        out[key] = curve.tolist()
    fig.suptitle(f'The paper\'s version: one run, layout "x", seed {seed}, thresholded ISR', fontsize=10)
    save(fig, out_dir, "fig6-single-run.png")
    return out


def figure_7(seeds, out_dir, quick=False):
    """Regenerate Figure 7: a learner socialized to help (lift the ball off the caregiver's
    way) keeps helping with an ISR after the caregiver's reward stops, and stops without one.

    Left: one generated layout. Right: the caregiver's goals per episode (the learner's
    helping), 2,400 episodes (24e4 steps) with the caregiver's reward, then 2,400 without
    it (with and without the ISR) or with it (oracle); mean and min–max over seeds; dotted:
    a scripted helper. Deviation: the y axis is goals per episode, not 2.7·G/len(buffer).
    """
    run = prosocial_run(seeds, quick)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1, 2.6]})
    walls, ball, caregiver, goal, learner = env.symmetric_layouts(PROSOCIAL, 8, np.random.default_rng(seeds[0]))
    env.draw_world(left, walls[0], goal[0], learner[0], 3)
    left.add_patch(plt.Circle(ball[0] + 0.5, 0.3, color="tab:blue"))
    left.add_patch(plt.Circle(caregiver[0] + 0.5, 0.35, color="tab:purple"))
    left.set_title("learner (red), caregiver (purple),\nits goal (green), ball (blue)", fontsize=9)
    learning_curves(right, run, [("isr", "With ISR model"), ("none", "Without ISR model"), ("oracle", "Caregiver's reward stays")],
                    ceiling="Scripted helper", ylabel="Caregiver's goals per episode")
    right.axhline(run["random_goals"], color="0.3", ls="-.", lw=1, label="Random learner")
    right.legend(loc="center left", fontsize=8, frameon=False)
    save(fig, out_dir, "fig7.png")
    result = claims(run)
    result["helper_goals_per_episode"] = result.pop("planner_goals_per_episode")
    result["socialized_fraction_of_helper"] = result.pop("socialized_fraction_of_planner")
    result["random_goals_per_episode"] = run["random_goals"]
    result["isr_test_loss"] = run["isr_test_loss"].tolist()
    return result


FIGURES = {"1": figure_1, "2": figure_2, "3": figure_3, "4": figure_4, "5": figure_5, "6": figure_6,
           "7": figure_7}
OPTIONAL = {"6-single-run": figure_6_single_run}   # on request only


# ---------------------------------------------------------------------------------------------
# Output and command line

def save(fig, out_dir, name):
    """Write a figure atomically: to a temporary file, then renamed into place."""
    fig.tight_layout()
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=out_dir)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=130)
        os.replace(tmp, Path(out_dir) / name)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json(path, obj):
    fd, tmp = tempfile.mkstemp(suffix=".json", dir=Path(path).parent)
    with os.fdopen(fd, "w") as f:
        json.dump(obj, f, indent=1, default=_jsonable)
    os.replace(tmp, path)


def _jsonable(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"cannot write {type(x)} to JSON")


def bare_world_steps_per_second(n_worlds, seconds=0.5):
    """Environment steps per second of the batched world alone, with random actions."""
    world = env.GridWorld(WORLD, n_worlds, np.random.default_rng(0))
    world.reset()
    actions = np.random.default_rng(1).integers(0, agents.N_ACTIONS, size=(64, n_worlds))
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for a in actions:
            world.step(a)
        steps += len(actions) * n_worlds
    return round(steps / (time.perf_counter() - start))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figures", nargs="*", metavar="FIG",
                        help=f"figures to make: {' '.join(FIGURES)} (default: all), or {' '.join(OPTIONAL)}")
    parser.add_argument("--seeds", type=int, default=10, help="number of seeds, from 1234 on (default 10)")
    parser.add_argument("--quick", action="store_true", help="a small budget, for a smoke test")
    parser.add_argument("--out", type=Path, default=FIG_DIR, help="output folder (default figures/)")
    args = parser.parse_args(argv)
    unknown = [f for f in args.figures if f not in FIGURES and f not in OPTIONAL]
    if unknown:
        raise ValueError(f"unknown figure {' '.join(unknown)}; choose from {' '.join(FIGURES)} {' '.join(OPTIONAL)}")
    if args.seeds < 2:
        raise ValueError(f"--seeds must be at least 2 (the t-tests need two per group), got {args.seeds}")
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out {args.out} exists and is not a folder")
    return args


def main(argv=None):
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    seeds = tuple(range(FIRST_SEED, FIRST_SEED + args.seeds))
    results_path = args.out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    start = time.perf_counter()
    for name in args.figures or list(FIGURES):
        log(f"Figure {name}")
        t0, first = time.perf_counter(), len(SPENT)
        out = {**FIGURES, **OPTIONAL}[name](seeds, args.out, args.quick)
        seconds, spent = time.perf_counter() - t0, SPENT[first:]    # experiments not cached yet
        steps = sum(e["env_steps"] for e in spent)
        out["run"] = {"seeds": list(seeds), "quick": args.quick}
        out["timing"] = {"seconds": round(seconds, 2), "env_steps": steps,
                         "env_steps_per_second": round(steps / seconds) if steps else None,
                         "experiments": spent}
        results[f"fig{name}"] = out
        log(f"Figure {name}: {seconds:.1f} s")
    n_worlds = args.seeds * AGENT.worlds_per_seed
    results["timing"] = {"seconds_total": round(time.perf_counter() - start, 2),
                         "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                         "figures": args.figures or list(FIGURES),
                         "bare_world_steps_per_second": {
                             f"{n} worlds": bare_world_steps_per_second(n) for n in (n_worlds, 3 * n_worlds)}}
    write_json(results_path, results)
    log(f"wrote {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
