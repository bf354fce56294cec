"""The protocol (socialization, the caregiver leaving), its random streams, the claim
helpers, and the paper's claims on a reduced budget."""
from dataclasses import replace

import numpy as np
import pytest

import agents
import claims
import env
import experiments as ex
import isr
import prosocial
import stats
from beyond import claims as beyond_claims
from lab import outputs

SEEDS = (1234, 1235)
SMALL = replace(ex.Internalization().quick(), socialization=600, after=600, planner_worlds=20)


class ConstantISR:
    """A stub ISR paying the same R_i for every (view, action)."""
    def __init__(self, r_i, n_models):
        self.r_i, self.n_models = r_i, n_models

    def __call__(self, views, actions):
        return np.full(actions.shape, self.r_i, dtype=np.float32)


def test_caregiver_leaves_owns_each_conditions_presence_and_isr():
    """oracle: P = 1 and no R_i; none: P = 0 and no R_i; isr: P = 0 and R_i. With no step
    cost and an ISR paying 0.25 everywhere, the internal returns are pinned exactly."""
    cfg, acfg = env.WorldConfig(step_cost=0.0), agents.AgentConfig(worlds_per_seed=5)
    socialized = agents.Policy.for_world(2, cfg)
    logs = ex.caregiver_leaves(socialized.tile(3), ex.CONDITIONS, cfg, acfg, 10, np.random.default_rng(0),
                               ConstantISR(0.25, n_models=2))
    internal = {c: logs[c]["internal"] for c in ex.CONDITIONS}
    goals = {c: logs[c]["goals"] for c in ex.CONDITIONS}
    assert set(logs) == set(ex.CONDITIONS) | {"env_steps"} and internal["isr"].shape == (2, 2)
    np.testing.assert_array_equal(internal["isr"], 0.25 * cfg.episode_len)
    np.testing.assert_array_equal(internal["none"], 0.0)
    np.testing.assert_allclose(internal["oracle"], cfg.social_reward * goals["oracle"], atol=1e-12)
    assert logs["env_steps"] == 3 * 2 * 10 * cfg.episode_len
    with pytest.raises(ValueError, match="distinct conditions"):    # its logs are keyed by condition
        ex.caregiver_leaves(socialized.tile(2), ("isr", "isr"), cfg, acfg, 10, np.random.default_rng(0),
                            ConstantISR(0.25, n_models=4))


def test_a_learners_numbers_depend_on_its_seed_alone():
    """Learner 1235's arrays are the same whether it ran beside 1234 and 1236 or beside 1236
    alone: every per-learner array of the run (its socialization, the four conditions after
    it, both ISRs' losses and calibration), and the planner's level, shared by all."""
    (wide, _), (narrow, _) = ex.internalization(SMALL, (1234, 1235, 1236)), ex.internalization(SMALL, (1235, 1236))
    flat_wide, flat_narrow = outputs.flatten(wide), outputs.flatten(narrow)
    per_learner = [k for k in flat_wide if k.split("/")[0] in ("social", "after", "calibration", "calibration_authors")]
    per_learner += ["isr/train_loss", "isr/test_loss", "isr/final_test_loss", "isr/odds"]
    per_learner += ["isr_authors/train_loss", "isr_authors/test_loss", "isr_authors/final_test_loss"]   # batch 1
    assert len(per_learner) > 60 and "after/isr_authors/r_i" in per_learner
    for key in per_learner:
        np.testing.assert_array_equal(flat_wide[key][1:], flat_narrow[key], err_msg=key)
    np.testing.assert_array_equal(wide["isr_size_test_loss"][:, 1:], narrow["isr_size_test_loss"])
    assert wide["planner_goals"] == narrow["planner_goals"]
    assert not np.array_equal(wide["social"]["goals"][0], wide["social"]["goals"][1])   # seeds differ


def test_streams_are_keyed_by_seed_experiment_stage_and_copy():
    first = lambda *args: ex.learner_streams(*args).random((len(args[0]) * (args[3] if len(args) > 3 else 1), 1))[:, 0]
    a = first((1, 2), "internalization", "after", 2)                  # copy-major: (c0 s1, c0 s2, c1 s1, c1 s2)
    assert len(set(a)) == 4
    assert (first((2,), "internalization", "after", 2) == a[[1, 3]]).all()
    assert first((1,), "generalization", "after")[0] != a[0] and first((1,), "internalization", "isr")[0] != a[0]
    assert ex.shared_rng("generalization", "test layouts").random() == ex.shared_rng("generalization",
                                                                                     "test layouts").random()


def test_same_seeds_give_the_same_arrays(tmp_path):
    cfg = SMALL
    (a, _), (b, _) = ex.internalization(cfg, SEEDS), ex.internalization(cfg, SEEDS)
    flat_a, flat_b = outputs.flatten(a), outputs.flatten(b)
    assert flat_a.keys() == flat_b.keys()
    for key in flat_a:
        np.testing.assert_array_equal(flat_a[key], flat_b[key], err_msg=key)
    outputs.save_run(tmp_path / "run.npz", a, {"seeds": list(SEEDS)})
    loaded, meta = outputs.load_run(tmp_path / "run.npz")
    for key, value in outputs.flatten(loaded).items():
        np.testing.assert_array_equal(value, flat_a[key], err_msg=key)
    assert meta == {"seeds": list(SEEDS)}
    c, _ = ex.internalization(cfg, (1236, 1237))
    assert not np.array_equal(a["social"]["goals"], c["social"]["goals"])


def test_tail_windows_round_up_to_whole_updates():
    assert ex.tail_updates(500, 30) == 17 and ex.tail_updates(510, 30) == 17
    assert ex.tail_updates(10, 30) == 1 and ex.tail_updates(30, 30) == 1 and ex.tail_updates(31, 30) == 2
    curve = np.arange(20.0)[None].repeat(2, axis=0)                 # (S, updates): 0 … 19
    np.testing.assert_array_equal(claims.tail_mean(curve, 100, 30), [17.5, 17.5])   # last 4 updates
    np.testing.assert_array_equal(claims.tail_mean(curve, 100, 30, first=True), [1.5, 1.5])


def test_hacked_pairs_counts_what_the_isr_pays_and_the_caregiver_does_not():
    views = np.full((2, 1, 4, 9, 9), env.EMPTY, dtype=np.int8)          # (sizes, S, M, v, v)
    views[:, :, :, 3, 4] = env.WALL                                       # a wall straight ahead
    actions = np.array([[[2, 2, 0, 2]], [[2, 2, 0, 2]]])                 # forward, forward, left, forward
    r_i = np.array([[[0.3, 0.3, 0.3, 0.0]], [[0.0, 0.0, 0.0, 0.0]]])
    r_s = np.array([[[0.0, 0.4, 0.0, 0.0]], [[0.0, 0.0, 0.0, 0.0]]])     # the 2nd step was a goal
    out = claims.hacked_pairs({"views": views, "actions": actions, "r_s": r_s, "r_i": r_i}, tail_episodes=2)
    groups = {(g["action"], g["ahead"]): g for g in out["groups"]}
    assert groups[("forward", "a wall")]["visits_per_seed"] == [[1], [0]]
    assert groups[("left", "a wall")]["visits_per_seed"] == [[1], [0]]
    assert out["hacked_steps_per_episode"] == [1.0, 0.0]
    assert out["example"]["r_i"] == pytest.approx(0.3) and out["example"]["visits"] == 1


REDUCED = replace(ex.Internalization(), authors_isr=None, socialization=3000, after=3000, planner_worlds=100,
                  planner_episodes=4)


HACKING = replace(ex.IncompleteInternalization(), source=REDUCED, after=3000, data_fractions=(1 / 48, 1 / 12, 1 / 3),
                  isr_training=(None, 1000))       # ours (the authors' ISR: the test after the next)


def reduced_runs():
    """Figs 1/4 left on 3 seeds at the reduced budget, and Fig. 6's grid continuing its learners."""
    run, socialized = ex.internalization(REDUCED, (1, 2, 3))
    return run, claims.hacking_claims(ex.incomplete_internalization(HACKING, (1, 2, 3), socialized)[0])


@pytest.mark.learning
@pytest.mark.background(compute=reduced_runs)
def test_the_papers_claims_on_a_reduced_budget(background):
    """Figs 1 and 4 left: socialized learners un-learn without an ISR and keep going with one.

    3 seeds, 3,000 + 3,000 episodes (paper: 10 seeds, 6,000 + 6,000). Smallest margins over
    five seed sets at two kernel sets: socialized 0.735 of the planner, none 0.03, isr 1.00,
    p 5e-6, the loss 0.065 of its start, test/train 1.07, paid 0.997, goal hazard 0.39.
    """
    run, _ = background
    c = claims.caregiver_claims(run)
    socialized = np.array(c["socialized_goals_per_episode"])
    assert socialized.mean() > 0.6 * c["planner_goals_per_episode"]
    assert (np.array(c["none_fraction_of_socialized"]) < 0.25).all()
    assert (np.array(c["isr_fraction_of_socialized"]) > 0.9).all()
    assert c["isr_vs_none_student"]["p"] < 0.001
    losses = run["isr_size_test_loss"].mean(axis=1)
    assert losses[-1] < losses[0] / 10
    assert run["isr"]["final_test_loss"].mean() < 1.2 * run["isr"]["final_train_loss"].mean()
    calibrated = claims.calibration_claims(run["calibration"], {"after": run["after"]["isr"]})
    assert 0.8 <= calibrated["during_after_r_i_over_r_s_pooled"] <= 1.25   # new steps, not the fitted ones
    hazards = calibrated["hazards"]                                  # held out, per seed
    assert min(hazards["goal_forward"]) > 0.3 and max(hazards["wall_forward"]) < 0.05
    assert (np.array(calibrated["r_i_on_rewarded_steps"]) > 50 * np.array(calibrated["r_i_on_unrewarded_steps"])).all()


def generalization_run():
    cfg = replace(ex.Generalization(), authors_isr=None, socialization=3000, new_world_episodes=3000, test_layouts=60)
    return ex.generalization(cfg, (1, 2, 3, 4, 5))[0]


@pytest.mark.learning
@pytest.mark.background(compute=generalization_run)
def test_generalization_claims_on_a_reduced_budget(background):
    """Figs 4 right and 5: after socialization with one block, learning from the ISR in the
    five hand-picked layouts beats the frozen learner, in each of two independent runs of the
    further learning (the model with a term per seed), and the ISR does not pay its learners
    more than the caregiver would have, in the layouts or in random 5-block worlds.

    5 seeds, 3,000 / 3,000 / 12,000 episodes, 60 test layouts (paper: 10 seeds, 6,000 / 6,000 /
    12,000; 200 test layouts). With fewer episodes in the layouts the ISR learner gains too
    little to show in every run: frozen − ISR was −0.017, p = 0.30 after 3,000 and −0.040,
    p = 0.036 after 6,000, in one of the two runs. Smallest margins over five seed sets at two
    kernel sets: frozen − ISR ≤ −0.14 with p ≤ 5e-12 in each run, goal hazard 0.39, paid ≤ 0.96.
    """
    run = background
    fig5 = claims.layout_claims(run)
    for rerun in fig5["reruns"]:
        fixed = rerun["frozen_vs_isr"]["seed_fixed_effects"]
        assert fixed["coef"] < 0 and fixed["p"] < 0.01              # frozen − ISR < 0
        assert fixed["df"] == 2 * 5 * 5 - (1 + 1 + 4 + 4)
    assert fig5["reruns_agree"]["frozen_vs_isr"]["seed_fixed_effects"]
    assert run["layouts"]["isr"]["goals"].shape == (2, 5, 5)         # (runs, layouts, seeds)
    frozen = run["layouts"]["frozen"]["return"]
    np.testing.assert_array_equal(frozen[0], frozen[1])             # exact: no test noise
    assert not np.array_equal(run["layouts"]["frozen_authors"]["return"][0], frozen[0])
    fig4 = claims.new_world_claims(run)
    assert fig4["test_layouts"] == 60 and 0 < fig4["largest_return_se"] < 0.05
    calibrated = claims.calibration_claims(run["calibration"], {
        "layouts": run["layout_curves"]["isr"], "new_world": run["new_world_curves"]["isr"],
        "raw": run["new_world_curves"]["isr_raw"]})
    assert min(calibrated["hazards"]["goal_forward"]) > 0.3 and max(calibrated["hazards"]["wall_forward"]) < 0.05
    for during in ("layouts", "new_world", "raw"):
        assert calibrated[f"during_{during}_r_i_over_r_s_pooled"] <= 1.25, during


@pytest.mark.learning
@pytest.mark.background(compute=reduced_runs)
def test_from_too_little_data_the_isr_under_pays_and_its_learners_unlearn_on_a_reduced_budget(background):
    """Fig. 6's grid, our ISR: ISRs trained on the first 1/48, 1/12 and 1/3 of socialization,
    for one pass at our batch of 256 and for the stated 1,000 updates. From the least data the
    median ISR pays a small share of what the caregiver would and the learners un-learn, both
    ways of training; from 1/3 of the data, trained for 1,000 updates, they keep their goals
    and none is hacked. 3 seeds, 3,000 + 3,000 episodes. (The grid's third column, the
    authors' ISR, is hacked instead: the next test.)
    Not claimed for every learner: over five seed sets at two kernel sets one least-data ISR
    paid 1.02 times what the caregiver would, and once one was hacked. Smallest margins: the
    median paid 0.05, goals last/first 0.13 (least data) and 0.98 (most)."""
    (_, c), cfg = background, HACKING
    assert c["isr_training"] == ["ours, one pass", "ours, 1,000 updates"]
    goals_first, goals_last = np.array(c["goals_first"]), np.array(c["goals_last"])     # (trainings, sizes, S)
    least = [v for b in range(2) for v in c["r_i_over_r_s_last"][b][0] if v is not None]   # None: no R_s, no R_i
    assert np.median(least) < 0.25
    assert (goals_last[:2, 0].mean(axis=1) < 0.5 * goals_first[:2, 0].mean(axis=1)).all()
    assert goals_last[1, -1].mean() > 0.9 * goals_first[1, -1].mean()
    assert c["seeds_hacked"][1][-1] == 0                                # (0 in each of the ten runs)


def authors_isr_and_ours():
    """Fig. 6's least-data cell on a reduced budget, with the authors' ISR and with ours (both
    trained the authors' way): 6 learners socialized for 1,500 episodes, their ISRs trained on
    the first 125 of them (as Fig. 6's least data), then 1,500 episodes in new worlds. Per
    design: learners hacked, each one's R_i / R_s at the end, and the share of its R_i paid on
    steps where the caregiver would pay nothing (farming)."""
    seeds = (1, 2, 3, 4, 5, 6)
    source = replace(ex.Internalization(), authors_isr=None, socialization=1500, after=30, planner_worlds=10, planner_episodes=1,
                     isr_fractions=(1.0,))
    _, socialized = ex.internalization(source, seeds)
    out = {}
    ours_the_authors_way = replace(isr.ISRConfig(), optimizer="adam", lr=3e-4, batch=1, epochs=1.0)
    for name, training in (("authors", "authors"), ("ours", None)):    # None: source.isr, one pass
        cfg = replace(ex.IncompleteInternalization(), source=replace(source, isr=ours_the_authors_way),
                      isr_training=(training,), data_fractions=(1 / 12,), test_layouts=1, after=1500, tail=150)
        run, _ = ex.incomplete_internalization(cfg, seeds, socialized)
        c = claims.hacking_claims(run)
        r_i, r_s = run["last"]["r_i"][0, 0], run["last"]["r_s"][0, 0]             # (S, steps)
        out[name] = {"hacked": c["seeds_hacked"][0][0],
                     "paid": np.array([np.nan if v is None else v for v in c["r_i_over_r_s_last"][0][0]]),
                     "farmed": np.where(r_s == 0, r_i, 0).sum(-1) / np.maximum(r_i.sum(-1), 1e-12)}
    return out


@pytest.mark.learning
@pytest.mark.background(compute=authors_isr_and_ours)
def test_the_authors_isr_is_hacked_from_the_least_data_and_ours_is_not(background):
    """Fig. 6 (issue's reduced budget): from the least data the authors' ISR pays its learners
    on steps the caregiver would not reward (every learner farms), and several are hacked
    (R_i > 1.25 × what the caregiver would pay); our ISR, trained the same way, pays none of
    that and under-pays every learner. Over five seed sets at two kernel sets: 3 to 5 of 6
    hacked with the authors' ISR, each farming at least 0.31 of its R_i; with ours none
    hacked, at most 0.50 of what the caregiver would pay, and exactly 0 farmed."""
    authors, ours = background["authors"], background["ours"]
    assert authors["hacked"] >= 2 and (authors["farmed"] > 0.2).all()
    assert ours["hacked"] == 0 and np.nanmax(ours["paid"]) < 1.0 and (ours["farmed"] < 0.05).all()


def helping_claims():
    return claims.helping_claims(prosocial.helping(replace(prosocial.Helping(), helper_worlds=100, helper_episodes=1), (1, 2, 3)))


@pytest.mark.learning
@pytest.mark.background(compute=helping_claims)
def test_a_socialized_helper_keeps_helping_with_its_isr_on_three_seeds(background):
    """Fig. 7 at the default budget on 3 seeds (6,000 + 2,400 episodes of 100 steps).

    The socialized learner reaches half the scripted helper's level; with its ISR the learners
    keep ≥ 80 % of their helping on the mean and ≥ 70 % each, more than each without one, whose
    helping falls below 40 % on the mean. The network's own output over-pays the caregiver's
    reward by half at least; the calibrated ISR pays its learners at most 25 % more than the
    caregiver would, and on held-out steps it pays the caregiver's arrivals many times what it
    pays the step before them. Smallest margins over five seed sets at two kernel sets: the
    helper's level 0.57, with the ISR 1.07 on the mean and 0.80 each, isr − none 0.54, none
    0.28 on the mean, output 1.90 times R_s, paid 1.09, p 0.006.
    """
    c = background
    cal = c["isr_calibration"]                                       # held out, per seed
    assert cal["output_over_r_s_pooled"] > 1.5 and cal["during_after_r_i_over_r_s_pooled"] <= 1.25
    assert (np.array(cal["r_i_on_rewarded_steps"]) > 20 * np.array(cal["r_i_on_unrewarded_steps"])).all()
    assert (np.array(cal["hazards"]["at_arrival"]) > 3 * np.array(cal["hazards"]["before_arrival"])).all()
    socialized = np.array(c["socialized_goals_per_episode"])
    assert socialized.mean() > 0.5 * c["helper_goals_per_episode"]
    isr_, none = np.array(c["isr_fraction_of_socialized"]), np.array(c["none_fraction_of_socialized"])
    assert isr_.mean() > 0.8 and (isr_ > 0.7).all() and (isr_ > none).all()
    assert none.mean() < 0.4
    assert c["isr_vs_none_student"]["p"] < 0.05


def test_pooled_claims_count_a_learner_once_and_give_each_set_a_term():
    """Seed ranges 1-3 and 1-5 hold the same learners 1-3 (a learner's numbers depend on its
    seed alone): only the wider range counts. Fig. 7's isr − none is pooled per learner."""
    def fig7(isr, none):
        return {"fig7": {"isr_goals_per_episode": isr, "none_goals_per_episode": none,
                         "oracle_at_isr_rate_goals_per_episode": [2 * v for v in isr]}}
    sets = {"1-3": fig7([1.0, 2.0, 3.0], [0.0, 0.0, 0.0]), "1-5": fig7([1.0, 2.0, 3.0, 4.0, 6.0], [0.0] * 5),
            "7-9": fig7([10.0, 11.0, 13.0], [9.0, 9.0, 9.0])}
    isr_vs_none = next(c for c in beyond_claims.pooled_claims(sets) if c["figure"] == "Fig. 7" and c["b"] == "none")
    assert set(isr_vs_none["per_set"]) == {"1-5", "7-9"} and isr_vs_none["learners"] == 8
    assert isr_vs_none["pooled"]["diff"] == pytest.approx((16.0 + 7.0) / 8)
    assert isr_vs_none["pooled"]["df"] == 8 - 2


def test_hacking_and_farming_are_counted_per_learner():
    """claims.hacking: Σ R_i / Σ R_s over the last updates, hacked above 1.25 (a learner paid
    where the caregiver would pay nothing is hacked, its ratio inf); claims.farmed_share: the
    share of R_i paid on steps where R_s = 0 (NaN where nothing was paid)."""
    logs = {"r_i": np.array([[9.0, 1.0, 1.2], [0.0, 0.5, 3.0], [5.0, 0.0, 0.3], [0.0, 1.25, 1.25]]),
            "r_s": np.array([[0.0, 1.0, 1.0], [0.0, 1.0, 2.0], [1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])}
    ratio, hacked = claims.hacking(logs, 2)                          # the last two updates
    np.testing.assert_allclose(ratio, [1.1, 3.5 / 3.0, np.inf, 1.25])
    assert hacked.tolist() == [False, False, True, False]             # exactly 1.25 is not above it
    r_i = np.array([[0.4, 0.2, 0.2, 0.0], [0.0, 0.0, 0.0, 0.0], [0.3, 0.0, 0.1, 0.0]])
    r_s = np.array([[0.4, 0.0, 0.0, 0.0], [0.4, 0.0, 0.0, 0.0], [0.4, 0.0, 0.0, 0.0]])
    share = claims.farmed_share(r_i, r_s)
    np.testing.assert_allclose(share[[0, 2]], [0.5, 0.25])
    assert np.isnan(share[1])


def test_several_isrs_pay_each_group_of_learners_by_its_own_design():
    """isr.ISRGroups: ours (one output per action, calibrated) and the authors' (the action as an
    input, raw output, its pay replacing the step cost) side by side; each group's output, pay
    and cost rule are its own ISR's."""
    rng = np.random.default_rng(0)
    views = rng.integers(0, 4, (4, 6, 3, 3))
    actions = rng.integers(0, 3, (4, 6))
    codes = (1, 2)
    ours = isr.ISR(isr.init_params((18, 8, 3), 2, rng), codes, 0.1, odds=np.array([2.0, 0.5]), reward=1.0)
    theirs = isr.ISR(isr.init_params((19, 8, 1), 2, rng, init="orthogonal"), codes, 0.1, replaces_cost=True)
    both = isr.ISRGroups([ours, theirs], 2)
    np.testing.assert_array_equal(both.output(views, actions)[:2], ours.output(views[:2], actions[:2]))
    np.testing.assert_array_equal(both.output(views, actions)[2:], theirs.output(views[2:], actions[2:]))
    np.testing.assert_array_equal(both(views, actions), np.concatenate([ours(views[:2], actions[:2]),
                                                                       theirs(views[2:], actions[2:])]))
    assert both.replaces_step_cost.tolist() == [False, False, True, True]
    partly = isr.ISR(theirs.params, codes, None, odds=np.array([np.nan, 3.0]), reward=1.0)   # one refitted
    y = partly.output(views[2:], actions[2:])
    np.testing.assert_array_equal(partly.pay(y)[0], y[0])
    np.testing.assert_allclose(partly.pay(y)[1], isr.shift_odds(y[1], 3.0, 1.0))


def test_the_front_tables_verdicts_are_rules_on_the_numbers():
    """claims.py's verdict rules, at their edges: Fig. 1 holds when the learner that kept the
    most without an ISR kept less than a tenth; Figs 4 left and 7 when the one that kept the
    least kept 80 %; Fig. 3 when held-out loss is within 1.25 times the train loss; "comes
    close" when the equivalence test puts the difference within ±0.05 of return."""
    assert claims.unlearned(0.0999) and not claims.unlearned(0.1)
    assert claims.kept(0.8) and not claims.kept(0.7999)
    assert claims.no_gap(1.2499) and not claims.no_gap(1.25)
    assert claims.close(stats.equivalence(-0.03, 0.01, 39, claims.CLOSE_WITHIN)._asdict())
    assert not claims.close(stats.equivalence(-0.04, 0.01, 39, claims.CLOSE_WITHIN)._asdict())
