"""The authors' system (authors.py): their ISR network's input tensor, its convolutions
against a plain loop, backprop against finite differences; PPO's GAE, clipped surrogate and
step by hand, and that it learns."""

from dataclasses import replace

import numpy as np
import pytest

import agents
import authors
import env
import experiments
import isr


def test_the_input_tensor_holds_raw_codes_the_heading_and_the_action_at_the_agent():
    view = np.full((9, 9), env.EMPTY, dtype=np.int8)
    view[0, :] = env.UNSEEN  # beyond the grid
    view[3, 4], view[2, 2], view[4, 4] = env.WALL, env.GOAL, env.FACING + 3  # facing north
    x = authors.state_action(view, env.Action.FORWARD)
    assert x.shape == (9, 9, 5) and x.dtype == np.float32
    assert x[0, 0].tolist() == [0, 0, 0, 0, 0]  # unseen
    assert x[5, 5].tolist() == [1, 0, 0, 0, 0]  # empty
    assert x[3, 4].tolist() == [2, 5, 0, 0, 0]  # a wall ahead
    assert x[2, 2].tolist() == [8, 1, 0, 1, 0]  # the goal, and its channel
    assert x[4, 4].tolist() == [10, 0, 3, 0, 2]  # the agent: heading 3, forward
    assert (np.delete(x.reshape(81, 5), 40, axis=0)[:, [2, 4]] == 0).all()  # nowhere else
    left = authors.state_action(view, env.Action.LEFT)
    assert left[4, 4].tolist() == [10, 0, 3, 0, 0]  # left = 0 writes nothing
    view[4, 4] = env.FACING + 2  # after a left turn
    turned = authors.state_action(view, env.Action.LEFT)
    assert (
        turned[4, 4, 2] == 2
        and (np.delete(turned.reshape(81, 5), 40, 0) == np.delete(left.reshape(81, 5), 40, 0)).all()
    )
    view[4, 4] = env.AGENT  # a view without the heading
    with pytest.raises(ValueError, match="isr_heading"):
        authors.state_action(view, env.Action.LEFT)


def test_the_isrs_view_holds_the_heading_the_agent_acted_in():
    """WorldConfig(isr_heading=True): the ISR's view of a step is the view the agent acted on,
    its cell holding FACING + the heading before the action (a turn changes the next one)."""
    cfg = env.WorldConfig(isr_heading=True)
    world = cfg.make(1, 2, np.random.default_rng(0))
    obs = world.reset()
    before = world.dir.copy()
    step = world.step(np.array([env.Action.LEFT, env.Action.FORWARD]))
    seen = world.isr_view(obs, step)
    assert (seen[:, 4, 4] == env.FACING + before).all()
    np.testing.assert_array_equal(
        np.delete(seen.reshape(2, -1), 40, 1), np.delete(obs.reshape(2, -1), 40, 1)
    )
    assert world.dir[0] == (before[0] - 1) % 4 and (obs[:, 4, 4] == env.AGENT).all()
    assert env.WorldConfig().make(1, 1, np.random.default_rng(0)).isr_view(obs, step) is obs


def naive_conv(x, kernel, bias):
    """torch's Conv2d(2×2, stride 1) of x (C, H, W) with kernel (C·4, out) in (channel, kernel
    row, kernel column) order, plus ReLU, by loops: (out, H − 1, W − 1)."""
    c, h, w = x.shape
    k = kernel.reshape(c, 2, 2, -1)
    out = np.zeros((k.shape[-1], h - 1, w - 1))
    for o in range(k.shape[-1]):
        for i in range(h - 1):
            for j in range(w - 1):
                out[o, i, j] = (x[:, i : i + 2, j : j + 2] * k[..., o]).sum() + bias[0, o]
    return np.maximum(out, 0.0)


def test_the_network_reads_the_rows_as_channels_and_flattens_as_torch():
    rng = np.random.default_rng(0)
    params = authors.init_params(2, rng, dtype=np.float64)
    x = rng.normal(size=(2, 3, 9, 9, 5))
    y, _ = authors.forward(params, x)
    for m in range(2):
        for b in range(3):
            a1 = naive_conv(x[m, b], params["C1"][m], params["c1"][m])  # rows are channels
            a2 = naive_conv(a1, params["C2"][m], params["c2"][m])
            assert a1.shape == (16, 8, 4) and a2.shape == (32, 7, 3)
            h = a2.reshape(-1)  # 672, (channel, row, column)
            for layer in (1, 2, 3):
                h = h @ params[f"W{layer}"][m] + params[f"b{layer}"][m, 0]
                h = np.maximum(h, 0.0) if layer < 3 else h
            assert y[m, b] == pytest.approx(h[0], rel=1e-10)


def test_the_initialization_is_torchs():
    params = authors.init_params(3, np.random.default_rng(1), dtype=np.float64)
    for name, fan_in in (("1", 36), ("2", 64)):  # Kaiming-uniform, a = √5
        for key in ("C" + name, "c" + name):
            assert np.abs(params[key]).max() <= 1 / np.sqrt(fan_in)
            assert np.abs(params[key]).max() > 0.9 / np.sqrt(fan_in)
    assert params["W1"].shape == (3, 672, 32) and params["W3"].shape == (3, 32, 1)
    for layer in (1, 2, 3):  # orthogonal, gain √2
        w = params[f"W{layer}"][0]
        gram = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
        np.testing.assert_allclose(gram, 2 * np.eye(len(gram)), atol=1e-10)
        assert (params[f"b{layer}"] == 0).all()


def test_backward_matches_central_finite_differences():
    rng = np.random.default_rng(2)
    params = authors.init_params(2, rng, dtype=np.float64)
    x = rng.normal(size=(2, 3, 9, 9, 5))
    target = rng.normal(size=(2, 3))

    def loss(p):
        return isr.mse(authors.forward(p, x)[0], target)[0].sum()

    y, cache = authors.forward(params, x)
    grads = authors.backward(params, cache, isr.mse(y, target)[1])
    eps = 1e-6
    for key, value in params.items():
        # every entry of the small layers, 60 random entries of W1 (672 × 32)
        flat = value.reshape(-1)
        picked = (
            rng.choice(flat.size, min(flat.size, 60), replace=False)
            if key == "W1"
            else range(flat.size)
        )
        for i in picked:
            old = flat[i]
            flat[i] = old + eps
            up = loss(params)
            flat[i] = old - eps
            down = loss(params)
            flat[i] = old
            assert grads[key].reshape(-1)[i] == pytest.approx(
                (up - down) / (2 * eps), rel=1e-5, abs=1e-8
            ), key


def test_a_training_step_moves_every_model_toward_its_target():
    """Batch 1, Adam at 3e-4 (isr.AUTHORS): a few hundred steps on one transition per model
    bring its R_i to its own target; the models do not mix."""
    rng = np.random.default_rng(3)
    params = authors.init_params(2, rng)
    views = np.full((2, 1, 9, 9), env.EMPTY, dtype=np.int8)
    views[..., 4, 4], views[0, :, 3, 4] = env.FACING, env.GOAL
    x = authors.state_action(views, np.full((2, 1), 2))
    target = np.array([[0.4], [0.0]], dtype=np.float32)
    state = isr.optimizer_state(params, isr.AUTHORS)
    for _ in range(300):
        authors.train_step(params, state, x, target)
    np.testing.assert_allclose(authors.forward(params, x)[0], target, atol=0.02)
    assert state["k"] == 300 and all(p.dtype == np.float32 for p in params.values())


def test_gae_bootstraps_the_truncated_episode_and_follows_its_recursion_by_hand():
    """γ = λ = 0.5; rewards 1, 0, 2; values 0.5, 1.0, 0.2; the view the episode ended in is
    worth 3: r_2 becomes 2 + 0.5·3; δ = 1.0, −0.9, 3.3; A_2 = 3.3, A_1 = −0.9 + 0.25·3.3,
    A_0 = 1.0 + 0.25·A_1; returns = A + V."""
    rewards = np.array([1.0, 0.0, 2.0]).reshape(1, 3, 1)
    values = np.array([0.5, 1.0, 0.2]).reshape(1, 3, 1)
    advantages, returns = authors.gae(rewards, values, np.array([[3.0]]), 0.5, 0.5)
    np.testing.assert_allclose(advantages[0, :, 0], [0.98125, -0.075, 3.3])
    np.testing.assert_allclose(returns[0, :, 0], [1.48125, 0.925, 3.5])
    assert rewards[0, 2, 0] == 2.0  # the input is left alone


@pytest.mark.parametrize(
    "old, advantage, expected",
    [
        (0.2, 1.0, [0.0, 0.0, 0.0]),  # r = 1.5 > 1.2 with A > 0: the clip holds it
        (0.2, -1.0, [0.75, -1.05, 0.3]),  # r = 1.5 with A < 0: r·A is the smaller
        (0.6, -1.0, [0.0, 0.0, 0.0]),  # r = 0.5 < 0.8 with A < 0: held
        (0.6, 1.0, [-0.25, 0.35, -0.1]),  # r = 0.5 with A > 0: r·A is the smaller
        (0.3, 2.0, [-1.0, 1.4, -0.4]),  # r = 1 inside the range
    ],
)
def test_the_clipped_surrogate_moves_the_logits_only_where_the_clip_does_not_hold(
    old, advantage, expected
):
    """π = (0.5, 0.3, 0.2), action 1, clip 0.2: the gradient is r·A·(onehot(a) − π) or 0."""
    grad = authors.clipped_ascent(
        np.array([0.5, 0.3, 0.2]), np.array(1), np.array(old), np.array(advantage), 0.2, entropy=0.0
    )
    np.testing.assert_allclose(grad, expected, atol=1e-12)


def test_a_ppo_step_descends_the_clipped_loss_and_the_value_loss():
    """One step moves θ and w by Adam (its second step) along −∂L/∂weight, with L written out
    here, −mean(min(r·Â, clip(r)·Â)) + 0.5·mean((φ·w − G)²), Â the minibatch's normalized
    advantages, and its gradient taken by central finite differences."""
    rng = np.random.default_rng(4)
    n, f, a = 12, 5, 3
    phi = rng.random((1, n, f))
    policy = authors.PPOPolicy.zeros(1, f, a)
    policy.theta, policy.w = rng.normal(0, 0.5, (1, f, a)), rng.normal(0, 0.5, (1, f))
    actions = rng.integers(0, a, (1, n))
    old = np.take_along_axis(policy.probs(phi), actions[..., None], -1)[..., 0] * rng.uniform(
        0.6, 1.4, (1, n)
    )
    advantages, returns = rng.normal(size=(1, n)), rng.normal(size=(1, n))
    norm = (advantages - advantages.mean()) / (advantages.std(ddof=1) + 1e-8)

    def loss(theta, w):
        logits = phi[0] @ theta
        pi = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        ratio = pi[np.arange(n), actions[0]] / old[0]
        surrogate = np.minimum(ratio * norm[0], np.clip(ratio, 0.8, 1.2) * norm[0])
        return -surrogate.mean() + 0.5 * ((phi[0] @ w - returns[0]) ** 2).mean()

    theta, w, eps = policy.theta[0].copy(), policy.w[0].copy(), 1e-6
    numeric_theta, numeric_w = np.zeros_like(theta), np.zeros_like(w)
    for i in np.ndindex(theta.shape):
        up, down = theta.copy(), theta.copy()
        up[i], down[i] = up[i] + eps, down[i] - eps
        numeric_theta[i] = (loss(up, w) - loss(down, w)) / (2 * eps)
    for i in range(f):
        up, down = w.copy(), w.copy()
        up[i], down[i] = up[i] + eps, down[i] - eps
        numeric_w[i] = (loss(theta, up) - loss(theta, down)) / (2 * eps)
    policy.k, policy.v, policy.v_w = 1, np.full_like(policy.m, 0.01), np.full_like(policy.m_w, 0.01)
    policy.step(phi, actions, old, advantages, returns, replace(authors.PPO, max_grad_norm=1e9))
    for moved, g in ((policy.theta[0] - theta, numeric_theta), (policy.w[0] - w, numeric_w)):
        m, v = 0.1 * g, 0.999 * 0.01 + 0.001 * g**2  # Adam's second step
        expected = -authors.PPO.lr * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + 1e-5)
        np.testing.assert_allclose(moved, expected, rtol=1e-5, atol=1e-12)
    assert policy.k == 2


@pytest.mark.learning
def test_ppo_learns_the_task_and_keeps_its_learners_apart():
    """PPO on 2 learners, 1,000 episodes in rollouts of 50: more goals than at the start; a
    learner's numbers are its own whoever learns beside it; a REINFORCE config refuses it."""
    cfg = env.WorldConfig()
    ppo = replace(authors.PPO, worlds_per_seed=50)
    both = authors.PPOPolicy.for_world(2, cfg)
    logs = agents.learn(
        both, cfg, ppo, 1000, 1.0, experiments.learner_streams((1, 2), "test", "ppo")
    )
    alone = authors.PPOPolicy.for_world(1, cfg)
    agents.learn(alone, cfg, ppo, 1000, 1.0, experiments.learner_streams((2,), "test", "ppo"))
    np.testing.assert_array_equal(both.theta[1], alone.theta[0])
    assert (logs["goals"][:, -3:].mean(1) > logs["goals"][:, :1].mean(1) + 0.5).all()
    with pytest.raises(ValueError, match="algorithm"):
        agents.learn(both, cfg, agents.AgentConfig(), 30, 1.0, np.random.default_rng(0))


def test_an_experiment_set_to_ppo_socializes_ppo_learners():
    """`--set internalization.agent.algorithm=ppo`: the protocol's fresh learners are PPO's."""
    cfg = replace(
        experiments.Internalization().quick(), agent=replace(authors.PPO, worlds_per_seed=2)
    )
    policy, featurize = cfg.fresh_learners(2, np.random.default_rng(0))
    assert type(policy) is authors.PPOPolicy
    learners, _, data = experiments.socialize(
        cfg.world, cfg.agent, cfg.isr, 2, 20, np.random.default_rng(0)
    )
    assert type(learners) is authors.PPOPolicy and learners.k > 0 and data.n_train > 0
