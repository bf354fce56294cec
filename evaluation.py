"""evaluation.py — measuring what was learned: a learner's exact expected return over a set of
layouts (Figs 4 right, 5), and the ISR as an instrument (Figs 1, 3–7).

Given its blocks, the caregiver's world has few states: the goal's cell, the agent's cell
and its heading (20 × 19 × 4 = 1,520 in a 7×7 world with 5 blocks). Every episode starts
in one of them uniformly (`env.GridWorld._draw_layouts` draws goal and agent as distinct free
cells and a heading uniformly), and entering the goal starts afresh the same way. So over a
set of M layouts, a fresh start drawing a layout uniformly among them, a policy's expected
return per episode of T steps follows from a backward recursion, with no sampling error:

    V_0(s) = 0,   W_k = mean over layouts of mean over their states of V_k (a fresh start)
    V_k(s) = Σ_a π(a | s) [R_e(s, a) + R_s(s, a) + (reached(s, a) ? W_{k−1} : V_{k−1}(s'(s, a)))]

and the expected return per episode is W_T; the recursion with the reward "entered the goal"
gives the expected goals. π is the greedy policy (argmax, ties to the first action, as
agents.evaluate) or the stochastic one. The one-step dynamics come from env.GridWorld itself
(one world per state), so this module adds no second copy of them.

Fig. 5 tests in five fixed layouts: M = 1, exact. Fig. 4 right tests in random 5-block
worlds: M layouts drawn once per run, the same for every learner, and the only sampling error
left is which M were drawn; `return_se` estimates it from the spread of the per-layout values.
Monte-Carlo episodes (agents.evaluate) estimate the same numbers (tests/test_evaluation.py).

The ISR as a measured instrument: what it pays against the social reward it imitates, and
where it pays wrongly (paper §3; Figs 1, 3–7).

`measure(model, data, hazards)` scores a batch of trained ISRs on their held-out socialization
transitions and returns per-model sums and counts (plain (M,) arrays, saved with the run);
`claims.calibration_claims` turns them into ratios and rates. Three readings of the ISR:
  output     the network's own estimate (trained on class-balanced minibatches);
  r_i        Eq. 1's R_i: the output calibrated to pay what the caregiver paid (isr.ISR);
  used       R_i as the learner receives it (after the threshold, where there is one).
Where it pays: a reliability curve (held-out steps binned by R_i, the mean R_s in each bin:
a calibrated ISR's points lie on the diagonal) and its discrimination, R_i on the steps the
caregiver rewarded against the others, and on named (view, action) pairs, scored by putting
that action into held-out views (a counterfactual, so rare pairs are measured too):
  goal_forward     stepping forward into the goal: what the caregiver pays (single-agent world);
  wall_forward     walking forward into a wall (single-agent world): never paid;
  goal_turn        turning, left or right, with the goal straight ahead (single-agent world);
  at_arrival       the learner's steps on which the caregiver enters its goal (two-agent
                   world, the real actions): what the caregiver pays;
  before_arrival   the learner's step just before it (two-agent world): never paid.

Public names: LayoutStates, layout_states, expected_return; measure, stack_measures,
single_agent_hazards, two_agent_hazards, in_chunks; in_own_layouts, by_condition.
"""
from typing import NamedTuple

import numpy as np

import agents
import env


class LayoutStates(NamedTuple):
    """Every state of a set of layouts and its one-step dynamics under each action."""
    views: np.ndarray      # (n, v, v) int8 the agent's view in each state
    layout: np.ndarray     # (n,) which layout each state belongs to
    next: np.ndarray       # (n, A) the state after each action (itself where the goal is entered)
    reward: np.ndarray     # (n, A) R_e + R_s of each action
    reached: np.ndarray    # (n, A) bool: the action enters the goal (a fresh start follows)


def layout_states(world_cfg, layouts):
    """All (goal, agent cell, heading) states of each layout of `layouts` (M, H, W) bool (all
    blocks, no random ones added), and their one-step dynamics, from env.GridWorld's own step."""
    layouts = env.check_layouts(layouts, len(np.asarray(layouts)))
    n_layouts, height, width = layouts.shape
    cells = height * width
    layout, goal, pos, heading = (a.ravel() for a in np.meshgrid(
        np.arange(n_layouts), np.arange(cells), np.arange(cells), np.arange(4), indexing="ij"))
    free = ~layouts.reshape(n_layouts, cells)
    keep = free[layout, goal] & free[layout, pos] & (goal != pos)
    layout, goal, pos, heading = layout[keep], goal[keep], pos[keep], heading[keep]
    n = len(goal)
    index = np.full((n_layouts, cells, cells, 4), -1)
    index[layout, goal, pos, heading] = np.arange(n)
    cell = lambda flat: np.stack(np.divmod(flat, width)[::-1], axis=1)     # flat → (x, y)
    per_state = layouts[layout]

    def world_in_every_state():
        world = env.GridWorld(world_cfg, n, np.random.default_rng(0), per_state)
        world.place(cell(goal), cell(pos), heading)
        return world

    views = world_in_every_state().observe()
    nexts, rewards, reached = [], [], []
    for action in range(world_cfg.n_actions):
        world = world_in_every_state()
        step = world.step(np.full(n, action))
        after = world.pos[:, 1] * width + world.pos[:, 0]
        nexts.append(np.where(step.reached, np.arange(n), index[layout, goal, after, world.dir]))
        rewards.append(step.r_e + step.r_s)
        reached.append(step.reached)
    return LayoutStates(
        views, layout, np.stack(nexts, 1), np.stack(rewards, 1), np.stack(reached, 1)
    )


def expected_return(
    policy, world_cfg, layouts, featurize=agents.features, learners_at_once=10, with_stochastic=True
):
    """Exact expected goals and return per episode of every learner over the layouts
    (M, H, W), a fresh start drawing one of them uniformly (module docstring).

    Returns, each (S,): goals and return of the greedy policy (argmax, as agents.evaluate),
    the return of the stochastic policy π (return_stochastic, computed in float32), and for
    each return the standard error of the mean over layouts of the per-layout returns
    (return_se, return_se_stochastic; NaN for one layout): what drawing other M layouts
    would change. with_stochastic=False: the greedy policy's scores only (faster).
    """
    states = layout_states(world_cfg, layouts)
    phi = featurize(states.views)                                            # (n, F)
    rewards = np.stack([states.reached.astype(float), states.reward])   # (2, n, A): goals, return
    greedy, stochastic = [], []
    for first in range(0, policy.n_learners, learners_at_once):
        probs = policy.select(slice(first, first + learners_at_once)).probs_shared(phi)  # (L, n, A)
        greedy.append(
            _greedy_recursion(probs.argmax(axis=-1), states, rewards, world_cfg.episode_len)
        )
        if with_stochastic:
            stochastic.append(
                _recursion(probs, states, rewards[1:].astype(np.float32), world_cfg.episode_len)
            )
    out = {}
    for parts, suffix, keys in (
        (greedy, "", ("goals", "return")),
        (stochastic, "_stochastic", ("return",)),
    ):
        if not parts:
            continue
        fresh, per_layout = (np.concatenate(p) for p in zip(*parts))          # (S, K), (S, K, M)
        out.update({key + suffix: fresh[:, k].astype(float) for k, key in enumerate(keys)})
        n_layouts = per_layout.shape[-1]
        se = per_layout[:, -1].std(axis=1, ddof=1) / np.sqrt(n_layouts) if n_layouts > 1 else np.nan
        out["return_se" + suffix] = np.broadcast_to(se, (len(fresh),)).astype(float)
    return out


def _layout_means(states):
    """values (..., n) → (..., M): the mean over each layout's states (stored layout by layout)."""
    starts = np.flatnonzero(np.r_[True, np.diff(states.layout) != 0])
    counts = np.diff(np.r_[starts, len(states.layout)])
    return lambda values: np.add.reduceat(values, starts, axis=-1) / counts


def _recursion(probs, states, rewards, steps):
    """The module docstring's recursion for each learner of probs (L, n, A) and each reward of
    rewards (K, n, A): (W_steps (L, K), the per-layout means of V_steps (L, K, M)). A fresh
    start is one more slot after the n states, so a step is one gather per action."""
    layout_means = _layout_means(states)
    n = probs.shape[1]
    probs = probs.astype(rewards.dtype)
    expected_reward = np.einsum("lna,kna->lkn", probs, rewards)            # (L, K, n)
    target = np.where(states.reached, n, states.next).T.copy()   # (A, n): a state or the fresh slot
    weight = np.ascontiguousarray(probs.transpose(2, 0, 1)[:, :, None])  # (A, L, 1, n)
    value = np.zeros(expected_reward.shape[:2] + (n + 1,), dtype=rewards.dtype)   # V_0, W_0 last
    for _ in range(steps):
        new = expected_reward.copy()
        for a, to in enumerate(target):
            new += weight[a] * value.take(to, axis=-1)
        value[..., :n] = new
        value[..., n] = layout_means(new).mean(axis=-1)
    return value[..., n], layout_means(value[..., :n])


def _greedy_recursion(actions, states, rewards, steps):
    """`_recursion` for the greedy policy, actions (L, n): one action per state, so a step is
    one gather, by flat indices into the values (L, K, n + 1)."""
    layout_means = _layout_means(states)
    n_learners, n = actions.shape
    chosen = lambda table: np.take_along_axis(table[None], actions[..., None], axis=-1)[..., 0]
    reward = np.stack([chosen(r) for r in rewards], axis=1)                # (L, K, n)
    target = np.where(chosen(states.reached), n, chosen(states.next))  # (L, n): state or fresh slot
    rows = np.arange(n_learners * len(rewards)).reshape(n_learners, -1, 1) * (n + 1)
    flat_target = rows + target[:, None]                                   # (L, K, n)
    value = np.zeros(reward.shape[:2] + (n + 1,))                      # V_0, and W_0 in slot n
    for _ in range(steps):
        value[..., :n] = reward + value.take(flat_target)
        value[..., n] = layout_means(value[..., :n]).mean(axis=-1)
    return value[..., n], layout_means(value[..., :n])


# ---------------------------------------------------------------------------------------------
# The ISR as an instrument

def in_chunks(fn, views, actions, chunk=4096):
    """fn(views, actions) → (M, n) evaluated over chunks of the transition axis."""
    return np.concatenate([fn(views[:, i:i + chunk], actions[:, i:i + chunk])
                           for i in range(0, views.shape[1], chunk)], axis=1)


RELIABILITY_EDGES = (0.0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.3)   # lower edges of the R_i bins


def measure(model, data, hazards):
    """Per-model sums and counts on the held-out split of `data` (isr.SocialRewardData).

    model: an isr.ISR with one model per learner of `data`; hazards: a function
    (model, views, actions, r_s, used, data) → {name: (M,) mean R_i (as used) on that
    hazard}, given the held-out views (M, n, v, v), actions, R_s and R_i as used (M, n).
    Per reading, its sum over all steps and over the rewarded ones; per R_i bin (the lower
    edges RELIABILITY_EDGES), the steps, Σ R_i and Σ R_s in it (M, bins).
    """
    views, actions, r_s = data.rows(
        np.broadcast_to(data.test_index, (data.views.shape[0], len(data.test_index)))
    )
    output = in_chunks(model.output, views, actions)              # the network, run once
    readings = {"output": output, "r_i": model.raw().pay(output), "used": model.pay(output)}
    positive, negative = r_s > 0, r_s == 0
    out = {
        "r_s_sum": r_s.sum(axis=1),
        "n_positive": positive.sum(axis=1),
        "n_negative": negative.sum(axis=1),
    }
    for name, r in readings.items():
        out[f"{name}_sum"] = r.sum(axis=1)
        out[f"{name}_rewarded_sum"] = np.where(positive, r, 0.0).sum(axis=1)
        for level in (0.1, 0.2):
            out[f"{name}_false_above_{level}"] = ((r > level) & negative).sum(axis=1)
            out[f"{name}_true_above_{level}"] = ((r > level) & positive).sum(axis=1)
    bins = np.maximum(np.searchsorted(RELIABILITY_EDGES, readings["r_i"], side="right") - 1, 0)
    in_bin = bins[..., None] == np.arange(len(RELIABILITY_EDGES))              # (M, n, bins)
    out["reliability_steps"] = in_bin.sum(axis=1)
    out["reliability_r_i_sum"] = np.einsum("mn,mnb->mb", readings["r_i"].astype(np.float64), in_bin)
    out["reliability_r_s_sum"] = np.einsum("mn,mnb->mb", r_s.astype(np.float64), in_bin)
    for name, value in hazards(model, views, actions, r_s, readings["used"], data).items():
        out[f"hazard_{name}"] = value
    return out


def stack_measures(measured, grid):
    """The readings of several `measure` calls, one per cell of a grid (each (M, ...)), as
    arrays (*grid, M, ...)."""
    return {
        k: np.stack([m[k] for m in measured]).reshape(*grid, *measured[0][k].shape)
        for k in measured[0]
    }


def _mean_where(values, mask):
    """(M,) mean of values (M, n) where mask (M, n); NaN where a model has none."""
    count = mask.sum(axis=1)
    total = np.where(mask, values, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(len(count), np.nan), where=count > 0)


def single_agent_hazards(model, views, actions, r_s, used, data):
    """R_i (as used) for stepping into the goal, walking into a wall and turning with the goal
    ahead, per model."""
    c = views.shape[-1] // 2
    ahead = views[..., c - 1, c]
    with_action = lambda a: in_chunks(model, views, np.full(actions.shape, a))
    forward = with_action(env.Action.FORWARD)
    turn = np.maximum(with_action(env.Action.LEFT), with_action(env.Action.RIGHT))
    return {"goal_forward": _mean_where(forward, ahead == env.GOAL),
            "wall_forward": _mean_where(forward, ahead == env.WALL),
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


def in_own_layouts(policy, world_cfg, layouts, n):
    """expected_return of learner group i (n learners) in layout i (G, H, W) alone (Fig. 5)."""
    parts = [expected_return(policy.select(slice(i * n, (i + 1) * n)), world_cfg, layouts[i:i + 1])
             for i in range(len(layouts))]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def by_condition(scores, conditions, n):
    """{condition: {metric: (n,)}} from scores {metric: (len(conditions)·n,)}."""
    return {
        c: {k: np.asarray(v)[i * n : (i + 1) * n] for k, v in scores.items()}
        for i, c in enumerate(conditions)
    }
