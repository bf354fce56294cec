"""beyond/claims.py — the numbers behind our own figures' claims (Fig. 3's last panel, Figs
8–12), as pure functions of a run's arrays, like claims.py for the paper's.

Public names: interval, design_claims, presence_claims, repair_claims,
threshold_claims, grid_ood_claims, feature_claims, instrument_claims, ablation_claims,
factorial_claims; and, over seed sets (results.json dicts), POOLED, pooled_claims,
pooled_verdict.
"""
import numpy as np

import stats
from claims import CLOSE_WITHIN, FARMED_ABOVE, HACKED_ABOVE, KEEPS_ABOVE, SIGNIFICANT, finite, calibration_claims, hacking, hacking_claims, paid_last, pay_ratio, tail_mean
from experiments import tail_updates



def interval(values):
    """{mean, ci95} over the last axis' seeds (a t interval), for each leading index."""
    values = np.asarray(values, dtype=float)
    mean, se = stats.mean_se(values, axis=-1)
    half = stats.t_quantile(0.975, values.shape[-1] - 1) * se
    return {"mean": np.round(mean, 6).tolist(), "ci95": np.round(np.stack([mean - half, mean + half], -1), 6).tolist()}


def presence_claims(run):
    """Fig. 8: per arm, visit rate q and seed, the goals per episode in the last `tail`
    episodes as a share of the same learner's socialized level, with its mean and 95 % interval
    over seeds; per q, isr vs none and isr_online vs isr by paired t-tests (the arms continue
    the same socialized learners); per arm the least q at which every learner keeps
    KEEPS_ABOVE of its level; and what the ISR paid over the phase against what the caregiver
    paid or would have paid for the same steps (Σ R_i / Σ R_s; above HACKED_ABOVE: hacked)."""
    tail, per_update = int(run["tail_episodes"]), int(run["episodes_per_update"])
    socialized = tail_mean(run["social"]["goals"], tail, per_update)                # (S,)
    rates = run["visit_rates"].tolist()
    kept = {arm: tail_mean(c["goals"], tail, per_update) / socialized for arm, c in run["curves"].items()}   # (Q, S)
    out = {"visit_rates": rates, "socialized_goals_per_episode": socialized.tolist(),
           "tail_episodes": tail_updates(tail, per_update) * per_update, "keeps_above": KEEPS_ABOVE}
    for arm, share in kept.items():
        out[f"{arm}_fraction_of_socialized"] = share.tolist()
        out[f"{arm}_interval"] = interval(share)
        every = [q for q, row in zip(rates, share) if (row >= KEEPS_ABOVE).all()]
        out[f"{arm}_least_rate_every_learner_keeps"] = min(every) if every else None
        out[f"{arm}_visited"] = run["visited"][arm].mean(axis=-1).mean(axis=-1).tolist()
    for arm in ("isr", "isr_online"):
        paid, caregiver = run["curves"][arm]["r_i"].sum(-1), run["curves"][arm]["r_s"].sum(-1)
        out[f"{arm}_r_i_over_r_s"] = [finite(row) for row in pay_ratio(paid, caregiver)]
        out[f"{arm}_seeds_hacked"] = (paid > HACKED_ABOVE * caregiver).sum(axis=-1).tolist()
    for a, b in (("isr", "none"), ("isr_online", "isr")):
        out[f"{a}_vs_{b}"] = [stats.paired_t_test(kept[a][i], kept[b][i])._asdict() for i in range(len(rates))]
    return out


def repair_claims(run):
    """Fig. 10: Fig. 6's learners with a caregiver visiting in a share q of the episodes.

    A learner's level is its goals per episode in Fig. 6's first episodes in the new worlds
    (the socialized policy there); it was hacked when its ISR paid it more than HACKED_ABOVE
    times what the caregiver would have in Fig. 6's last episodes. Per arm, q, cell and
    learner: goals in the last episodes as a share of the level. For the hacked learners (any
    cell) and for the learners of the cell of the most data that were not, `_repair_group`."""
    tail, per_update = int(run["tail_episodes"]), int(run["episodes_per_update"])
    k, before = tail_updates(tail, per_update), run["before"]
    level = tail_mean(before["goals"], tail, per_update, first=True)             # (cells, S)
    paid, caregiver = paid_last(before, k)
    hacked = paid > HACKED_ABOVE * caregiver
    kept = {arm: tail_mean(c["goals"], tail, per_update) / level for arm, c in run["curves"].items()}   # (Q, cells, S)
    out = {"visit_rates": run["visit_rates"].tolist(), "arms": list(kept), "isr_training": str(run["isr_training"]),
           "isr_episodes": run["episodes"].tolist(), "tail_episodes": k * per_update, "keeps_above": KEEPS_ABOVE,
           "level_goals_per_episode": level.tolist(),
           "fig6_r_i_over_r_s_last": [finite(row) for row in pay_ratio(paid, caregiver)],
           "fig6_seeds_hacked": hacked.sum(axis=-1).tolist()}
    for arm, share in kept.items():
        out[f"{arm}_kept"] = share.tolist()
    accurate = np.zeros_like(hacked)
    accurate[int(np.argmax(run["episodes"]))] = True
    for group, mask in (("hacked", hacked), ("accurate", accurate & ~hacked)):
        out[group] = _repair_group(run, kept, mask, k)
    return out


def _repair_group(run, kept, mask, k):
    """Fig. 10's claims for the learners `mask` (cells, S): per arm and q their shares kept;
    for each ISR arm, learners still hacked at the end and Σ R_i / Σ R_s per stretch of
    online_every episodes (Fig. 6's too); for each online arm, online − frozen by paired
    t-tests per q (None with fewer than two learners), the least q at which every learner
    keeps KEEPS_ABOVE of its level, the rewarded transitions a refresh trained on, and its
    ISR after (`isr`: before): mean R_i on the steps the learners farmed in Fig. 6, R_i into
    the goal and into a wall and the network's own output on the rewarded steps (held out)."""
    n, rates = int(mask.sum()), run["visit_rates"].tolist()
    stretch = int(run["online_every"]) // int(run["episodes_per_update"])
    out = {"learners": n, "cells": [[int(c), int(s)] for c, s in zip(*np.nonzero(mask))]}
    by_stretch = lambda c: pay_ratio(*(c[key][..., mask, :].reshape(*c[key].shape[:-3], n, -1, stretch)
                                      .sum(axis=(-3, -1)) for key in ("r_i", "r_s"))) if n else np.array([])
    out["fig6_r_i_over_r_s_by_stretch"] = finite(by_stretch(run["before"]))
    for arm, share in kept.items():
        out[f"{arm}_kept"] = np.round(share[:, mask], 6).tolist()
        out[f"{arm}_kept_mean"] = np.round(share[:, mask].mean(axis=1), 6).tolist() if n else None
    farmed, steps = run["farmed"], run["farmed"]["steps"][mask].sum()
    mean_farmed = lambda r_i: float(r_i[mask].sum() / steps) if steps else None
    per_isr = {"isr": (run["calibration"]["before"], [mean_farmed(farmed["r_i_before"])] * len(rates))}
    per_isr.update({arm: (run["calibration"]["after"][arm], [mean_farmed(r) for r in farmed["r_i_after"][arm]])
                    for arm in run["calibration"]["after"]})
    test = lambda a, b: stats.paired_t_test(a, b)._asdict() if n >= 2 and np.var(a - b) > 0 else None
    out["farmed_steps"] = int(steps)
    for arm, (cal, farmed_r_i) in per_isr.items():
        paid, caregiver = paid_last(run["curves"][arm], k)                          # (Q, cells, S)
        out[f"{arm}_hacked_at_end"] = [int(v) for v in (paid > HACKED_ABOVE * caregiver)[:, mask].sum(axis=1)]
        out[f"{arm}_r_i_over_r_s_by_stretch"] = [finite(row) for row in by_stretch(run["curves"][arm])]
        out[f"{arm}_farmed_r_i"] = farmed_r_i
        for key in ("goal_forward", "wall_forward"):
            values = np.broadcast_to(cal[f"hazard_{key}"], (len(rates), *mask.shape))[:, mask]
            out[f"{arm}_{key}"] = finite(np.nanmean(values, axis=1)) if n else None
        raw = np.broadcast_to(cal["output_rewarded_sum"] / np.maximum(cal["n_positive"], 1), (len(rates), *mask.shape))
        out[f"{arm}_output_on_rewarded"] = finite(raw[:, mask].mean(axis=1)) if n else None
        if arm == "isr":
            continue
        share = kept[arm][:, mask]
        out[f"{arm}_vs_isr"] = [test(share[i], kept["isr"][i][mask]) for i in range(len(rates))]
        every = [q for q, row in zip(rates, share) if n and (row >= KEEPS_ABOVE).all()]
        out[f"{arm}_least_rate_every_learner_keeps"] = min(every) if every else None
        seen = run["rewarded_seen"][arm][:, mask]                                   # (Q, n, refreshes)
        out[f"{arm}_rewarded_steps_per_refresh"] = np.round(seen.mean(axis=(1, 2)), 3).tolist() if n else None
    return out


def threshold_claims(run):
    """Fig. 9 (a): per threshold the exact greedy return in new worlds (mean, 95 % interval
    over seeds), the frozen learners' and the oracle's beside them, each level vs the frozen
    learners by a paired t-test, and Σ R_i / Σ R_s of each level's ISR over the learning."""
    out = {"thresholds": run["thresholds"].tolist(), "return": run["return"].tolist(),
           "return_interval": interval(run["return"]), "goals": run["goals"].tolist()}
    for ref in ("frozen", "oracle"):
        out[f"{ref}_return"] = run[f"{ref}_return"].tolist()
        out[f"{ref}_interval"] = interval(run[f"{ref}_return"])
    out["isr_vs_frozen"] = [stats.paired_t_test(r, run["frozen_return"])._asdict() for r in run["return"]]
    out["isr_vs_oracle"] = [stats.paired_t_test(r, run["oracle_return"])._asdict() for r in run["return"]]
    paid, caregiver = run["r_i"].sum(-1), run["r_s"].sum(-1)                # (levels, S)
    out["r_i_over_r_s"] = [finite(row) for row in pay_ratio(paid, caregiver)]
    return out


def grid_ood_claims(run):
    """Fig. 9 (b): the exact greedy return in new worlds of Fig. 6's learners, per ISR training
    budget × data size (mean, 95 % interval over seeds), beside whether each was hacked."""
    ood = run["ood_return"]                                              # (budgets, sizes, S)
    return {"isr_training": run["isr_training"].tolist(),
            "isr_episodes": run["episodes"].tolist(), "ood_return": ood.tolist(),
            "ood_interval": [interval(budget) for budget in ood],
            "seeds_hacked": hacking_claims(run)["seeds_hacked"]}


def feature_claims(run):
    """Fig. 9 (c): per feature set, the socialized level (share of the planner) and Fig. 4
    left's retention (none and isr, share of the socialized level) per seed with 95 %
    intervals, and isr vs none by a paired t-test."""
    tail, per_update = int(run["tail_episodes"]), int(run["episodes_per_update"])
    best = float(run["planner_goals"])
    socialized = tail_mean(run["social"]["goals"], tail, per_update)                # (sets, S)
    out = {"sets": run["sets"].tolist(), "planner_goals_per_episode": best,
           "socialized_fraction_of_planner": (socialized / best).tolist(),
           "socialized_interval": interval(socialized / best)}
    kept = {arm: tail_mean(run["after"][arm]["goals"], tail, per_update) / socialized for arm in ("none", "isr")}
    for arm, share in kept.items():
        out[f"{arm}_fraction_of_socialized"] = share.tolist()
        out[f"{arm}_interval"] = interval(share)
    out["isr_vs_none"] = [stats.paired_t_test(i, n)._asdict() for i, n in zip(kept["isr"], kept["none"])]
    return out


def design_claims(run):
    """Fig. 3's last panel: per training × design, the learners hacked (their ISR paid more
    than HACKED_ABOVE times what the caregiver would have over the last episodes), the share
    of socialized goals
    they keep, and the ISR's calibration on held-out data (per seed)."""
    tail, per_update = int(run["tail_episodes"]), int(run["episodes_per_update"])
    k = tail_updates(tail, per_update)
    socialized = tail_mean(run["social"]["goals"], tail, per_update)          # (S,)
    kept = tail_mean(run["after"]["goals"], tail, per_update) / socialized   # (trainings, designs, S)
    paid, caregiver = paid_last(run["after"], k)
    out = {"designs": run["designs"].tolist(), "trainings": run["trainings"].tolist(),
           "fraction_of_socialized": kept.tolist(),
           "learners_hacked": (paid > HACKED_ABOVE * caregiver).sum(axis=-1).tolist(),
           "learners_below_80_percent": (kept < KEEPS_ABOVE).sum(axis=-1).tolist()}
    cal = run["calibration"]
    for t, training in enumerate(out["trainings"]):
        for d, design in enumerate(out["designs"]):
            cell = calibration_claims({key: value[t, d] for key, value in cal.items()})
            out.setdefault("calibration", {}).setdefault(training, {})[design] = {
                "r_i_over_r_s": cell["r_i_over_r_s"], "hazards": cell["hazards"],
                "r_i_false_positive_above_0.1": cell["r_i_false_positive_above_0.1"]}
    return out


INSTRUMENTS = {"figs 1, 4 left": "internalization", "figs 4 right, 5": "generalization", "fig 7": "helping"}
DISCRIMINATION = ("r_i_on_rewarded_steps", "r_i_on_unrewarded_steps", "output_on_rewarded_steps",
                  "output_on_unrewarded_steps", "r_i_over_r_s_pooled", "output_over_r_s_pooled")


def instrument_claims(runs):
    """The ISR as an instrument, on held-out socialization data. Per ISR of Figs 1/4 left,
    4 right/5 and 7: its reliability curve (claims.reliability), its pay on rewarded vs
    unrewarded steps, calibrated (R_i) and raw (the network's output), its pay on the named
    (view, action) pairs (evaluation.py), per seed. Per cell of Fig. 6's grid (training ×
    data size): the same discrimination, mean over seeds, and seeds hacked."""
    out = {}
    for name, experiment in INSTRUMENTS.items():
        c = calibration_claims(runs[experiment]["calibration"])
        out[name] = {key: c[key] for key in ("reliability", "hazards") + DISCRIMINATION}
    grid, run = runs["incomplete_internalization"]["calibration"], runs["incomplete_internalization"]
    n_budgets, n_sizes = grid["r_s_sum"].shape[:2]
    cells = [[calibration_claims({k: v[b, z] for k, v in grid.items()}) for z in range(n_sizes)]
             for b in range(n_budgets)]
    mean = lambda values: float(np.nanmean(np.array(values, dtype=float)))
    out["fig 6"] = {"isr_training": run["isr_training"].tolist(), "isr_episodes": run["episodes"].tolist(),
                    "seeds_hacked": hacking_claims(run)["seeds_hacked"]}
    for key in DISCRIMINATION[:4]:
        out["fig 6"][key] = [[mean(cell[key]) for cell in row] for row in cells]
    for key in ("goal_forward", "wall_forward"):
        out["fig 6"][key] = [[mean(cell["hazards"][key]) for cell in row] for row in cells]
    out["fig 6"]["r_i_over_r_s_pooled"] = [[cell["r_i_over_r_s_pooled"] for cell in row] for row in cells]
    return out


def ablation_claims(run):
    """Fig. 11: per ISR design, data size and seed, goals in the first and last episodes after
    the caregiver left and Σ R_i / Σ R_s over the last ones; learners hacked (above
    HACKED_ABOVE) per design and size. Arrays (designs, sizes, S)."""
    curves, tail, per_update = run["curves"], int(run["tail_episodes"]), int(run["episodes_per_update"])
    ratio, hacked = hacking(curves, tail_updates(tail, per_update))
    return {"designs": run["designs"].tolist(), "isr_episodes": run["episodes"].tolist(),
            "goals_first": tail_mean(curves["goals"], tail, per_update, first=True).tolist(),
            "goals_last": tail_mean(curves["goals"], tail, per_update).tolist(),
            "r_i_over_r_s_last": [[finite(row) for row in design] for design in ratio],
            "median_r_i_over_r_s_last": np.median(ratio, axis=-1).tolist(),
            "seeds_hacked": hacked.sum(axis=-1).tolist()}


def factorial_claims(run):
    """Fig. 12: per learner and ISR, over the last episodes after the caregiver left: the
    learners hacked (Σ R_i / Σ R_s above HACKED_ABOVE), the share of R_i farmed (paid where
    the caregiver would pay nothing) and the learners farming (above FARMED_ABOVE), the goals
    kept (a share of each learner's own socialized level), and what the ISR pays, on held-out
    socialization views with the goal ahead, for a turn and for stepping into the goal."""
    tail = int(run["tail_episodes"])
    out = {"learners": run["learners"].tolist(), "isrs": run["isrs"].tolist(),
           "hacked_above": HACKED_ABOVE, "farmed_above": FARMED_ABOVE}
    for learner, after in run["after"].items():
        per_update = int(run["episodes_per_update"][learner])
        socialized = tail_mean(run["social"][learner]["goals"], tail, per_update)          # (S,)
        out[learner] = {"socialized_fraction_of_planner": (socialized / float(run["planner_goals"])).tolist()}
        for name, logs in after.items():
            ratio, hacked = hacking(logs, tail_updates(tail, per_update))
            last, measured = run["last"][learner][name], run["calibration"][learner][name]
            farmed = np.divide(last["farmed"], last["paid"], out=np.full(len(ratio), np.nan), where=last["paid"] > 0)
            kept = tail_mean(logs["goals"], tail, per_update) / socialized
            out[learner][name] = {"hacked": int(hacked.sum()), "r_i_over_r_s_last": finite(ratio),
                                  "farmed_share": finite(farmed), "farming": int((farmed > FARMED_ABOVE).sum()),
                                  "kept": kept.tolist(), "least_kept": float(kept.min()),
                                  "goal_turn": finite(measured["hazard_goal_turn"]),
                                  "goal_forward": finite(measured["hazard_goal_forward"])}
    return out


# ---------------------------------------------------------------------------------------------
# Seed sets pooled (ours: the paper ran one set): each comparison over every learner of every set

POOLED = (("Fig. 4 right", "frozen_authors", "isr"), ("Fig. 4 right", "frozen", "isr"),
          ("Fig. 4 right", "isr", "oracle"), ("Fig. 4 right", "frozen_authors", "isr_authors"),
          ("Fig. 4 right", "isr_authors", "oracle"), ("Fig. 5", "frozen_authors", "isr"), ("Fig. 5", "frozen", "isr"),
          ("Fig. 5", "isr", "oracle"), ("Fig. 5", "frozen_authors", "isr_authors"), ("Fig. 5", "isr_authors", "oracle"),
          ("Fig. 7", "isr", "none"), ("Fig. 7", "isr", "oracle_at_isr_rate"))


def learner_values(entry, figure, condition):
    """(S,) one value per learner of a results.json: Fig. 4 right's greedy return in new
    worlds and Fig. 5's over the layouts, each the mean over the runs of the further learning
    (and the layouts); Fig. 7's goals per episode at the end."""
    if figure == "Fig. 7":
        return np.array(entry["fig7"][f"{condition}_goals_per_episode"], dtype=float)
    returns = entry["fig4"]["right"]["return"] if figure == "Fig. 4 right" else entry["fig5"]["return"]
    values = np.array(returns[condition], dtype=float)                 # (R, S) or (R, L, S)
    return values.reshape(-1, values.shape[-1]).mean(axis=0)


def has_condition(entry, figure, condition):
    """Whether a results.json ran `condition` in `figure` (a run with authors_isr=None has no
    isr_authors)."""
    if figure == "Fig. 7":
        return f"{condition}_goals_per_episode" in entry["fig7"]
    returns = entry["fig4"]["right"]["return"] if figure == "Fig. 4 right" else entry["fig5"]["return"]
    return condition in returns


def seed_range(name):
    """The seeds of a seed-set name "A-B" (its first word)."""
    first, last = name.split()[0].replace("–", "-").split("-")
    return set(range(int(first), int(last) + 1))


def pooled_claims(results_by_set):
    """Each comparison of POOLED, a − b paired per learner, pooled over every learner of every
    seed set that ran its figure, with a term per set (stats.pooled_paired_t_test: the verdict's
    test), beside each set's own paired test; against the oracle, the equivalence test of that
    estimate within ±CLOSE_WITHIN (stats.equivalence); the random-effects estimate, a
    diagnostic of the spread between sets. results_by_set: {"A-B" seed range: results.json
    dict}. A learner's numbers depend on its seed alone, so where two ranges overlap only the
    wider one counts."""
    out = []
    for figure, a, b in POOLED:
        key = {"Fig. 4 right": "fig4", "Fig. 5": "fig5", "Fig. 7": "fig7"}[figure]
        sets, seen = {}, set()
        for name in sorted((n for n, r in results_by_set.items() if key in r), key=lambda n: -len(seed_range(n))):
            if not seen & seed_range(name):
                sets[name], seen = results_by_set[name], seen | seed_range(name)
        diffs = {name: learner_values(r, figure, a) - learner_values(r, figure, b) for name, r in sets.items()
                 if has_condition(r, figure, a) and has_condition(r, figure, b)}
        if not diffs:
            continue
        per_set = {name: stats.paired_t_test(d, np.zeros_like(d))._asdict() for name, d in diffs.items()}
        pooled = stats.pooled_paired_t_test(list(diffs.values()))
        equivalent = stats.equivalence(pooled.diff, pooled.se, pooled.df, CLOSE_WITHIN) if b == "oracle" else None
        out.append({"figure": figure, "a": a, "b": b, "seed_sets": len(diffs),
                    "learners": int(sum(d.size for d in diffs.values())), "pooled": pooled._asdict(),
                    "equivalence": None if equivalent is None else equivalent._asdict(),
                    "random_effects": stats.random_effects(list(diffs.values()))._asdict() if len(diffs) > 1 else None,
                    "per_set": per_set, "verdict": pooled_verdict(pooled._asdict(), per_set)})
    return out


def pooled_verdict(pooled, per_set):
    """What the seed sets together allow us to say of a − b: "a > b" or "a < b" where the
    interval of the paired test over every learner of every set (stats.pooled_paired_t_test:
    the sets, made by the same code, are replicates) excludes 0 and no set's own paired test
    points the other way with p < SIGNIFICANT; "contradicted" where one does; else "not
    distinguished"."""
    low, high = pooled["ci95"]
    test = pooled
    if low < 0 < high:
        return "not distinguished"
    sign = np.sign(test["diff"])
    if any(np.sign(t["diff"]) == -sign and t["p"] < SIGNIFICANT for t in per_set.values()):
        return "contradicted"
    return "a > b" if sign > 0 else "a < b"
