"""The exact test of Figs 4 right and 5 (evaluation.py) against Monte-Carlo episodes."""
import numpy as np
import pytest

import agents
import env
import evaluation

SMALL = env.WorldConfig(width=6, height=6, n_blocks=2, episode_len=10, view=7)


def some_policy(n, cfg, seed=0, scale=0.6):
    policy = agents.Policy.for_world(n, cfg)
    policy.theta = np.random.default_rng(seed).normal(0, scale, policy.theta.shape)
    return policy


def test_every_state_is_enumerated_once_with_the_worlds_own_dynamics():
    walls = env.parse_layout(env.HANDPICKED["plus"])
    states = evaluation.layout_states(env.WorldConfig(), walls[None])
    free = (~walls).sum()
    assert len(states.views) == free * (free - 1) * 4
    rows, actions = np.nonzero(states.reached)
    assert (states.next[rows, actions] == rows).all()           # a fresh start follows, not a state
    assert ((states.reward == -0.045) | (states.reward == 0.0) | np.isclose(states.reward, 0.355)).all()
    # turning never moves the agent and never enters the goal
    assert not states.reached[:, :2].any() and (states.reward[:, :2] == 0).all()


@pytest.mark.parametrize("greedy", [True, False])
def test_exact_return_in_a_fixed_layout_matches_monte_carlo(greedy):
    cfg = env.WorldConfig()
    grids = np.stack([env.parse_layout(env.HANDPICKED[name]) for name in ("plus", "4 rooms")])
    policy = some_policy(2, cfg)
    exact = evaluation.expected_return(policy, cfg, grids[:1])
    exact_other = evaluation.expected_return(policy, cfg, grids[1:])
    mc = agents.evaluate(policy, cfg, 20000, np.random.default_rng(1), grids, greedy=greedy)
    suffix = "" if greedy else "_stochastic"
    expected = np.array([exact["return" + suffix][0], exact_other["return" + suffix][1]])
    assert np.all(np.abs(mc["return"] - expected) < 4 * mc["return_se"]), (mc["return"], expected)
    assert np.isnan(exact["return_se"]).all()


def test_exact_return_over_many_layouts_matches_monte_carlo_in_random_worlds():
    """Over M random layouts the exact value differs from the random-world value only by which
    layouts were drawn (return_se) — checked against Monte Carlo in fresh random worlds."""
    policy = some_policy(3, SMALL, seed=2)
    world = SMALL.make(1, 600, np.random.default_rng(3))
    world.reset()
    exact = evaluation.expected_return(policy, SMALL, world.walls.copy())
    for suffix, greedy in (("", True), ("_stochastic", False)):
        mc = agents.evaluate(policy, SMALL, 5000, np.random.default_rng(4), greedy=greedy)
        bound = 4 * np.hypot(mc["return_se"], exact["return_se" + suffix])
        assert np.all(np.abs(mc["return"] - exact["return" + suffix]) < bound)


def test_a_fresh_start_draws_a_layout_first_whatever_its_number_of_free_cells():
    """Over an open layout (25 free cells) and one with 3 blocks (22), a one-step episode's
    exact scores are the mean of each layout scored alone: a fresh start draws the layout,
    then a state in it. (Over longer episodes a goal restarts in either layout, so the
    mixture is no longer the mean of the two.)"""
    cfg = env.WorldConfig(episode_len=1)
    open_room = env.parse_layout(env.HANDPICKED["plus"])
    open_room[1:-1, 1:-1] = False
    three_blocks = open_room.copy()
    three_blocks[2, 2] = three_blocks[4, 3] = three_blocks[3, 5] = True
    policy = some_policy(2, cfg, seed=7)
    both = evaluation.expected_return(policy, cfg, np.stack([open_room, three_blocks]))
    alone = [evaluation.expected_return(policy, cfg, grid[None]) for grid in (open_room, three_blocks)]
    for key in ("goals", "return", "return_stochastic"):
        np.testing.assert_allclose(both[key], (alone[0][key] + alone[1][key]) / 2, rtol=1e-6, err_msg=key)


def test_a_policy_that_only_turns_scores_zero_and_one_that_walks_pays_the_step_cost():
    cfg = env.WorldConfig()
    policy = agents.Policy.for_world(2, cfg)
    bias = agents.n_features(agents.features, cfg.view) - 1
    policy.theta[0, bias, env.Action.LEFT] = 50.0       # always turns left
    policy.theta[1, bias, env.Action.FORWARD] = 50.0    # always walks forward
    grids = np.repeat(env.parse_layout(env.HANDPICKED["T"])[None], 1, axis=0)
    scores = evaluation.expected_return(policy, cfg, grids)
    assert scores["goals"][0] == 0 and scores["return"][0] == 0
    np.testing.assert_allclose(scores["return"][1], 20 * cfg.step_cost + cfg.social_reward * scores["goals"][1])


def test_expected_return_is_deterministic_and_per_learner():
    cfg = env.WorldConfig()
    grids = env.parse_layout(env.HANDPICKED["x"])[None]
    policy = some_policy(4, cfg, seed=5)
    together = evaluation.expected_return(policy, cfg, grids, learners_at_once=3)
    alone = evaluation.expected_return(policy.select(slice(2, 3)), cfg, grids)
    assert together["return"][2] == alone["return"][0]
    np.testing.assert_array_equal(together["return"], evaluation.expected_return(policy, cfg, grids)["return"])


def test_each_group_of_learners_is_scored_in_its_own_layout_and_split_by_condition():
    """Fig. 5's scoring: group i (n learners) in layout i alone, then named by condition."""
    cfg = env.WorldConfig()
    grids = np.stack([env.parse_layout(env.HANDPICKED[name]) for name in ("plus", "U", "4 rooms")])
    policy = some_policy(6, cfg, seed=9)
    scores = evaluation.by_condition(evaluation.in_own_layouts(policy, cfg, grids, 2), ("a", "b", "c"), 2)
    for i, condition in enumerate("abc"):
        alone = evaluation.expected_return(policy.select(slice(2 * i, 2 * i + 2)), cfg, grids[i:i + 1])
        for key in ("goals", "return", "return_stochastic"):
            np.testing.assert_array_equal(scores[condition][key], alone[key], err_msg=f"{condition} {key}")
