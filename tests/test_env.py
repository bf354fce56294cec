"""The world's dynamics, rewards, egocentric view and planner against hand-checked cases."""
from dataclasses import replace

import numpy as np
import pytest

import env
from examples import terminal
from streams import Streams
from env import GOAL, WALL, EMPTY, AGENT, UNSEEN, Action

OPEN = """
#######
#.....#
#.....#
#.....#
#.....#
#.....#
#######
"""


def world_with(layout, goal, pos, direction, n=1, seed=0, **cfg):
    """A world whose first state is set by hand (goal, agent position and heading)."""
    world = env.GridWorld(env.WorldConfig(layout=layout, **cfg), n, np.random.default_rng(seed))
    world.reset()
    world.place(np.broadcast_to(goal, (n, 2)), np.broadcast_to(pos, (n, 2)), np.broadcast_to(direction, n))
    return world


def test_forward_moves_turns_do_not_and_costs_are_separate():
    world = world_with(OPEN, goal=(5, 5), pos=(1, 1), direction=0)   # facing east
    step = world.step([Action.FORWARD])
    assert tuple(world.pos[0]) == (2, 1)
    assert step.r_e[0] == pytest.approx(-0.045) and step.r_s[0] == 0 and not step.reached[0]
    step = world.step([Action.RIGHT])                                 # now facing south
    assert world.dir[0] == 1 and tuple(world.pos[0]) == (2, 1)
    assert step.r_e[0] == 0 and step.r_s[0] == 0
    world.step([Action.LEFT])
    world.step([Action.LEFT])
    assert world.dir[0] == 3                                          # north, towards the wall


def test_forward_into_a_block_costs_but_does_not_move():
    world = world_with(OPEN, goal=(5, 5), pos=(1, 1), direction=3)   # facing the north wall
    step = world.step([Action.FORWARD])
    assert tuple(world.pos[0]) == (1, 1)
    assert step.r_e[0] == pytest.approx(-0.045)


def test_entering_the_goal_pays_social_reward_and_draws_a_new_layout():
    world = world_with(OPEN, goal=(3, 1), pos=(2, 1), direction=0, n=3)
    world.step([Action.LEFT, Action.LEFT, Action.LEFT])
    world.step([Action.RIGHT, Action.RIGHT, Action.RIGHT])
    step = world.step([Action.FORWARD, Action.LEFT, Action.FORWARD])
    assert list(step.reached) == [True, False, True]
    assert step.r_s.tolist() == [0.4, 0.0, 0.4]
    assert step.r_e.tolist() == pytest.approx([-0.045, 0.0, -0.045])
    assert world.t == 3 and not step.truncated                      # the episode goes on
    assert tuple(world.pos[1]) == (2, 1)                            # untouched world
    assert not (world.pos[0] == world.goal[0]).all()                # fresh, valid layout


def test_episode_truncates_after_episode_len_and_resets():
    world = world_with(OPEN, goal=(5, 5), pos=(1, 1), direction=2, episode_len=4)
    for t in range(3):
        assert not world.step([Action.LEFT]).truncated
    step = world.step([Action.LEFT])
    assert step.truncated and world.t == 0


def test_random_layouts_have_the_right_number_of_blocks_and_distinct_cells():
    cfg = env.WorldConfig(n_blocks=3)
    world = env.GridWorld(cfg, 500, np.random.default_rng(1))
    world.reset()
    interior = world.walls[:, 1:-1, 1:-1].sum(axis=(1, 2))
    assert (interior == 3).all()
    b = np.arange(500)
    assert not world.walls[b, world.goal[:, 1], world.goal[:, 0]].any()
    assert not world.walls[b, world.pos[:, 1], world.pos[:, 0]].any()
    assert not (world.goal == world.pos).all(axis=1).any()
    # every interior cell gets a block sometimes (the draw is uniform, not biased)
    assert (world.walls[:, 1:-1, 1:-1].mean(axis=0) > 0.05).all()


def test_egocentric_view_matches_a_hand_checked_crop():
    layout = """
    #######
    #...#.#
    ##....#
    #.....#
    #...#.#
    #.....#
    #######
    """
    world = world_with(layout, goal=(4, 2), pos=(4, 5), direction=1)  # facing south
    view = world.observe()[0]
    expected = np.array([
        [0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 2, 2, 2, 2, 2, 2, 2],   # the south wall, one cell ahead
        [0, 0, 2, 1, 10, 1, 1, 1, 2],  # the agent's row: its left is east
        [0, 0, 2, 1, 2, 1, 1, 1, 2],   # behind it, the block at (4, 4)
        [0, 0, 2, 1, 1, 1, 1, 1, 2],
        [0, 0, 2, 1, 8, 1, 1, 2, 2],   # the goal three cells behind
        [0, 0, 2, 1, 2, 1, 1, 1, 2],
    ])
    np.testing.assert_array_equal(view, expected)


def test_view_rotates_with_the_heading_and_handles_a_non_square_grid():
    layout = """
    #########
    #.......#
    #.......#
    #########
    """
    world = world_with(layout, goal=(7, 1), pos=(1, 1), direction=0, view=5)
    ahead = world.observe()[0][:2, 2]          # the column straight ahead, far to near
    np.testing.assert_array_equal(ahead, [EMPTY, EMPTY])
    assert world.observe()[0][2, 1] == WALL    # the agent's left is north: a wall
    assert world.observe()[0][2, 3] == EMPTY   # its right is south: free
    assert world.observe()[0][2, 2] == AGENT
    world.dir[:] = 2                            # facing west, the wall right ahead
    assert world.observe()[0][1, 2] == WALL and world.observe()[0][0, 2] == UNSEEN
    assert str(world).splitlines()[1] == "#<.....G#"


def test_every_view_puts_the_agent_at_the_centre_and_sees_the_goal():
    world = env.GridWorld(env.WorldConfig(), 200, np.random.default_rng(2))
    views = world.reset()
    assert (views[:, 4, 4] == AGENT).all()
    assert ((views == GOAL).sum(axis=(1, 2)) == 1).all()


def test_same_seed_same_rollout():
    def rollout(seed):
        world = env.GridWorld(env.WorldConfig(), 16, np.random.default_rng(seed))
        obs = [world.reset()]
        actions = np.random.default_rng(99).integers(0, 3, size=(45, 16))
        obs += [world.step(a).obs for a in actions]
        return np.stack(obs)
    np.testing.assert_array_equal(rollout(5), rollout(5))
    assert not np.array_equal(rollout(5), rollout(6))


def test_a_world_takes_an_int_seed_as_its_generator():
    """GridWorld(cfg, n, 5) is GridWorld(cfg, n, np.random.default_rng(5)), as Gymnasium's seed."""
    first = env.GridWorld(env.WorldConfig(), 4, 5).reset()
    np.testing.assert_array_equal(first, env.GridWorld(env.WorldConfig(), 4, np.random.default_rng(5)).reset())


@pytest.mark.parametrize("layout, message", [
    ("#####\n#..#\n#####", "different lengths"),
    ("#####\n#.G.#\n#####", "unknown characters"),
    ("#####\n#....\n#####", "outer ring"),
    ("", "empty layout"),
])
def test_malformed_layouts_are_rejected_clearly(layout, message):
    with pytest.raises(ValueError, match=message):
        env.parse_layout(layout)


def test_too_many_blocks_is_an_error_not_a_hang():
    with pytest.raises(ValueError, match="do not fit"):
        env.GridWorld(env.WorldConfig(n_blocks=24), 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_worlds"):
        env.GridWorld(env.WorldConfig(), 0, np.random.default_rng(0))


def test_step_before_reset_or_with_bad_actions_is_a_clear_error():
    world = env.GridWorld(env.WorldConfig(), 2, np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="reset"):
        world.step([0, 0])
    with pytest.raises(RuntimeError, match="reset"):
        str(world)
    world.reset()
    for bad in ([0], [0, 3], [-1, 0], [0, 1.5], [np.nan, 0], [1.0, 2.0], [True, False]):
        with pytest.raises(ValueError, match="whole-number actions in 0..2"):
            world.step(bad)
    for count in (2.5, 0, -1, True, "3"):
        with pytest.raises(ValueError, match="n_worlds must be a positive whole number"):
            env.GridWorld(env.WorldConfig(), count, np.random.default_rng(0))


def test_planner_counts_turns_and_walls():
    world = world_with(OPEN, goal=(4, 1), pos=(1, 1), direction=0)
    q = env.action_values(world.walls, world.goal)[0]      # (3, 4, H, W)
    assert q[Action.FORWARD, 0, 1, 1] == 3                 # three steps east
    assert q[:, 2, 1, 1].min() == 5                        # facing west: two turns first
    assert np.isinf(q[:, :, 0, 0]).all()                   # a wall cell is no state
    walled = world_with("#####\n#.#.#\n#####", goal=(3, 1), pos=(1, 1), direction=0)
    assert np.isinf(env.action_values(walled.walls, walled.goal)).all()


def test_planner_beats_random_and_respects_the_horizon():
    out = env.planner_goals(env.WorldConfig(), 50, 3, np.random.default_rng(0))
    goals = out["goals"]
    assert goals.shape == (3, 50) and out["env_steps"] == 50 * 3 * env.WorldConfig().episode_len
    assert 2.5 < goals.mean() < 5.0 and goals.max() <= 20


@pytest.mark.parametrize("text, argv, message", [
    ("#####\n#.x.#\n#####\n", [], "unknown characters"),
    (None, ["--blocks", "30"], "do not fit"),
    (None, ["--worlds", "0"], "n_worlds"),
])
def test_command_line_errors_are_one_line(text, argv, message, tmp_path, capsys):
    if text is not None:
        (tmp_path / "layout.txt").write_text(text)
        argv = ["--layout", str(tmp_path / "layout.txt")]
    assert terminal.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_command_line_prints_worlds_from_a_layout(tmp_path, capsys):
    (tmp_path / "t.txt").write_text("#######\n#.....#\n#.###.#\n#..#..#\n#..#..#\n#.....#\n#######\n")
    assert terminal.main(["--layout", str(tmp_path / "t.txt"), "--worlds", "2"]) == 0
    worlds = capsys.readouterr().out.strip().split("\n\n")
    assert len(worlds) == 2 and all(w.count("G") == 1 for w in worlds)
    for w in worlds:                                    # the T's blocks are in every world
        rows = w.splitlines()
        assert rows[2][2:5] == "###" and rows[3][3] == "#" and rows[4][3] == "#"


def test_handpicked_layouts_match_the_papers_walls():
    # The authors' code lists each layout's five interior walls as (x, y).
    walls = {"plus": {(3, 2), (2, 3), (3, 3), (4, 3), (3, 4)},
             "x": {(2, 2), (2, 4), (3, 3), (4, 2), (4, 4)},
             "U": {(2, 2), (2, 3), (3, 4), (4, 3), (4, 2)},
             "T": {(2, 2), (3, 2), (4, 2), (3, 3), (3, 4)},
             "4 rooms": {(3, 1), (1, 3), (3, 3), (5, 3), (3, 5)}}
    for name, layout in env.HANDPICKED.items():
        grid = env.parse_layout(layout)
        interior = {(x, y) for y, x in zip(*np.nonzero(grid[1:-1, 1:-1]))}
        assert {(x + 1, y + 1) for x, y in interior} == walls[name], name
        # every free cell is reachable: the planner finds a finite path from all of them
        free = np.argwhere(~grid)
        goal = free[:1, ::-1]
        q = env.action_values(grid[None], goal)
        reachable = np.isfinite(q[0].min(axis=(0, 1)))
        reachable[goal[0, 1], goal[0, 0]] = True
        assert reachable[~grid].all(), name


def test_each_world_can_have_its_own_layout():
    layouts = np.stack([env.parse_layout(env.HANDPICKED[k]) for k in ("plus", "x", "T")])
    world = env.GridWorld(env.WorldConfig(), 3, np.random.default_rng(0), layouts=layouts)
    world.reset()
    actions = np.random.default_rng(1).integers(0, 3, size=(200, 3))
    for a in actions:                        # across many goals and resets
        world.step(a)
        np.testing.assert_array_equal(world.walls, layouts)   # no random blocks added
        cells = np.concatenate([world.goal, world.pos])[:, ::-1]
        assert not layouts[np.r_[0, 1, 2, 0, 1, 2], cells[:, 0], cells[:, 1]].any()
    with pytest.raises(ValueError, match="layouts must be"):
        env.GridWorld(env.WorldConfig(), 2, np.random.default_rng(0), layouts=layouts)
    with pytest.raises(ValueError, match="outer ring"):
        env.GridWorld(env.WorldConfig(), 3, np.random.default_rng(0), layouts=~layouts)
    full = np.ones((3, 7, 7), dtype=bool)
    with pytest.raises(ValueError, match="free cells"):
        env.GridWorld(env.WorldConfig(), 3, np.random.default_rng(0), layouts=full)


def test_terminal_playback_shows_the_planner_step_by_step():
    """`python examples/terminal.py --play N`: N + 1 frames of the first world; the planner reaches goals."""
    import io
    world = env.GridWorld(env.WorldConfig(), 1, np.random.default_rng(0))
    world.reset()
    out = io.StringIO()
    terminal.play(world, 40, out)
    frames = out.getvalue().split("step ")[1:]
    assert len(frames) == 41 and frames[0].startswith("0/40, goals 0")
    assert int(frames[-1].split("goals ")[1].split("\n")[0]) >= 3     # ~3.5 goals per 20 steps
    assert all(len(frame.strip().split("\n")) == 1 + 7 for frame in frames)          # header + 7 rows


def test_the_layout_pool_draws_worlds_as_the_direct_draw_did():
    """Resets draw from a pool of layouts made once per world (blocks and goal), then the agent's
    cell and heading: in distribution the same worlds as drawing blocks, goal and agent afresh
    at every reset (the old way, written out here): the goal and the agent on each cell, the
    headings, and what the shortest-path planner reaches per episode."""
    cfg, n = env.WorldConfig(), 20000
    rng = np.random.default_rng(5)
    fixed = cfg.blocks()
    keys = rng.random((n, fixed.size))
    keys[np.broadcast_to(fixed.ravel(), keys.shape)] = 2.0
    cells = np.argsort(keys, axis=1)[:, :cfg.n_blocks + 2]
    direct_goal, direct_agent = np.bincount(cells[:, -2], minlength=49), np.bincount(cells[:, -1], minlength=49)
    world = env.GridWorld(cfg, n, np.random.default_rng(6))
    world.reset()
    pooled_goal = np.bincount(world.goal[:, 1] * 7 + world.goal[:, 0], minlength=49)
    pooled_agent = np.bincount(world.pos[:, 1] * 7 + world.pos[:, 0], minlength=49)
    free = ~fixed.ravel()
    for direct, pooled in ((direct_goal, pooled_goal), (direct_agent, pooled_agent)):
        assert (direct[~free] == 0).all() and (pooled[~free] == 0).all()
        expected = n / free.sum()                                  # 800 per cell, sd about 28
        assert np.abs(pooled[free] - expected).max() < 5 * np.sqrt(expected)
        assert np.abs(direct[free] - expected).max() < 5 * np.sqrt(expected)
    assert np.abs(np.bincount(world.dir, minlength=4) - n / 4).max() < 5 * np.sqrt(n / 4)
    assert (world.walls[:, 1:-1, 1:-1].sum(axis=(1, 2)) == cfg.n_blocks).all()
    assert len(np.unique(world.layout)) > 0.9 * cfg.layout_pool      # most of the pool is used
    pooled = env.planner_goals(cfg, 2000, 3, np.random.default_rng(7))["goals"].mean()
    small = env.planner_goals(replace(cfg, layout_pool=8), 2000, 3, np.random.default_rng(7))["goals"].mean()
    assert 3.3 < pooled < 3.8 and small != pooled                  # the old draw's planner: 3.55


def test_a_world_draws_from_its_learners_stream_alone():
    """Two learners' worlds in one batch, and the second learner's worlds alone, from the same
    stream: the same layouts, cells and headings after many resets."""
    streams = lambda seeds: Streams([np.random.default_rng(s) for s in seeds], np.random.default_rng(0))
    both, alone = env.GridWorld(env.WorldConfig(), 8, streams([1, 2])), env.GridWorld(env.WorldConfig(), 4, streams([2]))
    both.reset(), alone.reset()
    actions = np.random.default_rng(3).integers(0, 3, (60, 8))
    for a in actions:
        both.step(a)
        alone.step(a[4:])
    np.testing.assert_array_equal(both.layout[4:], alone.layout)
    np.testing.assert_array_equal(both.pos[4:], alone.pos)
    with pytest.raises(ValueError, match="do not split evenly"):
        env.GridWorld(env.WorldConfig(), 7, streams([1, 2]))


@pytest.mark.parametrize("width", [7, 36, 64, 81])
def test_distinct_rows_are_numpys_unique_rows_in_the_same_order(width):
    """The pool of fixed layouts orders them as np.unique(axis=0) did, so worlds draw as before."""
    rng = np.random.default_rng(width)
    rows = rng.random((300, width)) < 0.2
    rows = rows[rng.integers(0, 300, 1000)]                      # repeats
    distinct, which = env.distinct_rows(rows)
    expected, inverse = np.unique(rows, axis=0, return_inverse=True)
    np.testing.assert_array_equal(distinct, expected)
    np.testing.assert_array_equal(which, inverse.ravel())


def test_the_terminal_help_shows_defaults_and_symbols_and_refuses_negative_play(capsys):
    with pytest.raises(SystemExit) as shown:
        terminal.main(["--help"])
    out = capsys.readouterr().out
    assert shown.value.code == 0 and "(default: 3)" in out and "Symbols: # wall" in out
    with pytest.raises(SystemExit) as refused:
        terminal.main(["--play", "-3"])
    assert refused.value.code == 2 and "--play must be 0 or more" in capsys.readouterr().err
