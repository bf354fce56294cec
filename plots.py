"""plots.py — the drawing primitives the figures share (matplotlib): a world or a view,
learning curves with their seed band, bars with one dot per seed, and labelled arrows.

Public names: draw_world, episodes_axis, smooth, band, learning_curves, bars, arrow, and the
colours COLORS (conditions after socialization) and OOD_COLORS (Figs 4 right and 5).
"""
from types import MappingProxyType

import numpy as np

import env
import stats

COLORS = MappingProxyType({"social": "tab:blue", "none": "tab:green", "isr": "tab:red",
                           "isr_authors": "tab:purple", "oracle": "0.5",
                           "oracle_at_isr_rate": "tab:orange", "isr_online": "tab:cyan",
                           "isr_online_refit": "tab:brown"})
OOD_COLORS = MappingProxyType({"frozen": "tab:blue", "frozen_authors": "#9ecae1", "isr": "tab:red",
                               "isr_authors": "tab:purple", "oracle": "0.5", "isr_raw": "#f4a6a6"})
LABELS = MappingProxyType({"frozen": "Frozen", "frozen_authors": "Frozen,\nauthors'",
                           "isr": "Our\nISR", "isr_authors": "Authors'\nISR", "oracle": "Oracle",
                           "isr_raw": "Our ISR,\nraw $R_i$"})


def draw_world(ax, walls, goal, pos, direction, unseen=None):
    """Draw one world (Fig. 1 left) or view (Fig. 6): grey blocks, green goal (None: none in
    sight), red triangle agent, black cells where `unseen` (H, W) is True."""
    from matplotlib.patches import Polygon, Rectangle
    height, width = walls.shape
    for y, x in zip(*np.nonzero(walls)):
        ax.add_patch(Rectangle((x, y), 1, 1, color="0.45"))
    if unseen is not None:
        for y, x in zip(*np.nonzero(unseen)):
            ax.add_patch(Rectangle((x, y), 1, 1, color="0.1"))
    if goal is not None:
        ax.add_patch(Rectangle(tuple(goal), 1, 1, color="#2ca02c"))
    fwd, right = env.DIR_TO_VEC[direction], env.DIR_TO_VEC[(direction + 1) % 4]
    centre = np.asarray(pos) + 0.5
    tip, back = centre + 0.38 * fwd, centre - 0.3 * fwd
    ax.add_patch(Polygon([tip, back + 0.3 * right, back - 0.3 * right], color="#d62728"))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)                        # y grows downward, as in the world
    ax.set_xticks(range(width + 1), [])
    ax.set_yticks(range(height + 1), [])
    ax.tick_params(length=0)
    ax.grid(color="0.8", linewidth=0.8)
    ax.set_aspect("equal")


def episodes_axis(n_updates, per_update, offset=0):
    """Episode count (per seed) at the end of each update."""
    return offset + per_update * np.arange(1, n_updates + 1)


def smooth(curves, width=5):
    """Running mean over `width` updates (150 episodes), per seed, for the learning curves."""
    kernel = np.ones(width) / width
    padded = np.concatenate([np.repeat(curves[..., :1], width - 1, axis=-1), curves], axis=-1)
    return np.apply_along_axis(lambda c: np.convolve(c, kernel, mode="valid"), -1, padded)


def band(ax, x, curves, color, label, shaded=True):
    """Mean over seeds (line) and the min–max range (shaded), as the paper's Figs 1 and 4."""
    curves = smooth(curves)
    ax.plot(x, curves.mean(axis=0), color=color, label=label)
    if shaded:
        ax.fill_between(x, curves.min(axis=0), curves.max(axis=0), color=color, alpha=0.25, lw=0)


def learning_curves(ax, run, conditions, ceiling, ceiling_label="Shortest-path planner",
                    ylabel="Goals reached per episode", unshaded=()):
    """Socialization (blue), then the given conditions (those in `unshaded` as their mean
    alone, where bands would overlap); dashed: caregiver leaves, ceiling."""
    per_update = int(run["episodes_per_update"])
    social = run["social"]["goals"]
    n_seeds, soc_episodes = social.shape[0], social.shape[1] * per_update
    thousands = episodes_axis(social.shape[1], per_update) / 1e3
    band(ax, thousands, social, COLORS["social"], "With social rewards")
    for condition, label in conditions:
        after = run["after"][condition]["goals"]
        x_after = episodes_axis(after.shape[1], per_update, soc_episodes) / 1e3
        band(ax, x_after, after, COLORS[condition], label, shaded=condition not in unshaded)
    ax.axvline(soc_episodes / 1e3, color="k", ls="--", lw=1)
    ax.axhline(ceiling, color="0.3", ls=":", lw=1.2, label=ceiling_label)
    ax.set_xlabel("Episodes (×10³)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, max(4.0, ceiling * 1.1) * 1.25)     # headroom: the legend sits above the data
    ax.legend(loc="upper center", ncol=2, fontsize=8, framealpha=0.95, edgecolor="none")
    ax.set_title(f"mean and min–max over {n_seeds} seeds", fontsize=9)


BAR_KEY = "bars: mean ± SE over the learners of run 1; dots: its learners; ◆: the mean of run 2"


def bars(ax, conditions, values, x0=0.0, labels=True, paper=None):
    """Mean ± SE bars per condition over the seeds of the first run, one dot per seed; with
    values (R, S) per condition, a black diamond marks each later run's mean (Figs 4 right, 5).
    paper: {condition: the paper's published value}, a wide black star over that bar."""
    rng = np.random.default_rng(0)                   # dot jitter only
    starred = [i for i, c in enumerate(conditions) if paper and c in paper]
    for i, condition in enumerate(conditions):
        if i in starred:
            ax.scatter(x0 + i, paper[condition], marker="*", s=90, color="k", edgecolor="w", lw=0.5,
                       zorder=5, gid="paper", label=PAPER_LABEL if i == starred[0] else None)
        runs = np.atleast_2d(np.asarray(values[condition]))
        mean, se = stats.mean_se(runs[0])
        ax.bar(x0 + i, mean, yerr=se, color=OOD_COLORS[condition], capsize=3, width=0.75,
               hatch="//" if condition == "isr_raw" else None, edgecolor="k", lw=0.5)
        ax.scatter(x0 + i + rng.uniform(-0.2, 0.2, runs[0].size), runs[0], s=6, color="k", zorder=3)
        for later in runs[1:]:
            ax.scatter(x0 + i + 0.3, later.mean(), marker="D", s=14, color="k", zorder=4)
    ax.set_xticks(
        x0 + np.arange(len(conditions)), [LABELS[c] for c in conditions] if labels else []
    )
    ax.axhline(0, color="k", lw=0.5)
    if labels and len(np.atleast_2d(np.asarray(values[conditions[0]]))) > 1:
        ax.set_xlabel(BAR_KEY, fontsize=8)


PAPER_LABEL = "the paper's published value (their system)"


def paper_arms(values, conditions):
    """The paper's value of each arm {frozen_authors, isr, oracle} on the bar of the same arm
    here; its ISR arm (theirs) on the authors' ISR's bar where there is one."""
    isr_bar = "isr_authors" if "isr_authors" in conditions else "isr"
    return {{"isr": isr_bar}.get(arm, arm): value for arm, value in values.items()}


def arrow(ax, start, end, label, side, dotted=False):
    """An arrow from start to end with its label beside it (left, right or above)."""
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", lw=1.5, ls=":" if dotted else "-"))
    x, y = (np.asarray(start) + np.asarray(end)) / 2
    dx, dy, ha = {"left": (-0.02, 0, "right"), "right": (0.02, 0, "left"),
                  "above": (0, 0.04, "center")}[side]
    ax.text(x + dx, y + dy, label, fontsize=10, ha=ha, va="center")
