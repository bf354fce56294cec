"""claims.py — the numbers behind each figure's claims, as pure functions of a run's arrays.

Each function takes a run of experiments.py (as saved beside the figures and loaded back)
and returns a JSON-ready dict: per-seed values, and the tests the claim rests on
(stats.py). figures.py writes them into results.json; the tables of README.md and docs/ quote them.

Public names: UNLEARNED_BELOW, KEEPS_ABOVE, NO_GAP_BELOW, CLOSE_WITHIN, HELPING_LOST_BELOW,
unlearned, kept, no_gap, close, tail_mean, paid_last, pay_ratio, effect, agree, caregiver_claims,
isr_claims, new_world_claims, layout_claims, hacked_pairs, most_farmed, hacking_claims, finite,
calibration_claims, helping_claims.
(The claims of our own figures, Fig. 3's last panel and Figs 8–12, and the seed sets pooled,
are in beyond/claims.py.)
"""

from types import MappingProxyType

import numpy as np

import env
import evaluation
import stats
from experiments import OOD_CONDITIONS, tail_updates

# A learner is hacked when its ISR pays it more than this times what the caregiver would have
# paid for the same steps (a calibrated ISR pays 0.997–1.003 times; hacked ones up to ~100).
HACKED_ABOVE = 1.25
# A second definition, farming alone: a learner farms its ISR when more than this share of
# the R_i it gets is paid on steps where the caregiver would pay nothing (R_s = 0). The 1.25
# rule mixes under-paying the goal with over-paying elsewhere; this one sees only the latter.
FARMED_ABOVE = 0.5

# The verdicts of the README's front table: each claim of the paper is a rule on our numbers.
UNLEARNED_BELOW = 0.1    # Fig. 1: every `none` learner ends below this share of its goals
KEEPS_ABOVE = 0.8        # Figs 4 left, 7 (and 8, 10): a learner keeps the behaviour at this share
NO_GAP_BELOW = 1.25      # Fig. 3: held-out test loss / train loss below this is "no gap"
CLOSE_WITHIN = 0.05      # Figs 4 right, 5: "comes close to" / "is not distinguished from" the
                         # oracle: equivalent within this return (an equivalence test,
                         # stats.equivalence)
HELPING_LOST_BELOW = 0.5  # Fig. 7: without an ISR every learner ends below this share of it

# The paper's published values, drawn beside ours on Figs 4 right and 5 and quoted by the
# documents' tables: Fig. 4 right's return in new worlds, (mean, SE), of its Frozen, Reward
# and Oracle arms; Fig. 5's mean return per layout (PAPER_LAYOUTS) of the same arms.
PAPER_FIG4 = MappingProxyType(
    {"frozen_authors": (0.541, 0.026), "isr": (0.630, 0.027), "oracle": (0.672, 0.031)}
)
PAPER_LAYOUTS = ("plus", "x", "U", "T", "4 rooms")
PAPER_FIG5 = MappingProxyType({"frozen_authors": (0.404, 0.077, 0.220, 0.367, 0.815),
                               "isr": (0.534, 0.433, 0.453, 0.529, 0.754),
                               "oracle": (0.592, 0.432, 0.484, 0.572, 0.842)})


def unlearned(most_kept):
    """Fig. 1 holds: the learner that kept the most of its goals without an ISR kept less than
    UNLEARNED_BELOW."""
    return most_kept < UNLEARNED_BELOW


def kept(least_kept):
    """Figs 4 left and 7 hold: the learner that kept the least still kept KEEPS_ABOVE."""
    return least_kept >= KEEPS_ABOVE


def no_gap(test_over_train):
    """Fig. 3 left holds: the ISR's held-out loss is within NO_GAP_BELOW of its train loss."""
    return test_over_train < NO_GAP_BELOW


def close(equivalence):
    """Figs 4 right and 5's "comes close to / is not distinguished from the oracle": the
    equivalence test (stats.equivalence) of isr − oracle within ±CLOSE_WITHIN holds."""
    return bool(equivalence["equivalent"])


def tail_mean(curve, episodes, per_update, first=False):
    """Mean over the last (or the first) `episodes` episodes of per-update curves (..., updates),
    rounded up to whole updates of `per_update` episodes."""
    k = tail_updates(episodes, per_update)
    return (curve[..., :k] if first else curve[..., -k:]).mean(axis=-1)


def paid_last(logs, updates):
    """(Σ R_i, Σ R_s) per learner over the last `updates` updates of learning logs (..., updates):
    what the ISR paid, and what the caregiver paid or would have paid for the same steps."""
    return logs["r_i"][..., -updates:].sum(axis=-1), logs["r_s"][..., -updates:].sum(axis=-1)


def pay_ratio(paid, caregiver):
    """Σ R_i / Σ R_s per learner: how much the ISR paid against what the caregiver paid or would
    have (inf where the caregiver would have paid nothing)."""
    return np.divide(paid, caregiver, out=np.full(np.shape(paid), np.inf), where=caregiver > 0)


def hacking(logs, updates):
    """(Σ R_i / Σ R_s per learner over the last `updates` updates of learning logs (...,
    updates), and whether it is above HACKED_ABOVE: the ISR paid the learner more than the
    caregiver would have for the same steps)."""
    paid, caregiver = paid_last(logs, updates)
    return pay_ratio(paid, caregiver), paid > HACKED_ABOVE * caregiver


def caregiver_claims(run, ceiling="planner"):
    """Figs 1, 4 left and 7: goals per episode at the end of socialization and at the end of
    each condition after the caregiver left (per seed; isr_authors where the run has it),
    shares of the socialized level, what each ISR paid over those last episodes against what
    the caregiver would have (learners hacked: above HACKED_ABOVE), and isr vs none by
    Student's and Welch's t-tests. `ceiling` names the reference learner
    (the shortest-path planner; in Fig. 7 the scripted helper)."""
    tail, per_update = int(run["tail_episodes"]), int(run["episodes_per_update"])
    best = float(run[f"{ceiling}_goals"])
    socialized = tail_mean(run["social"]["goals"], tail, per_update)             # (S,)
    after = {c: tail_mean(run["after"][c]["goals"], tail, per_update) for c in run["after"]}
    out = {f"{ceiling}_goals_per_episode": best,
           "socialized_goals_per_episode": socialized.tolist(),
           f"socialized_fraction_of_{ceiling}": float(socialized.mean() / best),
           "tail_episodes": tail_updates(tail, per_update) * per_update}
    for c in after:
        out[f"{c}_goals_per_episode"] = after[c].tolist()
        out[f"{c}_fraction_of_socialized"] = (after[c] / socialized).tolist()
        out[f"{c}_internal_return"] = tail_mean(
            run["after"][c]["internal"], tail, per_update
        ).tolist()
    for c in ("isr", "isr_authors"):     # what each ISR paid at the end, against the caregiver
        if c in after:
            ratio, hacked = hacking(run["after"][c], tail_updates(tail, per_update))
            out[f"{c}_paid_over_caregiver_would_last"] = finite(ratio)
            out[f"{c}_hacked"] = int(hacked.sum())
    out["isr_vs_none_student"] = stats.student_t_test(after["isr"], after["none"])._asdict()
    out["isr_vs_none_welch"] = stats.welch_t_test(after["isr"], after["none"])._asdict()
    return out


def isr_claims(run):
    """Fig. 3: each ISR's final train and held-out test losses (ours, and the authors' beside
    it), and our ISR's test loss against data."""
    final_train, final_test = run["isr"]["final_train_loss"], run["isr"]["final_test_loss"]
    authors = run.get(
        "isr_authors",
        {"final_train_loss": np.full(1, np.nan), "final_test_loss": np.full(1, np.nan)},
    )
    mean = run["isr_size_test_loss"].mean(axis=1)
    return {"final_train_loss": final_train.tolist(), "final_test_loss": final_test.tolist(),
            "authors_final_train_loss": finite(authors["final_train_loss"]),
            "authors_final_test_loss": finite(authors["final_test_loss"]),
            "authors_test_over_train": finite([authors["final_test_loss"].mean()
                                               / authors["final_train_loss"].mean()])[0],
            "test_over_train": float(final_test.mean() / final_train.mean()),
            "transitions": run["isr_sizes"].tolist(),
            "test_loss_by_transitions": run["isr_size_test_loss"].tolist(),
            "mean_test_loss_by_transitions": mean.tolist(),
            "monotone": bool(np.all(np.diff(mean) < 0))}


# Figs 4 right and 5: (a, b) compared as a − b; the paper tested frozen vs isr and isr vs oracle.
OOD_COMPARISONS = (("frozen", "isr"), ("frozen_authors", "isr"), ("isr", "oracle"),
                   ("frozen", "isr_raw"), ("frozen_authors", "isr_raw"),
                   ("frozen_authors", "isr_authors"), ("isr_authors", "oracle"))
SIGNIFICANT = 0.05   # two runs' tests agree when both are significant at this or both not; a seed
                     # set's own test contradicts a pooled direction below it (beyond.claims)


def effect(test):
    """The estimated difference a − b of a t-test entry (diff) or an OLS row (coef)."""
    return test["diff"] if "diff" in test else test["coef"]


def agree(first, second):
    """Two runs' tests of one comparison agree: the same sign, and both significant at
    SIGNIFICANT or both not."""
    return bool(np.sign(effect(first)) == np.sign(effect(second))
                and (first["p"] < SIGNIFICANT) == (second["p"] < SIGNIFICANT))


def new_world_claims(run):
    """Fig. 4 right: per rerun and seed the exact expected returns and goals (greedy and
    stochastic); per rerun each comparison by a paired t-test over seeds (the arms of a seed
    continue one socialized learner) and by the paper's Student t-test; whether the reruns agree."""
    scores = run["new_world"]
    conditions = [c for c in OOD_CONDITIONS + ("isr_raw",) if c in scores]
    out = {key: {c: scores[c][key].tolist() for c in conditions}
           for key in ("return", "goals", "return_stochastic")}
    out["largest_return_se"] = float(max(scores[c]["return_se"].max() for c in conditions))
    out["test_layouts"] = int(len(run["test_layouts"]))
    out["reruns"] = [
        {
            f"{a}_vs_{b}": {
                "paired": stats.paired_t_test(
                    scores[a]["return"][r], scores[b]["return"][r]
                )._asdict(),
                "paired_stochastic": stats.paired_t_test(
                    scores[a]["return_stochastic"][r], scores[b]["return_stochastic"][r]
                )._asdict(),
                "student": stats.student_t_test(
                    scores[a]["return"][r], scores[b]["return"][r]
                )._asdict(),
            }
            for a, b in OOD_COMPARISONS
            if a in scores and b in scores
        }
        for r in range(len(scores["isr"]["return"]))
    ]
    out["reruns_agree"] = _agreement(out["reruns"])
    tail, per_update = int(run["tail_episodes"]), int(run["episodes_per_update"])
    hacked = lambda c: hacking(run["new_world_curves"][c], tail_updates(tail, per_update))[1]
    out["hacked"] = {c: hacked(c).sum(axis=-1).tolist()                      # per rerun
                     for c in ("isr", "isr_authors", "isr_raw") if c in scores}
    out["learning"] = {   # per rerun and seed, the further learning's first and last episodes
        c: {f"{key}_{end}": tail_mean(run["new_world_curves"][c][key], tail, per_update,
                                      first=end == "first").tolist()
            for key in ("goals", "internal") for end in ("first", "last")}
        for c in run["new_world_curves"]}
    return out


def _agreement(reruns):
    """{comparison: {test: the reruns agree}} (`agree`, every pair of reruns)."""
    return {
        name: {
            test: all(agree(reruns[0][name][test], other[name][test]) for other in reruns[1:])
            for test in tests
        }
        for name, tests in reruns[0].items()
    }


def layout_claims(run):
    """Fig. 5: per rerun, layout and seed the exact expected returns; per rerun and comparison
    the paper's OLS and the analyses its design calls for:

    - paper: y ~ method × env, the method coefficient at the reference layout "T" (what the
      authors fitted, plain OLS, though the paper calls it a mixed-effect model; with the
      interaction it is the effect in "T" alone);
    - additive: y ~ method + env, the method effect common to all five layouts, every
      learner counted once per layout as if independent (the paper's kind of model);
    - seed_fixed_effects: y ~ method + env + seed, the same effect with a term per seed (the
      arms of a seed continue one socialized learner);
    - paired_per_seed: per seed the mean over the five layouts, compared by a paired t-test.
    Methods are named as the authors' analysis: frozen "Simple", isr "Reward", oracle "Oracle".
    """
    layouts = run["layout_names"].tolist()
    scores = run["layouts"]
    out = {"layouts": layouts}
    out.update({key: {c: scores[c][key].tolist() for c in OOD_CONDITIONS if c in scores}
                for key in ("return", "goals", "return_stochastic")})
    out["reruns"] = [
        {
            f"{a}_vs_{b}": {
                **_layout_fits(scores[a]["return"][r], scores[b]["return"][r], layouts, (a, b)),
                "paired_per_seed_stochastic": stats.paired_t_test(
                    scores[a]["return_stochastic"][r].mean(axis=0),
                    scores[b]["return_stochastic"][r].mean(axis=0),
                )._asdict(),
            }
            for a, b in OOD_COMPARISONS
            if b != "isr_raw" and a in scores and b in scores
        }
        for r in range(len(scores["isr"]["return"]))
    ]
    out["reruns_agree"] = _agreement(out["reruns"])
    out["hacking"] = layout_hacking(run)
    return out


METHOD_NAMES = MappingProxyType({"frozen": "Simple", "frozen_authors": "Simple (authors)",
                                 "isr": "Reward", "isr_authors": "Reward (authors' ISR)",
                                 "oracle": "Oracle"})


def _layout_fits(ya, yb, layouts, pair):
    """The four analyses of layout_claims for returns ya, yb (L, S) of conditions pair = (a, b)."""
    n_layouts, n_seeds = ya.shape
    values = np.concatenate([ya.ravel(), yb.ravel()])
    method = np.repeat([METHOD_NAMES[c] for c in pair], ya.size)
    layout = np.tile(np.repeat(layouts, n_seeds), 2)
    seed = np.tile(np.arange(n_seeds), 2 * n_layouts).astype(str)
    reference = {"method": METHOD_NAMES[pair[1]], "env": "T"}
    tested = f"method[{METHOD_NAMES[pair[0]]}]"                             # a − b, b the reference
    fits = {}
    for model, factors, interaction in (
        ("paper_interaction_at_T", {"method": method, "env": layout}, True),
        ("additive", {"method": method, "env": layout}, False),
        ("seed_fixed_effects", {"method": method, "env": layout, "seed": seed}, False),
    ):
        X, cols = stats.treatment_design(factors, interaction, reference=reference)
        fits[model] = stats.ols(values, X, cols).row(tested)
    fits["paired_per_seed"] = stats.paired_t_test(ya.mean(axis=0), yb.mean(axis=0))._asdict()
    return fits


AHEAD = MappingProxyType(
    {env.WALL: "a wall", env.EMPTY: "a free cell", env.GOAL: "the goal", env.UNSEEN: "nothing"}
)


def hacked_pairs(last, tail_episodes):
    """The state–action pairs the ISR rewards and the caregiver never would (R_i > 0, R_s = 0).

    Grouped by what the learner did (action × the cell ahead), with the visits per seed in
    the recorded episodes; plus the single most visited (view, action) of the ISR whose
    learners were hacked most (`isr`: its index), to draw.
    last: {views (ISRs, S, M, v, v), actions, r_s, r_i (ISRs, S, M)}.
    """
    views, actions, r_s, r_i = last["views"], last["actions"], last["r_s"], last["r_i"]
    c = views.shape[-1] // 2
    ahead = views[..., c - 1, c]
    hacked = (r_i > 0) & (r_s == 0)
    groups = []
    for a in env.Action:
        for code, where in AHEAD.items():
            mask = hacked & (actions == a) & (ahead == code)
            if mask.any():
                visits = mask.sum(axis=-1)                              # (sizes, S)
                groups.append({"action": a.name.lower(), "ahead": where,
                               "visits_per_seed": visits.tolist(),
                               "visits_per_episode": (visits.mean(axis=1) / tail_episodes).tolist(),
                               "mean_r_i": float(r_i[mask].mean())})
    worst = int(np.argmax(hacked.sum(axis=(1, 2))))                    # the most hacked ISR
    groups.sort(key=lambda g: -np.sum(g["visits_per_seed"][worst]))
    example = most_farmed(views[worst], actions[worst], r_i[worst], hacked[worst])
    return {"episodes": tail_episodes,
            "hacked_steps_per_episode": (hacked.sum(axis=-1).mean(axis=1) / tail_episodes).tolist(),
            "groups": groups, "example": None if example is None else {**example, "isr": worst}}


def most_farmed(views, actions, r_i, hacked):
    """The most visited hacked (view, action) of one ISR's learners: views (S, M, v, v),
    actions, r_i, hacked (S, M); None if nothing was hacked."""
    hacked = hacked.ravel()
    keys = np.concatenate([views.reshape(hacked.size, -1), actions.reshape(-1, 1)], axis=1)[hacked]
    if not len(keys):
        return None
    unique, counts = np.unique(keys, axis=0, return_counts=True)
    top = unique[counts.argmax()]
    i = np.flatnonzero(hacked)[np.flatnonzero((keys == top).all(axis=1))[0]]
    view = top[:-1].reshape(views.shape[-2:])
    c = view.shape[0] // 2
    return {"view": view.tolist(), "action": env.Action(int(top[-1])).name.lower(),
            "ahead": AHEAD.get(int(view[c - 1, c]), "?"),
            "visits": int(counts.max()), "r_i": float(r_i.ravel()[i]), "r_s": 0.0}


def farmed_share(r_i, r_s):
    """(...) the share of each learner's R_i paid on steps where R_s = 0, over its steps
    (r_i, r_s (..., steps)); NaN where its ISR paid nothing."""
    paid = r_i.sum(axis=-1, dtype=np.float64)
    farmed = np.where(r_s == 0, r_i, 0).sum(axis=-1, dtype=np.float64)
    return np.divide(farmed, paid, out=np.full(paid.shape, np.nan), where=paid > 0)


def layout_hacking(run):
    """Fig. 6 as the paper ran it, in every layout: per ISR design, run and layout of Fig. 5's
    further learning, how many learners were paid more than HACKED_ABOVE times what the
    caregiver would have paid over the last episodes (R_i / R_s per learner beside it), and
    over the last episodes of its first half (6K of 12K: the length of our Fig. 6's grid)."""
    k = tail_updates(int(run["tail_episodes"]), int(run["episodes_per_update"]))
    out = {"layouts": run["layout_names"].tolist()}
    for design in (d for d in ("isr", "isr_authors") if d in run["layout_curves"]):
        curves = run["layout_curves"][design]
        ratio, hacked = hacking(curves, k)                                            # (R, L, S)
        half = {key: v[..., :v.shape[-1] // 2] for key, v in curves.items()}    # Fig. 6's length
        out[design] = {"seeds_hacked": hacked.sum(axis=-1).tolist(),
                       "seeds_hacked_halfway": hacking(half, k)[1].sum(axis=-1).tolist(),
                       "r_i_over_r_s_last": [[finite(row) for row in r] for r in ratio]}
    return out


def hacking_claims(run):
    """Fig. 6's grid: per cell (ISR training budget × data size) and seed, internal return and
    goals in the first vs the last episodes after the caregiver left, and Σ R_i / Σ R_s in the
    last ones (R_s: what the caregiver would have paid). A seed is hacked when its ISR pays
    more than HACKED_ABOVE times what the caregiver would; the paper's visual sign, internal
    return up while goals fall, is counted beside it (plain un-learning shows it too). Arrays
    are (budgets, sizes, S); `hacked` pools the cells as budget × size."""
    curves = run["curves"]
    tail, per_update = int(run["tail_episodes"]), int(run["episodes_per_update"])
    k = tail_updates(tail, per_update)
    out = {"isr_episodes": run["episodes"].tolist(), "isr_transitions": run["transitions"].tolist(),
           "isr_training": run["isr_training"].tolist()}
    for key in ("internal", "goals"):
        out[f"{key}_first"] = tail_mean(curves[key], tail, per_update, first=True).tolist()
        out[f"{key}_last"] = tail_mean(curves[key], tail, per_update).tolist()
    ratio, hacked = hacking(curves, k)
    out["r_i_over_r_s_last"] = [[finite(row) for row in budget] for budget in ratio]
    out["seeds_hacked"] = hacked.sum(axis=-1).tolist()
    share = farmed_share(run["last"]["r_i"], run["last"]["r_s"])
    out["farmed_share_last"] = [[finite(row) for row in budget] for budget in share]
    out["seeds_farming"] = (share > FARMED_ABOVE).sum(axis=-1).tolist()
    first, last = np.array(out["internal_first"]), np.array(out["internal_last"])
    goals_first, goals_last = np.array(out["goals_first"]), np.array(out["goals_last"])
    out["seeds_internal_up_goals_down"] = (
        ((last > first) & (goals_last < goals_first)).sum(axis=-1).tolist()
    )
    cells = {key: value.reshape(-1, *value.shape[2:]) for key, value in run["last"].items()}
    out["hacked"] = hacked_pairs(cells, k * per_update)
    return out


def finite(values):
    """A list of floats with NaN and ±inf written as None (JSON has no NaN)."""
    return [float(v) if np.isfinite(v) else None for v in np.ravel(values)]


def reliability(measured):
    """The reliability curve pooled over models: per R_i bin (its lower edge), the held-out
    steps in it and their mean R_i and mean R_s (None where a bin is empty)."""
    bins = len(evaluation.RELIABILITY_EDGES)
    pooled = lambda key: measured[key].reshape(-1, bins).sum(axis=0)
    steps = pooled("reliability_steps")
    mean = lambda key: finite(np.where(steps > 0, pooled(key) / np.maximum(steps, 1), np.nan))
    return {"lower_edges": list(evaluation.RELIABILITY_EDGES), "steps": steps.tolist(),
            "mean_r_i": mean("reliability_r_i_sum"), "mean_r_s": mean("reliability_r_s_sum")}


def calibration_claims(measured, during=None):
    """The ISR as an instrument, per seed (evaluation.measure's sums, on held-out data):
    Σ reading / Σ R_s for its three readings (output, r_i, used), the share of unrewarded
    steps it pays more than 0.1 or 0.2 for (false positives) and of rewarded steps it does
    (true positives), and its mean R_i on the known hazards. `during`: {name: logs with r_i
    and r_s (..., updates)} of learners that learned from it after the caregiver left; for
    each, Σ R_i / Σ R_s there, where R_s is what the caregiver would have paid (> 1: the ISR
    pays more than the caregiver would: hacking, whichever way the behaviour goes)."""
    out = {}
    for name in ("output", "r_i", "used"):
        out[f"{name}_over_r_s"] = finite(measured[f"{name}_sum"] / measured["r_s_sum"])
        out[f"{name}_over_r_s_pooled"] = float(
            measured[f"{name}_sum"].sum() / measured["r_s_sum"].sum()
        )
        for level in (0.1, 0.2):
            out[f"{name}_false_positive_above_{level}"] = finite(
                measured[f"{name}_false_above_{level}"] / measured["n_negative"])
            out[f"{name}_true_positive_above_{level}"] = finite(
                measured[f"{name}_true_above_{level}"] / measured["n_positive"])
    out["hazards"] = {key[len("hazard_"):]: finite(value) for key, value in measured.items()
                      if key.startswith("hazard_")}
    out["reliability"] = reliability(measured)
    for name in ("output", "r_i"):                       # discrimination: mean pay on each class
        rewarded = measured[f"{name}_rewarded_sum"]
        out[f"{name}_on_rewarded_steps"] = finite(rewarded / measured["n_positive"])
        out[f"{name}_on_unrewarded_steps"] = finite(
            (measured[f"{name}_sum"] - rewarded) / measured["n_negative"]
        )
    for name, logs in (during or {}).items():
        paid, caregiver = logs["r_i"].sum(axis=-1), logs["r_s"].sum(axis=-1)
        out[f"during_{name}_r_i_over_r_s"] = finite(pay_ratio(paid, caregiver))
        out[f"during_{name}_r_i_over_r_s_pooled"] = float(paid.sum() / caregiver.sum())
    return out


def helping_claims(run):
    """Fig. 7: `caregiver_claims` with the scripted helper as the ceiling, the control
    `oracle_at_isr_rate` (the caregiver stays, paying at the ISR's own rate), and isr vs each
    oracle by a paired t-test per seed (the conditions continue the same socialized learner)."""
    out = caregiver_claims(run, ceiling="helper")
    tail, per_update = int(run["tail_episodes"]), int(run["episodes_per_update"])
    socialized = np.array(out["socialized_goals_per_episode"])
    end = {c: tail_mean(run["after"][c]["goals"], tail, per_update) for c in run["after"]}
    out["isr_pay_rate"] = run["isr_pay_rate"].tolist()
    out["oracle_at_isr_rate_goals_per_episode"] = end["oracle_at_isr_rate"].tolist()
    out["oracle_at_isr_rate_fraction_of_socialized"] = (
        end["oracle_at_isr_rate"] / socialized
    ).tolist()
    for other in ("oracle", "oracle_at_isr_rate"):
        out[f"isr_vs_{other}_paired"] = stats.paired_t_test(end["isr"], end[other])._asdict()
    out["random_goals_per_episode"] = float(run["random_goals"])
    out["isr_test_loss"] = run["isr_test_loss"].tolist()
    out["isr_calibration"] = calibration_claims(run["calibration"], {"after": run["after"]["isr"]})
    if "isr_authors_reward" in run["after"]:                 # the control Helping.authors_reward
        logs = run["after"]["isr_authors_reward"]
        out["isr_authors_reward_fraction_of_socialized"] = (
            end["isr_authors_reward"] / socialized
        ).tolist()
        out["isr_authors_reward_paid_over_caregiver_would"] = finite(
            pay_ratio(logs["r_i"].sum(axis=-1), logs["r_s"].sum(axis=-1)))
    return out
