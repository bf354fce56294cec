"""lab/report.py — the result tables of README.md and docs/, generated from figures/results.json.

Each table is a function of the claims figures.py wrote (and, for the table of other seed
sets, of the results.json of `python figures.py 1 --seeds A-B` runs kept in
figures/seed_sets/). In the DOCUMENTS each table sits between `<!-- results:NAME -->` and
`<!-- /results -->`; `python -m lab.report` rewrites those blocks from the saved results, and
tests/test_docs.py fails when a table differs from what the committed results give, so no
number in them is typed by hand. It also writes figures/pooled.json: each
comparison of Figs 4 right, 5 and 7 pooled over every seed set (claims.pooled_claims).
Controls (a run with one setting changed) are kept in figures/controls/.

A full run into figures/ (`python figures.py`) rewrites them too, so that the documents
always describe the results beside them.

Usage: python -m lab.report [--check] [--results figures/results.json]
Public names: DOCUMENTS, TABLES, render, update, rewrite, pooled_json, main.
"""
import argparse
import json
import math
import re
import sys
from pathlib import Path

import numpy as np

import claims
import env
import stats
from experiments import IncompleteInternalization, isr_training
from lab import outputs
from claims import KEEPS_ABOVE
from lab.registry import EXPERIMENTS, reading

# The paper's Frozen arm kept learning with its caregiver in the training world: our frozen_authors.
PAPER_FIG4 = {"frozen_authors": ".541 ± .026", "isr": ".630 ± .027", "oracle": ".672 ± .031"}
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
# Fig. 5's tests as the paper prints them (the method effect at "T" of y ~ method × env;
# the caption drops the sign of isr − oracle, −1.12 in the authors' own orientation).
PAPER_FIG5_TESTS = {"frozen_authors_vs_isr": "t = −3.66, p < .001", "isr_vs_oracle": "t = 1.12, p = .27"}
PAPER_FIG5 = {"plus": ".404 / .534 / .592", "x": ".077 / .433 / .432", "U": ".220 / .453 / .484",
              "T": ".367 / .529 / .572", "4 rooms": ".815 / .754 / .842"}


def pct(x, digits=1):
    return f"{100 * x:.{digits}f} %"


def p_value(p):
    """p in the README's style: 0.015, 2.5·10⁻⁶."""
    if p >= 0.001:
        return f"{p:.2g}"
    mantissa, exponent = f"{p:.1e}".split("e")
    return f"{mantissa}·10{''.join('⁻⁰¹²³⁴⁵⁶⁷⁸⁹'[0 if c == '-' else '0123456789'.index(c) + 1] for c in str(int(exponent)))}"


def effect(test):
    """'+0.055 [+0.012, +0.098], p = 0.015' of a t-test or OLS row."""
    return f"{claims.effect(test):+.3f} [{test['ci95'][0]:+.3f}, {test['ci95'][1]:+.3f}], p = {p_value(test['p'])}"


def mean_range(values, fmt="{:.2f}"):
    values = np.asarray(values, dtype=float)
    return f"{fmt.format(values.mean())} ({fmt.format(values.min())}–{fmt.format(values.max())})"


def rows(header, body):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in body])


# ---------------------------------------------------------------------------------------------
# The tables

def all_sets(results, seed_sets, figure, committed="1234–1243"):
    """[(seed range, that set's entry of `figure`)]: the committed run first (labelled
    `committed`), then every seed set that ran the figure."""
    return [(committed, results[figure])] + [(k, v[figure]) for k, v in sorted(seed_sets.items()) if figure in v]


def front(results, seed_sets):
    """The README's table: each of the paper's claims beside what the authors' ISR (isr.AUTHORS,
    run here) and our ISR give, over every seed set that ran both, each with a verdict computed
    from the numbers; then the summary sentence, generated from the verdicts."""
    with_authors = lambda figure: [(n, r) for n, r in all_sets(results, seed_sets, figure)
                                   if figure != "fig1" or "isr_authors_fraction_of_socialized" in r]
    f1, f6, f7 = with_authors("fig1"), all_sets(results, seed_sets, "fig6"), all_sets(results, seed_sets, "fig7")
    f3 = results["fig3"]
    pooled = {(c["figure"], c["a"], c["b"]): c for c in pooled_over_sets(results, seed_sets)}
    kept = lambda c: min(min(r[f"{c}_fraction_of_socialized"]) for _, r in f1)
    none = max(max(r["none_fraction_of_socialized"]) for _, r in f1)
    hacked_it = lambda c: f"{sum(r[f'{c}_hacked'] for _, r in f1)} learners hacked it"
    holds = lambda ok: "holds" if ok else "**differs**"
    learners = lambda sets, key: (f"{len(sets)} seed set{'s' * (len(sets) > 1)}, "
                                  f"{sum(len(r[key]) for _, r in sets)} learners")
    link = lambda anchor, text: f"[{text}](docs/results.md#{anchor})"
    caregiver = link("figs-1-3-and-4-left-the-caregiver-leaves", "Figs 1, 3, 4 left")
    new_worlds = link("figs-4-right-and-5-new-worlds", "Figs 4 right, 5")

    f4, f5 = all_sets(results, seed_sets, "fig4"), all_sets(results, seed_sets, "fig5")
    hacked_new = lambda c: (sum(np.sum(r["right"]["hacked"][c]) for _, r in f4),              # new worlds,
                            sum(np.sum(r["hacking"][c]["seeds_hacked"]) for _, r in f5))        # layouts

    def compared(figure, a, b, rule):
        """(cell, verdict) of a pooled comparison a − b; rule(entry) → the claim holds."""
        c = pooled[figure, a, b]
        return f"{effect(c['random_effects'] or c['pooled'])}, {over_sets(c)}", holds(rule(c))

    def with_hacking(cell_verdict, condition):
        cell, verdict_ = cell_verdict
        return cell + "; hacked: {} in new worlds, {} in the layouts (learners × runs × layouts)".format(
            *hacked_new(condition)), verdict_

    beats = lambda c: c["verdict"] == "a < b"
    comes_close = lambda c: claims.close((c["random_effects"] or c["pooled"])["diff"])
    same = lambda c: c["verdict"] == "not distinguished"
    hacked = np.array([r["seeds_hacked"] for _, r in f6])                  # (sets, trainings, sizes)
    farming = np.array([r["seeds_farming"] for _, r in f6])
    n6, sizes = sum(np.shape(r["goals_first"])[-1] for _, r in f6), f6[0][1]["isr_episodes"]
    columns = f6[0][1]["isr_training"]                                     # ours, one pass; ours, 1,000; authors'
    authors, stated = columns.index("the authors' ISR"), [i for i, t in enumerate(columns) if t.endswith("updates")][0]
    grid = lambda b: (f"hacked from {sizes[0]:,} episodes {hacked[:, b, 0].sum()}, from all {sizes[-1]:,} "
                      f"{hacked[:, b, -1].sum()}; farming {farming[:, b, 0].sum()} and {farming[:, b, -1].sum()}")
    help_isr = min(min(r["isr_fraction_of_socialized"]) for _, r in f7)
    help_none = max(max(r["none_fraction_of_socialized"]) for _, r in f7)
    body = [  # claim, paper, the authors' ISR (cell, verdict), ours (cell, verdict), details
        ["Fig. 1: without an ISR the learner un-learns once the caregiver leaves", "falls to about 0",
         ("the same learners (no ISR)", holds(claims.unlearned(none))),
         (f"`none` keeps at most {pct(none)} of its socialized goals ({learners(f1, 'none_fraction_of_socialized')})",
          holds(claims.unlearned(none))), caregiver],
        ["Fig. 4 left: with its ISR it keeps the behaviour", "stays",
         (f"the least learner keeps {pct(kept('isr_authors'))}; {hacked_it('isr_authors')}",
          holds(claims.kept(kept("isr_authors")))),
         (f"the least learner keeps {pct(kept('isr'))}; {hacked_it('isr')}", holds(claims.kept(kept("isr")))), caregiver],
        ["Fig. 3: the ISR predicts held-out social reward; more data, lower loss", "no gap; falling",
         (f"test / train loss {f3['authors_test_over_train']:.2f} (one size)", holds(claims.no_gap(f3["authors_test_over_train"]))),
         (f"test / train loss {f3['test_over_train']:.2f}; {'falls with every size' if f3['monotone'] else 'not monotone'}",
          holds(claims.no_gap(f3["test_over_train"]) and f3["monotone"])), caregiver],
        ["Fig. 4 right: in new worlds, learning from the ISR beats the frozen learner",
         f"{PAPER_FIG4['frozen_authors']} vs {PAPER_FIG4['isr']}, p < .05",
         with_hacking(compared("Fig. 4 right", "frozen_authors", "isr_authors", beats), "isr_authors"),
         with_hacking(compared("Fig. 4 right", "frozen_authors", "isr", beats), "isr"), new_worlds],
        ["Fig. 4 right: … and comes close to the oracle", f"{PAPER_FIG4['isr']} vs {PAPER_FIG4['oracle']}, p = .32",
         compared("Fig. 4 right", "isr_authors", "oracle", comes_close),
         compared("Fig. 4 right", "isr", "oracle", comes_close), new_worlds],
        ["Fig. 5: in five hand-picked layouts the ISR learner beats the frozen one",
         PAPER_FIG5_TESTS["frozen_authors_vs_isr"],
         compared("Fig. 5", "frozen_authors", "isr_authors", beats), compared("Fig. 5", "frozen_authors", "isr", beats),
         new_worlds],
        ["Fig. 5: … and is not distinguished from the oracle", PAPER_FIG5_TESTS["isr_vs_oracle"],
         compared("Fig. 5", "isr_authors", "oracle", same), compared("Fig. 5", "isr", "oracle", same), new_worlds],
        ["Fig. 6: an ISR trained on too little data is hacked", "one run (all the data, a new layout)",
         (f"of {n6} learners ({len(f6)} seed set{'s' * (len(f6) > 1)}): {grid(authors)}",
          holds(hacked[:, authors, 0].sum() > 0)),
         (f"{columns[stated]}: {grid(stated)}", holds(hacked[:, stated, 0].sum() > 0)),
         link("fig-6-incomplete-internalization", "Fig. 6")],
        ["Fig. 7: the ISR keeps a prosocial act after the caregiver's reward stops", "keeps helping",
         ("not run (Fig. 7 keeps its controls)", "—"),
         (f"`isr` keeps at least {pct(help_isr, 0)}, `none` at most {pct(help_none, 0)} "
          f"({learners(f7, 'isr_fraction_of_socialized')})", holds(claims.kept(help_isr) and help_none < claims.HELPING_LOST_BELOW)),
         link("fig-7-a-prosocial-act", "Fig. 7")],
    ]
    table = rows(["the paper's claim", "paper", "the authors' ISR, here", "verdict", "our ISR", "verdict", "details"],
                 [[claim, paper, *theirs, *ours, details] for claim, paper, theirs, ours, details in body])
    f11, steps = all_sets(results, seed_sets, "fig11"), few_steps(f6)
    removers = [name for name in f11[0][1]["designs"][1:]
                if all(np.sum(r["seeds_hacked"][r["designs"].index(name)]) == 0 for _, r in f11)]
    n1 = sum(len(r["isr_fraction_of_socialized"]) for _, r in f1)
    new_world_claims = [row[0] for row in body[3:7]]
    hacked_in_new = sum(hacked_new("isr_authors"))
    theirs = {"Fig. 4 left: with its ISR it keeps the behaviour":
              f"once the caregiver has left, {sum(r['isr_authors_hacked'] for _, r in f1)} of {n1} learners hack "
              f"it (paid more than {claims.HACKED_ABOVE} times what the caregiver would), the least of them "
              f"keeping {pct(kept('isr_authors'))} of its goals",
              **{claim: f"in Figs 4 right and 5 its learners hack it ({hacked_in_new} learners × runs × worlds) "
                        "and do not beat the frozen learner or come close to the oracle" for claim in new_world_claims}}
    ours = {"Fig. 5: … and is not distinguished from the oracle":
            "in Fig. 5's layouts the ISR learner comes close to the oracle but is distinguished from it",
            "Fig. 4 right: in new worlds, learning from the ISR beats the frozen learner":
            "in new worlds the ISR learner is not distinguished from the frozen one",
            "Fig. 6: an ISR trained on too little data is hacked":
            "in Fig. 6 it is hacked " + (f"only where we train it for {steps} updates" if steps else "nowhere")
            + f" (Fig. 11, {len(f11)} seed set{'s' * (len(f11) > 1)}: in the authors' ISR, "
            + (f"{' and '.join(n.lstrip('+ ') for n in removers)} removes the hacking" if removers
               else "none of our choices tried removes the hacking on every set") + ")"}
    return table + "\n\n" + summary(body, (theirs, ours))


def summary(body, why):
    """The sentences under the front table, from its verdicts: which claims differ, per ISR,
    and why (`why`: per ISR, {claim: a clause made from the numbers}; the claim itself where
    none; a clause shared by several claims is said once)."""
    sentences = []
    for column, name, reasons in ((2, "the authors' ISR", why[0]), (3, "our ISR", why[1])):
        differing = [row[0] for row in body if "differs" in row[column][1]]
        clauses = dict.fromkeys(reasons.get(c, c) for c in differing)
        sentences.append(f"With {name} every claim holds here" + (
            "." if not differing else f" except {NUMBER_WORDS.get(len(differing), len(differing))}: "
            + "; ".join(clauses) + "."))
    return " ".join(sentences)


def few_steps(f6):
    """'18–71': the SGD updates of Fig. 6's one-pass ISRs (its first column) in the cells where
    a learner was hacked, on any seed set; None where none was."""
    cfg = IncompleteInternalization()
    batch = isr_training(cfg.source.isr, cfg.isr_training[0]).batch
    steps = [int(np.ceil(n / batch)) for _, r in f6 for row in r["seeds_hacked"][:1]
             for n, hacked in zip(r["isr_transitions"], row) if hacked]
    if not steps:
        return None
    return f"{min(steps)}–{max(steps)}" if min(steps) != max(steps) else f"{min(steps)}"


def run_time(results, seed_sets):
    """The README's line on what the first command costs (the committed run's timing)."""
    t = results["timing"]
    return (f"The run in `figures/` took {t['seconds_total'] / 60:.1f} minutes on {t['jobs']} cores "
            f"(peak memory {t['peak_memory_mb'] / 1024:.1f} GB in the main process, "
            f"{(t['peak_memory_mb_of_a_worker'] or 0) / 1024:.1f} GB in the largest worker).")


def internalization(results, seed_sets):
    """Figs 1, 3 and 4 left."""
    r, f3 = results["fig4"], results["fig3"]
    social, planner = np.mean(r["socialized_goals_per_episode"]), r["planner_goals_per_episode"]
    share = lambda c: np.asarray(r[f"{c}_fraction_of_socialized"])
    t, w = r["isr_vs_none_student"], r["isr_vs_none_welch"]
    losses = ", ".join(f"{x:.1e}" for x in f3["mean_test_loss_by_transitions"])
    tail = r["tail_episodes"]
    return rows(["claim", "paper", "ours"], [
        [f"socialized learner vs. a shortest-path planner (goals per episode, last {tail} episodes of 6K)",
         "— (PPO, plotted only)", f"{social:.3f} vs. {planner:.3f} = **{pct(social / planner)}** "
                                  f"(per seed {min(r['socialized_goals_per_episode']):.2f}–{max(r['socialized_goals_per_episode']):.2f})"],
        [f"`none` (caregiver gone, no ISR), last {tail} of 6K further episodes, share of its socialized level",
         "falls to ~0 (Fig. 1)", f"**{pct(share('none').mean())}** (max seed {pct(share('none').max())})"],
        ["`isr` (caregiver gone, ISR), same window", "stays (Fig. 4 left)",
         f"**{pct(share('isr').mean())}** (**every learner ≥ {pct(share('isr').min())}**)"],
        ["`oracle` (caregiver stays)", "—", f"{pct(share('oracle').mean())}"],
        ["`isr` vs `none`, Student's t across seeds", "—",
         f"t = {t['t']:.1f}, df {t['df']:.0f}, p = {p_value(t['p'])} (Welch: p = {p_value(w['p'])}, df {w['df']:.1f})"],
        ["what the ISR paid while its learners learned, against what the caregiver would have", "—",
         f"Σ R_i / Σ R_s = {f3['isr_calibration']['during_after_r_i_over_r_s_pooled']:.3f}"],
        ["Fig. 3 left: held-out test vs. train loss at the end", "\"no gap\"",
         f"test/train = **{f3['test_over_train']:.3f}**"],
        [f"Fig. 3 right: mean test loss at {', '.join(f'{n // 1000}K' for n in f3['transitions'])} transitions",
         "1.25e-3 … 5.5e-6, falling", f"{losses}: **{'falls monotonically' if f3['monotone'] else 'not monotone'}**"],
    ])


def seed_sets(results, seed_sets):
    """Figs 1, 4 left and 6 on other seed sets (figures/seed_sets/*.json)."""
    body = []
    sets = [("1234–1243 (the committed run)", results["fig4"], results.get("fig6"))] + [
        (name, r["fig1"], r.get("fig6")) for name, r in sorted(seed_sets.items()) if "fig1" in r]
    for name, r, grid in sets:
        isr, none = np.asarray(r["isr_fraction_of_socialized"]), np.asarray(r["none_fraction_of_socialized"])
        t = r["isr_vs_none_student"]
        paid = r.get("isr_paid_over_caregiver_would",
                     results["fig3"]["isr_calibration"]["during_after_r_i_over_r_s_pooled"])
        label = name if "(" in name else f"{name} ({len(isr)} learners)"
        hacked = " / ".join(",".join(str(h) for h in row) for row in grid["seeds_hacked"]) if grid else "—"
        body.append([label, f"{pct(isr.mean())}, {pct(isr.min())}", f"{pct(none.mean())}, {pct(none.max())}",
                     f"t = {t['t']:.1f}, p = {p_value(t['p'])}", f"{paid:.3f}", hacked])
    return rows(["seeds", "`isr`: mean share kept, lowest learner", "`none`: mean, highest learner",
                 "isr vs none", "ISR pays / caregiver would, during the learning",
                 "Fig. 6: seeds hacked, one pass / 1,000 updates / the authors' one pass, 125 … 6,000 episodes"], body)


ISRS = (("Figs 1, 3, 4 left", "fig3", False), ("Figs 4 right, 5", "fig5", True), ("Fig. 7", "fig7", False))


def calibration(results, seed_sets):
    """The ISR as an instrument (isr_calibration of Figs 3, 5 and 7): discrimination first."""
    body = []
    for label, figure, threshold in ISRS:
        c = results[figure]["isr_calibration"]
        during = [(k[len("during_"):-len("_r_i_over_r_s_pooled")], v) for k, v in c.items()
                  if k.startswith("during_") and k.endswith("_pooled")]
        hazards = "; ".join(f"{name.replace('_', ' ')} {np.mean(v):.3f} (max {np.max(v):.3f})"
                            for name, v in c["hazards"].items())
        on = lambda name: f"{np.mean(c[f'{name}_on_rewarded_steps']):.3f} / {np.mean(c[f'{name}_on_unrewarded_steps']):.4f}"
        body.append([label, on("r_i"), on("output"), hazards,
                     ", ".join(f"{v:.2f} ({name.replace('_', ' ')})" for name, v in during),
                     f"{c['output_over_r_s_pooled']:.3f}",
                     f"{c['r_i_over_r_s_pooled']:.3f} ({min(c['r_i_over_r_s']):.3f}–{max(c['r_i_over_r_s']):.3f})",
                     f"{c['used_over_r_s_pooled']:.3f}" if threshold else "— (raw, Eq. 1)"])
    return rows(["ISR of", "R_i on rewarded / other steps (held out)", "network output, the same",
                 "R_i on named pairs (held out)", "R_i / R_s while learners learned from it",
                 "network output / R_s (held out)", "R_i / R_s held out (k fitted to 1 on train)",
                 "with threshold 0.2"], body)


def reliability(results, seed_sets):
    """Reliability curves of the three ISRs: held-out steps binned by R_i, mean R_s per bin."""
    curves = [results[figure]["isr_calibration"]["reliability"] for _, figure, _ in ISRS]
    edges = list(curves[0]["lower_edges"]) + [None]
    fmt = lambda v, digits=3: "—" if v is None else f"{v:.{digits}f}"
    body = [[f"{low:g} – {'' if high is None else f'{high:g}'}"]
            + [f"{c['steps'][b]:,}: {fmt(c['mean_r_i'][b])} / {fmt(c['mean_r_s'][b])}" for c in curves]
            for b, (low, high) in enumerate(zip(edges[:-1], edges[1:]))]
    return rows(["R_i bin"] + [f"ISR of {label}: steps, mean R_i / mean R_s" for label, _, _ in ISRS], body)


def isr_designs(results, seed_sets):
    """Fig. 3's last panel: ISR designs × trainings."""
    d = results["fig3"]["isr_designs"]
    kept = np.asarray(d["fraction_of_socialized"])                  # (trainings, designs, S)
    cells = []
    for j, design in enumerate(d["designs"]):
        row = [design]
        for i, training in enumerate(d["trainings"]):
            cal = d["calibration"][training][design]["hazards"]
            n = kept.shape[-1]
            hacked = d["learners_hacked"][i][j]
            row.append(f"{'**' if hacked else ''}{hacked}/{n}{'**' if hacked else ''}; {pct(kept[i, j].mean())} "
                       f"({pct(kept[i, j].min())}); {np.mean(cal['goal_turn']):.3f}; {np.mean(cal['wall_forward']):.3f}")
        cells.append(row)
    return rows(["ISR design", f"trained as this repository first did ({d['trainings'][0]}): hacked; kept (lowest); "
                               "R_i(goal ahead, turn); R_i(wall ahead, forward)", f"trained as now ({d['trainings'][1]})"],
                cells)


def new_worlds(results, seed_sets):
    """Fig. 4 right, each run of the further learning."""
    r = results["fig4"]["right"]
    n_runs = len(r["return"]["isr"])
    body = []
    for c in ("frozen", "frozen_authors", "isr", "isr_authors", "oracle", "isr_raw"):
        ret, goals, stoch = (np.asarray(r[k][c]) for k in ("return", "goals", "return_stochastic"))
        body.append([f"`{c}`", PAPER_FIG4.get(c, "—")]
                    + [f"{ret[k].mean():.3f} ± {ret[k].std(ddof=1) / np.sqrt(ret.shape[1]):.3f}; "
                       f"{goals[k].mean():.2f} goals; stochastic {stoch[k].mean():.3f}" for k in range(n_runs)])
    paper = {"frozen_authors_vs_isr": "t = −2.38, p = 0.029 (Student)", "isr_vs_oracle": "t = −1.02, p = 0.32 (Student)"}
    for name in ("frozen_vs_isr", "frozen_authors_vs_isr", "isr_vs_oracle", "frozen_vs_isr_raw",
                 "frozen_authors_vs_isr_authors", "isr_authors_vs_oracle"):
        body.append([f"{name.replace('_vs_', ' − ')}, paired per seed (greedy)", paper.get(name, "—")]
                    + [effect(run[name]["paired"]) for run in r["reruns"]])
        body.append([f"{name.replace('_vs_', ' − ')}, paired, stochastic policy", "—"]
                    + [effect(run[name]["paired_stochastic"]) for run in r["reruns"]])
    return rows(["Fig. 4 right: return per episode (mean ± SE over seeds)", "paper"]
                + [f"ours, run {k + 1}" for k in range(n_runs)], body)


def layouts(results, seed_sets):
    """Fig. 5, each run of the further learning."""
    r = results["fig5"]
    ret = {c: np.asarray(r["return"][c]) for c in ("frozen", "frozen_authors", "isr", "isr_authors", "oracle")}
    n_runs = ret["isr"].shape[0]
    body = [[f'"{name}"', PAPER_FIG5[name]]
            + [" / ".join(f"{ret[c][k, j].mean():.3f}" for c in ret) for k in range(n_runs)]
            for j, name in enumerate(r["layouts"])]
    paper = {("frozen_authors_vs_isr", "paper_interaction_at_T"): f"{PAPER_FIG5_TESTS['frozen_authors_vs_isr']} (published)",
             ("frozen_authors_vs_isr", "additive"): "t = −6.84 (our analysis of their values)",
             ("isr_vs_oracle", "paper_interaction_at_T"): f"{PAPER_FIG5_TESTS['isr_vs_oracle']} (published, sign dropped)",
             ("isr_vs_oracle", "additive"): "t = −2.59, p = 0.011 (our analysis of their values)"}
    analyses = (("paper_interaction_at_T", "paper's OLS y ~ method × env, at \"T\""),
                ("additive", "OLS y ~ method + env"), ("seed_fixed_effects", "OLS y ~ method + env + seed"),
                ("paired_per_seed", "paired per seed (mean of the layouts)"),
                ("paired_per_seed_stochastic", "paired per seed, stochastic policy"))
    for name in ("frozen_vs_isr", "frozen_authors_vs_isr", "isr_vs_oracle", "frozen_authors_vs_isr_authors",
                 "isr_authors_vs_oracle"):
        for key, label in analyses:
            body.append([f"{name.replace('_vs_', ' − ')}: {label}", paper.get((name, key), "—")]
                        + [effect(run[name][key]) for run in r["reruns"]])
    return rows(["Fig. 5: return frozen / frozen (authors') / isr / isr_authors / oracle",
                 "paper (Frozen = our frozen (authors') / isr / oracle)"]
                + [f"ours, run {k + 1}" for k in range(n_runs)], body)


def layout_levels(results, seed_sets):
    """Fig. 5's levels beside the paper's, ours also as the authors scored a return (no step
    cost on the step into the goal: our return + |step cost| × goals); mean over runs and seeds."""
    r, refund = results["fig5"], -env.WorldConfig().step_cost
    mean = lambda c, key: np.asarray(r[key][c], dtype=float).mean(axis=(0, 2))       # (R, L, S) → (L,)
    arms = ("frozen_authors", "isr", "oracle")
    body = [[f'"{name}"', PAPER_FIG5[name],
             " / ".join(f"{mean(c, 'return')[j]:.3f}" for c in arms),
             " / ".join(f"{mean(c, 'return')[j] + refund * mean(c, 'goals')[j]:.3f}" for c in arms)]
            for j, name in enumerate(r["layouts"])]
    return rows(["Fig. 5 layout", "paper: Frozen / ISR / Oracle",
                 "ours: frozen (authors') / isr / oracle, mean of the runs and learners",
                 "ours, scored as the authors (goal step free)"], body)


def incomplete(results, seed_sets):
    """Fig. 6's grid."""
    r = results["fig6"]
    first, last = np.asarray(r["goals_first"]), np.asarray(r["goals_last"])     # (budgets, sizes, S)
    ratio = np.array(r["r_i_over_r_s_last"], dtype=float)            # null (no R_s) → NaN
    body = []
    for j, episodes in enumerate(r["isr_episodes"]):
        row = [f"{episodes:,} episodes"]
        for i in range(len(r["isr_training"])):
            hacked, farming = r["seeds_hacked"][i][j], r["seeds_farming"][i][j]
            row.append(f"{first[i, j].mean():.2f} → {last[i, j].mean():.2f}, ratio {np.nanmedian(ratio[i, j]):.2g}, "
                       f"{'**' if hacked > 1 else ''}{hacked} hacked{'**' if hacked > 1 else ''}, {farming} farming")
        body.append(row)
    return rows(["ISR trained on"] + r["isr_training"], body)


def grid_instrument(results, seed_sets):
    """Fig. 6's ISRs as instruments (fig3-instrument's "fig 6"): per data size and training,
    R_i (as used) into the goal and into a wall, and the raw network on rewarded / other steps."""
    g = results["fig3-instrument"]["fig 6"]
    body = [[f"{episodes:,} episodes"]
            + [f"{g['goal_forward'][b][z]:.3f} / {g['wall_forward'][b][z]:.3f}; raw {g['output_on_rewarded_steps'][b][z]:.3f}"
               f" / {g['output_on_unrewarded_steps'][b][z]:.3f}; {g['seeds_hacked'][b][z]} hacked"
               for b in range(len(g["isr_training"]))]
            for z, episodes in enumerate(g["isr_episodes"])]
    return rows(["ISR trained on"] + [f"{t}: R_i into the goal / a wall; raw output on rewarded / other steps"
                                      for t in g["isr_training"]], body)


def zero_output(results, seed_sets):
    """The zero output layer, re-examined: seeds 5000–5029 (30 learners) with our ISR training,
    the output layer started at zero (controls/5000-5029-zero-output-layer.json) or at random
    (controls/5000-5029-random-output-layer.json, `--set internalization.isr.zero_output=false`)."""
    arms = (("zero (ours)", results["controls"].get("5000-5029-zero-output-layer")),
            ("random", results["controls"].get("5000-5029-random-output-layer")))
    body = []
    for label, r in arms:
        if r is None or "fig3" not in r:
            continue
        kept, cal = np.asarray(r["fig1"]["isr_fraction_of_socialized"]), r["fig3"]["isr_calibration"]
        paid = np.array([np.inf if v is None else v for v in cal["during_after_r_i_over_r_s"]])
        turn, wall = (np.asarray(cal["hazards"][k], dtype=float) for k in ("goal_turn", "wall_forward"))
        body.append([label, len(kept), f"{pct(kept.mean())}, lowest {pct(kept.min())}",
                     f"{(paid > claims.HACKED_ABOVE).sum()} of {len(paid)}; highest {paid.max():.2f}",
                     f"{np.median(turn):.3f} / {turn.max():.3f}", f"{np.median(wall):.3f} / {wall.max():.3f}"])
    return rows(["ISR output layer at the start", "learners", "`isr`: share of socialized goals kept",
                 "hacked while learning (R_i / R_s > 1.25)", "R_i(goal ahead, turn), median / max",
                 "R_i(wall ahead, forward), median / max"], body)


def helping(results, seed_sets):
    """Fig. 7."""
    r = results["fig7"]
    helper = r["helper_goals_per_episode"]
    social = np.asarray(r["socialized_goals_per_episode"])
    share = lambda c: np.asarray(r[f"{c}_fraction_of_socialized"])
    isr, none = share("isr"), share("none")
    t = r["isr_vs_none_student"]
    return rows(["claim", "ours (10 seeds)"], [
        ["scripted helper (walks to the ball, lifts it, steps off the caregiver's route)", f"{helper:.2f} goals/episode (the ceiling)"],
        ["a learner acting uniformly at random", f"{r['random_goals_per_episode']:.3f} goals/episode (the floor)"],
        ["socialized learner", f"{mean_range(social)}, **{pct(social.mean() / helper, 0)} of the helper** "
                               f"(lowest seed {pct(social.min() / helper, 0)})"],
        ["`isr`, share of its socialized helping", f"**{pct(isr.mean(), 0)}** ({pct(isr.min(), 0)}–{pct(isr.max(), 0)}; "
                                                    f"≥ 80 % in {(isr >= 0.8).sum()}/{len(isr)} seeds)"],
        ["`none`", f"**{pct(none.mean(), 0)}** ({pct(none.min(), 0)}–{pct(none.max(), 0)})"],
        ["`oracle` (the caregiver's reward stays)", f"{pct(share('oracle').mean(), 0)} ({pct(share('oracle').min(), 0)}–{pct(share('oracle').max(), 0)})"],
        [f"control `oracle_at_isr_rate`: the caregiver stays, paying R_s × that learner's ISR's rate "
         f"({min(r['isr_pay_rate']):.2f}–{max(r['isr_pay_rate']):.2f})",
         f"{pct(share('oracle_at_isr_rate').mean(), 0)} ({pct(share('oracle_at_isr_rate').min(), 0)}–{pct(share('oracle_at_isr_rate').max(), 0)})"],
        ["`isr` vs `none`, Student's t", f"t = {t['t']:.1f}, df {t['df']:.0f}, p = {p_value(t['p'])}"],
        ["`isr` − `oracle`, paired per seed (goals per episode)", effect(r["isr_vs_oracle_paired"])],
        ["`isr` − control, paired per seed", effect(r["isr_vs_oracle_at_isr_rate_paired"])],
    ])


def over_sets(c):
    """'random effects over 4 seed sets (I² 0.88)': how a pooled estimate was made."""
    if c["random_effects"] is None:
        return "one seed set"
    return f"random effects over {c['seed_sets']} seed sets (I² {c['random_effects']['i2']:.2f})"


def verdict(c, a, b):
    """What the seed sets together allow us to say of a − b (claims.pooled_verdict)."""
    p = f"random effects p = {p_value(c['random_effects']['p'])}"
    if c["verdict"] in ("a > b", "a < b"):
        return f"**{a} {c['verdict'][2]} {b}** ({p})"
    if c["verdict"] == "contradicted":
        return f"not established: a seed set points the other way ({p})"
    return f"{a} ≈ {b}: not distinguished ({p})"


def pooled_over_sets(results, seed_sets):
    """claims.pooled_claims over the committed run (seeds 1234–1243) and every seed set."""
    return claims.pooled_claims({"1234-1243": results, **seed_sets})


def generalization_verdict(results, seed_sets):
    """Figs 4 right and 5: each comparison's paired effect in each run, on every seed set,
    and what the learners of every set together allow us to say (the pooled estimate)."""
    sets = [("1234–1243", results)] + sorted((k, v) for k, v in seed_sets.items() if "fig5" in v)
    pooled = {(c["figure"], c["a"], c["b"]): c for c in pooled_over_sets(results, seed_sets)}
    body = []
    for figure, key, test in (("Fig. 4 right", "fig4", "paired"), ("Fig. 5", "fig5", "paired_per_seed")):
        for name in ("frozen_vs_isr", "frozen_authors_vs_isr", "isr_vs_oracle", "frozen_authors_vs_isr_authors",
                     "isr_authors_vs_oracle"):
            a, b = name.split("_vs_")
            cells = []
            for _, r in sets:
                if key not in r:
                    cells.append("—")
                    continue
                entry = r[key]["right"] if key == "fig4" else r[key]
                tests = [run[name][test] for run in entry["reruns"]]
                cells.append(" / ".join(f"{t['diff']:+.3f} (p {p_value(t['p'])})" for t in tests))
            body.append([figure, f"{a} − {b}"] + cells + [verdict(pooled[figure, a, b], a, b)])
    label = lambda name, r: f"seeds {name} ({len(r['fig5']['return']['isr'][0][0])} learners), run 1 / run 2"
    return rows(["figure", "paired effect on the return"] + [label(name, r) for name, r in sets]
                + ["verdict, from the random-effects estimate"], body)


def pooled(results, seed_sets):
    """Figs 4 right, 5 and 7: each comparison pooled over every learner of every seed set,
    with a term per set (claims.pooled_claims), beside each set's own paired test."""
    body = [[c["figure"], f"{c['a']} − {c['b']}", f"{c['learners']} in {c['seed_sets']}",
             effect(c["random_effects"]), heterogeneity(c["random_effects"]), effect(c["pooled"]),
             "; ".join(f"{name}: {claims.effect(t):+.3f}, p {p_value(t['p'])}" for name, t in c["per_set"].items())]
            for c in pooled_over_sets(results, seed_sets)]
    return rows(["figure", "paired, per learner", "learners in seed sets", "random effects [95 %], p",
                 "between sets: Q, I², τ", "a term per set, within-set spread only [95 %], p",
                 "each seed set alone"], body)


def heterogeneity(test):
    """'Q = 24.2 on 3 df, I² 0.88, τ 0.014': how much the seed sets' estimates differ."""
    return f"Q = {test['q']:.1f} on {test['df']} df, I² {test['i2']:.2f}, τ {test['tau']:.3f}"


def helping_controls(results, seed_sets):
    """Fig. 7's controls (controls/helping-*.json): the authors' phase-2 reward for the ISR
    learner (`--set helping.authors_reward=true`), and phase 2 at the authors' longer reading,
    4,800 episodes (`--set helping.after=4800`)."""
    body = []
    for name, r in results["controls"].items():
        if not name.startswith("helping-"):
            continue
        f = r["fig7"]
        kept = lambda c: f"{pct(np.mean(f[f'{c}_fraction_of_socialized']), 0)} (lowest {pct(min(f[f'{c}_fraction_of_socialized']), 0)})"
        authors = ("—" if "isr_authors_reward_fraction_of_socialized" not in f else
                   f"{kept('isr_authors_reward')}; paid {np.median(f['isr_authors_reward_paid_over_caregiver_would']):.1f}× "
                   "what the caregiver would (median)")
        body.append([name[len("helping-"):], kept("isr"), kept("none"),
                     f"{f['isr_calibration']['during_after_r_i_over_r_s_pooled']:.2f}", authors])
    return rows(["control, seeds", "`isr` kept (Eq. 1's R_i, step cost)", "`none` kept",
                 "`isr`: R_i / R_s while learning", "the authors' reward: raw ISR output, no step cost"], body)


def helping_seed_sets(results, seed_sets):
    """Fig. 7 on every seed set with it."""
    body = []
    for name, r in all_sets(results, seed_sets, "fig7", committed="1234–1243 (the committed run)"):
        isr, none = np.asarray(r["isr_fraction_of_socialized"]), np.asarray(r["none_fraction_of_socialized"])
        social = np.asarray(r["socialized_goals_per_episode"])
        body.append([name, f"{pct(r['socialized_fraction_of_helper'], 0)} (lowest seed "
                           f"{pct(social.min() / r['helper_goals_per_episode'], 0)})",
                     f"{pct(isr.mean(), 0)}, lowest {pct(isr.min(), 0)}; ≥ 80 % in {(isr >= 0.8).sum()}/{len(isr)}",
                     f"{pct(none.mean(), 0)}", f"{r['isr_calibration']['during_after_r_i_over_r_s_pooled']:.2f}",
                     effect(r["isr_vs_oracle_at_isr_rate_paired"])])
    return rows(["seeds", "socialized, share of the helper", "`isr`: share of its socialized helping",
                 "`none`", "ISR pays / caregiver would, after", "`isr` − control (goals per episode)"], body)


# ---------------------------------------------------------------------------------------------
# Beyond the paper: Figs 8 and 9, the MLP learner

def estimate(summary, i=None, fmt="{:.3f}"):
    """'0.557 [0.542, 0.572]' of a claims.interval entry (its i-th element)."""
    mean, ci = (summary["mean"], summary["ci95"]) if i is None else (summary["mean"][i], summary["ci95"][i])
    return f"{fmt.format(mean)} [{fmt.format(ci[0])}, {fmt.format(ci[1])}]"


def share(summary, i):
    """'106 % [103 %, 108 %]' of the i-th share of a claims.interval entry."""
    as_pct = lambda x: f"{int(round(100 * x))} %"
    return f"{as_pct(summary['mean'][i])} [{as_pct(summary['ci95'][i][0])}, {as_pct(summary['ci95'][i][1])}]"


def partial_presence(results, seed_sets):
    """Fig. 8: per visit rate, the share kept by each arm and the paired comparisons."""
    r = results["fig8"]
    body = []
    for i, q in enumerate(r["visit_rates"]):
        ratio = lambda arm: np.nanmedian([v if v is not None else np.nan for v in r[f"{arm}_r_i_over_r_s"][i]])
        body.append([f"{q:g}", f"{pct(r['none_visited'][i], 1)}",
                     f"{share(r['none_interval'], i)}, lowest {pct(min(r['none_fraction_of_socialized'][i]), 0)}",
                     f"{share(r['isr_interval'], i)}, lowest {pct(min(r['isr_fraction_of_socialized'][i]), 0)}",
                     f"{share(r['isr_online_interval'], i)}, lowest {pct(min(r['isr_online_fraction_of_socialized'][i]), 0)}",
                     effect(r["isr_vs_none"][i]), effect(r["isr_online_vs_isr"][i]),
                     f"{ratio('isr'):.3f} / {ratio('isr_online'):.3f}"])
    return rows(["q", "episodes visited", "`none`: share kept [95 % interval]", "`isr`", "`isr_online`",
                 "isr − none (share, paired)", "isr_online − isr (paired)", "ISR pays / caregiver would (median), isr / online"],
                body)


def repair(results, seed_sets):
    """Fig. 10: per seed set and visit rate, the learners hacked in Fig. 6 and those of the
    cell of the most data: goals kept by the frozen ISR and the two online ones, the paired
    differences, whether the hacking stopped, and what each online ISR pays into the goal."""
    body = []
    for name, r in all_sets(results, seed_sets, "fig10"):
        hacked, accurate, online = r["hacked"], r["accurate"], [a for a in r["arms"] if a.startswith("isr_online")]
        for i, q in enumerate(r["visit_rates"]):
            kept = lambda group, arm: ", ".join(pct(v, 0) for v in group[f"{arm}_kept"][i])
            test = lambda group, arm: (effect(group[f"{arm}_vs_isr"][i]) if group[f"{arm}_vs_isr"][i] else "—")
            body.append([name if i == 0 else "", f"{q:g}", hacked["learners"],
                         " / ".join(kept(hacked, arm) for arm in ["isr"] + online),
                         " / ".join(test(hacked, arm) for arm in online),
                         " / ".join(str(hacked[f"{arm}_hacked_at_end"][i]) for arm in ["isr"] + online),
                         " / ".join(f"{hacked[f'{arm}_goal_forward'][i]:.3f}" for arm in ["isr"] + online),
                         " / ".join(pct(np.mean(accurate[f"{arm}_kept"][i]), 0) for arm in ["isr"] + online),
                         " / ".join(test(accurate, arm) for arm in online)])
    arms = "frozen / online, calibration kept / refitted"
    return rows(["seeds", "q", "learners hacked in Fig. 6", f"their goals kept, {arms} (each learner)",
                 "online − frozen, kept / refitted (paired)", f"still hacked at the end, {arms}",
                 f"R_i into the goal at the end (held out), {arms}", f"most-data cell: kept, {arms} (mean)",
                 "most-data cell: online − frozen, kept / refitted (paired)"], body)


def repair_findings(results, seed_sets):
    """Fig. 10's findings over every seed set that ran it, each computed from the numbers."""
    sets = all_sets(results, seed_sets, "fig10")
    groups = [r["hacked"] for _, r in sets]
    n = sum(g["learners"] for g in groups)
    visited = [i for i, q in enumerate(sets[0][1]["visit_rates"]) if q > 0]
    kept, refit = [a for a in sets[0][1]["arms"] if a.startswith("isr_online")]
    total = lambda arm, rates: sum(g[f"{arm}_hacked_at_end"][i] for g in groups for i in rates)
    mean = lambda arm, key: np.nanmean(np.array([[g[f"{arm}_{key}"][i] for i in visited] for g in groups if g["learners"]],
                                                dtype=float))
    least = lambda arm: [g[f"{arm}_least_rate_every_learner_keeps"] for g in groups if g["learners"]]
    tests = [t for _, r in sets for arm in (kept, refit) for i, t in enumerate(r["accurate"][f"{arm}_vs_isr"])
             if t and i in visited]
    farmed = max(mean(kept, "farmed_r_i"), mean(refit, "farmed_r_i"))
    never = all(v is None for arm in (kept, refit) for v in least(arm))
    back = lambda arm: "from q = " + ", ".join("none tested" if v is None else f"{v:g}" for v in least(arm))
    return "\n".join([
        f"- **{n} learners** of the cells Fig. 10 continues were hacked at the end of Fig. 6 (seeds "
        f"{', '.join(name for name, _ in sets)}). "
        f"Without visits (q = 0) the frozen ISR left {total('isr', [0])} of them hacked, the online ISRs "
        f"{total(kept, [0])} (calibration kept) and {total(refit, [0])} (refitted): with no visit there is "
        "nothing to train on.",
        f"- **With visits** (q > 0, counted over the learners and the visit rates), learners still hacked at "
        f"the end: frozen {total('isr', visited)} of {n * len(visited)}, online {total(kept, visited)} "
        f"(kept) and {total(refit, visited)} (refitted). On the steps the learners had farmed, the online ISRs "
        f"paid {farmed:.3f} at most on the mean, against {mean('isr', 'farmed_r_i'):.3f} before.",
        f"- **Into the goal** (held out; R_s = 0.4) the frozen ISR paid {mean('isr', 'goal_forward'):.3f}, the "
        f"online ones {mean(kept, 'goal_forward'):.3f} (kept) and {mean(refit, 'goal_forward'):.3f} (refitted), "
        f"while their networks' own output on the steps the caregiver rewarded was "
        f"{mean(kept, 'output_on_rewarded'):.3f} (kept) and {mean(refit, 'output_on_rewarded'):.3f} (refitted); "
        "mean over q > 0.",
        "- **Goals of the hacked learners, online − frozen**, pooled over the seed sets (a term per set): "
        + "; ".join(f"q = {sets[0][1]['visit_rates'][i]:g}: " + ", ".join(
            f"{label} {pooled_repair(groups, arm, i)}" for arm, label in ((kept, "kept"), (refit, "refitted")))
            for i in visited) + ".",
        f"- **Goals**: at no tested q did the online ISR bring every hacked learner of a seed set back to "
        f"{pct(KEEPS_ABOVE, 0)} of its level, with its calibration kept or refitted." if never else
        f"- **Goals**: every hacked learner of a seed set back to {pct(KEEPS_ABOVE, 0)} of its level, per "
        f"set: calibration kept {back(kept)}; refitted {back(refit)}.",
        f"- **The cell of the most data**, its learners not hacked: online − frozen lay between "
        f"{min(t['diff'] for t in tests):+.3f} and {max(t['diff'] for t in tests):+.3f} of the level "
        f"(smallest p {min(t['p'] for t in tests):.2g}) on every seed set and q > 0.",
    ])


def pooled_repair(groups, arm, i):
    """Fig. 10: `arm` − frozen at visit rate i over the hacked learners of every seed set, a
    term per set (stats.pooled_paired_t_test); '—' with too few learners."""
    differences = [np.subtract(g[f"{arm}_kept"][i], g["isr_kept"][i]) for g in groups if g["learners"]]
    try:
        return effect(stats.pooled_paired_t_test(differences)._asdict())
    except ValueError:
        return "—"


def thresholds(results, seed_sets):
    """Fig. 9 (a): per threshold, the return in new worlds against the frozen learners and the oracle."""
    r = results["fig9"]["thresholds"]
    body = [[f"{t:g}" + (" (Fig. 4 right's threshold; its own run)" if t == 0.2 else ""), estimate(r["return_interval"], i),
             effect(r["isr_vs_frozen"][i]), effect(r["isr_vs_oracle"][i]), f"{np.nanmean(np.array(r['r_i_over_r_s'][i], dtype=float)):.3f}"]
            for i, t in enumerate(r["thresholds"])]
    body.append(["frozen (no further learning)", estimate(r["frozen_interval"]), "", "", ""])
    body.append(["oracle (caregiver stays)", estimate(r["oracle_interval"]), "", "", ""])
    return rows(["ISR threshold", "return in new worlds [95 % interval]", "− frozen (paired)", "− oracle (paired)",
                 "ISR pays / caregiver would, mean over seeds"], body)


def grid_ood(results, seed_sets):
    """Fig. 9 (b): Fig. 6's grid, its learners scored in new worlds."""
    r = results["fig9"]["grid"]
    body = [[f"{e:,}"] + [f"{estimate(r['ood_interval'][b], i)} ({r['seeds_hacked'][b][i]} hacked)"
                          for b in range(len(r["isr_training"]))]
            for i, e in enumerate(r["isr_episodes"])]
    return rows(["ISR data (socialization episodes)"] + r["isr_training"], body)


def features(results, seed_sets):
    """Fig. 9 (c): the learner's features."""
    r = results["fig9"]["features"]
    body = [[name, share(r["socialized_interval"], i),
             f"{share(r['none_interval'], i)}, highest {pct(max(r['none_fraction_of_socialized'][i]), 0)}",
             f"{share(r['isr_interval'], i)}, lowest {pct(min(r['isr_fraction_of_socialized'][i]), 0)}",
             f"t = {r['isr_vs_none'][i]['t']:.1f}, p = {p_value(r['isr_vs_none'][i]['p'])}"]
            for i, name in enumerate(r["sets"])]
    return rows(["features", "socialized, share of the planner", "`none`: share kept", "`isr`: share kept",
                 "isr vs none (paired)"], body)


def beyond_seed_sets(results, seed_sets):
    """Figs 8 and 9's claims on every seed set with them."""
    body = []
    for name, r in [("1234–1243 (the committed run)", results)] + sorted(
            (k, v) for k, v in seed_sets.items() if "fig8" in v):
        f8, f9 = r["fig8"], r["fig9"]
        least = lambda arm: f8[f"{arm}_least_rate_every_learner_keeps"]
        online = [t["p"] for t in f8["isr_online_vs_isr"]]
        th = f9["thresholds"]
        above = sum(t["diff"] > 0 and t["p"] < 0.05 for t in th["isr_vs_frozen"])
        oracle = sum(t["p"] < 0.05 for t in th["isr_vs_oracle"])
        stated = [i for i, t in enumerate(f9["grid"]["isr_training"]) if t.endswith("updates")][0]
        grid = np.array(f9["grid"]["ood_interval"][stated]["mean"])
        isr_low = min(min(v) for v in f9["features"]["isr_fraction_of_socialized"])
        none_high = max(max(v) for v in f9["features"]["none_fraction_of_socialized"])
        body.append([name, f"{least('none')} / {least('isr')} / {least('isr_online')}",
                     f"{min(online):.2g}", f"{above} of {len(th['thresholds'])}, {oracle} of {len(th['thresholds'])}",
                     f"{grid[0]:.3f} → {grid[-1]:.3f}",
                     f"{pct(min(f9['features']['socialized_interval']['mean']), 0)}–{pct(max(f9['features']['socialized_interval']['mean']), 0)}; "
                     f"≤ {pct(none_high, 1)}; ≥ {pct(isr_low, 0)}"])
    return rows(["seeds", "Fig. 8: least q at which every learner keeps 80 %, none / isr / online",
                 "Fig. 8: online − isr, smallest p over q", "Fig. 9 a: thresholds above frozen (p < 0.05), differing from the oracle",
                 "Fig. 9 b: 1,000-update ISRs, least → most data", "Fig. 9 c: socialized share of planner; `none` kept; `isr` kept, every learner and set"],
                body)


def mlp(results, seed_sets):
    """The MLP learner on the raw view (figures/mlp/): Figs 1 and 4 left's claims, each run."""
    body = []
    for name, r in sorted(results.get("mlp_runs", {}).items()):
        f = r["fig1"]
        isr, none = np.asarray(f["isr_fraction_of_socialized"]), np.asarray(f["none_fraction_of_socialized"])
        social = np.asarray(f["socialized_goals_per_episode"]) / f["planner_goals_per_episode"]
        episodes = (r["fig1"].get("run", {}).get("settings", {}).get("internalization", {})
                    .get("socialization", 18000))
        t = f["isr_vs_none_student"]
        body.append([name, f"{episodes:,}", f"{pct(social.mean(), 0)} ({pct(social.min(), 0)}–{pct(social.max(), 0)})",
                     f"{pct(none.mean())}, highest {pct(none.max())}", f"{pct(isr.mean())}, lowest {pct(isr.min())}",
                     f"t = {t['t']:.1f}, p = {p_value(t['p'])}"])
    return rows(["run", "socialization episodes", "socialized, share of the planner (seeds)", "`none`: share kept",
                 "`isr`: share kept", "isr vs none (Student)"], body)




def _experiment_row(name):
    """(what the experiment does, the figures that read it) for the cost table."""
    return EXPERIMENTS[name].summary, ", ".join(f for f in reading(name) if f != "6-single-run")


def _costs(results):
    """What each experiment of the committed full run cost: its `timing` entries, in the
    order of the figures that first drew them."""
    return [c for name in results.get("timing", {}).get("figures", [])
            for c in results[f"fig{name}"]["timing"]["experiments"]]


def timing(results, seed_sets):
    """What each experiment and the new figures cost in the committed full run."""
    total, costs = results.get("timing", {}), _costs(results)
    body = []
    for cost in costs:
        what, figs = _experiment_row(cost["experiment"])
        body.append([f"`{cost['experiment']}` ({what})", figs, f"{cost['seconds']:.1f}",
                     f"{cost['env_steps'] / 1e6:.2f} M", f"{cost['env_steps'] / cost['seconds'] / 1e3:.0f} k"])
    ours = lambda c: EXPERIMENTS[c["experiment"]].run.__module__.startswith("beyond")
    paper, new = (sum(c["seconds"] for c in costs if ours(c) == mine) for mine in (False, True))
    body.append(["the paper's experiments (experiments.py) / ours (beyond/), in the same run", "",
                 f"{paper:.1f} / {new:.1f} (ratio {new / paper:.2f})", "", ""])
    for worlds, learner in total.get("learner_steps_per_second", {}).items():
        bare = total["bare_world_steps_per_second"][worlds]
        body.append([f"benchmarks at {worlds}: the learner (`agents.learn`, caregiver present) / the bare world "
                     "(random actions)", "", "", "", f"{learner / 1e3:.0f} k / {bare / 1e3:.0f} k (ratio {learner / bare:.2f})"])
    body.append(["the whole run, wall; peak memory (max RSS), main process / largest worker", "",
                 f"{total.get('seconds_total', float('nan')):.1f}; {total.get('peak_memory_mb', float('nan')) / 1024:.2f} GB / "
                 f"{(total.get('peak_memory_mb_of_a_worker') or float('nan')) / 1024:.2f} GB", "", ""])
    return rows(["experiment (config)", "figures", "seconds", "env steps", "steps/s"], body)


def chains(results, seed_sets):
    """The floors on a run's wall time at the committed full run's speeds: its experiments'
    total over its cores, and the longest chain of experiments that continue each other's
    learners (with one process per experiment, no number of cores runs it in less); also
    without the experiments that only the figures beyond the paper's nine read."""
    jobs = results["timing"]["jobs"]
    costs = {c["experiment"]: c["seconds"] for c in _costs(results)}
    later = [e for e in costs if all(not f.isdigit() or int(f) > 9 for f in reading(e))]

    def longest(name, skip):
        followers = [longest(e, skip) for e in costs if EXPERIMENTS[e].continues == name and e not in skip]
        best = max(followers, key=lambda chain: chain[0], default=(0.0, []))
        return costs[name] + best[0], [name] + best[1]

    def floors(skip=()):
        seconds, names = max((longest(e, skip) for e in costs if not EXPERIMENTS[e].continues and e not in skip),
                             key=lambda chain: chain[0])
        total = sum(s for e, s in costs.items() if e not in skip)
        return (f"{total:.0f} s of experiments, so at least {math.floor(total / jobs)} s on "
                f"{jobs} cores; longest chain {' → '.join(f'`{n}`' for n in names)}, {seconds:.0f} s")
    last = max(int(f) for e in costs for f in reading(e) if f.isdigit())
    return (f"At the committed run's speeds: Figs 1–{last}, {floors()}. Figs 1–9 (without "
            f"{', '.join(f'`{e}`' for e in later)}): {floors(later)}.")


def fig6_protocol(results, seed_sets):
    """docs/deviations.md: each difference between our Fig. 6 and the paper's single run,
    measured with the authors' ISR: learners hacked (paid > 1.25 × what the caregiver would),
    summed over every seed set that ran the figures read."""
    sets = lambda figure: all_sets(results, seed_sets, figure)
    total = lambda figure, count: sum(count(r) for _, r in sets(figure))
    learners = lambda figure, shape: total(figure, lambda r: shape(r))
    x = lambda r: r["hacking"]["layouts"].index("x")
    grid, authors = sets("fig6")[0][1], sets("fig6")[0][1]["isr_training"].index("the authors' ISR")
    fig11 = sets("fig11")[0][1]
    add = fig11["designs"].index("+ R_i plus step cost")
    body = [
        ["socialization worlds, and the worlds after", "3 random blocks; new worlds of 5 random blocks",
         "1 random block; the hand-picked layout \"x\"",
         f"our grid: {total('fig6', lambda r: r['seeds_hacked'][authors][-1])} of "
         f"{learners('fig6', lambda r: len(r['goals_first'][0][0]))} hacked (all the data); socialized with 1 block, "
         f"in new 5-block worlds {total('fig4', lambda r: np.sum(r['right']['hacked']['isr_authors']))} of "
         f"{learners('fig4', lambda r: np.size(r['right']['return']['isr_authors']))}, in \"x\" "
         f"{total('fig5', lambda r: sum(run[x(r)] for run in r['hacking']['isr_authors']['seeds_hacked']))} of "
         f"{learners('fig5', lambda r: len(r['hacking']['isr_authors']['seeds_hacked']) * len(r['return']['isr'][0][0]))} "
         "(learners × runs)"],
        ["phase 2's length", "6,000 episodes", "12,000 episodes",
         f"in \"x\" after 6,000: {total('fig5', lambda r: sum(run[x(r)] for run in r['hacking']['isr_authors']['seeds_hacked_halfway']))}"
         f", after 12,000: {total('fig5', lambda r: sum(run[x(r)] for run in r['hacking']['isr_authors']['seeds_hacked']))}; "
         f"in every layout {total('fig5', lambda r: np.sum(r['hacking']['isr_authors']['seeds_hacked_halfway']))} and "
         f"{total('fig5', lambda r: np.sum(r['hacking']['isr_authors']['seeds_hacked']))}"],
        ["the ISR's data", f"the first {grid['isr_episodes'][0]:,} … {grid['isr_episodes'][-1]:,} episodes", "all of it",
         " … ".join(str(total("fig6", lambda r, z=z: r["seeds_hacked"][authors][z]))
                    for z in range(len(grid["isr_episodes"]))) + " hacked, from the least data to all"],
        ["the reward rule, thresholded at 0.2", "as the authors: a paid step's R_i replaces its cost", "the same",
         f"Fig. 11, least data: {total('fig11', lambda r: r['seeds_hacked'][0][0])} hacked as the authors, "
         f"{total('fig11', lambda r: r['seeds_hacked'][add][0])} with R_i added to the cost "
         f"(of {learners('fig11', lambda r: len(r['goals_first'][0][0]))})"],
    ]
    n = len(sets("fig6"))
    return rows(["difference", "our Fig. 6", "the paper's run", f"the authors' ISR here ({n} seed set{'s' * (n > 1)})"],
                body)


def ablations(results, seed_sets):
    """docs/beyond.md, Fig. 11: learners hacked per design and data size, on each seed set."""
    sets = all_sets(results, seed_sets, "fig11")
    first = sets[0][1]
    body = [[design] + [" / ".join(",".join(str(h) for h in r["seeds_hacked"][d]) for _, r in sets)]
            + [f"{np.nanmedian(np.array(first['r_i_over_r_s_last'][d][0], dtype=float)):.2f}"]
            for d, design in enumerate(first["designs"])]
    return rows(["ISR", f"learners hacked, {', '.join(f'{e:,}' for e in first['isr_episodes'])} episodes; seed sets "
                        + " / ".join(name for name, _ in sets),
                 f"median paid / caregiver would, {first['isr_episodes'][0]:,} episodes, {sets[0][0]}"], body)


def quick_shows(results, seed_sets):
    """docs/usage.md's sentence on what the quick budget shows, as --help says it (claims.QUICK_SHOWS)."""
    return f"What it shows: {claims.QUICK_SHOWS}."


TABLES = {"quick_shows": quick_shows, "front": front, "run_time": run_time, "internalization": internalization, "seed_sets": seed_sets, "calibration": calibration,
          "reliability": reliability,
          "isr_designs": isr_designs, "new_worlds": new_worlds, "layouts": layouts,
          "generalization_verdict": generalization_verdict, "pooled": pooled, "layout_levels": layout_levels,
          "incomplete": incomplete,
          "grid_instrument": grid_instrument, "zero_output": zero_output,
          "helping": helping, "helping_seed_sets": helping_seed_sets, "helping_controls": helping_controls,
          "partial_presence": partial_presence, "repair": repair, "repair_findings": repair_findings, "thresholds": thresholds, "grid_ood": grid_ood,
          "features": features, "beyond_seed_sets": beyond_seed_sets, "mlp": mlp, "timing": timing,
          "chains": chains, "fig6_protocol": fig6_protocol, "ablations": ablations}
BLOCK = re.compile(r"<!-- results:(\w+) -->\n.*?<!-- /results -->", re.S)
ROOT = Path(__file__).resolve().parent.parent
# The documents whose result blocks `rewrite` writes, relative to the repository's root.
DOCUMENTS = ("README.md", "docs/results.md", "docs/beyond.md", "docs/deviations.md", "docs/usage.md",
             "docs/performance.md")


def render(results, seed_set_results):
    """{table name: markdown} from a results.json dict and {seed range: results.json dict}."""
    return {name: table(results, seed_set_results) for name, table in TABLES.items()}


def load(results_path):
    """(results, {seed range: results}) from results.json and the seed_sets/*.json beside it;
    results["controls"] holds controls/*.json (runs with one setting changed);
    results["mlp_runs"] holds the MLP learner's runs, mlp/results.json and mlp/runs/*.json."""
    folder = Path(results_path).parent
    results = json.loads(Path(results_path).read_text())
    sets = {path.stem: json.loads(path.read_text()) for path in sorted((folder / "seed_sets").glob("*.json"))}
    mlp_runs = sorted((folder / "mlp" / "runs").glob("*.json")) + [folder / "mlp" / "results.json"]
    controls = sorted((folder / "controls").glob("*.json"))
    results["controls"] = {path.stem: json.loads(path.read_text()) for path in controls}
    results["mlp_runs"] = {("1234-1243 (figures/mlp/)" if path.parent.name == "mlp" else path.stem):
                           json.loads(path.read_text()) for path in mlp_runs if path.exists()}
    return results, sets


def update(texts, tables):
    """{document: text} with each results block replaced by its table; a ValueError names a
    block without a table, or a table in no document or in two."""
    found = {}
    for path, text in texts.items():
        for name in (m.group(1) for m in BLOCK.finditer(text)):
            found.setdefault(name, []).append(str(path))
    twice = {name: paths for name, paths in found.items() if len(paths) > 1}
    if sorted(found) != sorted(tables) or twice:
        raise ValueError(f"the documents' result blocks {sorted(found)} do not match the tables {sorted(tables)}"
                         + (f"; in two documents: {twice}" if twice else ""))
    replace = lambda m: f"<!-- results:{m.group(1)} -->\n{tables[m.group(1)]}\n<!-- /results -->"
    return {path: BLOCK.sub(replace, text) for path, text in texts.items()}


def rewrite(results_path, check=False):
    """Rewrite the DOCUMENTS' tables and pooled.json (beside results_path) from the results,
    or with `check` only see whether they are current. Returns the paths that were (or would
    be) rewritten; a ValueError says why the tables cannot be made."""
    pooled_path = Path(results_path).parent / "pooled.json"
    try:
        texts = {path: path.read_text() for path in (ROOT / d for d in DOCUMENTS)}
        results, seed_sets = load(results_path)
        new = update(texts, render(results, seed_sets))
        pooled_text = pooled_json(results, seed_sets)
        old_pooled = pooled_path.read_text() if pooled_path.exists() else None
    except (OSError, KeyError) as error:
        raise ValueError(f"{type(error).__name__}: {error}") from None
    stale = [path for path, text in new.items() if text != texts[path]] + ([pooled_path] if pooled_text != old_pooled else [])
    if not check:
        for path in stale:
            text = pooled_text if path == pooled_path else new[path]
            outputs.save_file(path, lambda tmp, text=text: Path(tmp).write_text(text))
    return stale


def main(argv=None):
    parser = argparse.ArgumentParser(description="Rewrite (or --check) the result tables of README.md and docs/ "
                                                 "from results.json.")
    parser.add_argument("--results", default=str(ROOT / "figures" / "results.json"))
    parser.add_argument("--check", action="store_true", help="exit 1 if a table or pooled.json is stale")
    args = parser.parse_args(argv)
    try:
        stale = rewrite(args.results, check=args.check)
    except ValueError as error:
        sys.exit(f"lab.report: {error}")
    if args.check:
        sys.exit("lab.report: a result table or pooled.json is stale; run python -m lab.report" if stale else 0)
    for path in stale:
        print(f"rewrote {path}")


def pooled_json(results, seed_sets):
    """figures/pooled.json: claims.pooled_claims over the committed run and every seed set."""
    return json.dumps(pooled_over_sets(results, seed_sets), indent=1) + "\n"


if __name__ == "__main__":
    main()
