"""The ISR's MLP: backprop against finite differences, and learning a separable set."""
import numpy as np
import pytest

import env
import experiments
import isr


def test_backward_matches_central_finite_differences():
    rng = np.random.default_rng(0)
    params = isr.init_params((5, 4, 3, 2), n_models=2, rng=rng, dtype=np.float64)
    for key in ("b1", "b2", "b3"):        # nonzero biases keep every ReLU off its kink
        params[key] += rng.normal(0.0, 0.3, params[key].shape)
    x = rng.normal(size=(2, 6, 5))
    actions = rng.integers(0, 2, size=(2, 6))
    target = rng.normal(size=(2, 6))

    def total_loss(p):
        return isr.mse(isr.predict(p, x, actions), target)[0].sum()

    y, acts = isr.forward(params, x)
    r_i = np.take_along_axis(y, actions[..., None], axis=-1)[..., 0]
    _, dloss = isr.mse(r_i, target)
    grads = isr.backward(params, acts, isr.action_grad(dloss, actions, 2))
    eps = 1e-6
    for key, value in params.items():
        numeric = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            old = value[i]
            value[i] = old + eps
            up = total_loss(params)
            value[i] = old - eps
            down = total_loss(params)
            value[i] = old
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grads[key], numeric, rtol=1e-6, atol=1e-8, err_msg=key)


def test_clip_by_norm_caps_each_models_norm():
    grads = {"W1": np.full((2, 3, 4), 1.0), "b1": np.zeros((2, 1, 4))}
    grads["W1"][1] *= 1e-3
    clipped = isr.clip_by_norm(grads, 1.0)
    norms = np.sqrt((clipped["W1"] ** 2).sum(axis=(1, 2)))
    assert norms[0] == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["W1"][1], grads["W1"][1])   # small: untouched


def test_a_step_moves_each_layer_by_its_own_gradient():
    """One SGD step from rest is θ − lr·g for every layer, each by its own gradient (backward
    builds its dict in reverse layer order)."""
    rng = np.random.default_rng(0)
    params = isr.init_params((6, 4, 3), n_models=2, rng=rng)
    params["b1"] += 0.5                                       # most ReLUs on: every layer has a gradient
    before = {k: p.copy() for k, p in params.items()}
    x, actions = rng.random((2, 5, 6)).astype(np.float32), rng.integers(0, 3, (2, 5))
    target = rng.random((2, 5)).astype(np.float32)
    cfg = isr.ISRConfig(lr=0.1, max_grad_norm=1e6)
    y, acts = isr.forward(params, x)
    _, dloss = isr.mse(np.take_along_axis(y, actions[..., None], axis=-1)[..., 0], target)
    grads = isr.backward(params, acts, isr.action_grad(dloss, actions, 3))
    state = isr.optimizer_state(params, cfg)
    isr.train_step(params, state, x, actions, target, cfg, n_actions=3)
    for k in before:
        np.testing.assert_allclose(params[k], before[k] - cfg.lr * grads[k], rtol=1e-5, atol=1e-7, err_msg=k)


def separable_data(n_models=2, episodes=40, block=20, seed=0):
    """Views where R_s = 0.4 exactly when the goal (code 8) is ahead and the action is 2."""
    rng = np.random.default_rng(seed)
    n = episodes * block
    views = np.ones((n_models, n, 3, 3), dtype=np.int8)
    goal_ahead = rng.random((n_models, n)) < 0.3
    views[:, :, 0, 1] = np.where(goal_ahead, 8, np.where(rng.random((n_models, n)) < 0.5, 2, 1))
    actions = rng.integers(0, 3, size=(n_models, n))
    r_s = np.where(goal_ahead & (actions == 2), 0.4, 0.0).astype(np.float32)
    return isr.SocialRewardData(views, actions, r_s, block=block, test_every=10)


@pytest.mark.learning
def test_isr_loss_falls_on_a_separable_set():
    data = separable_data()
    cfg = isr.ISRConfig(batch=32, epochs=20, lr=0.1, curve_points=5, eval_size=500)
    params, log = isr.train_isr(data, cfg, np.random.default_rng(1), codes=(2, 8), n_actions=3)
    assert (log["test_loss"][:, 0] > 0.01).all()
    assert (log["final_test_loss"] < 0.1 * log["test_loss"][:, 0]).all()
    assert (log["final_test_loss"] < 2e-3).all()
    model = isr.ISR(params, codes=(2, 8))
    views = np.ones((2, 2, 3, 3), dtype=np.int8)
    views[:, 0, 0, 1] = 8
    r_i = model(views, np.array([[2, 2], [0, 2]]))
    assert r_i[0, 0] == pytest.approx(0.4, abs=0.05)              # goal ahead, forward
    assert abs(r_i[1, 0]) < 0.05 and abs(r_i[0, 1]) < 0.05         # turning / no goal


@pytest.mark.learning
def test_the_authors_training_batch_1_and_adam_learns_on_a_separable_set():
    """Fig. 6's third arm: one pass at batch 1 with Adam at lr 3e-4, each draw's class a fair
    coin; the loss falls as with our SGD. Adam's step is the bias-corrected one."""
    data = separable_data()
    cfg = isr.ISRConfig(batch=1, updates=None, epochs=3, optimizer="adam", lr=3e-3, curve_points=3, eval_size=500)
    _, log = isr.train_isr(data, cfg, np.random.default_rng(1), codes=(2, 8), n_actions=3)
    assert (log["final_test_loss"] < 0.1 * log["test_loss"][:, 0]).all()
    params = {"w": np.ones((1, 1, 1), np.float32)}
    state = isr.optimizer_state(params, cfg)
    isr.descend(params, {"w": np.full((1, 1, 1), 0.5, np.float32)}, state, cfg)
    assert params["w"][0, 0, 0] == pytest.approx(1 - cfg.lr, rel=1e-4)     # first step: lr · sign(g)
    with pytest.raises(ValueError, match="optimizer must be"):
        isr.optimizer_state(params, isr.ISRConfig(optimizer="rmsprop"))


def test_a_batch_of_one_is_rewarded_on_a_fair_coin():
    positive = np.zeros((2, 100), bool)
    positive[:, :10] = True
    draws = isr.balanced_sampler(positive, np.random.default_rng(0))(1, steps=4000)     # (M, steps, 1)
    share = positive[0][draws[0, :, 0]].mean()
    assert draws.shape == (2, 4000, 1) and abs(share - 0.5) < 0.03


def test_test_split_is_held_out_and_whole_blocks():
    data = separable_data(episodes=30)
    assert len(data.test_index) == 3 * 20
    assert set(data.test_index // 20) == {9, 19, 29}
    assert not set(data.test_index) & set(data.train_index)


@pytest.mark.parametrize("cfg", [isr.ISRConfig(updates=40, curve_points=3, eval_size=100),
                                 isr.ISRConfig(batch=1, updates=None, optimizer="adam", lr=3e-4)],
                         ids=["ours", "the authors' batch 1"])
def test_training_and_calibration_never_read_a_held_out_transition(cfg):
    """Poisoned held-out targets (every one paid) leave the trained weights and the fitted
    odds the same bit for bit: no training step or calibration reads them. Only the test
    loss, which is measured on them, changes."""
    clean, poisoned = separable_data(), separable_data()
    poisoned.r_s[:, poisoned.test_index] = 0.4
    for n_train in (None, 300):
        (a, log_a), (b, log_b) = (experiments.internalize(data, cfg, np.random.default_rng(1), env.WorldConfig(),
                                                        codes=(2, 8), n_train=n_train) for data in (clean, poisoned))
        for k in a.params:
            np.testing.assert_array_equal(a.params[k], b.params[k], err_msg=k)
        np.testing.assert_array_equal(log_a["odds"], log_b["odds"])
        assert (log_a["final_test_loss"] != log_b["final_test_loss"]).all()


def test_the_loss_weighs_the_rewarded_and_the_other_steps_half_each():
    """An ISR whose output is 0 everywhere (a zero output layer) on 2 rewarded steps (R_s 0.4)
    among 20: ½·0.4² + ½·0, not the plain mean 0.4²/10; a model with no reward: 0."""
    views = np.ones((2, 20, 3, 3), dtype=np.int8)
    r_s = np.zeros((2, 20), dtype=np.float32)
    r_s[0, [3, 7]] = 0.4
    data = isr.SocialRewardData(views, np.zeros((2, 20), np.int64), r_s, block=2, test_every=10)
    params = isr.init_params((9, 4, 3), 2, np.random.default_rng(0), zero_output=True)
    loss = isr.balanced_loss(params, data, np.arange(20), codes=(1,))
    np.testing.assert_allclose(loss, [0.5 * 0.4 ** 2, 0.0], rtol=1e-6)


def test_balanced_sampler_draws_half_positives_and_survives_none():
    positive = np.zeros((2, 1000), dtype=bool)
    positive[0, :50] = True                                        # 5% positives; model 1: none
    draw = isr.balanced_sampler(positive, np.random.default_rng(0))(2000)
    assert positive[0][draw[0]].mean() == pytest.approx(0.5, abs=0.03)
    assert not positive[1][draw[1]].any()


def test_bad_sizes_are_clear_errors():
    data = separable_data()
    with pytest.raises(ValueError, match="n_train"):
        isr.train_isr(data, isr.ISRConfig(), np.random.default_rng(0), (2, 8), 3, n_train=0)
    with pytest.raises(ValueError, match="blocks"):
        isr.SocialRewardData(data.views[:, :50], data.actions[:, :50], data.r_s[:, :50], block=20)


def test_the_isr_threshold_silences_rewards_at_or_below_it():
    """ISR(threshold=0.2) pays R_i only where the network predicts more than 0.2 (the authors'
    Figs 5 and 6 rule); without a threshold it pays the raw output (Eq. 1)."""
    params = isr.init_params((2 * 9 * 9, 4, 3), 1, np.random.default_rng(0), dtype=np.float64)
    params = {k: np.zeros_like(v) for k, v in params.items()}
    params["b2"][:] = [0.1, 0.2, 0.3]                # the output per action, whatever the view
    views, actions = np.ones((1, 3, 9, 9), dtype=np.int8), np.array([[0, 1, 2]])
    raw = isr.ISR(params, (2, 8))(views, actions)
    np.testing.assert_allclose(raw, [[0.1, 0.2, 0.3]])
    np.testing.assert_allclose(isr.ISR(params, (2, 8), threshold=0.2)(views, actions), [[0.0, 0.0, 0.3]])
    assert isr.ISR(params, (2, 8)).n_models == 1 and isr.ISR(params, (2, 8)).tile(3).n_models == 3


def bias_only_isr(outputs, n_models=1, **kwargs):
    """An ISR whose output per action is `outputs`, whatever the view (hidden layers dead)."""
    params = isr.init_params((2 * 9 * 9, 4, 3), n_models, np.random.default_rng(0), dtype=np.float64)
    params = {k: np.zeros_like(v) for k, v in params.items()}
    params["b2"][:] = outputs
    return isr.ISR(params, (2, 8), **kwargs)


def test_shifting_the_odds_is_bayes_rule_for_a_class_prior_shift():
    """Balanced sampling makes y/reward estimate P(reward) under a 50/50 class prior; with
    k = π/(1 − π) the shift maps it to the true share π: q = 1/2 → π, q = 0 stays 0. An
    output at or above the reward is q = 1 − 1e-3, not 1: a small k lowers it too (the
    clipped q = 1 paid the full reward whatever k was)."""
    k = np.array([[0.1 / 0.9]])
    bayes = lambda q, k: 0.4 * q * k / (q * k + 1 - q)
    top = isr.ODDS_CEILING
    out = isr.shift_odds(np.array([[0.0, 0.2, 0.4, 0.5, -0.1]]), k, 0.4)
    np.testing.assert_allclose(out, [[0.0, 0.4 * 0.1, bayes(top, k[0, 0]), bayes(top, k[0, 0]), 0.0]])
    q = 0.75
    np.testing.assert_allclose(isr.shift_odds(np.array([[q * 0.4]]), k, 0.4), bayes(q, k[0, 0]))
    assert isr.shift_odds(np.array([[0.3]]), np.array([[0.0]]), 0.4)[0, 0] == 0.0
    assert isr.shift_odds(np.array([[0.6]]), np.array([[1e-6]]), 0.4)[0, 0] < 1e-3     # no saturation


def test_calibrated_odds_make_the_isr_pay_what_the_caregiver_paid():
    rng = np.random.default_rng(5)
    y = rng.uniform(0, 0.4, size=(3, 500))
    r_s = np.where(rng.random((3, 500)) < [[0.05], [0.8], [0.0]], 0.4, 0.0)   # mean q is 1/2
    k = isr.calibrate_odds(y, r_s, 0.4)
    paid = isr.shift_odds(y, k[:, None], 0.4).sum(axis=1)
    np.testing.assert_allclose(paid[:2], r_s.sum(axis=1)[:2], rtol=1e-6)
    assert k[0] < 1 < k[1] and k[2] == 0.0                     # rare reward: odds shrink


def test_an_isr_applies_its_odds_then_its_threshold():
    views, actions = np.ones((2, 3, 9, 9), dtype=np.int8), np.array([[0, 1, 2], [0, 1, 2]])
    model = bias_only_isr([0.2, 0.3, 0.4], n_models=2, odds=[1.0, 0.1], reward=0.4, threshold=0.1)
    np.testing.assert_allclose(model.output(views, actions), [[0.2, 0.3, 0.4]] * 2)
    calibrated = model.raw()(views, actions)
    np.testing.assert_allclose(calibrated[0], [0.2, 0.3, 0.4 * isr.ODDS_CEILING])   # k = 1: no shift below the ceiling
    np.testing.assert_allclose(calibrated[1], isr.shift_odds(np.array([0.2, 0.3, 0.4]), 0.1, 0.4))
    np.testing.assert_allclose(model(views, actions)[1], np.where(calibrated[1] > 0.1, calibrated[1], 0))
    both = isr.ISR.stack(model, model.raw())
    assert both.n_models == 4 and both.odds.tolist() == [1.0, 0.1, 1.0, 0.1] and both.threshold == 0.1
    with pytest.raises(ValueError, match="needs the size of the social reward"):
        isr.ISR(model.params, (2, 8), odds=[1.0, 0.1])


def test_an_action_never_taken_is_never_paid_with_a_zero_output_layer():
    """With the output layer at 0, an action's output moves only with evidence about that
    action: action 0 never appears in the data, so the ISR pays exactly 0 for it everywhere.
    With a random output layer it pays whatever the features built for the others project."""
    rng = np.random.default_rng(3)
    views = rng.choice([1, 2, 8], size=(1, 4000, 9, 9)).astype(np.int8)
    actions = rng.integers(1, 3, size=(1, 4000)).astype(np.int8)              # 1 and 2 only
    r_s = np.where((views[:, :, 3, 4] == 8) & (actions == 2), 0.4, 0.0).astype(np.float32)
    data = isr.SocialRewardData(views, actions, r_s, block=100)
    for zero, paid in ((True, lambda r: np.all(r == 0)), (False, lambda r: np.abs(r).max() > 0.01)):
        cfg = isr.ISRConfig(updates=300, zero_output=zero)
        params, _ = isr.train_isr(data, cfg, np.random.default_rng(4), (2, 8), 3, curve=False)
        r_never = isr.ISR(params, (2, 8))(views[:, :500], np.zeros((1, 500), dtype=np.int64))
        assert paid(r_never), zero


def test_the_authors_isr_is_built_as_they_built_it():
    """isr.AUTHORS, field by field, against what the authors' code did: Adam at lr 3e-4 with
    ε 1e-5, batch 1, one pass, gradients clipped at 1.0, orthogonal weights with gain √2 in
    every layer (the last too, no zero output layer), the raw output (no calibration), the
    action's number as an input (left = 0), and a paid step's R_i replacing its step cost."""
    a = isr.AUTHORS
    assert (a.optimizer, a.lr, a.adam_eps, a.betas, a.batch, a.updates, a.epochs, a.max_grad_norm) == \
        ("adam", 3e-4, 1e-5, (0.9, 0.999), 1, None, 1.0, 1.0)
    assert (a.init, a.zero_output, a.calibrate, a.action_input, a.threshold_replaces_cost, a.hidden) == \
        ("orthogonal", False, False, "value", True, (32, 32))
    params = isr.init_params((20, 32, 32, 1), 2, np.random.default_rng(0), np.float64, a.zero_output, a.init)
    for layer in (1, 2, 3):                         # orthonormal rows (wide) or columns, times √2
        w = params[f"W{layer}"]
        gram = w @ w.transpose(0, 2, 1) if w.shape[1] < w.shape[2] else w.transpose(0, 2, 1) @ w
        np.testing.assert_allclose(gram, 2 * np.eye(gram.shape[1])[None].repeat(2, 0), atol=1e-12)
    assert (params["b3"] == 0).all()
    x = isr.network_input({"W1": np.zeros((1, 2 * 3 * 3 + 1, 4))}, np.ones((1, 2, 3, 3), np.int8), np.array([[0, 2]]),
                          codes=(1, 2))
    assert x.shape == (1, 2, 19) and x[0, :, -1].tolist() == [0.0, 2.0]      # left = 0: nothing in the input
    w = {"w": np.zeros((1, 1, 1), np.float32)}
    isr.descend(w, {"w": np.full((1, 1, 1), 1e-5, np.float32)}, isr.optimizer_state(w, a), a)   # |g| = ε: half a step
    assert w["w"][0, 0, 0] == pytest.approx(-a.lr / 2, rel=1e-3)


def test_a_thresholded_authors_isr_pays_a_step_instead_of_its_cost():
    """With the authors' rule a paid step earns R_i alone; with ours R_i adds to the step cost.
    An ISR paying 0.3 on every forward step (above the 0.2 threshold): the learners' internal
    return per episode differs by the step costs of the forward steps exactly."""
    import agents
    import env
    cfg, acfg = env.WorldConfig(), agents.AgentConfig(worlds_per_seed=5)
    params = {"W1": np.zeros((2, 2 * 81, 1)), "b1": np.zeros((2, 1, 1)), "W2": np.zeros((2, 1, 3)),
              "b2": np.array([[[0.0, 0.0, 0.3]]]).repeat(2, 0)}
    returns = {}
    for replaces in (False, True):
        model = isr.ISR(params, codes=(env.EMPTY, env.WALL), threshold=0.2, replaces_cost=replaces)
        logs = agents.learn(agents.Policy.for_world(2, cfg), cfg, acfg, 5, 0.0, np.random.default_rng(0), isr=model)
        returns[replaces] = logs["internal"]
    forward_cost = returns[True] - returns[False]                # the costs of the paid (forward) steps
    assert (forward_cost > 0).all()
    np.testing.assert_allclose(returns[True], logs["r_i"], rtol=1e-6)          # R_i alone (no goal here pays)


def test_several_isrs_say_per_model_whose_pay_replaces_the_cost():
    """Fig. 5 runs a thresholded ISR beside its raw twin (isr.ISRGroups): with the authors' rule
    only the thresholded one's pay replaces the step cost."""
    params = isr.init_params((4, 3, 3), 2, np.random.default_rng(0))
    thresholded = isr.ISR(params, codes=(1,), threshold=0.2, replaces_cost=True)
    both = isr.ISRGroups([thresholded, thresholded.raw()], per_model_group=2)
    assert both.replaces_step_cost.tolist() == [True, True, False, False]
