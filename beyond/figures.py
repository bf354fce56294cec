"""beyond/figures.py — our own figures and panels: Fig. 3's last panel (the ISR designs),
Fig. 8 (a caregiver present in a share q of the episodes), Fig. 9 (sensitivity), Fig. 10
(a returning caregiver and an incomplete ISR), Fig. 11 (which of our ISR choices removes
the authors' ISR's hacking) and Fig. 12 (which factor makes an ISR hackable). Each
figure function takes the runs {experiment: arrays} and returns (matplotlib figure, claims),
as figures.py's paper figures.

Public names: figure_8, figure_9, figure_10, figure_11, figure_12, pay_curves, instrument_after, figure_instrument, isr_designs_panel,
design_panel, interval_line.
"""
import textwrap

import matplotlib.pyplot as plt
import numpy as np

import plots
from beyond import claims as beyond_claims
from beyond.experiments import FACTORIAL_ISRS, FACTORIAL_LEARNERS, PRESENCE_ARMS
from claims import HACKED_ABOVE, KEEPS_ABOVE
from figures import reads


@reads("internalization", "generalization", "incomplete_internalization", "helping")
def figure_instrument(runs):
    """Fig. 3's companion (not in the paper): the ISR as an instrument, on held-out data.

    Left: reliability. Held-out steps binned by the R_i the ISR pays; per bin, the mean R_s
    the caregiver paid against the mean R_i (on the diagonal: pays what it should), for the
    ISRs of Figs 1/4 left, 4 right/5 and 7; a marker's area grows with its bin's steps.
    Middle: discrimination, R_i on steps the caregiver rewarded (solid) and on the others
    (hatched), mean over seeds, log scale. Right: Fig. 6's ISRs, R_i (as used, threshold 0.2)
    for stepping into the goal (solid) and into a wall (dashed), per data size and training.
    """
    result = beyond_claims.instrument_claims(runs)
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 3.9))
    colors = dict(zip(beyond_claims.INSTRUMENTS, ("tab:red", "tab:blue", "tab:green")))
    left.plot([0, 0.4], [0, 0.4], color="0.6", lw=0.8, ls=":")
    for isr, color in colors.items():
        curve = result[isr]["reliability"]
        steps = np.array(curve["steps"], dtype=float)
        r_i, r_s = (np.array(curve[k], dtype=float) for k in ("mean_r_i", "mean_r_s"))
        left.plot(r_i, r_s, color=color, lw=1, label=f"ISR of {isr}")
        left.scatter(r_i, r_s, s=4 + 60 * np.sqrt(steps / steps.sum()), color=color)
    left.set_xlabel(r"Mean $R_i$ paid in the bin")
    left.set_ylabel(r"Mean $R_s$ the caregiver paid")
    left.legend(fontsize=8, frameon=False)
    x = np.arange(len(colors))
    for offset, key, hatch in ((-0.2, "r_i_on_rewarded_steps", None), (0.2, "r_i_on_unrewarded_steps", "//")):
        values = [np.nanmean(np.array(result[isr][key], dtype=float)) for isr in colors]
        middle.bar(x + offset, values, 0.4, color=list(colors.values()), hatch=hatch, alpha=0.8 if hatch else 1,
                   label="rewarded steps" if hatch is None else "other steps")
    middle.set_xticks(x, [f"ISR of {isr}" for isr in colors], fontsize=8)
    middle.set_yscale("log")
    middle.set_ylim(top=4)                                           # room for the legend above the bars
    middle.set_ylabel(r"Mean $R_i$ (held out)")
    middle.legend(fontsize=8, frameon=False, ncol=2, loc="upper center")
    grid = result["fig 6"]
    for b, (training, color) in enumerate(zip(grid["isr_training"], ("tab:red", "tab:blue", "tab:purple"))):
        right.plot(grid["isr_episodes"], grid["goal_forward"][b], color=color, marker="o", ms=3, label=training)
        right.plot(grid["isr_episodes"], grid["wall_forward"][b], color=color, marker="o", ms=3, ls="--")
    right.set_xscale("log")
    right.minorticks_off()
    right.set_xticks(grid["isr_episodes"], [f"{e:,}" for e in grid["isr_episodes"]], fontsize=7)
    right.set_xlabel("Socialization episodes the ISR saw (Fig. 6)")
    right.set_ylabel(r"$R_i$: into the goal (solid), a wall (dashed)")
    right.legend(fontsize=8, frameon=False)
    return fig, result


@reads("partial_presence")
def figure_8(runs):
    """Figure 8 (not in the paper): a caregiver that comes back in a fraction q of the episodes.

    After the 6K socialization episodes of Fig. 1, 6K more in which the caregiver comes to each
    episode with probability q. Left: goals per episode in the last 500, as a share of each
    learner's socialized level, mean and 95 % interval over seeds, for learners without an ISR,
    with their ISR, and with an ISR that keeps training on the episodes the caregiver comes to.
    Right: what each ISR paid over the phase against what the caregiver paid or would have.
    """
    run = runs["partial_presence"]
    result = beyond_claims.presence_claims(run)
    rates = result["visit_rates"]
    x = np.arange(len(rates))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.9), gridspec_kw={"width_ratios": [1.6, 1]})
    labels = {"none": "Without ISR", "isr": "With ISR", "isr_online": "ISR trained online"}
    for i, arm in enumerate(PRESENCE_ARMS):
        interval_line(left, x, result[f"{arm}_interval"], plots.COLORS[arm], labels[arm], offset=(i - 1) * 0.08)
    left.axhline(1.0, color="k", lw=0.6)
    left.axhline(KEEPS_ABOVE, color="0.5", ls=":", lw=1, label=f"{KEEPS_ABOVE:.0%} of the level")
    left.set_xticks(x, [f"{q:g}" for q in rates])
    left.set_xlabel("q, share of episodes the caregiver comes to")
    left.set_ylabel("Goals kept, share of socialized")
    left.legend(fontsize=8, frameon=False)
    left.set_title(f"last {result['tail_episodes']} of {run['curves']['none']['goals'].shape[-1] * int(run['episodes_per_update'])} "
                   f"episodes; mean, 95 % interval over {len(run['seeds'])} seeds", fontsize=9)
    top = 0.0
    for i, arm in enumerate(("isr", "isr_online")):
        ratio = np.array([[v if v is not None else np.nan for v in row] for row in result[f"{arm}_r_i_over_r_s"]])
        top = max(top, np.nanmax(ratio))
        right.plot(x + (i - 0.5) * 0.1, ratio, ".", color=plots.COLORS[arm], alpha=0.5, ms=4)
        right.plot(x, np.nanmedian(ratio, axis=1), "-o", color=plots.COLORS[arm], ms=4, label=labels[arm] + " (median)")
    right.axhline(1.0, color="k", lw=0.6)
    if top >= 1.1:                                                   # else the line would squash the data
        right.axhline(HACKED_ABOVE, color="tab:red", ls=":", lw=1, label="hacked above")
    right.set_title(f"hacked above {HACKED_ABOVE}; highest learner {top:.3f}", fontsize=9)
    right.set_xticks(x, [f"{q:g}" for q in rates])
    right.set_xlabel("q")
    right.set_ylabel("ISR paid / caregiver would have")
    right.legend(fontsize=8, frameon=False)
    return fig, result


@reads("repair")
def figure_10(runs):
    """Figure 10 (not in the paper): can a caregiver's visits repair an incomplete ISR?

    Fig. 6's learners of the authors' ISR go on for 6K episodes in its new worlds, the
    caregiver coming to each episode with probability q; the online ISRs train on the episodes
    it comes to, their calibration kept (the authors' ISR has none) or refitted (ours). (a), (b): goals per episode in
    the last 500, as a share of each learner's level on entering the new worlds, for the
    learners hacked at the end of Fig. 6 and for those not hacked in the cell of the most data: a
    dot per learner, a line through the means. (c): what the ISR paid the hacked learners
    against what the caregiver would have, per stretch of 300 episodes, through Fig. 6 and on.
    (d): their ISRs at the end, held out: R_i into the goal, R_i on the steps they farmed at
    the end of Fig. 6, and the network's own output on the steps the caregiver rewarded.
    """
    run = runs["repair"]
    result = beyond_claims.repair_claims(run)
    rates, hacked, arms = result["visit_rates"], result["hacked"], result["arms"]
    x = np.arange(len(rates))
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.4))
    axes = axes.ravel()
    for ax, group, title in ((axes[0], hacked, "(a) the learners hacked at the end of Fig. 6"),
                             (axes[1], result["accurate"], "(b) the learners not hacked, of the ISRs from the most data")):
        for i, arm in enumerate(arms):
            offset = (i - (len(arms) - 1) / 2) * 0.1
            values = np.array(group[f"{arm}_kept"], dtype=float)                   # (Q, n)
            if values.size:
                ax.plot(np.repeat(x + offset, values.shape[1]), values.ravel(), ".", color=plots.COLORS[arm], alpha=0.5)
                ax.plot(x + offset, values.mean(axis=1), "-o", ms=4, color=plots.COLORS[arm], label=REPAIR_LABELS[arm])
        ax.axhline(1.0, color="k", lw=0.6)
        ax.axhline(KEEPS_ABOVE, color="0.5", ls=":", lw=1)
        ax.set_xticks(x, [f"{q:g}" for q in rates])
        ax.set_xlabel("q, share of episodes the caregiver comes to")
        ax.set_title(f"{title} (n = {group['learners']})", fontsize=9)
    axes[0].set_ylabel(f"Goals kept, share of the level (dotted: {KEEPS_ABOVE:.0%})")
    axes[1].legend(fontsize=8, frameon=False)
    if not hacked["learners"]:                                       # nothing to repair
        for ax in axes[[0, 2, 3]]:
            ax.text(0.5, 0.5, "no learner was hacked in Fig. 6:\nnothing to repair", transform=ax.transAxes,
                    ha="center", va="center", color="tab:red", fontsize=10)
        return fig, result
    axes[0].set_ylim(-0.05, 1.35)                                    # room for the legend above the data
    axes[0].legend(fontsize=8, frameon=False, ncol=2, loc="upper center")
    pay_curves(axes[2], result, int(run["online_every"]))
    instrument_after(axes[3], result)
    return fig, result


FLOOR = 0.01   # Fig. 10 (c)'s log axis: a stretch in which the ISR paid nothing is drawn here
REPAIR_LABELS = {"none": "Without ISR", "isr": "ISR frozen", "isr_online": "ISR online, calibration kept",
                 "isr_online_refit": "ISR online, calibration refitted"}


def pay_curves(ax, result, stretch):
    """Fig. 10 (c): Σ R_i / Σ R_s of the hacked learners per stretch, Fig. 6's phase in grey,
    then each ISR arm at each q (lighter: smaller q; q = 0 only for the frozen ISR)."""
    hacked, rates = result["hacked"], result["visit_rates"]
    before = np.array(hacked["fig6_r_i_over_r_s_by_stretch"], dtype=float)
    ax.plot(stretch * (np.arange(len(before)) + 1 - len(before)), before, color="0.4", label="Fig. 6, ISR frozen")
    for arm in result["arms"][1:]:
        for i, q in enumerate(rates):
            if q == 0 and arm != "isr":
                continue
            curve = np.maximum(np.array(hacked[f"{arm}_r_i_over_r_s_by_stretch"][i], dtype=float), FLOOR)
            ax.plot(stretch * np.arange(1, len(curve) + 1), curve, color=plots.COLORS[arm],
                    alpha=0.35 + 0.65 * (i + 1) / len(rates), label=REPAIR_LABELS[arm] if i == len(rates) - 1 else None)
    ax.axvline(0, color="k", ls="--", lw=1)
    ax.axhline(1.0, color="k", lw=0.6)
    ax.axhline(HACKED_ABOVE, color="tab:red", ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_ylim(top=ax.get_ylim()[1] * 4)                            # room for the legend above the curves
    ax.set_xlabel("Episodes since Fig. 10 began (before 0: Fig. 6)")
    ax.set_ylabel(r"$\Sigma R_i$ paid / $\Sigma R_s$ the caregiver would")
    ax.set_title(f"(c) the hacked learners, per {stretch} episodes; q = {', '.join(f'{q:g}' for q in rates)} "
                 f"light to dark;\nred dotted: hacked above {HACKED_ABOVE}; nothing paid is drawn at {FLOOR}", fontsize=8)
    ax.legend(fontsize=7, frameon=False, ncol=2, loc="upper left")


def instrument_after(ax, result):
    """Fig. 10 (d): the hacked learners' ISRs at the end, per q: R_i into the goal (solid), on
    the steps they farmed (dashed), and the network's output on rewarded steps (dotted)."""
    hacked, rates = result["hacked"], result["visit_rates"]
    x = np.arange(len(rates))
    for arm in result["arms"][1:]:
        for key, ls in (("goal_forward", "-"), ("farmed_r_i", "--"), ("output_on_rewarded", ":")):
            values = np.array(hacked[f"{arm}_{key}"], dtype=float)
            ax.plot(x, values, ls=ls, marker="o", ms=3, color=plots.COLORS[arm],
                    label=REPAIR_LABELS[arm] if key == "goal_forward" else None)
    ax.plot([], [], "k-", label=r"$R_i$ into the goal")
    ax.plot([], [], "k--", label=r"$R_i$ on the farmed steps")
    ax.plot([], [], "k:", label="network output, rewarded steps")
    ax.set_xticks(x, [f"{q:g}" for q in rates])
    ax.set_xlabel("q (the frozen ISR: as before)")
    ax.set_ylabel(r"Mean $R_i$ or output (held out; $R_s$ = 0.4)")
    ax.set_ylim(-0.02, 0.62)                                         # room for the legend
    ax.set_title("(d) the hacked learners' ISRs at the end", fontsize=9)
    ax.legend(fontsize=7, frameon=False, ncol=2, loc="upper left")


@reads("incomplete_internalization", "thresholds", "feature_sets")
def figure_9(runs):
    """Figure 9 (not in the paper): how sensitive the results are.

    (a) Fig. 4 right's learning in new worlds from the ISR thresholded at each level: exact
    greedy return on the test layouts, mean and 95 % interval over seeds; bands: the frozen
    learners and the oracle. (b) Fig. 6's grid, its learners scored the same way: return
    against the ISR's data, one line per training budget. (c) The learner's features:
    socialized level (share of the planner) and Fig. 4 left's retention without and with the
    ISR (share of the socialized level)."""
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(15, 4.0))
    th = beyond_claims.threshold_claims(runs["thresholds"])
    x = np.array(th["thresholds"])
    for ref, color in (("frozen", plots.OOD_COLORS["frozen"]), ("oracle", plots.OOD_COLORS["oracle"])):
        lo, hi = th[f"{ref}_interval"]["ci95"]
        a.axhspan(lo, hi, color=color, alpha=0.25, lw=0, label=f"{plots.LABELS[ref]} (95 % interval)")
    interval_line(a, x, th["return_interval"], plots.OOD_COLORS["isr"], "ISR")
    a.set_xlabel("ISR threshold (R_i at or below counts as 0)")
    a.set_ylabel("Return in new worlds (greedy, exact)")
    a.set_title("(a) the ISR's threshold (Fig. 4 right: 0.2)", fontsize=9)
    a.legend(fontsize=8, frameon=False)
    grid = beyond_claims.grid_ood_claims(runs["incomplete_internalization"])
    colors = ("tab:red", "tab:blue", "tab:purple")          # as Fig. 6: our pass, the stated budget, the authors'
    for i, (label, summary, hacked) in enumerate(zip(grid["isr_training"], grid["ood_interval"], grid["seeds_hacked"])):
        episodes = np.array(grid["isr_episodes"], dtype=float)
        interval_line(b, episodes, summary, colors[i % 3], label + " (seeds hacked)")
        for xe, y, h in zip(episodes, summary["mean"], hacked):
            b.annotate(str(h), (xe, y), textcoords="offset points", xytext=(4, (-11, 4, -20)[i % 3]), fontsize=7,
                       color=colors[i % 3])
    b.set_xscale("log")
    b.set_xticks(grid["isr_episodes"], [f"{e:,}" for e in grid["isr_episodes"]], fontsize=8)
    b.minorticks_off()
    b.set_xlabel("ISR data: socialization episodes")
    b.set_ylabel("Return in new worlds (greedy, exact)")
    b.set_title("(b) the ISR's data and training (Fig. 6's grid)", fontsize=9)
    b.legend(fontsize=8, frameon=False)
    feats = beyond_claims.feature_claims(runs["feature_sets"])
    x = np.arange(len(feats["sets"]))
    for i, (key, color, label) in enumerate((("socialized", plots.COLORS["social"], "socialized, share of planner"),
                                             ("none", plots.COLORS["none"], "without ISR, share kept"),
                                             ("isr", plots.COLORS["isr"], "with ISR, share kept"))):
        summary = feats[f"{key}_interval"]
        mean, ci = np.array(summary["mean"]), np.array(summary["ci95"])
        c.bar(x + (i - 1) * 0.27, mean, width=0.27, color=color, yerr=[mean - ci[:, 0], ci[:, 1] - mean],
              capsize=3, label=label)
        if key == "none":                                            # bars too short to see: say their height
            for xi, m in zip(x + (i - 1) * 0.27, mean):
                c.annotate(f"{m:.1%}", (xi, m), textcoords="offset points", xytext=(0, 3), ha="center",
                           fontsize=7, color=color)
    c.set_xticks(x, feats["sets"])
    c.set_ylabel("Share: of the planner (socialized),\nof the socialized level (kept)")
    c.axhline(1.0, color="k", lw=0.6)
    c.set_ylim(0, 1.55)
    c.set_title("(c) the learner's features (mean, 95 % interval)", fontsize=9)
    c.legend(fontsize=8, frameon=False, loc="upper left", ncol=2)
    return fig, {"thresholds": th, "grid": grid, "features": feats}


@reads("isr_designs")
def isr_designs_panel(ax, runs, n_seeds):
    """Fig. 3's last panel (figures.figure_3's `last_panel`): the ISR designs re-run; returns
    its claims under "isr_designs"."""
    compared = beyond_claims.design_claims(runs["isr_designs"])
    design_panel(ax, compared, n_seeds)
    return {"isr_designs": compared}


def design_panel(ax, compared, n_seeds):
    """Fig. 3's last panel: learners hacked per ISR design and training, with what each ISR
    pays for turning with the goal ahead and for walking into a wall (mean over seeds)."""
    width = 0.38
    for t, (training, color) in enumerate(zip(compared["trainings"], ("0.6", "tab:red"))):
        x = np.arange(len(compared["designs"])) + (t - 0.5) * width
        hacked = compared["learners_hacked"][t]
        ax.bar(x, hacked, width=width, color=color, label=training)
        for xi, h, design in zip(x, hacked, compared["designs"]):
            hazards = compared["calibration"][training][design]["hazards"]
            turn, wall = (np.nanmean([np.nan if v is None else v for v in hazards[k]]) for k in ("goal_turn", "wall_forward"))
            ax.annotate(f"turn {turn:.2f}\nwall {wall:.2f}", (xi, h), textcoords="offset points", xytext=(0, 2),
                        ha="center", fontsize=7)
    ax.set_xticks(np.arange(len(compared["designs"])), compared["designs"], fontsize=8)
    ax.set_ylim(0, n_seeds + 3)                                      # room for the labels and the legend
    ax.set_yticks(np.arange(0, n_seeds + 1, max(1, n_seeds // 5)))
    ax.set_ylabel(f"learners hacked (of {n_seeds})")
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    ax.set_title("The ISR designs we rejected, re-run: learners hacked.\n"
                 r"Above each bar, mean $R_i$ for turning at the goal (turn)" "\n"
                 "and for walking into a wall (wall)", fontsize=8)


def interval_line(ax, x, summary, color, label, marker="o", offset=0.0):
    """Means with their 95 % intervals ({mean, ci95} of beyond.claims.interval) along x."""
    mean, ci = np.asarray(summary["mean"]), np.asarray(summary["ci95"])
    x = np.asarray(x, dtype=float) + offset
    ax.errorbar(x, mean, yerr=[mean - ci[:, 0], ci[:, 1] - mean], color=color, marker=marker, ms=4,
                capsize=3, lw=1.2, label=label)


@reads("ablations")
def figure_11(runs):
    """Figure 11 (not in the paper): which of our ISR choices removes the hacking of the
    authors' ISR? Fig. 6's least-data cells (125 and 500 socialization episodes), the authors'
    ISR and the same with one of our choices switched on. Left: learners hacked (paid more than
    1.25 times what the caregiver would have). Right: what each learner's ISR paid against
    what the caregiver would have, in the last episodes (a dot per learner, — the median)."""
    result = beyond_claims.ablation_claims(runs["ablations"])
    designs, episodes = result["designs"], result["isr_episodes"]
    n_seeds = len(runs["ablations"]["seeds"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.2))
    width, x = 0.8 / len(episodes), np.arange(len(designs))
    colors = plt.cm.Purples(np.linspace(0.45, 0.85, len(episodes)))
    rng = np.random.default_rng(0)                                    # dot jitter only
    for z, (e, color) in enumerate(zip(episodes, colors)):
        offset = (z - (len(episodes) - 1) / 2) * width
        hacked = [row[z] for row in result["seeds_hacked"]]
        left.bar(x + offset, hacked, width=width, color=color, label=f"ISR data: {e:,} episodes")
        for d in range(len(designs)):
            ratio = np.array([np.nan if v is None else v for v in result["r_i_over_r_s_last"][d][z]])
            ratio = np.maximum(ratio[np.isfinite(ratio)], 1e-3)
            right.scatter(x[d] + offset + rng.uniform(-0.05, 0.05, ratio.size), ratio, s=10, color=color, zorder=3)
            if ratio.size:
                right.plot([x[d] + offset - width / 3, x[d] + offset + width / 3], [np.median(ratio)] * 2, color="k")
    right.axhline(HACKED_ABOVE, color="tab:red", lw=1, ls=":", label=f"{HACKED_ABOVE}: hacked above")
    right.set_yscale("log")
    for ax in (left, right):
        ax.set_xticks(x, [textwrap.fill(d, 14) for d in designs], fontsize=8)
    left.set_ylim(0, n_seeds * 1.2)                                  # room for the legend above the bars
    left.set_yticks(np.arange(0, n_seeds + 1, max(1, n_seeds // 5)))
    left.set_ylabel(f"learners hacked (of {n_seeds})")
    left.legend(fontsize=8, frameon=False, ncol=2, loc="upper center")
    right.set_ylabel("$\\Sigma R_i / \\Sigma R_s$, last episodes (0 drawn at 0.001)")
    right.legend(fontsize=8, frameon=False)
    fig.suptitle("From the authors' ISR, one of our choices at a time: which removes the hacking?", fontsize=10)
    return fig, result


@reads("factorial")
def figure_12(runs):
    """Figure 12 (not in the paper): what makes an ISR hackable? Fig. 4 left's protocol for
    each learner (ours; ours without its entropy bonus; the authors' PPO) × ISR (ours; the
    authors' in MLP form; the authors' network), each ISR trained on its learner's own data.
    Left: learners hacked (paid more than 1.25 times what the caregiver would have). Middle:
    goals kept after the caregiver left, a share of each learner's socialized level (a dot per
    learner). Right: what each ISR pays for a turn with the goal ahead, which the caregiver
    never pays (a dot per learner; — what it pays for stepping into the goal, the median)."""
    result = beyond_claims.factorial_claims(runs["factorial"])
    learners = result["learners"]
    isrs = [i for i in result["isrs"] if any(i in result[learner] for learner in learners)]
    n_seeds = len(runs["factorial"]["seeds"])
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.2))
    colors = dict(zip(isrs, ("tab:blue", "tab:orange", "tab:purple")))
    width, x = 0.8 / len(isrs), np.arange(len(learners))
    rng = np.random.default_rng(0)                                    # dot jitter only
    for i, name in enumerate(isrs):
        offset = (i - (len(isrs) - 1) / 2) * width
        for ax, key in ((middle, "kept"), (right, "goal_turn")):
            for j, learner in enumerate(learners):
                cell = result[learner].get(name)
                if cell is None:
                    continue
                values = np.array([np.nan if v is None else v for v in cell[key]], dtype=float)
                ax.scatter(x[j] + offset + rng.uniform(-0.04, 0.04, values.size), values, s=10, color=colors[name],
                           zorder=3)
                if key == "goal_turn":
                    forward = np.nanmedian(np.array(cell["goal_forward"], dtype=float))
                    ax.plot([x[j] + offset - width / 3, x[j] + offset + width / 3], [forward] * 2, color="k", lw=1)
        hacked = [result[learner][name]["hacked"] if name in result[learner] else 0 for learner in learners]
        missing = [name not in result[learner] for learner in learners]
        bars = left.bar(x + offset, hacked, width=width, color=colors[name], label=FACTORIAL_ISRS[name])
        left.bar_label(bars, ["not run" if absent else count for count, absent in zip(hacked, missing)], fontsize=7)
    middle.axhline(KEEPS_ABOVE, color="tab:green", lw=1, ls=":", label=f"{KEEPS_ABOVE:.0%} kept")
    right.axhline(0, color="0.6", lw=0.8)
    labels = [textwrap.fill(FACTORIAL_LEARNERS[learner], 16) for learner in learners]
    for ax in (left, middle, right):
        ax.set_xticks(x, labels, fontsize=8)
    left.set_ylim(0, n_seeds * 1.25)
    left.set_ylabel(f"learners hacked (of {n_seeds})")
    left.legend(fontsize=8, frameon=False, title="ISR", title_fontsize=8, loc="upper left")
    middle.set_ylabel("goals kept after the caregiver left\n(share of the socialized level)")
    middle.legend(fontsize=8, frameon=False)
    right.set_ylabel("$R_i$ for a turn with the goal ahead\n(— for stepping into the goal)")
    fig.suptitle("Which factor makes an ISR hackable: the ISR, the learner's algorithm, or its exploration?",
                 fontsize=10)
    return fig, result
