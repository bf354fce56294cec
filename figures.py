"""figures.py — regenerate the paper's figures: `python figures.py [FIG ...] [--quick] [--replot]`.

One plotting function per figure (figure_1 … figure_7, and figure_8, figure_9 beyond the
paper), each reading the saved arrays of the experiments it shows and returning its claims
(claims.py); the experiments themselves are in experiments.py and beyond.py. A run writes, into the output folder (default figures/):
  <experiment>.npz   each experiment's arrays (outputs.save_run), beside
  figN.png           the figures, and
  results.json       the claims per figure (layout in the README).
`python figures.py --replot` redraws every figure from the saved arrays without learning.
No matplotlib backend is chosen on import (a notebook keeps its inline plots); the command
line draws off-screen.

Deviations from the paper are marked `Deviation:` and listed in the README.
"""
import os

# One BLAS thread, set before numpy loads: float32 sums then reduce in one order on any
# machine, and a busy machine cannot stall the many small matrix products (with two threads
# under load, ISR training ran 10–40× slower). On this machine one thread is as fast as two.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse
import json
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

import beyond
import claims
import env
import experiments as ex
import outputs
import plots
import prosocial
import settings
import stats
import watch

FIG_DIR = Path(__file__).parent / "figures"
FIRST_SEED = 1234                       # the authors' seeds are 1234–1243
SEEDS = 10                              # learners per condition, as the paper
QUICK_SEEDS = 5                         # learners per condition with --quick


def log(msg):
    """A line of the run's report on stderr (it first clears a live progress line)."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    print(msg, file=sys.stderr, flush=True)


class Progress:
    """The stage now running, with the time spent and the time left, on stderr: in a terminal
    one line that each stage rewrites, otherwise one plain line per stage. Time left is the
    last run's time for the figures still to make (results.json), less what this figure has
    spent so far."""

    def __init__(self):
        self.start = self.figure_start = time.perf_counter()
        self.figure, self.left = "", 0.0

    def begin(self, figure, left):
        """A new figure starts; `left` seconds were spent last time on it and the rest."""
        self.figure, self.left, self.figure_start = figure, left, time.perf_counter()

    def __call__(self, stage):
        now = time.perf_counter()
        left = self.left - (now - self.figure_start)
        text = (f"[{now - self.start:.0f} s" + (f", about {left:.0f} s left" if left >= 1 else "")
                + f"] Figure {self.figure}: {stage.strip()}")
        if sys.stderr.isatty():
            width = shutil.get_terminal_size().columns
            sys.stderr.write("\r\033[K" + text[:max(width - 1, 20)])
            sys.stderr.flush()
        else:
            print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The figures: each reads runs {experiment name: arrays} and writes out_dir/figN.png

def save(fig, runs, out_dir, name):
    """Write the figure to out_dir/name and close it; a figure drawn from quick-budget
    arrays says so across its foot."""
    if any(run.get("quick", False) for run in runs.values()):
        fig.text(0.5, 0.003, "QUICK BUDGET: fewer learners and episodes, not the paper's scale", ha="center", va="bottom",
                 color="tab:red", fontsize=9, weight="bold")
    outputs.save_figure(fig, Path(out_dir) / name)
    plt.close(fig)

def figure_1(runs, out_dir):
    """Regenerate Figure 1: "Left: example gridworlds. Right: a learner socialized with social
    rewards (blue) un-learns once they stop (green)."

    Left: three random worlds of the experiment (3 blocks). Right: 6K episodes with the
    caregiver, then 6K without it and without an ISR; mean over seeds, min–max band.
    Deviation: curves are a running mean over 150 episodes (the paper says "smoothed"
    without saying how); the y axis is goals per episode (the authors' plot relabelled a
    logged 0.4·goals/20, so its "1 goal" was 0.4 goals per episode).
    """
    run = runs["internalization"]
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2), gridspec_kw={"width_ratios": [1, 1, 1, 2.4]})
    world = env.GridWorld(ex.Internalization().world, 3, np.random.default_rng(int(run["seeds"][0])))
    world.reset()
    for b, ax in enumerate(axes[:3]):
        plots.draw_world(ax, world.walls[b], world.goal[b], world.pos[b], world.dir[b])
    plots.learning_curves(axes[3], run, [("none", "Without social rewards")], float(run["planner_goals"]))
    save(fig, runs, out_dir, "fig1.png")
    during = claims.calibration_claims(run["calibration"], {"after": run["after"]["isr"]})
    return {**claims.caregiver_claims(run), "isr_paid_over_caregiver_would": during["during_after_r_i_over_r_s_pooled"]}


def figure_2(runs, out_dir):
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
    plots.arrow(left, (0.42, 0.72), (0.42, 0.28), "state $s$,\nreward $R_e$", side="left")
    plots.arrow(left, (0.58, 0.28), (0.58, 0.72), "action $a$", side="right")
    left.set_title("Standard reinforcement learning")
    plots.arrow(right, (0.18, 0.74), (0.18, 0.28), "$s$, $R_e$", side="left")
    plots.arrow(right, (0.31, 0.28), (0.31, 0.74), "$a$", side="right")
    plots.arrow(right, (0.40, 0.82), (0.66, 0.82), "sees $s$, $a$", side="above")
    plots.arrow(right, (0.70, 0.74), (0.36, 0.27), "$R_s$ ($P = 1$)", side="right", dotted=True)
    plots.arrow(right, (0.84, 0.74), (0.84, 0.28), "trains on\n$(s, a, R_s)$", side="right", dotted=True)
    plots.arrow(right, (0.70, 0.2), (0.36, 0.2), "$R_i$ ($P = 0$)", side="above")
    right.text(0.5, 0.02, "$U = R_e + P \\cdot R_s + (1 - P) \\cdot R_i$", ha="center", fontsize=13)
    right.set_title("Learning from social reward with an ISR")
    save(fig, runs, out_dir, "fig2.png")
    return {}


def figure_3(runs, out_dir):
    """Regenerate Figure 3: "Left: ISR train and test loss during training. Right: test loss
    against the amount of socialization data."

    Left: class-balanced MSE on a fixed subset of the train split and of the held-out test
    split, against transitions drawn. Right: the held-out test loss of ISRs trained on the
    first 1/12 … all of the train split (≈9K … 108K transitions at paper scale); mean ± SE.
    Deviation: the test split is truly held out (the authors' loop took a gradient step on
    every test sample it scored); both panels use one balanced loss.
    """
    run = runs["internalization"]
    isr_log, n_seeds = run["isr"], len(run["seeds"])
    fig, (left, right, designs) = plt.subplots(1, 3, figsize=(15, 3.8), gridspec_kw={"width_ratios": [1, 1, 1.2]})
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
    compared = claims.design_claims(runs["isr_designs"])
    plots.design_panel(designs, compared, n_seeds)
    save(fig, runs, out_dir, "fig3.png")
    return {**claims.isr_claims(run),
            "isr_calibration": claims.calibration_claims(run["calibration"], {"after": run["after"]["isr"]}),
            "isr_designs": compared}


def figure_4(runs, out_dir):
    """Regenerate Figure 4. Left: "After socialization (blue), a learner with an ISR keeps
    reaching the goal (red); without one it un-learns (green)." Right: socialized with one
    block, tested in worlds with five: the ISR learner generalizes better than the frozen one,
    nearly as well as the oracle that kept its caregiver.

    Left: 6K episodes with the caregiver, then 6K with it gone, with and without the ISR; mean
    over seeds, min–max band; the ISR reward is Eq. 1's raw R_i (as the authors' run).
    Right: greedy expected return in new 5-block worlds (exact over 200 random layouts) after
    6K more episodes there; frozen: none, frozen (authors'): 6K more with the caregiver in the
    one-block world. Bars: mean ± SE over the seeds of the first run of the further learning,
    dots its seeds, diamonds the second run's means; the title holds the paired t-tests per seed.
    """
    run = runs["internalization"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12.5, 3.9), gridspec_kw={"width_ratios": [1.5, 1]})
    plots.learning_curves(left, run, [("isr", "With ISR model"), ("none", "Without ISR model")], float(run["planner_goals"]))
    ood = claims.new_world_claims(runs["generalization"])
    plots.bars(right, list(ex.OOD_CONDITIONS) + ["isr_raw"], ood["return"])
    right.tick_params(axis="x", labelsize=8)
    right.set_title("Paired per seed, run 1 | run 2:\n" + "\n".join(
        _paired_line(ood["reruns"], name, "paired", brief=True)
        for name in ("frozen_vs_isr", "frozen_authors_vs_isr", "isr_vs_oracle")), fontsize=8)
    right.set_ylabel("Return in new worlds (greedy)")
    save(fig, runs, out_dir, "fig4.png")
    return {**claims.caregiver_claims(run), "right": ood}


def _paired_line(reruns, name, test, brief=False):
    """'frozen − isr: +0.05 [+0.01, +0.09] p=0.02 | +0.04 [...] p=0.03': one comparison, each
    run (brief: without the interval)."""
    label = name.replace("_vs_", " − ").replace("frozen_authors", "frozen (authors')")
    cells = []
    for rerun in reruns:
        r = rerun[name][test]
        interval = "" if brief else f" [{r['ci95'][0]:+.3f}, {r['ci95'][1]:+.3f}]"
        cells.append(f"{claims.effect(r):+.3f}{interval} p={r['p']:.2g}")
    return f"{label}: " + " | ".join(cells)


def figure_5(runs, out_dir):
    """Regenerate Figure 5: socialized with one block, tested in five hand-picked 5-block
    layouts (the authors' layouts) after 12K further episodes in each (frozen: none; frozen
    (authors'): 12K more with the caregiver in the one-block world).

    Bars: greedy expected return in each layout (exact), mean ± SE over the seeds of the first
    run of the further learning, dots its seeds, diamonds the second run's means. The title
    holds, per run, the paired per-seed comparison (mean over the layouts).
    """
    result = claims.layout_claims(runs["generalization"])
    layouts = result["layouts"]
    fig, axes = plt.subplots(1, len(layouts), figsize=(13, 4.1), sharey=True)
    for j, (ax, name) in enumerate(zip(axes, layouts)):
        plots.bars(ax, ex.OOD_CONDITIONS, {c: np.asarray(result["return"][c])[:, j] for c in ex.OOD_CONDITIONS},
                   labels=False)
        ax.set_title(f'"{name}"', fontsize=10)
        inset = ax.inset_axes([0.02, 0.72, 0.26, 0.26])
        inset.imshow(env.parse_layout(env.HANDPICKED[name]), cmap="Greys", vmin=0, vmax=1.6)
        inset.set_xticks([])
        inset.set_yticks([])
    axes[0].set_ylabel("Return in the layout (greedy)")
    axes[0].set_ylim(top=max(ax.get_ylim()[1] for ax in axes) * 1.3)
    handles = [plt.Rectangle((0, 0), 1, 1, color=plots.OOD_COLORS[c]) for c in ex.OOD_CONDITIONS]
    fig.legend(handles, [plots.LABELS[c].replace("\n", " ") for c in ex.OOD_CONDITIONS], fontsize=8,
               loc="upper left", frameon=False)
    fig.suptitle("Paired per seed, run 1 | run 2:\n" + "\n".join(
        _paired_line(result["reruns"], name, "paired_per_seed")
        for name in ("frozen_vs_isr", "frozen_authors_vs_isr", "isr_vs_oracle")), fontsize=9)
    save(fig, runs, out_dir, "fig5.png")
    run = runs["generalization"]
    result["isr_calibration"] = claims.calibration_claims(
        run["calibration"], {"new_world": run["new_world_curves"]["isr"], "layouts": run["layout_curves"]["isr"],
                             "new_world_raw": run["new_world_curves"]["isr_raw"]})
    return result


def figure_6(runs, out_dir):
    """Regenerate Figure 6 as a designed experiment: when is an incomplete ISR hacked?

    The learners the caregiver left keep learning in new 5-block worlds from ISRs trained on
    the first 125 … 6,000 socialization episodes, for one pass over that data (dashed) or
    for the stated 1,000 updates (solid). Left: goals per episode, first (light) and last
    510 episodes. Middle: Σ R_i / Σ R_s over the last 510 episodes, what the ISR paid against
    what the caregiver would have paid (above 1.25: hacked; geometric mean over seeds, since a
    learner that stops reaching goals sends it toward infinity), with the seeds hacked. Right: the
    (view, action) the learners of the most hacked ISR farmed most. Mean ± SE over seeds.
    Deviation: the paper shows one run (layout "x", seed 1235); that version is
    `figure_6_single_run` (`python figures.py 6-single-run`).
    """
    run = runs["incomplete_internalization"]
    result = claims.hacking_claims(run)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), gridspec_kw={"width_ratios": [1, 1, 0.8]})
    episodes, n_seeds, window = run["episodes"], len(run["seeds"]), result["hacked"]["episodes"]
    for b, (updates, style) in enumerate(zip(result["isr_updates"], ("--", "-"))):
        label = "ISR: one pass over its data" if updates == "one pass" else f"ISR: {updates:,} updates"
        for key, shade in (("goals_first", 0.4), ("goals_last", 1.0)):
            mean, se = stats.mean_se(np.array(result[key][b]), axis=1)
            axes[0].errorbar(episodes, mean, yerr=se, ls=style, marker="o", ms=3, capsize=2, color="tab:red",
                             alpha=shade, label=f"{label}, {'first' if shade < 1 else 'last'} {window} episodes")
        ratio = np.array([[np.nan if v is None else v for v in row] for row in result["r_i_over_r_s_last"][b]])
        mean = np.exp(np.nanmean(np.log(np.maximum(ratio, 1e-3)), axis=1))          # geometric mean
        axes[1].plot(episodes, mean, ls=style, marker="o", ms=3, color="k", label=label)
        for x, y, hacked in zip(episodes, mean, result["seeds_hacked"][b]):
            axes[1].annotate(f"{hacked}/{n_seeds}", (x, y), textcoords="offset points", xytext=(3, 4 if b else -11),
                             fontsize=7)
    axes[1].axhline(claims.HACKED_ABOVE, color="tab:red", lw=1, ls=":")
    axes[1].set_yscale("log")
    for ax, label in ((axes[0], "Goals reached per episode"),
                      (axes[1], f"Σ R_i / Σ R_s, last {window} episodes\n(geometric mean over seeds)")):
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(episodes, [f"{e:,}" for e in episodes], fontsize=7)
        ax.set_xlabel("Socialization episodes the ISR saw")
        ax.set_ylabel(label)
    axes[0].legend(fontsize=6, frameon=False)
    axes[1].legend(fontsize=7, frameon=False)
    axes[1].set_title(f"above {claims.HACKED_ABOVE}: the ISR pays more than the caregiver would"
                      f"\n(seeds hacked of {n_seeds})",
                      fontsize=8)
    example = result["hacked"]["example"]
    if example is None:
        axes[2].axis("off")
    else:
        view = np.array(example["view"])
        c = view.shape[0] // 2
        goal = np.argwhere(view == env.GOAL)
        plots.draw_world(axes[2], view == env.WALL, goal[0, ::-1] if len(goal) else None, (c, c), 3,
                         unseen=view == env.UNSEEN)
        b, z = divmod(example["isr"], len(episodes))
        axes[2].set_title(f"Farmed: '{example['action']}' into {example['ahead']}, R_i = {example['r_i']:.2f}, R_s = 0;\n"
                          f"{example['visits']} visits in the last {result['hacked']['episodes']} episodes\n"
                          f"(ISR: {episodes[z]:,} episodes, {result['isr_updates'][b]})", fontsize=8)
    save(fig, runs, out_dir, "fig6.png")
    return result


def figure_6_single_run(runs, out_dir):
    """The paper's own Figure 6: one run of Fig. 5's ISR condition (layout "x", seed 1235,
    thresholded ISR), internal return and goals over the further learning, smoothed by an
    exponential moving average with weight 0.8 on the past, as the authors' plot. Not run by
    default; it needs the Fig. 5 experiment."""
    run = runs["generalization"]
    seeds, layouts = run["seeds"].tolist(), run["layout_names"].tolist()
    seed = 1235 if 1235 in seeds else seeds[1]
    i_seed, i_layout = seeds.index(seed), layouts.index("x")
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    out = {"seed": seed, "layout": "x"}
    for ax, key, label in ((axes[0], "internal", "Internal reward"), (axes[1], "goals", "Goals reached per episode")):
        curve = run["layout_curves"]["isr"][key][0, i_layout, i_seed]         # the first run
        ema = np.zeros_like(curve)
        for k, value in enumerate(curve):
            ema[k] = value if k == 0 else 0.8 * ema[k - 1] + 0.2 * value
        ax.plot(plots.episodes_axis(len(curve), int(run["episodes_per_update"])) / 1e3, ema, color="tab:red")
        ax.set_xlabel("Episodes after the caregiver left (×10³)")
        ax.set_ylabel(label)
        out[key] = curve.tolist()
    fig.suptitle(f'The paper\'s version: one run, layout "x", seed {seed}, thresholded ISR', fontsize=10)
    save(fig, runs, out_dir, "fig6-single-run.png")
    return out


def figure_7(runs, out_dir):
    """Regenerate Figure 7: a learner socialized to help (lift the ball off the caregiver's
    way) keeps helping with an ISR after the caregiver's reward stops, and stops without one.

    Left: one generated layout. Right: the caregiver's goals per episode (the learner's
    helping), 6,000 episodes (6e5 steps; the paper's 24e4 steps reach a third of the helper
    here) with the caregiver's reward, then 2,400 without it (with and without the ISR) or
    with it (oracle); mean and min–max over seeds; dotted: a scripted helper.
    Deviation: the y axis is goals per episode (the authors' plot showed
    a logged 2.7·goals per rollout buffer).
    """
    run = runs["helping"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1, 2.6]})
    walls, ball, caregiver, goal, learner = prosocial.symmetric_layouts(
        ex.Helping().world, 8, np.random.default_rng(int(run["seeds"][0])))
    plots.draw_world(left, walls[0], goal[0], learner[0], 3)
    left.add_patch(plt.Circle(ball[0] + 0.5, 0.3, color="tab:blue"))
    left.add_patch(plt.Circle(caregiver[0] + 0.5, 0.35, color="tab:purple"))
    left.set_title("learner (red), caregiver (purple),\nits goal (green), ball (blue)", fontsize=9)
    plots.learning_curves(right, run, [("isr", "With ISR model"), ("none", "Without ISR model"),
                                       ("oracle", "Caregiver's reward stays"),
                                       ("oracle_at_isr_rate", "... paid at the ISR's rate")],
                          float(run["helper_goals"]),
                    ceiling_label="Scripted helper", ylabel="Caregiver's goals per episode")
    right.axhline(float(run["random_goals"]), color="0.3", ls="-.", lw=1, label="Random learner")
    right.legend(loc="center left", fontsize=8, frameon=False)
    save(fig, runs, out_dir, "fig7.png")
    return claims.helping_claims(run)


# ---------------------------------------------------------------------------------------------
# Beyond the paper (beyond.py)

def figure_8(runs, out_dir):
    """Figure 8 (not in the paper): a caregiver that comes back in a fraction q of the episodes.

    After the 6K socialization episodes of Fig. 1, 6K more in which the caregiver comes to each
    episode with probability q. Left: goals per episode in the last 500, as a share of each
    learner's socialized level, mean and 95 % interval over seeds, for learners without an ISR,
    with their ISR, and with an ISR that keeps training on the episodes the caregiver comes to.
    Right: what each ISR paid over the phase against what the caregiver paid or would have.
    """
    run = runs["partial_presence"]
    result = claims.presence_claims(run)
    rates = result["visit_rates"]
    x = np.arange(len(rates))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.9), gridspec_kw={"width_ratios": [1.6, 1]})
    labels = {"none": "Without ISR", "isr": "With ISR", "isr_online": "ISR trained online"}
    for i, arm in enumerate(beyond.PRESENCE_ARMS):
        plots.interval_line(left, x, result[f"{arm}_interval"], plots.COLORS[arm], labels[arm], offset=(i - 1) * 0.08)
    left.axhline(1.0, color="k", lw=0.6)
    left.axhline(claims.KEEPS_ABOVE, color="0.5", ls=":", lw=1, label=f"{claims.KEEPS_ABOVE:.0%} of the level")
    left.set_xticks(x, [f"{q:g}" for q in rates])
    left.set_xlabel("q, share of episodes the caregiver comes to")
    left.set_ylabel("Goals kept, share of socialized")
    left.legend(fontsize=8, frameon=False)
    left.set_title(f"last {result['tail_episodes']} of {run['curves']['none']['goals'].shape[-1] * int(run['episodes_per_update'])} "
                   f"episodes; mean, 95 % interval over {len(run['seeds'])} seeds", fontsize=9)
    for i, arm in enumerate(("isr", "isr_online")):
        ratio = np.array([[v if v is not None else np.nan for v in row] for row in result[f"{arm}_r_i_over_r_s"]])
        right.plot(x + (i - 0.5) * 0.1, ratio, ".", color=plots.COLORS[arm], alpha=0.5, ms=4)
        right.plot(x, np.nanmedian(ratio, axis=1), "-o", color=plots.COLORS[arm], ms=4, label=labels[arm] + " (median)")
    right.axhline(1.0, color="k", lw=0.6)
    right.axhline(claims.HACKED_ABOVE, color="tab:red", ls=":", lw=1, label="hacked above")
    right.set_xticks(x, [f"{q:g}" for q in rates])
    right.set_xlabel("q")
    right.set_ylabel("ISR paid / caregiver would have")
    right.legend(fontsize=8, frameon=False)
    save(fig, runs, out_dir, "fig8.png")
    return result


def figure_9(runs, out_dir):
    """Figure 9 (not in the paper): how sensitive the results are.

    (a) Fig. 4 right's learning in new worlds from the ISR thresholded at each level: exact
    greedy return on the test layouts, mean and 95 % interval over seeds; bands: the frozen
    learners and the oracle. (b) Fig. 6's grid, its learners scored the same way: return
    against the ISR's data, one line per training budget. (c) The learner's features:
    socialized level (share of the planner) and Fig. 4 left's retention without and with the
    ISR (share of the socialized level)."""
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(15, 4.0))
    th = claims.threshold_claims(runs["thresholds"])
    x = np.array(th["thresholds"])
    for ref, color in (("frozen", plots.OOD_COLORS["frozen"]), ("oracle", plots.OOD_COLORS["oracle"])):
        lo, hi = th[f"{ref}_interval"]["ci95"]
        a.axhspan(lo, hi, color=color, alpha=0.25, lw=0, label=f"{plots.LABELS[ref]} (95 % interval)")
    plots.interval_line(a, x, th["return_interval"], plots.OOD_COLORS["isr"], "ISR")
    a.set_xlabel("ISR threshold (R_i at or below counts as 0)")
    a.set_ylabel("Return in new worlds (greedy, exact)")
    a.set_title("(a) the ISR's threshold (Fig. 4 right: 0.2)", fontsize=9)
    a.legend(fontsize=8, frameon=False)
    grid = claims.grid_ood_claims(runs["incomplete_internalization"])
    for i, (budget, summary, hacked) in enumerate(zip(grid["isr_updates"], grid["ood_interval"], grid["seeds_hacked"])):
        label = budget if isinstance(budget, str) else f"{budget:,} updates"
        episodes = np.array(grid["isr_episodes"], dtype=float)
        plots.interval_line(b, episodes, summary, ("tab:orange", "tab:red")[i % 2], label + " (seeds hacked)")
        for xe, y, h in zip(episodes, summary["mean"], hacked):
            b.annotate(str(h), (xe, y), textcoords="offset points", xytext=(4, 4 if i else -11), fontsize=7,
                       color=("tab:orange", "tab:red")[i % 2])
    b.set_xscale("log")
    b.set_xticks(grid["isr_episodes"], [f"{e:,}" for e in grid["isr_episodes"]], fontsize=8)
    b.minorticks_off()
    b.set_xlabel("ISR data: socialization episodes")
    b.set_ylabel("Return in new worlds (greedy, exact)")
    b.set_title("(b) the ISR's data and training (Fig. 6's grid)", fontsize=9)
    b.legend(fontsize=8, frameon=False)
    feats = claims.feature_claims(runs["feature_sets"])
    x = np.arange(len(feats["sets"]))
    for i, (key, color, label) in enumerate((("socialized", plots.COLORS["social"], "socialized, share of planner"),
                                             ("none", plots.COLORS["none"], "without ISR, share kept"),
                                             ("isr", plots.COLORS["isr"], "with ISR, share kept"))):
        summary = feats[f"{key}_interval"]
        mean, ci = np.array(summary["mean"]), np.array(summary["ci95"])
        c.bar(x + (i - 1) * 0.27, mean, width=0.27, color=color, yerr=[mean - ci[:, 0], ci[:, 1] - mean],
              capsize=3, label=label)
    c.set_xticks(x, feats["sets"])
    c.axhline(1.0, color="k", lw=0.6)
    c.set_ylim(0, 1.55)
    c.set_title("(c) the learner's features (mean, 95 % interval)", fontsize=9)
    c.legend(fontsize=8, frameon=False, loc="upper left", ncol=2)
    save(fig, runs, out_dir, "fig9.png")
    return {"thresholds": th, "grid": grid, "features": feats}


# ---------------------------------------------------------------------------------------------
# The pipeline: each figure names the experiments it reads; each experiment runs at most
# once per invocation, its arrays are saved, and the figures are drawn from what was saved.

FIGURES = MappingProxyType({"1": (figure_1, ("internalization",)), "2": (figure_2, ()),
           "3": (figure_3, ("internalization", "isr_designs")), "4": (figure_4, ("internalization", "generalization")),
           "5": (figure_5, ("generalization",)), "6": (figure_6, ("incomplete_internalization",)),
           "7": (figure_7, ("helping",)),
           "8": (figure_8, ("partial_presence",)),                                           # beyond the paper
           "9": (figure_9, ("thresholds", "incomplete_internalization", "feature_sets"))})
OPTIONAL = MappingProxyType({"6-single-run": (figure_6_single_run, ("generalization",)),   # on request only
                            "watch": (watch.figure, ())})
PAPER_FIGURES = ("1", "2", "3", "4", "5", "6", "7")
CONFIGS = MappingProxyType({"internalization": ex.Internalization, "generalization": ex.Generalization,
           "incomplete_internalization": ex.IncompleteInternalization, "helping": ex.Helping,
           "isr_designs": ex.ISRDesigns, "partial_presence": beyond.PartialPresence,
           "thresholds": beyond.Thresholds, "feature_sets": beyond.FeatureSets})
# Each experiment's function lives beside its config class (experiments.py or beyond.py).
RUNNERS = MappingProxyType({name: getattr(sys.modules[cls.__module__], name) for name, cls in CONFIGS.items()})
# The experiments that continue another's learners (kept in memory), and which one.
CONTINUING = MappingProxyType({"incomplete_internalization": "internalization", "isr_designs": "internalization",
                               "partial_presence": "internalization", "thresholds": "generalization"})
# The experiments whose `source` config is another's (with its command-line settings).
SOURCES = MappingProxyType({**CONTINUING, "feature_sets": "internalization"})


def default_figures(quick):
    """The figures a run without figure numbers makes: all, or with --quick the paper's own
    (Figs 8 and 9 on request: `python figures.py 8 9 --quick`), to keep the quick run short."""
    return list(PAPER_FIGURES if quick else FIGURES)


def experiment_config(name, quick, changed):
    """The config an experiment runs with: its defaults, the quick budget if asked, then the
    command line's settings {experiment: {field: value}}; an experiment with a `source`
    (SOURCES) takes that experiment's config as it. Asking for the MLP learner
    (`--learner mlp`, or `--internalization.learner mlp`) also takes its settings
    (Internalization.mlp), before any other setting."""
    cfg = CONFIGS[name]()
    cfg = cfg.quick() if quick else cfg
    if changed.get(name, {}).get("learner") == "mlp":
        cfg = cfg.mlp()
    cfg = settings.apply(cfg, changed.get(name, {}))
    if name in SOURCES:
        cfg = replace(cfg, source=experiment_config(SOURCES[name], quick, changed))
    return cfg


def run_experiment(name, seeds, quick, out_dir, runs, socialized, report=log, changed=None):
    """Run one experiment at the paper's (or the quick) budget, save its arrays to
    out_dir/<name>.npz, and put them, as loaded back, into `runs`. Figs 3 (designs) and 6
    continue the learners of `internalization`, which `socialized` keeps in memory (run
    first if needed).
    Returns what it cost: [{experiment, seconds, env_steps}, ...]."""
    spent = []
    source = CONTINUING.get(name)
    if source and source not in socialized:
        spent += run_experiment(source, seeds, quick, out_dir, runs, socialized, report, changed)
    cfg = experiment_config(name, quick, changed or {})
    start = time.perf_counter()
    run = RUNNERS[name](cfg, seeds, socialized[source], report) if source else RUNNERS[name](cfg, seeds, report)
    if isinstance(run, tuple):                   # (run, the learners later experiments continue)
        run, socialized[name] = run
    cost = {"experiment": name, "seconds": round(time.perf_counter() - start, 2), "env_steps": int(run["env_steps"])}
    path = Path(out_dir) / f"{name}.npz"
    meta = {"experiment": name, "seeds": list(seeds), "quick": quick, "env_steps": cost["env_steps"]}
    if (changed or {}).get(name):                 # only when set, so default runs' files stay as they were
        meta["settings"] = changed[name]
    outputs.save_run(path, run, meta)
    runs[name] = load(path)
    return spent + [cost]


def time_left(results, remaining):
    """Seconds the figures `remaining` took last time, from results.json's timings (0 if unknown)."""
    return sum((results.get(f"fig{n}", {}).get("timing") or {}).get("seconds", 0.0) for n in remaining)


def load(path):
    """A saved run's arrays, with its `quick` flag from the meta (so figures can say so)."""
    run, meta = outputs.load_run(path)
    return {**run, "quick": bool(meta["quick"])}


def saved_run_info(out_dir, default, needs=()):
    """{seeds, quick} of the arrays saved in out_dir (the first file found), or `default`;
    with the command-line settings the experiments `needs` were run with, if any."""
    files = sorted(Path(out_dir).glob("*.npz"))
    if not files:
        return default
    meta = outputs.load_meta(files[0])
    info = {"seeds": meta["seeds"], "quick": meta["quick"]}
    changed = {}
    for experiment in needs:
        path = Path(out_dir) / f"{experiment}.npz"
        if path.exists() and "settings" in (meta := outputs.load_meta(path)):
            changed[experiment] = meta["settings"]
    return {**info, "settings": changed} if changed else info


def parse_seeds(text):
    """'N' → the N seeds from 1234 on; 'A-B' → A, A+1, …, B. At least two (the t-tests)."""
    first, _, last = text.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        raise ValueError(f"--seeds takes a count N or a range A-B of non-negative integers, got {text!r}")
    seeds = tuple(range(int(first), int(last) + 1)) if last else tuple(range(FIRST_SEED, FIRST_SEED + int(first)))
    if len(seeds) < 2:
        raise ValueError(f"--seeds must give at least 2 seeds (the t-tests need two per group), got {text!r}")
    return seeds


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as one-line ValueErrors (main prints them)."""

    def error(self, message):
        raise ValueError(message)


def parse_args(argv):
    parser = _Parser(description=__doc__.splitlines()[0],
                     usage="python figures.py [FIG ...] [--seeds N|A-B] [--quick] [--replot] [--out DIR] [--learner linear|mlp] "
                           "[--<experiment>.<setting> V ...]")
    parser.add_argument("figures", nargs="*", metavar="FIG",
                        help=f"figures to make: {' '.join(FIGURES)} (default: all; with --quick the paper's "
                             f"{' '.join(PAPER_FIGURES)}), or {' '.join(OPTIONAL)}")
    parser.add_argument("--seeds", default=None, metavar="N|A-B",
                        help=f"N seeds from {FIRST_SEED} on (default {SEEDS}, and {QUICK_SEEDS} with --quick), "
                             "or the seeds A to B, e.g. 2000-2009")
    parser.add_argument("--quick", action="store_true",
                        help="a small budget (each experiment's quick()) that still shows the effects of Figs 1 and 3-6")
    parser.add_argument("--replot", action="store_true",
                        help="redraw from the arrays saved in the output folder, without learning")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default figures/, and figures/quick/ with --quick)")
    parser.add_argument("--learner", choices=("linear", "mlp"), default="linear",
                        help="Figs 1 and 4 left's learner: linear in hand-made features (the default), or an "
                             "MLP on the raw view (figures/mlp/ by default)")
    settings.add_flags(parser, CONFIGS)
    args = parser.parse_args(argv)
    args.settings = settings.changes(args)
    unknown = [f for f in args.figures if f not in FIGURES and f not in OPTIONAL]
    if unknown:
        raise ValueError(f"unknown figure {' '.join(unknown)}; choose from {' '.join(FIGURES)} {' '.join(OPTIONAL)}")
    if args.learner == "mlp":
        args.settings.setdefault("internalization", {})["learner"] = "mlp"
    if args.settings.get("internalization", {}).get("learner", "linear") != "linear":
        if set(args.figures or default_figures(args.quick)) - {"1", "4"}:
            raise ValueError("the MLP learner runs Figs 1 and 4 only (name them: python figures.py 1 4 --learner mlp)")
        if args.out is None:
            args.out = FIG_DIR / ("quick/mlp" if args.quick else "mlp")
    args.seeds = parse_seeds(args.seeds or str(QUICK_SEEDS if args.quick else SEEDS))
    if args.out is None:
        args.out = FIG_DIR / "quick" if args.quick else FIG_DIR
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out {args.out} exists and is not a folder")
    if args.replot and "watch" in args.figures:
        raise ValueError("watch learns its own learners; it has no saved arrays to --replot")
    if args.replot:
        needs = {e for f in args.figures or default_figures(args.quick) for e in {**FIGURES, **OPTIONAL}[f][1]}
        missing = sorted(str(args.out / f"{e}.npz") for e in needs if not (args.out / f"{e}.npz").exists())
        if missing:
            raise ValueError(f"--replot: no saved arrays {', '.join(missing)}; run the figures without --replot first")
    return args


def make_figure(name, args, seeds, runs, socialized, previous, report=log):
    """Run (or, with --replot, load) the experiments figure `name` reads, draw it, and return
    its results.json entry: its claims, the run it came from and what it cost."""
    plot, needs = {**FIGURES, **OPTIONAL}[name]
    start, spent = time.perf_counter(), []
    for experiment in (e for e in needs if e not in runs):          # each at most once per invocation
        if args.replot:
            runs[experiment] = load(args.out / f"{experiment}.npz")
        else:
            spent += run_experiment(experiment, seeds, args.quick, args.out, runs, socialized, report,
                                    args.settings)
    entry = plot(runs, args.out)
    seconds, steps = time.perf_counter() - start, sum(e["env_steps"] for e in spent)
    if args.replot:                          # the seeds, budget and cost of the saved arrays
        entry["run"] = saved_run_info(args.out, previous.get("run"), needs)
        entry["timing"] = previous.get("timing")
    else:
        entry["run"] = {"seeds": list(seeds), "quick": args.quick}
        changed = {e: args.settings[e] for e in needs if e in args.settings}
        if changed:                          # the settings this figure's arrays were made with
            entry["run"]["settings"] = changed
        entry["timing"] = {"seconds": round(seconds, 2), "env_steps": steps,
                           "env_steps_per_second": round(steps / seconds) if steps else None,
                           "experiments": spent}
    log(f"Figure {name}: {seconds:.1f} s")
    return entry


def main(argv=None):
    """The command line: `python figures.py --help`. Returns the exit status."""
    try:
        return run_figures(parse_args(sys.argv[1:] if argv is None else argv))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the figures and arrays written so far are complete; results.json "
              "holds the figures finished", file=sys.stderr)
        return 130


def run_figures(args):
    matplotlib.use("Agg")                    # the command line draws off-screen
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"cannot make the output folder {args.out}: {err.strerror or err}") from None
    seeds = args.seeds
    results_path = args.out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    scales = {entry.get("run", {}).get("quick") for key, entry in results.items() if key != "timing"} - {None}
    if not args.replot and scales - {args.quick}:
        this, other = ("quick", "paper-scale") if args.quick else ("paper-scale", "quick")
        raise ValueError(f"{results_path} holds {other} results; write {this} runs to another folder (--out)")
    names = args.figures or default_figures(args.quick)
    runs, socialized, start, report = {}, {}, time.perf_counter(), Progress()
    for i, name in enumerate(names):
        report.begin(name, time_left(results, names[i:]))
        report("drawing" if args.replot else "starting")
        results[f"fig{name}"] = make_figure(name, args, seeds, runs, socialized, results.get(f"fig{name}", {}),
                                            report)
        outputs.write_json(results_path, results)          # after each figure: never stale
    if not args.replot and not args.figures:     # the top-level timing is the full run's
        n_worlds = len(seeds) * ex.Internalization().agent.worlds_per_seed
        results["timing"] = {"seconds_total": round(time.perf_counter() - start, 2),
                             "peak_memory_mb": outputs.peak_memory_mb(), "figures": names,
                             "bare_world_steps_per_second": {
                                 f"{n} worlds": env.steps_per_second(n) for n in (n_worlds, 3 * n_worlds)}}
        outputs.write_json(results_path, results)
    log(f"\nwrote {args.out}/: " + ", ".join("watch.gif" if n == "watch" else f"fig{n}.png" for n in names)
        + ", results.json" + "".join(f", {e}.npz" for e in ([] if args.replot else runs)))
    for name in names:
        log(f"  Fig. {name}: {claims.headline(name, results[f'fig{name}'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
