"""The ISR as an instrument: evaluation.measure's sums on a hand-made held-out split."""
from types import SimpleNamespace

import numpy as np

import claims
import env
import evaluation
import isr


def test_measure_counts_what_the_isr_pays_against_what_the_caregiver_paid():
    """An ISR paying 0.3 for forward and 0.15 for turning, whatever the view, thresholded at
    0.2, on 10 held-out steps (5 forwards, 2 of them rewarded; 5 turns): every sum, count,
    rate and hazard is known by hand."""
    params = isr.init_params((2 * 9 * 9, 4, 3), 1, np.random.default_rng(0), dtype=np.float64)
    params = {k: np.zeros_like(v) for k, v in params.items()}
    params["b2"][:] = [0.15, 0.15, 0.3]
    model = isr.ISR(params, (env.WALL, env.GOAL), threshold=0.2)
    views = np.full((1, 20, 9, 9), env.EMPTY, dtype=np.int8)
    views[0, :, 3, 4] = env.WALL                               # a wall ahead everywhere
    actions = np.tile([2, 0], 10)[None].astype(np.int8)        # forward, left, forward, ...
    r_s = np.zeros((1, 20), dtype=np.float32)
    r_s[0, [10, 12]] = 0.4                                     # two rewarded forwards, held out
    data = isr.SocialRewardData(views, actions, r_s, block=10, test_every=2)   # steps 10–19 held out
    m = evaluation.measure(model, data, evaluation.single_agent_hazards)
    assert m["r_s_sum"][0] == np.float32(0.8) and m["n_positive"][0] == 2 and m["n_negative"][0] == 8
    np.testing.assert_allclose(m["output_sum"], 5 * 0.3 + 5 * 0.15)
    np.testing.assert_allclose(m["used_sum"], 5 * 0.3)         # turns fall under the threshold
    assert m["used_false_above_0.2"][0] == 3 and m["used_true_above_0.2"][0] == 2
    assert m["output_false_above_0.1"][0] == 8
    np.testing.assert_allclose(m["hazard_wall_forward"], 0.3)
    assert np.isnan(m["hazard_goal_turn"][0])                  # never the goal ahead
    c = claims.calibration_claims(m, {"after": {"r_i": np.array([[1.0, 2.0]]), "r_s": np.array([[0.5, 0.5]])}})
    assert c["used_over_r_s"] == [1.5 / np.float32(0.8)] and c["used_false_positive_above_0.2"] == [3 / 8]
    assert c["hazards"]["goal_turn"] == [None] and c["during_after_r_i_over_r_s"] == [3.0]


def test_the_step_before_the_caregiver_arrives_is_the_same_worlds_previous_step():
    """Two updates of two worlds, four steps an episode, in (T, N) order: the caregiver arrives
    at (update 0, t 2, world 1), (update 1, t 3, world 0) and (update 1, t 0, world 1), which
    has no step before it in its episode. R_i as used is the transition's number / 100."""
    data = SimpleNamespace(block=8, episode_len=4)                 # T·N transitions an update
    used = np.arange(16)[None] / 100.0
    r_s = np.zeros((1, 16))
    r_s[0, [5, 14, 9]] = 0.4
    out = evaluation.two_agent_hazards(None, None, None, r_s, used, data)
    np.testing.assert_allclose(out["at_arrival"], (5 + 14 + 9) / 3 / 100)
    np.testing.assert_allclose(out["before_arrival"], (3 + 12) / 2 / 100)
