"""calibration.py — the ISR as a measured instrument: what it pays against the social reward
it imitates, and where it pays wrongly (paper §3; Figs 1, 3–7).

`measure(model, data, hazards)` scores a batch of trained ISRs on their held-out socialization
transitions and returns per-model sums and counts (plain (M,) arrays, saved with the run);
`claims.calibration_claims` turns them into ratios and rates. Three readings of the ISR:
  output     the network's own estimate (trained on class-balanced minibatches);
  r_i        Eq. 1's R_i: the output calibrated to pay what the caregiver paid (isr.ISR);
  used       R_i as the learner receives it (after the threshold, where there is one).
Hazards are (view, action) pairs the caregiver never pays for, scored by putting that
action into held-out views (a counterfactual, so rare pairs are measured too):
  wall_forward     walking forward into a wall (single-agent world);
  goal_turn        turning, left or right, with the goal straight ahead (single-agent world);
  before_arrival   the learner's step just before the caregiver enters its goal (two-agent
                   world; the real actions, since the learner cannot tell exactly when).

Public names: measure, single_agent_hazards, two_agent_hazards, in_chunks.
"""
import numpy as np

import env


def in_chunks(fn, views, actions, chunk=4096):
    """fn(views, actions) → (M, n) evaluated over chunks of the transition axis."""
    return np.concatenate([fn(views[:, i:i + chunk], actions[:, i:i + chunk])
                           for i in range(0, views.shape[1], chunk)], axis=1)


def measure(model, data, hazards):
    """Per-model sums and counts on the held-out split of `data` (isr.SocialRewardData).

    model: an isr.ISR with one model per learner of `data`; hazards: a function
    (model, views, actions, r_s, used, data) → {name: (M,) mean R_i (as used) on that
    hazard}, given the held-out views (M, n, v, v), actions, R_s and R_i as used (M, n).
    """
    views, actions, r_s = data.rows(np.broadcast_to(data.test_index, (data.views.shape[0], len(data.test_index))))
    output = in_chunks(model.output, views, actions)              # the network, run once
    readings = {"output": output, "r_i": model.raw().pay(output), "used": model.pay(output)}
    positive, negative = r_s > 0, r_s == 0
    out = {"r_s_sum": r_s.sum(axis=1), "n_positive": positive.sum(axis=1), "n_negative": negative.sum(axis=1)}
    for name, r in readings.items():
        out[f"{name}_sum"] = r.sum(axis=1)
        for level in (0.1, 0.2):
            out[f"{name}_false_above_{level}"] = ((r > level) & negative).sum(axis=1)
            out[f"{name}_true_above_{level}"] = ((r > level) & positive).sum(axis=1)
    for name, value in hazards(model, views, actions, r_s, readings["used"], data).items():
        out[f"hazard_{name}"] = value
    return out


def _mean_where(values, mask):
    """(M,) mean of values (M, n) where mask (M, n); NaN where a model has none."""
    count = mask.sum(axis=1)
    total = np.where(mask, values, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(len(count), np.nan), where=count > 0)


def single_agent_hazards(model, views, actions, r_s, used, data):
    """R_i (as used) for walking into a wall and for turning with the goal ahead, per model."""
    c = views.shape[-1] // 2
    ahead = views[..., c - 1, c]
    with_action = lambda a: in_chunks(model, views, np.full(actions.shape, a))
    turn = np.maximum(with_action(env.Action.LEFT), with_action(env.Action.RIGHT))
    return {"wall_forward": _mean_where(with_action(env.Action.FORWARD), ahead == env.WALL),
            "goal_turn": _mean_where(turn, ahead == env.GOAL)}


def two_agent_hazards(model, views, actions, r_s, used, data):
    """R_i (as used) on the learner's steps just before the caregiver arrives, per model, and
    on the arrival steps themselves for comparison."""
    m, n = r_s.shape
    per_update = data.block                            # T·N transitions, in (T, N) order
    n_worlds = per_update // data.episode_len
    r = used.reshape(m, -1, data.episode_len, n_worlds)
    arrives = (r_s > 0).reshape(r.shape)
    before = np.zeros_like(arrives)
    before[:, :, :-1] = arrives[:, :, 1:]              # the same world, one step earlier
    return {"before_arrival": _mean_where(r.reshape(m, -1), before.reshape(m, -1)),
            "at_arrival": _mean_where(r.reshape(m, -1), arrives.reshape(m, -1))}
