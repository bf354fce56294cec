"""lab/report.py — the result tables of README.md and docs/, generated from figures/results.json.

In the DOCUMENTS each table sits between `<!-- results:NAME -->` and `<!-- /results -->`;
`python -m lab.report` rewrites those blocks from the saved results, and tests/test_docs.py
fails when a block differs from what the committed results give, so no number in them is
typed by hand. One mechanism makes almost every block: `<!-- results:fig4 isr_hacked
right/hacked -->` is a table of those claims of Fig. 4's results.json entry, a column for
the committed run and one for each run of figures/seed_sets/ (claims_table). The few
tables with a shape of their own are TABLES: the README's verdicts (front), the pooled
comparisons, the run's cost. It also writes figures/pooled.json: each comparison of Figs 4
right, 5 and 7 pooled over every seed set (beyond.claims.pooled_claims).

A full run into figures/ (`python figures.py`) rewrites them too, so that the documents
always describe the results beside them.

Usage: python -m lab.report [--check] [--results figures/results.json]
Public names: DOCUMENTS, TABLES, claims_table, cell, summary_line, update, rewrite, pooled_json, main.
"""
import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

import claims
from beyond import claims as beyond_claims
from experiments import IncompleteInternalization, isr_training
from lab import outputs
from lab.registry import EXPERIMENTS, QUICK_SHOWS, reading

# The paper's Frozen arm kept learning with its caregiver in the training world: our frozen_authors.
paper_number = lambda x: f"{x:.3f}".replace("0.", ".", 1)       # the paper prints .541
PAPER_FIG4 = {arm: f"{paper_number(m)} ± {paper_number(se)}" for arm, (m, se) in claims.PAPER_FIG4.items()}
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
# Fig. 5's tests as the paper prints them (the method effect at "T" of y ~ method × env;
# the caption drops the sign of isr − oracle, −1.12 in the authors' own orientation).
PAPER_FIG5_TESTS = {"frozen_authors_vs_isr": "t = −3.66, p < .001", "isr_vs_oracle": "t = 1.12, p = .27"}
# Fig. 5's returns per layout (plus / x / U / T / 4 rooms) as the paper plots them.
PAPER_FIG5 = {arm: " / ".join(map(paper_number, values)) for arm, values in claims.PAPER_FIG5.items()}


def pct(x, digits=1):
    return f"{100 * x:.{digits}f} %"


def p_value(p):
    """p in the README's style: 0.015, 2.5·10⁻⁶."""
    if p >= 0.001:
        return f"{p:.2g}"
    mantissa, exponent = f"{p:.1e}".split("e")
    return f"{mantissa}·10{''.join('⁻⁰¹²³⁴⁵⁶⁷⁸⁹'[0 if c == '-' else '0123456789'.index(c) + 1] for c in str(int(exponent)))}"


def effect(test, interval=""):
    """'+0.055 [+0.012, +0.098], p = 0.015' of a t-test or OLS row (`interval` names the
    interval inside its brackets)."""
    return (f"{claims.effect(test):+.3f} [{interval}{test['ci95'][0]:+.3f}, {test['ci95'][1]:+.3f}], "
            f"p = {p_value(test['p'])}")


def rows(header, body):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in body])


# ---------------------------------------------------------------------------------------------
# The tables

COMMITTED = "1234-1243"         # the committed run's seeds, named as the seed sets' files name theirs


def all_sets(results, seed_sets, figure):
    """[(seed range, that set's entry of `figure`)]: the committed run first, then every seed
    set that ran the figure."""
    return [(COMMITTED, results[figure])] + [(k, v[figure]) for k, v in sorted(seed_sets.items()) if figure in v]


def front(results, seed_sets):
    """The README's table: each of the paper's claims beside what the authors' ISR and our ISR
    give here over every seed set, each with a verdict computed from the numbers, then the
    learners hacked, farming and the spread between seed sets; then the summary, generated from
    the verdicts. Effects are signed ISR − the arm it is compared with: + the ISR does better."""
    with_authors = lambda figure: [(n, r) for n, r in all_sets(results, seed_sets, figure)
                                   if figure != "fig1" or "isr_authors_fraction_of_socialized" in r]
    f1, f6, f7 = with_authors("fig1"), all_sets(results, seed_sets, "fig6"), all_sets(results, seed_sets, "fig7")
    f3, f4, f5 = results["fig3"], all_sets(results, seed_sets, "fig4"), all_sets(results, seed_sets, "fig5")
    f12 = all_sets(results, seed_sets, "fig12") if "fig12" in results else []
    pooled = {(c["figure"], c["a"], c["b"]): c for c in pooled_over_sets(results, seed_sets)}
    kept = lambda c: min(min(r[f"{c}_fraction_of_socialized"]) for _, r in f1)
    none = max(max(r["none_fraction_of_socialized"]) for _, r in f1)
    holds = lambda ok: "holds" if ok else "**differs**"
    link = lambda anchor, text: f"[{text}](docs/results.md#{anchor})"
    caregiver = link("figs-1-3-and-4-left-the-caregiver-leaves", "Figs 1, 3, 4 left")
    new_worlds = link("figs-4-right-and-5-new-worlds", "Figs 4 right, 5")

    def beats(figure, isr):
        """(cell, verdict): ISR − the authors' frozen learner, over every learner."""
        c = pooled[figure, "frozen_authors", isr]
        t = c["pooled"]
        return (f"{-t['diff']:+.3f} [{-t['ci95'][1]:+.3f}, {-t['ci95'][0]:+.3f}], p = {p_value(t['p'])}",
                holds(c["verdict"] == "a < b"))

    def close(figure, isr, paper_p):
        """(cell, verdict): ISR − oracle within ±CLOSE_WITHIN (the equivalence test), and the
        paper's own test on the committed run's learners."""
        e = pooled[figure, isr, "oracle"]["equivalence"]
        return (f"{e['diff']:+.3f} [{e['ci90'][0]:+.3f}, {e['ci90'][1]:+.3f}] "
                f"{'within' if e['equivalent'] else 'not within'} ±{e['margin']} (the paper's test, "
                f"{COMMITTED}: p = {p_value(paper_p(isr))})", holds(claims.close(e)))

    student = lambda isr: results["fig4"]["right"]["reruns"][0][f"{isr}_vs_oracle"]["student"]["p"]
    ols = lambda isr: results["fig5"]["reruns"][0][f"{isr}_vs_oracle"]["paper_interaction_at_T"]["p"]
    hacked = np.array([r["seeds_hacked"] for _, r in f6])                  # (sets, trainings, sizes)
    farming = np.array([r["seeds_farming"] for _, r in f6])
    n6, sizes = sum(np.shape(r["goals_first"])[-1] for _, r in f6), f6[0][1]["isr_episodes"]
    columns = f6[0][1]["isr_training"]                                     # ours, one pass; ours, 1,000; authors'
    authors, stated = columns.index("the authors' ISR"), [i for i, t in enumerate(columns) if t.endswith("updates")][0]
    help_isr = min(min(r["isr_fraction_of_socialized"]) for _, r in f7)
    help_none = max(max(r["none_fraction_of_socialized"]) for _, r in f7)
    # Fig. 4 left's authors' column: their network with PPO, their system, where Fig. 12 ran it
    system = [r["ppo"]["authors_conv"] for _, r in f12 if "authors_conv" in r.get("ppo", {})]
    least = min(c["least_kept"] for c in system) if system else kept("isr_authors")
    left = (f"their network, PPO: the least learner keeps {pct(least)} (MLP form, our learner: "
            f"{pct(kept('isr_authors'))})" if system else f"the least learner keeps {pct(least)}")
    hacked_new = lambda c: (sum(np.sum(r["right"]["hacked"][c]) for _, r in f4),              # new worlds,
                            sum(np.sum(r["hacking"][c]["seeds_hacked"]) for _, r in f5))        # layouts
    hacked_left = lambda c: sum(r[f"{c}_hacked"] for _, r in f1)
    n1 = sum(len(r["isr_fraction_of_socialized"]) for _, r in f1)
    spread = lambda isr: max((c for c in pooled.values() if isr in (c["a"], c["b"]) and c["random_effects"]),
                             key=lambda c: c["random_effects"]["i2"])
    spread_cell = lambda c: (f"largest I² {c['random_effects']['i2']:.2f} ({c['figure']}, "
                             f"{c['a']} − {c['b']})")
    body = [  # claim, paper, the authors' ISR (cell, verdict), ours (cell, verdict), details
        ["Fig. 1: without an ISR the learner un-learns once the caregiver leaves", "falls to about 0",
         ("the same learners", holds(claims.unlearned(none))),
         (f"`none` keeps at most {pct(none)} of its goals", holds(claims.unlearned(none))), caregiver],
        ["Fig. 4 left: with its ISR it keeps the behaviour", "stays", (left, holds(claims.kept(least))),
         (f"the least learner keeps {pct(kept('isr'))}", holds(claims.kept(kept("isr")))), caregiver],
        ["Fig. 3: the ISR predicts held-out social reward; more data, lower loss", "no gap; falling",
         (f"test / train loss {f3['authors_test_over_train']:.2f}", holds(claims.no_gap(f3["authors_test_over_train"]))),
         (f"test / train loss {f3['test_over_train']:.2f}; {'falls with every size' if f3['monotone'] else 'not monotone'}",
          holds(claims.no_gap(f3["test_over_train"]) and f3["monotone"])), caregiver],
        ["Fig. 4 right: in new worlds, learning from the ISR beats the authors' frozen learner",
         f"{PAPER_FIG4['isr']} vs {PAPER_FIG4['frozen_authors']}, p < .05",
         beats("Fig. 4 right", "isr_authors"), beats("Fig. 4 right", "isr"), new_worlds],
        ["Fig. 4 right: … and comes close to the oracle", f"{PAPER_FIG4['isr']} vs {PAPER_FIG4['oracle']}, p = .32",
         close("Fig. 4 right", "isr_authors", student), close("Fig. 4 right", "isr", student), new_worlds],
        ["Fig. 5: in five hand-picked layouts the ISR learner beats the authors' frozen one",
         PAPER_FIG5_TESTS["frozen_authors_vs_isr"], beats("Fig. 5", "isr_authors"), beats("Fig. 5", "isr"),
         new_worlds],
        ["Fig. 5: … and is not distinguished from the oracle", PAPER_FIG5_TESTS["isr_vs_oracle"],
         close("Fig. 5", "isr_authors", ols), close("Fig. 5", "isr", ols), new_worlds],
        ["Fig. 6: an ISR trained on too little data is hacked", "one run (all the data, a new layout)",
         (f"from {sizes[0]:,} episodes {hacked[:, authors, 0].sum()} of {n6}; from all {sizes[-1]:,}: "
          f"{hacked[:, authors, -1].sum()}", holds(hacked[:, authors, 0].sum() > 0)),
         (f"{columns[stated]}: {hacked[:, stated, 0].sum()} and {hacked[:, stated, -1].sum()}",
          holds(hacked[:, stated, 0].sum() > 0)), link("fig-6-incomplete-internalization", "Fig. 6")],
        ["Fig. 7: the ISR keeps a prosocial act after the caregiver's reward stops", "keeps helping",
         ("not run (Fig. 7 keeps its controls)", "—"),
         (f"`isr` keeps at least {pct(help_isr, 0)}, `none` at most {pct(help_none, 0)}",
          holds(claims.kept(help_isr) and help_none < claims.HELPING_LOST_BELOW)),
         link("fig-7-a-prosocial-act", "Fig. 7")],
    ]
    counts = [  # what the verdicts rest on: hacking, farming, the spread between seed sets
        ["learners hacked: paid more than 1.25 × what the caregiver would", "—",
         ((f"Fig. 4 left {sum(c['hacked'] for c in system)} (MLP form {hacked_left('isr_authors')}); " if system
           else f"Fig. 4 left {hacked_left('isr_authors')}; ") + "new worlds {}, layouts {}".format(
             *hacked_new("isr_authors")), "—"),
         (f"Fig. 4 left {hacked_left('isr')}; new worlds {{}}, layouts {{}}".format(*hacked_new("isr")), "—"),
         link("fig-6-incomplete-internalization", "Fig. 6")],
        ["learners farming: more than half of R_i paid where R_s = 0", "—",
         (f"Fig. 6: {farming[:, authors, 0].sum()} from {sizes[0]:,} episodes, {farming[:, authors, -1].sum()} "
          "from all", "—"),
         (f"Fig. 6: {farming[:, stated, 0].sum()} and {farming[:, stated, -1].sum()}", "—"),
         link("fig-6-incomplete-internalization", "Fig. 6")],
        ["spread between seed sets (a diagnostic)", "—", (spread_cell(spread("isr_authors")), "—"),
         (spread_cell(spread("isr")), "—"), new_worlds],
    ]
    header = ["the paper's claim", "the paper", "the authors' ISR: in MLP form with our learner; "
              "Fig. 4 left: their network with PPO", "verdict", "our ISR", "verdict", "details"]
    sets = f"{len(f1)} seed set{'s' * (len(f1) > 1)}, {n1} learners"
    verdicts = rows(header, [[claim, paper, *theirs, *ours, details] for claim, paper, theirs, ours, details
                             in body + counts])
    return (f"*{sets}; effects: ISR − the other arm (+: the ISR does better) [95 % interval] over every "
            f"learner; against the oracle [90 % interval] of the equivalence test.*\n\n{verdicts}\n\n{summary(body, reasons(body, results, seed_sets, f1, f6, system))}"
            + factorial(results, seed_sets))


def reasons(body, results, seed_sets, f1, f6, system):
    """Per ISR, {claim: why it differs, in a sentence made from the numbers} (`summary`)."""
    f11, steps = all_sets(results, seed_sets, "fig11"), few_steps(f6)
    removers = [name for name in f11[0][1]["designs"][1:]
                if all(np.sum(r["seeds_hacked"][r["designs"].index(name)]) == 0 for _, r in f11)]
    new_world_claims = [row[0] for row in body[3:7]]
    left = ("with their network and PPO the learners keep it less than the rule asks" if system else
            f"once the caregiver has left, {sum(r['isr_authors_hacked'] for _, r in f1)} learners hack it")
    theirs = {"Fig. 4 left: with its ISR it keeps the behaviour": left,
              **{claim: "in Figs 4 right and 5 our learners hack its MLP form; they do not beat the authors' "
                        "frozen learner or come within the margin of the oracle" for claim in new_world_claims}}
    ours = {"Fig. 5: … and is not distinguished from the oracle":
            f"in Fig. 5's layouts the ISR learner is not shown within ±{claims.CLOSE_WITHIN} of the oracle",
            "Fig. 4 right: in new worlds, learning from the ISR beats the authors' frozen learner":
            "in new worlds the ISR learner is not distinguished from the authors' frozen one",
            "Fig. 6: an ISR trained on too little data is hacked":
            "in Fig. 6 it is hacked " + (f"only where we train it for {steps} updates" if steps else "nowhere")
            + f" (Fig. 11, {len(f11)} seed set{'s' * (len(f11) > 1)}: in the authors' ISR, "
            + (f"{' and '.join(n.lstrip('+ ') for n in removers)} removes the hacking" if removers
               else "none of our choices tried removes the hacking on every set") + ")"}
    return theirs, ours


def factorial(results, seed_sets):
    """The sentences under the front table on Fig. 12: learners hacked per learner and ISR,
    summed over every seed set that ran it, and which factor that shows matters, by rule
    ("" where no set ran it)."""
    sets = all_sets(results, seed_sets, "fig12") if "fig12" in results else []
    if not sets:
        return ""
    hacked = lambda learner, isr: sum(r[learner][isr]["hacked"] for _, r in sets)
    n = sum(len(r["ours"]["ours"]["kept"]) for _, r in sets)
    text = (f" Fig. 12 takes the authors' ISR apart ({len(sets)} seed set{'s' * (len(sets) > 1)}, {n} learners "
            f"of each kind, learners "
            f"hacked): in MLP form {hacked('ours', 'authors_mlp')} with our learner, "
            f"{hacked('ours_no_entropy', 'authors_mlp')} with it without its entropy bonus, "
            f"{hacked('ppo', 'authors_mlp')} with PPO; their network {hacked('ours', 'authors_conv')} with our "
            f"learner and {hacked('ppo', 'authors_conv')} with PPO; our ISR {hacked('ours', 'ours')}, "
            f"{hacked('ours_no_entropy', 'ours')} and {hacked('ppo', 'ours')}.")
    network_safe = hacked("ours", "authors_conv") + hacked("ppo", "authors_conv") == 0
    if network_safe and hacked("ours", "authors_mlp") > 0:
        text += (" Their network is hacked by neither learner: what makes the authors' ISR hackable here is "
                 "its MLP form, a part of ours" + (", and with it the learner: PPO does not hack it."
                                                    if hacked("ppo", "authors_mlp") == 0 else "."))
    return text


def summary(body, why):
    """The sentences under the front table, from its verdicts: how many claims differ, per ISR,
    then why, a short sentence each (`why`: per ISR, {claim: a clause made from the numbers};
    the claim itself where none; a clause shared by several claims is said once)."""
    sentences = []
    for column, name, reasons in ((2, "the authors' ISR", why[0]), (3, "our ISR", why[1])):
        differing = [row[0] for row in body if "differs" in row[column][1]]
        count = NUMBER_WORDS.get(len(differing), len(differing))
        sentences.append(f"With {name} every claim holds here." if not differing else
                         f"With {name} {count} of the paper's {NUMBER_WORDS.get(len(body), len(body))} claims "
                         f"differ{'s' * (len(differing) == 1)} here.")
        sentences += [clause[0].upper() + clause[1:] + "." for clause in dict.fromkeys(reasons.get(c, c) for c in differing)]
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
    """The README's lines on what the first command costs, and a quick run (the committed
    runs' timings: figures/results.json, figures/quick/results.json)."""
    t, quick = results["timing"], results["quick_run"]["timing"]
    return (f"The run in `figures/` took {t['seconds_total'] / 60:.1f} minutes on {t['jobs']} cores "
            f"(peak memory {t['peak_memory_mb'] / 1024:.1f} GB in the main process, "
            f"{(t['peak_memory_mb_of_a_worker'] or 0) / 1024:.1f} GB in the largest worker); "
            f"`python figures.py --quick`, the paper's figures at a small budget, took "
            f"{quick['seconds_total']:.0f} s on {quick['jobs']} cores.")


def pooled_over_sets(results, seed_sets):
    """beyond.claims.pooled_claims over the committed run (seeds 1234–1243) and every seed set."""
    return beyond_claims.pooled_claims({COMMITTED: results, **seed_sets})


def pooled(results, seed_sets):
    """Figs 4 right, 5 and 7: each comparison pooled over every learner of every seed set,
    with a term per set (beyond.claims.pooled_claims), beside each set's own paired test."""
    close = lambda e: "—" if e is None else (f"[{e['ci90'][0]:+.3f}, {e['ci90'][1]:+.3f}], "
                                              f"{'within' if e['equivalent'] else 'not within'}, p = {p_value(e['p'])}")
    body = [[c["figure"], f"{c['a']} − {c['b']}", f"{c['learners']} in {c['seed_sets']}", effect(c["pooled"]),
             c["verdict"], close(c["equivalence"]),
             f"{effect(c['random_effects'])}; {heterogeneity(c['random_effects'])}" if c["random_effects"] else "—",
             "; ".join(f"{name}: {claims.effect(t):+.3f}, p {p_value(t['p'])}" for name, t in c["per_set"].items())]
            for c in pooled_over_sets(results, seed_sets)]
    return rows(["figure", "paired, per learner", "learners in seed sets",
                 "every learner, a term per set [95 %], p", "verdict",
                 f"equivalent within ±{claims.CLOSE_WITHIN}: 90 % interval, p",
                 "between sets (a diagnostic): random effects [95 %], p; Q, I², τ", "each seed set alone"], body)


def heterogeneity(test):
    """'Q = 24.2 on 3 df, I² 0.88, τ 0.014': how much the seed sets' estimates differ."""
    return f"Q = {test['q']:.1f} on {test['df']} df, I² {test['i2']:.2f}, τ {test['tau']:.3f}"


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
    body.append(["the whole run, wall; peak memory (max RSS), main process / largest worker", "",
                 f"{total.get('seconds_total', float('nan')):.1f}; {total.get('peak_memory_mb', float('nan')) / 1024:.2f} GB / "
                 f"{(total.get('peak_memory_mb_of_a_worker') or float('nan')) / 1024:.2f} GB", "", ""])
    return rows(["experiment (config)", "figures", "seconds", "env steps", "steps/s"], body)


def quick_shows(results, seed_sets):
    """docs/usage.md's sentence on what the quick budget shows, as --help says it (lab.registry.QUICK_SHOWS)."""
    return f"What it shows: {QUICK_SHOWS}."


# ---------------------------------------------------------------------------------------------
# Every other table: named claims of one figure, a column per seed set

# The paper's published values beside ours, for the claims whose numbers it printed.
PAPER = {**{("fig4", f"right/return/{arm}"): value for arm, value in PAPER_FIG4.items()},
         ("fig4", "right/reruns/0/frozen_authors_vs_isr/student"): "p < .05",
         ("fig4", "right/reruns/0/isr_vs_oracle/student"): "p = .32",
         **{("fig5", f"return/{arm}/0"): value for arm, value in PAPER_FIG5.items()},
         **{("fig5", f"reruns/0/{name}/paper_interaction_at_T"): value for name, value in PAPER_FIG5_TESTS.items()}}


def claims_table(spec, results, seed_sets):
    """The table of a block `<!-- results:FIGURE CLAIM CLAIM ... -->`: a row per claim of the
    figure's results.json entry (a path into it, "/" between keys, a number indexing a list),
    a column per run that has the figure: the committed run and every seed set, or with
    FIGURE@controls or FIGURE@mlp the runs in figures/controls/ or figures/mlp/."""
    figure, *paths = spec.split()
    figure, _, source = figure.partition("@")
    if source:
        runs = {"controls": results["controls"], "mlp": results["mlp_runs"]}[source]
        columns = [(name, r[figure]) for name, r in runs.items() if figure in r]
    else:
        columns = all_sets(results, seed_sets, figure)
    paper = [PAPER.get((figure, path)) for path in paths]
    header = [f"`{figure}`"] + ["paper"] * any(paper) + [name for name, _ in columns]
    body = []
    for path, published in zip(paths, paper):
        values = [lookup(entry, path) for _, entry in columns]
        if all(v is MISSING for v in values):
            raise KeyError(f"{figure} has no claim {path}")
        body.append([f"`{path}`"] + [published or "—"] * any(paper)
                    + [cell(None if v is MISSING else v, len(entry["run"]["seeds"])) for v, (_, entry) in zip(values, columns)])
    return rows(header, body)


MISSING = object()


def lookup(entry, path):
    """entry's value at `path` ("right/return/isr", "seeds_hacked/2"; "_" may stand for a
    space), MISSING where a run does not have it (an older run, a control without it)."""
    for key in path.split("/"):
        if isinstance(entry, list):
            entry = entry[int(key)]
        elif key in entry or key.replace("_", " ") in entry:
            entry = entry[key] if key in entry else entry[key.replace("_", " ")]
        else:
            return MISSING
    return entry


def cell(value, learners):
    """A claim as a table shows it: a number; a number per learner (a list as long as the run
    has `learners`) as 'mean (lowest–highest)'; a test as its effect; any other list (per run,
    rate, size …) item by item: numbers joined by ', ', other items by ' / ', one more level
    in [brackets]."""
    if value is None or isinstance(value, str):
        return "—" if value is None else value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, dict) and "p" in value:
        return effect(value)
    if isinstance(value, dict) and "ci95" in value:                     # claims.interval
        means, cis = np.atleast_1d(value["mean"]), np.reshape(value["ci95"], (-1, 2))
        return " / ".join(f"{number(m)} [{number(lo)}, {number(hi)}]" for m, (lo, hi) in zip(means, cis))
    if isinstance(value, dict):
        return "; ".join(f"{key}: {cell(v, learners)}" for key, v in value.items())
    spread = per_learner(value, learners)
    if spread is not None:
        return "—" if not spread else "{} ({}–{})".format(*spread)
    if _numeric(value):
        return ", ".join("—" if v is None else number(v) for v in value)
    items = [cell(v, learners) for v in value]
    if any(isinstance(v, list) and v and isinstance(v[0], list) for v in value):
        return " ".join(f"[{item}]" for item in items)                 # a list of lists of lists
    return " / ".join(items)


def summary_line(figure, entry):
    """A figure's line in the end-of-run summary: its registry.Figure.summary claims, each
    named in words and given as the tables give it, a number per learner as its mean, lowest
    and highest; and its quick caveat if its arrays are of the quick budget."""
    learners = len(entry["run"]["seeds"])
    values = [(words, lookup(entry, path)) for path, words in figure.summary]
    line = "; ".join(f"{words}: {in_words(v, learners)}" for words, v in values if v is not MISSING) or "drawn"
    return line + (f" ({figure.quick_caveat})" if figure.quick_caveat and entry["run"]["quick"] else "")


def in_words(value, learners):
    """`cell`, with a number per learner said as 'mean 1.06, lowest 0.989, highest 1.11' and a
    test's interval named."""
    spread = per_learner(value, learners)
    if spread:
        return "mean {}, lowest {}, highest {}".format(*spread)
    if isinstance(value, dict) and "p" in value:
        return effect(value, interval="95 %: ")
    return cell(value, learners)


def _numeric(value):
    return all(v is None or isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)


def per_learner(value, learners):
    """(mean, lowest, highest) as the tables print them, of a number per learner (a list of
    floats as long as the run has `learners`, NaN left out; () if all are NaN); None for any
    other value."""
    if not isinstance(value, list) or len(value) != learners or not _numeric(value) \
            or all(isinstance(v, int) for v in value):
        return None
    v = np.array(value, dtype=float)
    v = v[~np.isnan(v)]
    return (number(v.mean()), number(v.min()), number(v.max())) if v.size else ()


def number(x):
    """3 significant digits (thousands grouped); NaN as '—'."""
    if isinstance(x, int):
        return f"{x:,}"
    if np.isnan(x):
        return "—"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"

# The tables with a shape of their own; every other block is a claims_table.
TABLES = {"front": front, "run_time": run_time, "pooled": pooled, "timing": timing, "quick_shows": quick_shows}
BLOCK = re.compile(r"<!-- results:([^>]+?) -->\n.*?<!-- /results -->", re.S)
ROOT = Path(__file__).resolve().parent.parent
# The documents whose result blocks `rewrite` writes, relative to the repository's root.
DOCUMENTS = ("README.md", "docs/results.md", "docs/beyond.md", "docs/deviations.md", "docs/usage.md",
             "docs/performance.md")


def table(name, results, seed_sets):
    """The markdown of block `name`: a table of TABLES, else claims_table(name); a ValueError
    names a figure or claim the results do not have."""
    try:
        return TABLES[name](results, seed_sets) if name in TABLES else claims_table(name, results, seed_sets)
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(f"the block results:{name} cannot be made ({type(error).__name__}: {error})") from None


def load(results_path):
    """(results, {seed range: results}) from results.json and the seed_sets/*.json beside it;
    results["controls"] holds controls/*.json (runs with one setting changed);
    results["mlp_runs"] holds the MLP learner's runs, mlp/results.json and mlp/runs/*.json;
    results["quick_run"] the committed quick run's, quick/results.json."""
    folder = Path(results_path).parent
    results = json.loads(Path(results_path).read_text())
    sets = {path.stem: json.loads(path.read_text()) for path in sorted((folder / "seed_sets").glob("*.json"))}
    mlp_runs = sorted((folder / "mlp" / "runs").glob("*.json")) + [folder / "mlp" / "results.json"]
    controls = sorted((folder / "controls").glob("*.json"))
    results["controls"] = {path.stem: json.loads(path.read_text()) for path in controls}
    results["mlp_runs"] = {("1234-1243 (figures/mlp/)" if path.parent.name == "mlp" else path.stem):
                           json.loads(path.read_text()) for path in mlp_runs if path.exists()}
    quick = folder / "quick" / "results.json"
    results["quick_run"] = json.loads(quick.read_text()) if quick.exists() else {}
    return results, sets


def update(texts, results, seed_sets):
    """{document: text} with each results block replaced by its table; a ValueError names a
    block that cannot be made, or a table of TABLES in no document or in two."""
    found = {}
    for path, text in texts.items():
        for name in (m.group(1) for m in BLOCK.finditer(text)):
            found.setdefault(name, []).append(str(path))
    wrong = {name: found.get(name, []) for name in TABLES if len(found.get(name, [])) != 1}
    if wrong:
        raise ValueError(f"each of these tables belongs in one document: {wrong}")
    tables = {name: table(name, results, seed_sets) for name in found}
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
        new = update(texts, results, seed_sets)
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
    """figures/pooled.json: beyond.claims.pooled_claims over the committed run and every seed set."""
    return json.dumps(pooled_over_sets(results, seed_sets), indent=1) + "\n"


if __name__ == "__main__":
    main()
