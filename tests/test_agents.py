"""The learner: returns, the policy gradient, Eq. 1, and that it learns at all."""
import numpy as np
import pytest

import agents
import env

N_FEATURES = agents.n_features(agents.features, 9)   # on the paper's 9×9 view


def test_discounted_returns_match_a_naive_sum():
    rng = np.random.default_rng(0)
    rewards = rng.normal(size=(7, 3))
    naive = np.array([[sum(0.9 ** (k - t) * rewards[k, j] for k in range(t, 7)) for j in range(3)]
                      for t in range(7)])
    np.testing.assert_allclose(agents.discounted_returns(rewards, 0.9), naive)


def test_utility_is_eq_1():
    r_e, r_s, r_i = np.array([-0.045, 0.0]), np.array([0.4, 0.4]), np.array([0.3, 0.3])
    np.testing.assert_allclose(agents.utility(r_e, r_s, r_i, 1.0), [0.355, 0.4])
    np.testing.assert_allclose(agents.utility(r_e, r_s, r_i, 0.0), [0.255, 0.3])


def test_the_authors_rule_lets_a_paying_isr_replace_the_step_cost_only_while_the_caregiver_is_away():
    """Their Figs 5 and 6: where P < 1 and R_i > 0, U = (1 − P)·R_i without the cost."""
    r_e, r_s, r_i = np.full(3, -0.045), np.zeros(3), np.array([0.3, 0.0, 0.3])
    presence = np.array([0.0, 0.0, 1.0])
    np.testing.assert_allclose(agents.utility(r_e, r_s, r_i, presence, replaces_cost=True),
                               [0.3, -0.045, -0.045])
    np.testing.assert_allclose(agents.utility(r_e, r_s, r_i, presence, replaces_cost=[False, True, True]),
                               [0.255, -0.045, -0.045])


def test_score_function_matches_finite_differences_of_log_pi():
    rng = np.random.default_rng(1)
    policy = agents.Policy.for_world(1, env.WorldConfig())
    policy.theta = rng.normal(0, 0.3, policy.theta.shape)
    phi = rng.random((1, 1, N_FEATURES)).astype(np.float64)
    action, eps = 2, 1e-6
    logits = agents.logit_ascent(policy.probs(phi)[0, 0], np.array(action), np.array(1.0), entropy=0.0)
    analytic = phi[0, 0][:, None] * logits[None, :]                     # the update's own score
    numeric = np.zeros_like(policy.theta[0])
    for i in np.ndindex(numeric.shape):
        old = policy.theta[0][i]
        policy.theta[0][i] = old + eps
        up = np.log(policy.probs(phi)[0, 0, action])
        policy.theta[0][i] = old - eps
        down = np.log(policy.probs(phi)[0, 0, action])
        policy.theta[0][i] = old
        numeric[i] = (up - down) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, atol=1e-7)


def test_features_see_the_goal_and_the_wall_ahead():
    view = np.full((9, 9), env.EMPTY, dtype=np.int8)
    view[4, 4], view[2, 4], view[3, 4] = env.AGENT, env.GOAL, env.WALL
    phi = agents.features(view)
    assert phi.shape == (N_FEATURES,) and phi[-1] == 1.0          # bias
    assert phi[2 * 9 + 4] == 1.0 and phi[81 + 2 * 9 + 4] == 0.0          # goal, wall ahead


@pytest.mark.learning
def test_the_learner_improves_on_a_small_world():
    cfg = env.WorldConfig(width=5, height=5, n_blocks=0, episode_len=12, step_cost=-0.03)
    acfg = agents.AgentConfig(worlds_per_seed=20)
    policy = agents.Policy.for_world(2, env.WorldConfig())
    logs = agents.learn(policy, cfg, acfg, 1200, np.ones(2), np.random.default_rng(0))
    first, last = logs["goals"][:, :5].mean(axis=1), logs["goals"][:, -10:].mean(axis=1)
    assert (last > first + 1.0).all(), (first, last)


@pytest.mark.learning
def test_none_condition_unlearns_because_only_costs_remain():
    cfg = env.WorldConfig(width=5, height=5, n_blocks=0, episode_len=12, step_cost=-0.03)
    acfg = agents.AgentConfig(worlds_per_seed=20)
    policy = agents.Policy.for_world(1, env.WorldConfig())
    agents.learn(policy, cfg, acfg, 1200, np.ones(1), np.random.default_rng(0))
    logs = agents.learn(policy, cfg, acfg, 4000, np.zeros(1), np.random.default_rng(1))
    assert logs["goals"][0, -10:].mean() < 0.5 * logs["goals"][0, :3].mean()
    assert logs["internal"][0, -10:].mean() > logs["internal"][0, :3].mean()   # costs avoided


def test_same_seed_same_learning_and_recorded_data():
    def run(seed):
        policy = agents.Policy.for_world(2, env.WorldConfig())
        logs = agents.learn(policy, env.WorldConfig(), agents.AgentConfig(worlds_per_seed=10),
                            40, np.ones(2), np.random.default_rng(seed), record=True)
        return logs, policy
    (a, pa), (b, pb) = run(3), run(3)
    np.testing.assert_array_equal(a["goals"], b["goals"])
    np.testing.assert_array_equal(a["data"]["views"], b["data"]["views"])
    np.testing.assert_array_equal(pa.theta, pb.theta)
    assert a["data"]["views"].shape == (2, 40 * 20, 9, 9)


def test_episodes_must_fill_whole_updates():
    with pytest.raises(ValueError, match="multiple of worlds_per_seed"):
        agents.learn(agents.Policy.for_world(1, env.WorldConfig()), env.WorldConfig(), agents.AgentConfig(), 45,
                     np.ones(1), np.random.default_rng(0))


def test_an_update_is_reinforce_with_a_baseline_worked_out_by_hand():
    """Policy.update on two steps, every term written out step by step: the advantage
    G_t − φ_t·w, the score onehot(a_t) − π_t, the entropy bonus, Adam's second step (a state
    left by a first one, so the step is not lr·sign(g)) and the baseline's SGD step."""
    phi = np.array([[1.0, 0.5], [0.0, 1.0]])                       # (T = 2, F = 2)
    theta = np.array([[0.3, -0.2, 0.1], [0.0, 0.4, -0.3]])          # (F, A = 3)
    w, actions, returns = np.array([0.2, -0.4]), np.array([0, 2]), np.array([1.0, -0.5])
    cfg = agents.AgentConfig(lr=0.05, lr_value=0.1, entropy=0.1)
    policy = agents.Policy(theta[None].copy(), w[None].copy(), np.zeros((1, 2, 3)), np.full((1, 2, 3), 0.25), k=1)
    policy.update(phi[None, :, None], actions[None, :, None], returns[None, :, None], cfg)

    grad, baseline_grad = np.zeros((2, 3)), np.zeros(2)
    for t in range(2):
        logits = phi[t] @ theta
        pi = np.exp(logits) / np.exp(logits).sum()
        advantage = returns[t] - phi[t] @ w
        score = np.eye(3)[actions[t]] - pi
        entropy = -(pi * np.log(pi)).sum()
        entropy_grad = -pi * (np.log(pi) + entropy)
        grad += np.outer(phi[t], advantage * score + cfg.entropy * entropy_grad) / 2
        baseline_grad += phi[t] * advantage / 2
    m, v = 0.1 * grad, 0.999 * 0.25 + 0.001 * grad ** 2                   # Adam, k = 2
    step = cfg.lr * (m / (1 - 0.9 ** 2)) / (np.sqrt(v / (1 - 0.999 ** 2)) + 1e-8)
    np.testing.assert_allclose(policy.theta[0], theta + step, rtol=1e-5)
    np.testing.assert_allclose(policy.w[0], w + cfg.lr_value * baseline_grad, rtol=1e-5)
    assert policy.k == 2


def test_returns_the_baseline_predicts_leave_the_learner_as_it_was():
    """With G_t = φ_t·w exactly and no entropy bonus every advantage is 0: θ and w stay."""
    phi = np.array([[[[1.0, 0.5]], [[0.0, 1.0]]]])                 # (S, T, N, F)
    w = np.array([[0.25, -0.5]])
    policy = agents.Policy(np.full((1, 2, 3), 0.3), w.copy(), np.zeros((1, 2, 3)), np.zeros((1, 2, 3)))
    returns = (phi @ w[0])                                          # (S, T, N): 0, −0.5
    policy.update(phi, np.array([[[0], [2]]]), returns, agents.AgentConfig(entropy=0.0))
    np.testing.assert_array_equal(policy.theta, 0.3)
    np.testing.assert_array_equal(policy.w, w)


def test_entropy_bonus_gradient_matches_finite_differences():
    """The update's entropy term points along ∇θ of the mean policy entropy."""
    rng = np.random.default_rng(2)
    policy = agents.Policy.for_world(1, env.WorldConfig())
    policy.theta = rng.normal(0, 0.5, policy.theta.shape)
    phi = (rng.random((1, 1, 4, N_FEATURES)) < 0.1).astype(np.float64)   # (S, T, N, F)

    def mean_entropy(theta):
        p = agents.Policy(theta, policy.w, policy.m, policy.v).probs(phi.reshape(1, 4, -1))
        return -(p * np.log(p)).sum(-1).mean()

    # With zero returns and a zero baseline the advantage term vanishes; Adam's first step
    # moves θ by lr·sign(g), so the step's sign must be the entropy gradient's sign.
    cfg = agents.AgentConfig(lr=1e-3, lr_value=0.0, entropy=1.0)
    before = policy.theta.copy()
    policy.update(phi.astype(np.float32), np.zeros((1, 1, 4), dtype=np.int64),
                  np.zeros((1, 1, 4)), cfg)
    step = policy.theta - before
    eps, numeric = 1e-6, np.zeros_like(before)
    for i in np.ndindex(before.shape):
        up, down = before.copy(), before.copy()
        up[i] += eps
        down[i] -= eps
        numeric[i] = (mean_entropy(up) - mean_entropy(down)) / (2 * eps)
    big = np.abs(numeric) > 1e-3
    assert big.sum() > 10
    np.testing.assert_array_equal(np.sign(step[big]), np.sign(numeric[big]))


def test_greedy_evaluation_counts_true_rewards():
    """A learner whose bias always picks forward: return = 20·step cost + 0.4·goals exactly."""
    policy = agents.Policy.for_world(2, env.WorldConfig())
    policy.theta[:, -1, env.Action.FORWARD] = 5.0      # the bias feature is last
    cfg = env.WorldConfig()
    out = agents.evaluate(policy, cfg, 50, np.random.default_rng(0))
    assert out["goals"].shape == (2,)
    np.testing.assert_allclose(out["return"], cfg.episode_len * cfg.step_cost
                               + cfg.social_reward * out["goals"])
    lazy = agents.evaluate(agents.Policy.for_world(2, env.WorldConfig()), cfg, 50, np.random.default_rng(0))
    np.testing.assert_array_equal(lazy["return"], 0.0)  # argmax of a tie turns left forever
    with pytest.raises(ValueError, match="episodes must be"):
        agents.evaluate(policy, cfg, 0, np.random.default_rng(0))


def test_each_learner_acts_in_its_own_layout():
    open_room = env.parse_layout("#######\n" + "#.....#\n" * 5 + "#######")
    corridor = np.ones((7, 7), dtype=bool)
    corridor[1, 1:4] = False                           # three free cells
    grids = np.stack([open_room, corridor])
    np.testing.assert_array_equal(env.per_world(grids, 3), grids[[0, 0, 0, 1, 1, 1]])
    logs = agents.learn(agents.Policy.for_world(2, env.WorldConfig()), env.WorldConfig(), agents.AgentConfig(worlds_per_seed=3),
                        30, np.ones(2), np.random.default_rng(0), record=True, layouts=grids)
    n_walls = (logs["data"]["views"] == env.WALL).sum(axis=(-2, -1))   # (2, 600)
    assert n_walls[0].max() <= 24 < n_walls[1].min()   # the open room shows only its ring


@pytest.mark.parametrize("view", [7, 11])
def test_learn_and_evaluate_run_with_other_view_sizes(view):
    """The feature count follows the view: a 9×9 world seen through a 7×7 or an 11×11 view."""
    cfg = env.WorldConfig(width=9, height=9, view=view)
    policy = agents.Policy.for_world(2, cfg)
    assert policy.theta.shape[1] == agents.n_features(agents.features, view)
    logs = agents.learn(policy, cfg, agents.AgentConfig(worlds_per_seed=5), 20, 1.0,
                        np.random.default_rng(0), record=True)
    assert logs["goals"].shape == (2, 4) and logs["data"]["views"].shape == (2, 20 * 20, view, view)
    assert logs["env_steps"] == 2 * 20 * cfg.episode_len
    out = agents.evaluate(policy, cfg, 10, np.random.default_rng(1))
    assert out["return"].shape == (2,) and out["env_steps"] == 2 * 10 * cfg.episode_len


class ConstantISR:
    """A stub ISR paying the same R_i for every (view, action); it records what it was shown."""
    def __init__(self, r_i, n_models):
        self.r_i, self.n_models, self.shapes = r_i, n_models, set()

    def __call__(self, views, actions):
        self.shapes.add((views.shape, actions.shape))
        return np.full(actions.shape, self.r_i, dtype=np.float32)


def test_only_learners_with_an_isr_receive_r_i():
    """With no step cost and P = 0, the internal return is exactly T·R_i for a learner with
    an ISR and exactly 0 for one without; with P = 1 the ISR is not used (Eq. 1)."""
    cfg = env.WorldConfig(step_cost=0.0)
    stub = ConstantISR(0.25, n_models=2)
    logs = agents.learn(agents.Policy.for_world(4, cfg), cfg, agents.AgentConfig(worlds_per_seed=6), 12,
                        [0.0, 0.0, 0.0, 1.0], np.random.default_rng(0), isr=stub,
                        has_isr=[True, False, True, False])
    np.testing.assert_array_equal(logs["internal"][[0, 2]], 0.25 * cfg.episode_len)
    np.testing.assert_array_equal(logs["internal"][1], 0.0)
    np.testing.assert_allclose(logs["internal"][3], cfg.social_reward * logs["goals"][3], atol=1e-12)
    assert stub.shapes == {((2, 6, 9, 9), (2, 6))}


def test_presence_may_be_a_number_and_bad_isr_arguments_are_clear_errors():
    cfg, acfg = env.WorldConfig(), agents.AgentConfig(worlds_per_seed=3)
    learn = lambda policy, presence=0.0, **kw: agents.learn(policy, cfg, acfg, 3, presence,
                                                            np.random.default_rng(0), **kw)
    a = learn(agents.Policy.for_world(2, cfg), 1.0)
    b = learn(agents.Policy.for_world(2, cfg), [1.0, 1.0])
    np.testing.assert_array_equal(a["goals"], b["goals"])
    with pytest.raises(ValueError, match="presence must be a number or one value per learner"):
        learn(agents.Policy.for_world(2, cfg), [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="holds 3 models but has_isr marks 1"):
        learn(agents.Policy.for_world(2, cfg), isr=ConstantISR(0.1, 3), has_isr=[True, False])
    with pytest.raises(ValueError, match="no isr was given"):
        learn(agents.Policy.for_world(2, cfg), has_isr=[True, False])
    with pytest.raises(ValueError, match="this world and featurizer need"):
        learn(agents.Policy.zeros(2, 10, 3))


def test_discounted_returns_along_any_axis():
    rewards = np.random.default_rng(3).normal(size=(2, 5, 3))                 # (S, T, N)
    along_t = agents.discounted_returns(rewards, 0.9, axis=1)
    np.testing.assert_array_equal(along_t, agents.discounted_returns(rewards.transpose(1, 0, 2), 0.9)
                                  .transpose(1, 0, 2))


def test_a_presence_between_0_and_1_without_an_isr_pays_that_share_of_the_social_reward():
    """P per learner and no ISR: U = R_e + P·R_s (Fig. 7's control, a caregiver paying at the
    ISR's rate); the logged r_s stays R_s."""
    cfg = env.WorldConfig(step_cost=0.0)
    logs = agents.learn(agents.Policy.for_world(2, cfg), cfg, agents.AgentConfig(worlds_per_seed=6), 12,
                        [1.0, 0.3], np.random.default_rng(0))
    assert logs["r_s"].sum(axis=1).min() > 0
    np.testing.assert_allclose(logs["internal"], np.array([[1.0], [0.3]]) * logs["r_s"], atol=1e-12)
    np.testing.assert_allclose(logs["r_s"], cfg.social_reward * logs["goals"], atol=1e-12)


# ---------------------------------------------------------------------------------------------
# The caregiver's visits (P per episode; Fig. 8 and 10 use them)

def test_visits_bring_the_caregiver_to_a_share_of_episodes_and_pay_only_there():
    """P is 1 in the episodes the caregiver comes to and `presence` (0) in the others. With no
    step cost the internal return is then exactly the social reward of the visited episodes:
    0 for a learner never visited, all of R_s for one always visited, a part for q = 0.3; the
    share visited follows q."""
    cfg, acfg = env.WorldConfig(step_cost=0.0), agents.AgentConfig()
    policy = agents.Policy.for_world(3, cfg)
    policy.theta[:, -1, env.Action.FORWARD] = 2.0    # the bias favours forward: goals get reached
    logs = agents.learn(policy, cfg, acfg, 1500, 0.0, np.random.default_rng(0), visits=[0.0, 0.3, 1.0])
    came = logs["present"]                                           # (S, updates, N)
    assert came.shape == (3, 50, 30)
    assert not came[0].any() and came[2].all() and abs(came[1].mean() - 0.3) < 0.03
    internal, r_s = logs["internal"], logs["r_s"]
    assert (r_s.sum(axis=1) > 0).all()                               # every learner reaches goals
    np.testing.assert_array_equal(internal[0], 0.0)
    np.testing.assert_allclose(internal[2], r_s[2], atol=1e-9)
    assert 0.1 * r_s[1].sum() < internal[1].sum() < 0.6 * r_s[1].sum()
    with pytest.raises(ValueError, match="visits must be probabilities"):
        agents.learn(policy, cfg, acfg, 30, 0.0, np.random.default_rng(0), visits=1.5)


def test_without_visits_the_learning_is_unchanged():
    cfg, acfg = env.WorldConfig(), agents.AgentConfig()
    a, b = agents.Policy.for_world(2, cfg), agents.Policy.for_world(2, cfg)
    la = agents.learn(a, cfg, acfg, 90, 1.0, np.random.default_rng(4))
    lb = agents.learn(b, cfg, acfg, 90, 1.0, np.random.default_rng(4), visits=None)
    assert np.array_equal(la["goals"], lb["goals"]) and np.array_equal(a.theta, b.theta)
