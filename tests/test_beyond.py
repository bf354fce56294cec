"""Beyond the paper (beyond/): partial presence (Fig. 8), online internalization, the
sensitivity analyses (Fig. 9), the MLP learner and feature subsets, and their claims on a
reduced budget."""
from dataclasses import replace

import numpy as np
import pytest

import agents
import claims as paper_claims
import env
import experiments as ex
import isr
from beyond import claims
from beyond import experiments as beyond
from beyond import learners

SEEDS = (1234, 1235, 1236)


@pytest.fixture(scope="module")
def socialized():
    """Learners socialized at the quick budget, with their ISRs."""
    _, socialized = ex.internalization(replace(ex.Internalization().quick(), authors_isr=None), SEEDS)
    return socialized


@pytest.mark.learning
def test_fine_tune_trains_only_on_eligible_transitions(socialized):
    """Online internalization: a model with no eligible transition is left exactly as it was;
    a model shown a step rewarded 0.4 over and over moves its output there toward 0.4."""
    model = socialized.isrs[-1]
    data = socialized.data
    views, actions, r_s = data.views[:, :2000], data.actions[:, :2000], data.r_s[:, :2000].copy()
    r_s[:] = 0.4                                                       # every step rewarded
    eligible = np.zeros(r_s.shape, dtype=bool)
    eligible[1:] = True                                                # model 0 sees nothing
    before = model.output(views[:, :200], actions[:, :200].astype(np.int64))
    snapshot = {k: p.copy() for k, p in model.params.items()}
    params = beyond.fine_tune(model.params, views, actions, r_s, eligible, ex.Internalization().isr,
                           np.random.default_rng(0), model.codes, env.WorldConfig().n_actions, 30)
    after = isr.ISR(params, model.codes).output(views[:, :200], actions[:, :200].astype(np.int64))
    np.testing.assert_array_equal(after[0], before[0])
    assert (np.abs(after[1:] - 0.4).mean(axis=1) < np.abs(before[1:] - 0.4).mean(axis=1)).all()
    assert all(np.array_equal(model.params[k], snapshot[k]) for k in params)     # trained a copy


@pytest.mark.learning
def test_partial_presence_claims_on_a_reduced_budget(socialized):
    """Fig. 8 at a reduced budget (3 seeds, 600 episodes): with the caregiver away (q = 0) the
    learners without an ISR un-learn on the mean while those with one keep ≥ 80 % of their
    level on the mean and ≥ 70 % each; a caregiver present in every episode (q = 1) keeps the
    learner without an ISR at its level; the visited share follows q; the ISRs pay what the
    caregiver would (no hacking). Measured on five seed sets at two kernel sets: none at q = 0
    at most 0.36 on the mean (one learner kept 0.99 in 600 episodes: no per-learner claim),
    with an ISR at least 0.97 on the mean and 0.80 each, none at q = 1 at least 0.93."""
    cfg = replace(beyond.PartialPresence().quick(), visit_rates=(0.0, 0.5, 1.0))
    run = beyond.partial_presence(cfg, SEEDS, socialized)
    out = claims.presence_claims(run)
    none, isr_, online = (np.array(out[f"{a}_fraction_of_socialized"]) for a in beyond.PRESENCE_ARMS)
    assert none[0].mean() < 0.5 and (none[2] > 0.8).all()
    assert isr_[0].mean() >= 0.8 and online[0].mean() >= 0.8
    assert (isr_[0] >= 0.7).all() and (online[0] >= 0.7).all()
    np.testing.assert_allclose(out["none_visited"], [0.0, 0.5, 1.0], atol=0.05)
    assert out["isr_seeds_hacked"] == [0, 0, 0] and out["isr_online_seeds_hacked"] == [0, 0, 0]


@pytest.mark.learning
def test_feature_set_claims_on_a_reduced_budget():
    """Fig. 9 (c) at the quick budget: with each feature set the learners learn with the
    caregiver, un-learn without an ISR and keep their level with it, every learner (smallest
    margins over five seed sets at two kernel sets: 0.41 of the planner, 0.13 without, 1.02 with)."""
    run = beyond.feature_sets(beyond.FeatureSets().quick(), SEEDS)
    out = claims.feature_claims(run)
    assert out["sets"] == list(beyond.FeatureSets().sets)
    assert (np.array(out["socialized_fraction_of_planner"]) > 0.3).all()
    assert (np.array(out["none_fraction_of_socialized"]) < 0.5).all()
    assert (np.array(out["isr_fraction_of_socialized"]) >= 0.8).all()


@pytest.mark.learning
def test_threshold_and_grid_claims_on_a_reduced_budget(socialized):
    """Fig. 9 (a) and (b) at the quick budget. (a): every threshold's learners and the oracle
    are scored on the same test layouts as the frozen learners they continue; a threshold
    above every R_i the ISR pays (0.4) leaves them with the step costs only, so they score
    below the frozen learners. (b): Fig. 6's learners with the most data and 250 updates
    score above those with the least data and one pass on the mean (by 0.19 at least over five
    seed sets at two kernel sets; one learner of thirty scored 0.02 below); the grid is cut to
    those two trainings and two sizes (the authors' batch-1 pass over every size took 90 % of
    the test's time), so its cells are drawn afresh, not Fig. 6's."""
    source = replace(ex.Generalization().quick(), authors_isr=None)
    one_update_after = replace(source, new_world_episodes=15, layout_episodes=15, test_layouts=1)
    _, one_block = ex.generalization(one_update_after, SEEDS)         # Fig. 9 a reads only its socialized
                                                                      # learners and ISR
    run = beyond.thresholds(beyond.Thresholds(source=source, thresholds=(0.2, 0.4)), SEEDS, one_block)
    out = claims.threshold_claims(run)
    returns = np.array(out["return"])
    assert returns.shape == (2, len(SEEDS)) and len(out["frozen_return"]) == len(SEEDS)
    assert (returns[1] < np.array(out["frozen_return"])).all()
    assert np.array(out["r_i_over_r_s"])[1].max() == 0.0 < np.array(out["r_i_over_r_s"])[0].min()
    cells = replace(ex.IncompleteInternalization().quick(), isr_training=(None, 250), data_fractions=(1 / 48, 1.0))
    grid = claims.grid_ood_claims(ex.incomplete_internalization(cells, SEEDS, socialized)[0])
    ood = np.array(grid["ood_return"])                                   # (budgets, sizes, S)
    assert ood.shape == (2, 2, len(SEEDS)) and (ood[1, -1] - ood[0, 0]).mean() > 0


@pytest.mark.learning
def test_the_mlp_learner_keeps_its_level_with_its_isr_on_a_reduced_budget():
    """Figs 1 and 4 left with the MLP learner on the raw view, at the quick budget (4,500
    socialization episodes): without an ISR every learner un-learns, with it every learner
    keeps ≥ 80 % of its level. Smallest margins over five seed sets at two kernel sets: the
    socialized level 0.32 of the planner's, with the ISR 0.87, p 0.0047."""
    run, _ = ex.internalization(learners.MLPInternalization().quick(), SEEDS)
    out = paper_claims.caregiver_claims(run)
    assert out["socialized_fraction_of_planner"] > 0.25
    assert (np.array(out["none_fraction_of_socialized"]) < 0.5).all()
    assert (np.array(out["isr_fraction_of_socialized"]) >= 0.8).all()
    assert out["isr_vs_none_student"]["p"] < 0.01


def test_a_feature_subset_learner_is_the_linear_learner_on_its_features():
    """From the same start, an update of the "full" mask over the superset moves the weights of
    the plain linear learner as it does (up to float32 summation order; later updates drift
    apart once one sampled action differs), and a masked weight never moves."""
    cfg, acfg = env.WorldConfig(), agents.AgentConfig()
    masks = np.stack([learners.feature_mask("full", cfg.view), learners.feature_mask("minimal", cfg.view)])
    subsets = learners.FeatureSubsets(masks)
    wide = agents.Policy.for_world(2, cfg, learners.feature_superset)
    agents.learn(wide, cfg, acfg, 30, 1.0, np.random.default_rng(1), featurize=subsets)   # one update
    plain = agents.Policy.for_world(2, cfg)
    agents.learn(plain, cfg, acfg, 30, 1.0, np.random.default_rng(1))
    np.testing.assert_allclose(wide.theta[0][masks[0]], plain.theta[0], rtol=1e-4, atol=1e-6)
    assert (wide.theta[0][~masks[0]] == 0).all() and (wide.theta[1][~masks[1]] == 0).all()
    assert np.abs(wide.theta[1][masks[1]]).sum() > 0
    with pytest.raises(ValueError, match="unknown feature set"):
        learners.feature_mask("everything", 9)


def test_mlp_policy_gradient_matches_finite_differences():
    """MLPPolicy.gradients is dJ/dθ of J = mean_b [A_b log π(a_b | s_b) + β H(π(· | s_b))],
    checked entry by entry against central differences, in float64."""
    rng = np.random.default_rng(3)
    cfg = env.WorldConfig()
    policy = learners.MLPPolicy.for_world(2, cfg, hidden=8, rng=rng)
    policy.params = {k: rng.normal(0, 0.3, p.shape) for k, p in policy.params.items()}
    views = env.GridWorld(cfg, 12, rng)
    x = learners.view_features(views.reset()).reshape(2, 6, -1).astype(np.float64)
    actions, advantages, beta = rng.integers(0, 3, (2, 6)), rng.normal(size=(2, 6)), 0.05

    def objective():
        probs = policy.probs(x)
        logp = np.log(np.take_along_axis(probs, actions[..., None], -1)[..., 0])
        entropy = -(probs * np.log(probs)).sum(-1)
        return (advantages * logp + beta * entropy).mean(axis=1).sum()

    grads = policy.gradients(x, actions, advantages, beta)
    for name, p in policy.params.items():
        for index in [tuple(rng.integers(0, n) for n in p.shape) for _ in range(6)]:
            old = p[index]
            p[index] = old + 1e-6
            up = objective()
            p[index] = old - 1e-6
            down = objective()
            p[index] = old
            assert grads[name][index] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-8), name


@pytest.mark.learning
def test_the_mlp_learner_learns_and_stacks_like_the_linear_one():
    cfg, acfg = env.WorldConfig(), agents.AgentConfig(lr=0.03, entropy=0.03)
    policy = learners.MLPPolicy.for_world(2, cfg, rng=np.random.default_rng(0))
    logs = agents.learn(policy, cfg, acfg, 3000, 1.0, np.random.default_rng(1), featurize=learners.view_features)
    assert logs["goals"][:, -10:].mean() > 2 * logs["goals"][:, :10].mean()
    both = learners.MLPPolicy.stack(policy, policy.tile(2))
    assert both.n_learners == 6 and both.sizes == policy.sizes
    np.testing.assert_array_equal(both.select(slice(2, 3)).params["W1"], policy.params["W1"][:1])
    with pytest.raises(ValueError, match="features, actions"):
        agents.learn(policy, cfg, acfg, 30, 1.0, np.random.default_rng(1))        # linear features


REPAIR_SOCIALIZATION = replace(ex.Internalization(), authors_isr=None, socialization=3000, after=30, planner_worlds=10,
                               planner_episodes=1, isr_fractions=(1.0,))
REPAIR_GRID = replace(ex.IncompleteInternalization(), source=REPAIR_SOCIALIZATION, after=3000, isr_training=(None,),
                      data_fractions=(1 / 48, 1 / 24, 1 / 12, 1 / 6), test_layouts=5)
REPAIR_SEEDS = tuple(range(1, 13))


def repair_claims():
    """Fig. 10 on a reduced budget: Fig. 6's grid (one pass only) from 3,000 socialization
    episodes of a dozen learners, then 3,000 episodes with visits, for the ISRs from 500
    episodes. Which learners hack their ISR at the end of Fig. 6 depends on the CPU's rounding
    (1 to 3 of the 12, other ones at another kernel set), so the claims are read for those
    found hacked here."""
    _, socialized = ex.internalization(REPAIR_SOCIALIZATION, REPAIR_SEEDS)
    _, grid = ex.incomplete_internalization(REPAIR_GRID, REPAIR_SEEDS, socialized)
    cfg = replace(beyond.Repair(), source=REPAIR_GRID, isr_training=None, data_fractions=(1 / 6,),
                  visit_rates=(0.0, 0.25), after=3000)
    return claims.repair_claims(beyond.repair(cfg, REPAIR_SEEDS, grid))


@pytest.mark.learning
@pytest.mark.background(compute=repair_claims)
def test_a_caregivers_visits_stop_the_hacking_of_an_incomplete_isr(background):
    """Fig. 10: at least one of the dozen learners hacked its ISR at the end of Fig. 6. At
    q = 0.25 the frozen ISR still pays them on the steps they farm (R_i > 0 where the
    caregiver pays 0), while an ISR trained online pays those steps almost nothing, whether
    its calibration is kept or refitted; its network still pays the steps the caregiver
    rewarded, and the refitted calibration pays the goal more than the kept one, whose odds
    factor was fitted to the old network. Farming is the measure here, not the 1.25× rule:
    near that line a learner's count flips with the kernel set (an online ISR was still
    counted hacked once in ten runs while paying its farmed steps nothing). Smallest margins
    over five seed sets at two kernel sets: 1 learner found, frozen farmed R_i 0.24, online
    ≤ 0.003 of it, the network's pay on rewarded steps 0.27, the refit's goal hazard +0.08."""
    found = background
    hacked = found["hacked"]
    assert hacked["learners"] >= 1 and found["fig6_seeds_hacked"] == [hacked["learners"]]
    assert hacked["isr_farmed_r_i"][1] > 0.1                                     # frozen, q = 0.25
    for arm in ("isr_online", "isr_online_refit"):
        assert hacked[f"{arm}_farmed_r_i"][1] < 0.1 * hacked["isr_farmed_r_i"][1]
        assert hacked[f"{arm}_output_on_rewarded"][1] > 0.2
    assert hacked["isr_online_goal_forward"][1] < hacked["isr_online_refit_goal_forward"][1]
