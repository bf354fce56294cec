"""The two-agent world of Fig. 7: its generated layouts, its dynamics and its caregiver."""
from collections import deque

import numpy as np
import pytest

import env
import experiments as ex
import prosocial
from prosocial import Action

CFG = prosocial.ProsocialConfig()


def components(free, removed):
    """Connected pieces of the free cells without `removed`, by a plain BFS (x, y sets)."""
    cells = {(x, y) for y, x in zip(*np.nonzero(free))} - {removed}
    pieces = []
    while cells:
        start = cells.pop()
        piece, queue = {start}, deque([start])
        while queue:
            x, y = queue.popleft()
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                n = (x + dx, y + dy)
                if n in cells:
                    cells.remove(n)
                    piece.add(n)
                    queue.append(n)
        pieces.append(piece)
    return pieces


def test_thousands_of_generated_layouts_satisfy_the_constraints():
    walls, ball, caregiver, goal, learner = prosocial.symmetric_layouts(CFG, 4000, np.random.default_rng(0))
    assert walls.shape == (4000, 7, 7)
    for k in range(len(walls)):
        w = walls[k]
        assert w[0].all() and w[-1].all() and w[:, 0].all() and w[:, -1].all()
        assert w[1:-1, 1:-1].sum() == CFG.n_walls
        free = ~w
        assert len(components(free, None)) == 1                         # connected
        b, c, g, a = (tuple(p[k]) for p in (ball, caregiver, goal, learner))
        assert len({b, c, g, a}) == 4 and all(free[y, x] for x, y in (b, c, g, a))
        pieces = components(free, b)                                     # the ball cuts
        side = {cell: i for i, piece in enumerate(pieces) for cell in piece}
        assert side[c] != side[g] and side[a] == side[g]
        assert abs(a[0] - b[0]) + abs(a[1] - b[1]) > 1                   # not beside the ball
        # the learner reaches the ball's neighbourhood without entering the goal
        reach = components(free & ~(np.arange(49).reshape(7, 7) == g[1] * 7 + g[0]), b)
        assert any(a in piece and any(abs(x - b[0]) + abs(y - b[1]) == 1 for x, y in piece) for piece in reach)
    assert prosocial.windows_valid(walls).all()


def test_window_rule_is_the_originals():
    def one(window):
        grid = np.ones((1, 7, 7), dtype=bool)
        grid[0, 1:-1, 1:-1] = False
        grid[0, 2:4, 2:4] = window
        return prosocial.windows_valid(grid)[0]
    assert one([[1, 0], [0, 0]]) and one([[1, 1], [0, 0]]) and one([[1, 1], [1, 0]])
    assert not one([[1, 0], [0, 1]])        # a checkerboard
    assert not one([[1, 1], [1, 1]])        # a solid block


def world_at(codes, learner, learner_dir, caregiver, caregiver_dir):
    """A one-world ProsocialWorld set by hand from an ASCII map."""
    rows = [r for r in codes.strip().splitlines()]
    walls = np.array([[ch == "#" for ch in r] for r in rows])
    find = lambda ch: np.argwhere(np.array([list(r) for r in rows]) == ch)[0][::-1]
    layouts = prosocial.Layouts(walls[None], find("o")[None], np.array([caregiver]), find("G")[None], np.array([learner]))
    world = prosocial.ProsocialWorld(CFG, 1, np.random.default_rng(0), layouts)
    world.reset()
    world.pos[:], world.dir[:] = learner, learner_dir
    world.caregiver_pos[:], world.caregiver_dir[:] = caregiver, caregiver_dir
    return world


CORRIDOR = """
#######
#.#####
#o#####
#.....#
###.#G#
#######
#######
"""


def test_the_ball_stops_the_caregiver_until_the_learner_lifts_it():
    # caregiver at (1, 1) facing south; the ball at (1, 2) blocks its way to the goal (5, 4)
    world = world_at(CORRIDOR, learner=(1, 3), learner_dir=3, caregiver=(1, 1), caregiver_dir=1)
    for _ in range(5):
        step = world.step(np.array([Action.STILL]))
        assert tuple(world.caregiver_pos[0]) == (1, 1) and step.caregiver_action[0] == Action.FORWARD
        assert step.r_s[0] == 0
    step = world.step(np.array([Action.PICKUP]))          # the learner faces the ball
    assert world.carrying[0]
    assert tuple(world.caregiver_pos[0]) == (1, 2)             # moved into the ball's cell
    assert step.r_e[0] == 0.0


@pytest.mark.parametrize("learner, heading, ahead", [((2, 3), 0, "an empty cell"), ((1, 3), 2, "a wall"),
                                                     ((5, 3), 1, "the goal")])
def test_picking_up_lifts_nothing_unless_the_ball_is_ahead(learner, heading, ahead):
    world = world_at(CORRIDOR, learner=learner, learner_dir=heading, caregiver=(1, 1), caregiver_dir=1)
    for _ in range(3):
        step = world.step(np.array([Action.PICKUP]))
        assert not world.carrying[0], ahead
        assert world.codes()[0, 2, 1] == prosocial.BALL                  # the ball stays at (1, 2)
        assert tuple(world.caregiver_pos[0]) == (1, 1) and step.r_s[0] == 0   # still blocked
        assert tuple(world.pos[0]) == learner and world.dir[0] == heading


def test_the_learner_blocks_and_the_caregivers_arrival_pays_the_learner():
    world = world_at(CORRIDOR, learner=(3, 4), learner_dir=0, caregiver=(4, 3), caregiver_dir=0)
    world.carrying[:] = True                                  # the ball is gone
    step = world.step(np.array([Action.FORWARD]))          # into a wall: costs, no move
    assert tuple(world.pos[0]) == (3, 4) and step.r_e[0] == CFG.step_cost
    assert tuple(world.caregiver_pos[0]) == (5, 3) and step.r_s[0] == 0   # east, to (5, 3)
    step = world.step(np.array([Action.STILL]))            # turns south toward the goal
    assert step.caregiver_action[0] == Action.RIGHT
    step = world.step(np.array([Action.STILL]))            # enters the goal
    assert step.reached[0] and step.r_s[0] == CFG.social_reward and step.r_e[0] == 0
    assert not world.carrying[0]                              # a fresh layout, a fresh ball


def test_the_learner_cannot_enter_the_goal_or_the_caregivers_cell():
    world = world_at(CORRIDOR, learner=(5, 3), learner_dir=1, caregiver=(1, 1), caregiver_dir=3)
    world.step(np.array([Action.FORWARD]))
    assert tuple(world.pos[0]) == (5, 3)                      # the goal is ahead
    world = world_at(CORRIDOR, learner=(2, 3), learner_dir=2, caregiver=(1, 3), caregiver_dir=3)
    world.carrying[:] = True
    world.step(np.array([Action.FORWARD]))
    assert tuple(world.pos[0]) == (2, 3)                      # the caregiver is ahead


def test_the_caregiver_turns_the_short_way():
    assert prosocial.face_and_go(np.array([0, 0, 0, 0]), np.array([0, 1, 2, 3])).tolist() == \
        [Action.FORWARD, Action.RIGHT, Action.RIGHT, Action.LEFT]


def test_the_isr_view_shows_the_caregivers_action():
    view = np.full((2, 9, 9), env.EMPTY, dtype=np.int8)
    view[:, 2, 3] = prosocial.CAREGIVER
    seen = prosocial.with_caregiver_action(view, np.array([Action.FORWARD, Action.LEFT]))
    assert seen[0, 2, 3] == prosocial.CAREGIVER_ACTION + Action.FORWARD
    assert seen[1, 2, 3] == prosocial.CAREGIVER_ACTION + Action.LEFT
    assert (seen[:, 4] == env.EMPTY).all()


def test_a_scripted_helper_lets_the_caregiver_through_and_a_still_learner_never_does():
    layouts = prosocial.symmetric_layouts(CFG, 256, np.random.default_rng(1))
    assert prosocial.helper_goals(CFG, layouts, 200, 1, np.random.default_rng(2))["goals"].mean() > 2.0
    world = prosocial.ProsocialWorld(CFG, 200, np.random.default_rng(3), layouts)
    world.reset()
    goals = sum(world.step(np.zeros(200, dtype=int)).reached.sum() for _ in range(CFG.episode_len))
    assert goals == 0


def test_bad_actions_are_a_clear_error():
    world = prosocial.ProsocialWorld(CFG, 2, np.random.default_rng(0), prosocial.symmetric_layouts(CFG, 8, np.random.default_rng(0)))
    world.reset()
    with pytest.raises(ValueError, match="whole-number actions in 0..4"):
        world.step(np.array([0, 5]))


def test_impossible_settings_are_clear_errors():
    with pytest.raises(ValueError, match="too few"):
        prosocial.prosocial_layouts(prosocial.ProsocialConfig(n_walls=22), 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_worlds"):
        prosocial.ProsocialWorld(CFG, 0, np.random.default_rng(0), prosocial.symmetric_layouts(CFG, 8, np.random.default_rng(0)))


def test_cell_at_reads_the_same_codes_as_the_whole_grid():
    world = prosocial.ProsocialWorld(CFG, 300, np.random.default_rng(4), prosocial.symmetric_layouts(CFG, 64, np.random.default_rng(5)))
    world.reset()
    rng = np.random.default_rng(6)
    for _ in range(30):
        world.step(rng.integers(0, 5, size=300))
        xy = rng.integers(0, 7, size=(300, 2))
        grid = world.codes()
        np.testing.assert_array_equal(world.cell_at(xy), grid[np.arange(300), xy[:, 1], xy[:, 0]])


def test_same_seed_same_two_agent_rollout():
    """The two-agent world is deterministic given its generator: layouts, headings, moves."""
    def rollout(seed):
        rng = np.random.default_rng(seed)
        world = prosocial.ProsocialWorld(CFG, 50, rng, prosocial.symmetric_layouts(CFG, 64, rng))
        frames = [world.reset()]
        actions = np.random.default_rng(seed + 1).integers(0, len(Action), size=(2 * CFG.episode_len, 50))
        for a in actions:
            step = world.step(a)
            frames += [step.obs, step.r_s, step.caregiver_action]
        return frames
    a, b, c = rollout(3), rollout(3), rollout(4)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_the_learner_action_codes_differ_from_the_single_agent_world_as_documented():
    assert [a.value for a in Action] == [0, 1, 2, 3, 4]
    assert (Action.LEFT, Action.RIGHT, Action.FORWARD) == (env.Action.LEFT + 1, env.Action.RIGHT + 1,
                                                          env.Action.FORWARD + 1)
    assert "0      LEFT                    STILL" in prosocial.__doc__


def test_the_world_tells_what_the_isr_sees():
    layouts = prosocial.symmetric_layouts(CFG, 64, np.random.default_rng(0))
    world = prosocial.ProsocialWorld(CFG, 40, np.random.default_rng(1), layouts)
    obs = world.reset()
    step = world.step(np.zeros(40, dtype=int))
    seen = world.isr_view(obs, step)
    at_caregiver = obs == prosocial.CAREGIVER
    assert at_caregiver.any()
    np.testing.assert_array_equal(seen[~at_caregiver], obs[~at_caregiver])
    expected = np.broadcast_to(prosocial.CAREGIVER_ACTION + step.caregiver_action[:, None, None], obs.shape)
    np.testing.assert_array_equal(seen[at_caregiver], expected[at_caregiver])
    assert world.env_steps == 40


def test_in_the_isrs_view_the_caregivers_reward_is_a_function_of_the_view():
    """Fig. 7: R_s > 0 exactly on the steps whose ISR view shows a caregiver cell coded
    'forward' next to the goal, on every step of a socialization. So the raw ISR's over-payment
    is fitting error on rare rewarded steps, not uncertainty about when the caregiver arrives."""
    cfg = prosocial.Helping().quick()
    layouts = prosocial.symmetric_layouts(cfg.world, 64, np.random.default_rng(0))
    _, _, data = ex.socialize(cfg.world, cfg.agent, cfg.isr, 2, 300, ex.learner_streams((1, 2), "test", "socialization"),
                              layouts=layouts, featurize=prosocial.features)
    goal = data.views == env.GOAL
    next_to_goal = np.zeros_like(goal)
    next_to_goal[..., 1:, :] |= goal[..., :-1, :]
    next_to_goal[..., :-1, :] |= goal[..., 1:, :]
    next_to_goal[..., 1:] |= goal[..., :-1]
    next_to_goal[..., :-1] |= goal[..., 1:]
    arriving = (next_to_goal & (data.views == prosocial.CAREGIVER_ACTION + Action.FORWARD)).any(axis=(-2, -1))
    assert (data.r_s > 0).sum() > 50
    np.testing.assert_array_equal(arriving, data.r_s > 0)
