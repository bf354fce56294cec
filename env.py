"""env.py — the caregiver's gridworld (paper §2, Fig. 1 left; paper-setup.md §1).

A batched numpy re-implementation of the authors' minigrid world. One `GridWorld` steps
many independent worlds at once (leading batch axis B); nothing here loops over worlds
or cells.

Coordinates: a cell is (x, y); x is the column and grows to the right, y is the row and
grows downward (minigrid's convention). Arrays indexed by cell are [y, x].
Directions: 0 = east (+x), 1 = south (+y), 2 = west (−x), 3 = north (−y).

Public names: WorldConfig, GridWorld, Step, Action, parse_layout, check_layouts,
egocentric_view, action_values, planner_goals, render_ascii, draw_world, HANDPICKED (Fig. 5's
layouts), and the cell codes UNSEEN, EMPTY, WALL, GOAL, AGENT. The two-agent world of Fig. 7:
ProsocialConfig, ProsocialWorld, Prosocial (its actions), prosocial_layouts,
symmetric_layouts, helper_goals, random_goals, with_partner_action, and the codes BALL,
CAREGIVER.
"""
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import NamedTuple

import numpy as np

# Minigrid's object codes, which the authors' observation uses (paper-setup.md §1.5).
UNSEEN, EMPTY, WALL, GOAL, AGENT = 0, 1, 2, 8, 10
DIR_TO_VEC = np.array([[1, 0], [0, 1], [-1, 0], [0, -1]])  # (dx, dy) per direction
ARROWS = ">v<^"


class Action(IntEnum):
    LEFT = 0     # turn left: dir − 1 (mod 4)
    RIGHT = 1    # turn right: dir + 1 (mod 4)
    FORWARD = 2  # move one cell ahead unless it is a block; costs R_e either way


@dataclass(frozen=True)
class WorldConfig:
    """The world's sizes and rewards. Defaults are the paper's (paper-setup.md §1)."""
    width: int = 7                 # grid width including the outer wall ring
    height: int = 7                # grid height including the outer wall ring
    n_blocks: int = 3              # random interior blocks per layout (Fig. 1: 3)
    episode_len: int = 20          # steps per episode, 4·(size−2)²//5 in the original
    step_cost: float = -0.045      # R_e of every forward step, −0.9 / episode_len
    social_reward: float = 0.4     # R_s, the caregiver's reward for entering the goal
    view: int = 9                  # side of the egocentric view (agent at its centre)
    layout: str | None = None      # ASCII blocks ('#' block, '.' free); replaces n_blocks

    def blocks(self):
        """(H, W) bool: the walls every layout has (outer ring plus fixed blocks)."""
        if self.layout is not None:
            return parse_layout(self.layout)
        if self.width < 3 or self.height < 3:
            raise ValueError(f"a {self.width}x{self.height} world has no interior; "
                             "width and height must be at least 3")
        walls = np.ones((self.height, self.width), dtype=bool)
        walls[1:-1, 1:-1] = False
        return walls

    def make(self, n_learners, n_each, rng, layouts=None):
        """n_each worlds per learner; layouts (n_learners, H, W): one fixed layout per learner."""
        return GridWorld(self, n_learners * n_each, rng, per_world(layouts, n_each))

    def validate(self):
        """Raise ValueError, in one line, if these settings cannot make a world."""
        walls = self.blocks()
        n_random = 0 if self.layout is not None else self.n_blocks
        if n_random < 0:
            raise ValueError(f"n_blocks must be >= 0, got {n_random}")
        if self.episode_len < 1:
            raise ValueError(f"episode_len must be >= 1, got {self.episode_len}")
        if self.view < 1 or self.view % 2 == 0:
            raise ValueError(f"view must be a positive odd number, got {self.view}")
        n_free = int((~walls).sum())
        if n_random + 2 > n_free:
            raise ValueError(f"{n_random} blocks do not fit: the world has {n_free} free "
                             f"cells and blocks, goal and agent need {n_random + 2}")
        return walls


# Fig. 5's five hand-picked 5-block layouts (paper-setup.md §6.4); all free cells connected.
HANDPICKED = {
    "plus": """
#######
#.....#
#..#..#
#.###.#
#..#..#
#.....#
#######""",
    "x": """
#######
#.....#
#.#.#.#
#..#..#
#.#.#.#
#.....#
#######""",
    "U": """
#######
#.....#
#.#.#.#
#.#.#.#
#..#..#
#.....#
#######""",
    "T": """
#######
#.....#
#.###.#
#..#..#
#..#..#
#.....#
#######""",
    "4 rooms": """
#######
#..#..#
#.....#
##.#.##
#.....#
#..#..#
#######""",
}

def parse_layout(text):
    """ASCII art → (H, W) bool walls. '#' is a block, '.' a free cell; the border must be '#'.

    The five hand-picked layouts of Fig. 5 are written this way (paper-setup.md §6.4).
    """
    rows = [r.strip() for r in text.strip().splitlines() if r.strip()]
    if not rows:
        raise ValueError("empty layout")
    if len({len(r) for r in rows}) != 1:
        raise ValueError(f"malformed layout: rows have different lengths {[len(r) for r in rows]}")
    bad = set("".join(rows)) - set("#.")
    if bad:
        raise ValueError(f"malformed layout: unknown characters {''.join(sorted(bad))!r}; "
                         "use '#' for a block and '.' for a free cell")
    walls = np.array([[ch == "#" for ch in r] for r in rows])
    border = np.concatenate([walls[0], walls[-1], walls[:, 0], walls[:, -1]])
    if not border.all():
        raise ValueError("malformed layout: the outer ring must be all '#'")
    return walls


def per_world(layouts, n):
    """Per-learner layouts (S, H, W) → per-world (S·n, H, W); None stays None."""
    return None if layouts is None else np.repeat(np.asarray(layouts, dtype=bool), n, axis=0)


def check_layouts(layouts, n_worlds):
    """Validate per-world fixed blocks (B, H, W) bool; return them as a bool array."""
    layouts = np.asarray(layouts)
    if layouts.ndim != 3 or layouts.shape[0] != n_worlds or min(layouts.shape[1:]) < 3:
        raise ValueError(f"layouts must be ({n_worlds}, H, W) with H, W >= 3, got shape {layouts.shape}")
    layouts = layouts.astype(bool)
    border = np.concatenate([layouts[:, 0], layouts[:, -1], layouts[:, :, 0], layouts[:, :, -1]], axis=1)
    if not border.all():
        raise ValueError("malformed layout: the outer ring must be all walls")
    n_free = (~layouts).reshape(n_worlds, -1).sum(axis=1)
    if n_free.min() < 2:
        raise ValueError(f"a layout has {n_free.min()} free cells; goal and agent need 2")
    return layouts


class Step(NamedTuple):
    obs: np.ndarray        # (B, view, view) int8: the egocentric view after the step
    r_e: np.ndarray        # (B,) extrinsic reward: the step cost on forward, else 0
    r_s: np.ndarray        # (B,) the caregiver's social reward: +0.4 on entering the goal
    reached: np.ndarray    # (B,) bool: the step entered the goal (a fresh layout follows)
    truncated: bool        # the episode ended here; all worlds were reset
    partner: np.ndarray | None = None  # (B,) the caregiver's action (two-agent world only)


class GridWorld:
    """B independent copies of the caregiver's world, stepped together.

    Description
        A learner (red triangle) walks a grid with blocks (grey) toward a goal (green).
        Entering the goal draws a fresh layout and the episode goes on (paper-setup.md §1.3).
    Layout (7×7, 3 blocks; '#' wall, G goal, > the agent facing east)
        #######
        #..#..#
        #.G...#
        #...#.#
        #.>#..#
        #.....#
        #######
    Action space
        0 turn left, 1 turn right, 2 forward.
    Observation
        The egocentric `view`×`view` grid of cell codes (UNSEEN 0, EMPTY 1, WALL 2, GOAL 8,
        AGENT 10), agent at the centre c = view // 2 facing up: row c−1 is the cell ahead,
        column c−1 the cell to its left.
    Rewards (kept apart; the learner combines them, agents.utility)
        R_e = step_cost on every forward step; R_s = social_reward on entering the goal.
    Termination vs truncation
        Never terminated. Truncated after episode_len steps: every world gets a new layout.
    """

    def __init__(self, cfg, n_worlds, rng, layouts=None):
        """layouts: optional (B, H, W) bool fixed blocks, one layout per world (Fig. 5 runs
        its five hand-picked layouts as one batch); they replace cfg's layout and random
        blocks. Without them every world has cfg.blocks() plus cfg.n_blocks random blocks."""
        if int(n_worlds) < 1:
            raise ValueError(f"n_worlds must be >= 1, got {n_worlds}")
        self.cfg, self.rng, self.n = cfg, rng, int(n_worlds)
        if layouts is None:
            fixed = cfg.validate()
            self.n_random = 0 if cfg.layout is not None else cfg.n_blocks
        else:
            fixed = check_layouts(layouts, self.n)
            self.n_random = 0
        self.fixed = np.broadcast_to(fixed, (self.n,) + fixed.shape[-2:])   # (B, H, W)
        self.height, self.width = self.fixed.shape[1:]
        self.walls = self.goal = self.pos = self.dir = None
        self.t = 0

    def reset(self):
        """Draw a fresh layout in every world; return the observation (B, view, view)."""
        self.walls = self.fixed.copy()
        self.goal = np.zeros((self.n, 2), dtype=np.int64)
        self.pos = np.zeros((self.n, 2), dtype=np.int64)
        self.dir = np.zeros(self.n, dtype=np.int64)
        self._draw_layouts(np.arange(self.n))
        self.t = 0
        return self.observe()

    def _draw_layouts(self, idx):
        """New blocks, goal, agent and heading for worlds `idx` (paper-setup.md §1.2).

        Blocks, goal and agent are distinct cells drawn uniformly among the free ones, which
        is what the original's sequential rejection sampling gives, in one argsort.
        """
        m = len(idx)
        if m == 0:
            return
        walls = self.fixed[idx].copy()                      # (m, H, W)
        keys = self.rng.random((m, walls[0].size))
        keys[walls.reshape(m, -1)] = 2.0                    # fixed walls sort last
        cells = np.argsort(keys, axis=1)[:, :self.n_random + 2]  # (m, k+2) flat cells
        rows = np.repeat(np.arange(m), self.n_random)
        walls.reshape(m, -1)[rows, cells[:, :self.n_random].ravel()] = True
        self.walls[idx] = walls
        self.goal[idx] = np.stack(np.divmod(cells[:, -2], self.width)[::-1], axis=1)
        self.pos[idx] = np.stack(np.divmod(cells[:, -1], self.width)[::-1], axis=1)
        self.dir[idx] = self.rng.integers(0, 4, size=m)

    def codes(self):
        """(B, H, W) int8 cell codes of the whole grid (the view crops this)."""
        grid = np.where(self.walls, WALL, EMPTY).astype(np.int8)
        b = np.arange(self.n)
        grid[b, self.goal[:, 1], self.goal[:, 0]] = GOAL
        grid[b, self.pos[:, 1], self.pos[:, 0]] = AGENT
        return grid

    def observe(self):
        return egocentric_view(self.codes(), self.pos, self.dir, self.cfg.view)

    def step(self, action):
        """Apply one action per world (B,); return a `Step` (paper-setup.md §1.3–1.4)."""
        if self.walls is None:
            raise RuntimeError("call reset() before step()")
        action = np.asarray(action)
        if action.shape != (self.n,) or ((action < 0) | (action > Action.FORWARD)).any():
            raise ValueError(f"step needs {self.n} actions in 0..2, got shape {action.shape}")
        turn = np.where(action == Action.LEFT, -1, np.where(action == Action.RIGHT, 1, 0))
        self.dir = (self.dir + turn) % 4
        forward = action == Action.FORWARD
        ahead = self.pos + DIR_TO_VEC[self.dir]
        blocked = self.walls[np.arange(self.n), ahead[:, 1], ahead[:, 0]]
        moves = forward & ~blocked
        self.pos = np.where(moves[:, None], ahead, self.pos)
        reached = moves & (self.pos == self.goal).all(axis=1)
        r_e = np.where(forward, self.cfg.step_cost, 0.0)
        r_s = np.where(reached, self.cfg.social_reward, 0.0)
        self._draw_layouts(np.flatnonzero(reached))  # the episode goes on in a new layout
        self.t += 1
        truncated = self.t >= self.cfg.episode_len
        if truncated:
            return Step(self.reset(), r_e, r_s, reached, True)
        return Step(self.observe(), r_e, r_s, reached, False)

    def __str__(self):
        if self.walls is None:
            raise RuntimeError("call reset() before printing the world")
        return render_ascii(self.walls[0], self.goal[0], self.pos[0], self.dir[0])


@lru_cache
def _view_offsets(view):
    """(4, view, view, 2) cell offsets (dx, dy) of each view cell, per heading.

    E[r, c] is the cell at pos + (h − r)·fwd + (c − h)·right, h = view // 2
    (paper-setup.md §1.5, the closed form of minigrid's rotate-and-crop).
    """
    h = view // 2
    r, c = np.meshgrid(np.arange(view), np.arange(view), indexing="ij")
    fwd = DIR_TO_VEC[:, None, None, :]
    right = DIR_TO_VEC[(np.arange(4) + 1) % 4][:, None, None, :]
    return (h - r)[None, :, :, None] * fwd + (c - h)[None, :, :, None] * right


def egocentric_view(codes, pos, dirs, view=9):
    """Crop (B, H, W) codes to (B, view, view) around each agent, its heading up.

    The grid is padded with UNSEEN by view // 2 on every side, so the crop is one gather.
    """
    n, height, width = codes.shape
    h = view // 2
    hp, wp = height + 2 * h, width + 2 * h
    padded = np.full((n, hp, wp), UNSEEN, dtype=np.int8)
    padded[:, h:h + height, h:h + width] = codes
    offsets = _view_offsets(view)
    flat_offsets = offsets[..., 1] * wp + offsets[..., 0]                 # (4, v, v)
    centre = np.arange(n) * (hp * wp) + (pos[:, 1] + h) * wp + pos[:, 0] + h
    return padded.reshape(-1)[centre[:, None, None] + flat_offsets[dirs]]


def action_values(walls, goal):
    """(B, 3, 4, H, W) fewest actions to enter the goal after taking action a in (dir, y, x).

    Value iteration over the turn/forward dynamics, batched over worlds; inf where the goal
    cannot be reached. It is the planner behind the dashed "best achievable" line of
    Figs 1 and 4 (paper-setup.md §9 item 24: random blocks can wall the goal off).
    """
    n, height, width = walls.shape
    shape = (4, height, width)
    n_states = 4 * height * width
    d, y, x = np.unravel_index(np.arange(n_states), shape)
    turn_left = np.ravel_multi_index(((d - 1) % 4, y, x), shape)
    turn_right = np.ravel_multi_index(((d + 1) % 4, y, x), shape)
    ax = np.clip(x + DIR_TO_VEC[d, 0], 0, width - 1)
    ay = np.clip(y + DIR_TO_VEC[d, 1], 0, height - 1)
    # Forward leads to the state ahead, to a goal sink (0 more actions) or, into a block,
    # to an unreachable sink (inf).
    goal_sink, dead_sink = n_states, n_states + 1
    is_goal = (ax == goal[:, :1]) & (ay == goal[:, 1:])                    # (B, S)
    forward = np.where(is_goal, goal_sink,
                       np.where(walls[:, ay, ax], dead_sink, np.ravel_multi_index((d, ay, ax), shape)))
    off_limits = walls[:, y, x] | ((x == goal[:, :1]) & (y == goal[:, 1:]))
    forward += (n_states + 2) * np.arange(n)[:, None]         # index into dist.ravel()
    dist = np.full((n, n_states + 2), np.inf)
    dist[:, goal_sink] = 0.0
    for _ in range(n_states + 1):                       # one sweep per state at most
        flat = dist.ravel()
        q = np.stack([dist[:, turn_left], dist[:, turn_right], flat[forward]], axis=1) + 1.0
        new = np.where(off_limits, np.inf, q.min(axis=1))     # (B, S)
        if np.array_equal(new, dist[:, :n_states]):
            return np.where(off_limits[:, None], np.inf, q).reshape(n, 3, *shape)
        dist[:, :n_states] = new
    raise AssertionError("value iteration did not converge")


def planner_goals(cfg, n_worlds, episodes, rng):
    """(episodes, n_worlds) goals per episode of the shortest-path planner.

    The planner sees the true state and always takes the first action of a shortest path,
    which maximises goals per episode: each goal brings an independent fresh layout, so
    reaching every goal as early as possible is optimal.
    """
    world = GridWorld(cfg, n_worlds, rng)
    world.reset()
    b = np.arange(world.n)
    q = action_values(world.walls, world.goal)
    goals = np.zeros((episodes, world.n))
    for episode in range(episodes):
        for _ in range(cfg.episode_len):
            action = q[b, :, world.dir, world.pos[:, 1], world.pos[:, 0]].argmin(axis=1)
            step = world.step(action)
            goals[episode] += step.reached
            changed = b if step.truncated else np.flatnonzero(step.reached)
            if len(changed):
                q[changed] = action_values(world.walls[changed], world.goal[changed])
    return goals


# ---------------------------------------------------------------------------------------------
# The prosocial two-agent world (Fig. 7; paper-setup.md §7)

BALL, CAREGIVER = 6, 11        # minigrid's ball code; our code for the caregiver's cell
PARTNER_ACTION = 20            # the ISR's view: the caregiver's cell holds 20 + its action


def with_partner_action(views, partner):
    """The ISR's input in the two-agent world: views (..., v, v) whose caregiver cell holds
    PARTNER_ACTION + the caregiver's action (...,), as the original wrote both agents'
    actions into action planes at the agent cells (paper-setup.md §7.4)."""
    return np.where(views == CAREGIVER, (PARTNER_ACTION + partner[..., None, None]).astype(views.dtype), views)


class Prosocial(IntEnum):
    """The learner's actions in the two-agent world (the original's as run, §9 item 28)."""
    STILL = 0
    LEFT = 1
    RIGHT = 2
    FORWARD = 3
    PICKUP = 4     # lift the ball from the cell ahead; it is carried until the next layout


@dataclass(frozen=True)
class ProsocialConfig:
    """Fig. 7's world: 7×7, 8 interior walls, a ball that cuts the caregiver off its goal."""
    width: int = 7
    height: int = 7
    n_walls: int = 8               # interior walls per layout (the original's gen_grid.py)
    episode_len: int = 100         # the original's max_steps
    step_cost: float = -0.009      # −0.9 / episode_len on every learner forward, as Figs 1–6
    social_reward: float = 0.4     # R_s to the learner when the caregiver enters its goal
    view: int = 9
    pool: int = 4096               # layouts generated at run time, drawn from at each reset

    def make(self, n_learners, n_each, rng, layouts=None):
        """n_each worlds per learner drawing from `layouts` (a `symmetric_layouts` pool), or
        from a pool generated here."""
        return ProsocialWorld(self, n_learners * n_each, rng, layouts)


def flood(seed, free):
    """(..., H, W) bool: the cells of `free` 4-connected to `seed`."""
    reach = seed & free
    while True:
        grown = flood_step(reach) & free
        if np.array_equal(grown, reach):
            return reach
        reach = grown


def flood_step(reach):
    """reach (..., H, W) grown by one cell in the four directions (on the flattened grid,
    which numpy handles much faster than 7-wide rows)."""
    h, w = reach.shape[-2:]
    flat = reach.reshape(-1, h * w)
    grown = flat.copy()
    grown[:, w:] |= flat[:, :-w]                           # down
    grown[:, :-w] |= flat[:, w:]                           # up
    not_first_col = np.arange(h * w) % w != 0
    grown[:, 1:] |= flat[:, :-1] & not_first_col[1:]       # right, not wrapping a row
    grown[:, :-1] |= flat[:, 1:] & not_first_col[1:]       # left
    return grown.reshape(reach.shape)


def _first_cell(mask):
    """(..., H, W) one-hot of the first True cell of each mask in scan order (none if empty)."""
    flat = mask.reshape(*mask.shape[:-2], -1)
    first = np.zeros_like(flat)
    idx = flat.argmax(axis=-1)
    np.put_along_axis(first, idx[..., None], np.take_along_axis(flat, idx[..., None], -1), -1)
    return first.reshape(mask.shape)


def _random_cell(mask, rng):
    """(n, 2) (x, y) of one uniformly random True cell per mask (n, H, W)."""
    keys = np.where(mask.reshape(len(mask), -1), rng.random(mask.reshape(len(mask), -1).shape), -1.0)
    return np.stack(np.divmod(keys.argmax(axis=1), mask.shape[-1])[::-1], axis=1)


def _free_neighbours(free):
    """(n, H, W) how many of each cell's four neighbours are free."""
    padded = np.pad(free, ((0, 0), (1, 1), (1, 1)))
    return (padded[:, :-2, 1:-1].astype(int) + padded[:, 2:, 1:-1] + padded[:, 1:-1, :-2] + padded[:, 1:-1, 2:])


def windows_valid(walls):
    """(n,) bool: every 2×2 window holding an interior wall has exactly two equal cyclic
    neighbour pairs (one or three walls, or two side by side; never four or a checkerboard),
    the original's rule for adding a wall (paper-setup.md §7.1)."""
    a, b, c, d = walls[:, :-1, :-1], walls[:, :-1, 1:], walls[:, 1:, :-1], walls[:, 1:, 1:]
    equal = (a == b).astype(int) + (b == d) + (d == c) + (c == a)
    interior = np.zeros(walls.shape[1:], dtype=bool)
    interior[1:-1, 1:-1] = True
    inner = walls & interior
    has_inner = inner[:, :-1, :-1] | inner[:, :-1, 1:] | inner[:, 1:, :-1] | inner[:, 1:, 1:]
    return ((equal == 2) | ~has_inner).all(axis=(1, 2))


def prosocial_layouts(cfg, n, rng):
    """n layouts of Fig. 7 (paper-setup.md §7.1), generated in batches; failures are dropped.

    Returns walls (n, H, W) and the (x, y) cells of the ball, the caregiver, its goal and the
    learner (n, 2) each. Kept: exactly cfg.n_walls interior walls with valid 2×2 windows,
    the free cells connected, and a ball on a cut cell, with caregiver and goal in different
    parts once it is removed, and the learner on the goal's side, not beside the ball, able
    to reach the ball without crossing the goal (which it cannot enter), on a dead end when
    its side has one. Deviation: the ball is a uniformly random cut cell, the caregiver and
    goal uniformly random cells of their sides, and a dead end has one free neighbour (the
    original took a cell of maximal degree and dead ends of a BFS spanning tree).
    """
    h, w = cfg.height, cfg.width
    interior = np.zeros((h, w), dtype=bool)
    interior[1:-1, 1:-1] = True
    inner_cells = np.flatnonzero(interior)
    if cfg.n_walls + 4 > len(inner_cells):
        raise ValueError(f"{cfg.n_walls} walls leave too few of the {len(inner_cells)} interior cells")
    found, total = [], 0
    for _ in range(1000):
        m = (n - total) * 5 // 4 + 64
        walls = np.broadcast_to(~interior, (m, h, w)).copy()
        ok = np.ones(m, dtype=bool)
        for _ in range(cfg.n_walls):     # one wall at a time, as the original: a random cell
            trial = np.repeat(walls[:, None], len(inner_cells), axis=1)      # whose windows stay valid
            trial.reshape(m, len(inner_cells), -1)[:, np.arange(len(inner_cells)), inner_cells] = True
            allowed = windows_valid(trial.reshape(-1, h, w)).reshape(m, -1) & ~walls.reshape(m, -1)[:, inner_cells]
            still = ~trial                                                   # and the free cells
            allowed &= (flood(_first_cell(still), still) == still).all(axis=(2, 3))  # stay connected
            ok &= allowed.any(axis=1)
            pick = np.where(allowed, rng.random(allowed.shape), -1.0).argmax(axis=1)
            walls.reshape(m, -1)[np.arange(m), inner_cells[pick]] |= allowed.any(axis=1)
        free = ~walls
        # Cut cells: removing the cell leaves the other free cells in more than one piece.
        one_hot = np.eye(h * w, dtype=bool).reshape(h * w, h, w)
        without = free[:, None] & ~one_hot[None]                              # (m, HW, H, W)
        pieces = flood(_first_cell(without), without).sum(axis=(2, 3)) < without.sum(axis=(2, 3))
        cut = pieces & free.reshape(m, -1)
        ok &= cut.any(axis=1)
        walls, free, cut = walls[ok], free[ok], cut[ok].reshape(-1, h, w)
        m = len(walls)
        ball = _random_cell(cut, rng)
        ball_mask = np.zeros_like(free)
        ball_mask[np.arange(m), ball[:, 1], ball[:, 0]] = True
        rest = free & ~ball_mask
        first = flood(_first_cell(rest), rest)                              # one side, F
        caregiver_in_first = rng.random(m) < 0.5                            # the original's coin
        goal_side = np.where(caregiver_in_first[:, None, None], rest & ~first, first)
        goal = _random_cell(goal_side, rng)
        goal_mask = np.zeros_like(free)
        goal_mask[np.arange(m), goal[:, 1], goal[:, 0]] = True
        goal_part = flood(goal_mask, rest)                                  # the goal's piece
        caregiver = _random_cell(rest & ~goal_part, rng)
        # The learner: on the goal's side, not beside the ball, able to reach the ball without
        # crossing the goal (it cannot enter it); a dead end if there is one, as the original.
        learner_cells = goal_part & flood(ball_mask, free & ~goal_mask) & ~flood_step(ball_mask)
        dead_ends = learner_cells & (_free_neighbours(free) == 1)
        learner_cells = np.where(dead_ends.any(axis=(1, 2))[:, None, None], dead_ends, learner_cells)
        keep = learner_cells.any(axis=(1, 2))
        learner = _random_cell(learner_cells, rng)
        found.append((walls[keep], ball[keep], caregiver[keep], goal[keep], learner[keep]))
        total += int(keep.sum())
        if total >= n:
            return tuple(np.concatenate(parts)[:n] for parts in zip(*found))
    raise RuntimeError("could not generate enough two-agent layouts")


def symmetric_layouts(cfg, n, rng):
    """n layouts: n/8 from `prosocial_layouts`, each in its 8 rotations and reflections (4
    reflections if the grid is not square), as the original stored its layouts (§7.1).
    A symmetry keeps every constraint. Returns (walls, ball, caregiver, goal, learner)."""
    square = cfg.width == cfg.height
    n_sym = 8 if square else 4
    walls, *cells = prosocial_layouts(cfg, -(-n // n_sym), rng)
    b = np.arange(len(walls))
    masks = []
    for xy in cells:
        m = np.zeros_like(walls)
        m[b, xy[:, 1], xy[:, 0]] = True
        masks.append(m)
    out = []
    for k in range(n_sym):
        def turn(a):
            a = a[:, ::-1] if k & 1 else a                          # flip rows
            a = a[:, :, ::-1] if k & 2 else a                       # flip columns
            return a.transpose(0, 2, 1) if k & 4 else a             # transpose (square only)
        xy = [np.stack(np.divmod(turn(m).reshape(len(m), -1).argmax(1), cfg.width)[::-1], 1) for m in masks]
        out.append((np.ascontiguousarray(turn(walls)), *xy))
    return tuple(np.concatenate(parts)[:n] for parts in zip(*out))


def bfs_distance(target, passable):
    """(n, H, W) fewest moves from each cell to `target` (n, H, W) through `passable` cells
    (inf where unreachable); the caregiver's planner, batched over layouts."""
    dist = np.where(target, 0.0, np.inf)
    reach, k = target.copy(), 0
    while True:
        k += 1
        grown = flood_step(reach) & passable & ~reach
        if not grown.any():
            return dist
        dist[grown] = k
        reach |= grown


def downhill(dist):
    """(n, H, W) the heading (0 E, 1 S, 2 W, 3 N) of the first neighbour one step closer."""
    padded = np.pad(dist, ((0, 0), (1, 1), (1, 1)), constant_values=np.inf)
    h, w = dist.shape[1:]
    neighbours = np.stack([padded[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dx, dy in DIR_TO_VEC], axis=1)
    return (neighbours < dist[:, None]).argmax(axis=1)


def face_and_go(direction, wanted):
    """The scripted action toward heading `wanted`: forward if facing it, else turn the short
    way (a U-turn turns right). Fixes the original's index-comparison rule (§9 item 33)."""
    diff = (wanted - direction) % 4
    return np.select([diff == 0, diff == 3], [Prosocial.FORWARD, Prosocial.LEFT], Prosocial.RIGHT)


class ProsocialWorld:
    """B two-agent worlds (Fig. 7). The caregiver walks a shortest path (over walls only) to
    its goal; the ball on a cut cell stops it, and it can neither pass nor lift it. The
    learner can: still, left, right, forward, pick up. When the caregiver enters its goal the
    learner gets R_s, and the world draws a fresh layout (the episode goes on).

    Order within a step: the learner acts, then the caregiver (the original drew a random
    order and let a later forward overwrite the learner's R_s, §9 item 29; here R_e and R_s
    are kept apart, so nothing is overwritten). Layouts come from a pool generated at run
    time, `pool` or cfg.pool new ones (the original read them from a file made offline).
    """

    def __init__(self, cfg, n_worlds, rng, pool=None):
        if int(n_worlds) < 1:
            raise ValueError(f"n_worlds must be >= 1, got {n_worlds}")
        self.cfg, self.rng, self.n = cfg, rng, int(n_worlds)
        walls, ball, caregiver, goal, learner = pool if pool is not None else symmetric_layouts(cfg, cfg.pool, rng)
        self.n_layouts = len(walls)
        goal_mask = np.zeros_like(walls)
        goal_mask[np.arange(self.n_layouts), goal[:, 1], goal[:, 0]] = True
        self.pool = {"walls": walls, "ball": ball, "caregiver": caregiver, "goal": goal, "learner": learner,
                     "route": downhill(bfs_distance(goal_mask, ~walls))}   # the caregiver's plan
        self.layout = np.zeros(self.n, dtype=np.int64)
        self.pos, self.partner_pos = np.zeros((self.n, 2), np.int64), np.zeros((self.n, 2), np.int64)
        self.dir, self.partner_dir = np.zeros(self.n, np.int64), np.zeros(self.n, np.int64)
        self.ball, self.carrying = np.zeros((self.n, 2), np.int64), np.zeros(self.n, bool)
        self.t = 0

    def reset(self):
        """Draw a fresh layout in every world; return the learner's views (B, view, view)."""
        self._draw_layouts(np.arange(self.n))
        self.t = 0
        return self.observe()

    def _draw_layouts(self, idx):
        """A layout from the pool, with random headings, for worlds `idx`."""
        if len(idx) == 0:
            return
        pick = self.rng.integers(0, self.n_layouts, size=len(idx))
        self.layout[idx] = pick
        self.pos[idx], self.partner_pos[idx] = self.pool["learner"][pick], self.pool["caregiver"][pick]
        self.ball[idx], self.carrying[idx] = self.pool["ball"][pick], False
        self.dir[idx], self.partner_dir[idx] = self.rng.integers(0, 4, size=(2, len(idx)))

    @property
    def walls(self):
        return self.pool["walls"][self.layout]

    @property
    def goal(self):
        return self.pool["goal"][self.layout]

    def codes(self):
        b = np.arange(self.n)
        grid = np.where(self.walls, WALL, EMPTY).astype(np.int8)
        goal = self.goal
        grid[b, goal[:, 1], goal[:, 0]] = GOAL
        on_grid = ~self.carrying
        grid[b[on_grid], self.ball[on_grid, 1], self.ball[on_grid, 0]] = BALL
        grid[b, self.partner_pos[:, 1], self.partner_pos[:, 0]] = CAREGIVER
        grid[b, self.pos[:, 1], self.pos[:, 0]] = AGENT
        return grid

    def observe(self):
        return egocentric_view(self.codes(), self.pos, self.dir, self.cfg.view)

    def cell_at(self, xy):
        """(B,) the code of cell xy (B, 2) in each world: codes() at one cell, without the grid."""
        same = lambda p: (p == xy).all(axis=1)
        return np.select([self.walls_at(xy), same(self.goal), same(self.ball) & ~self.carrying,
                          same(self.partner_pos), same(self.pos)],
                         [WALL, GOAL, BALL, CAREGIVER, AGENT], EMPTY)

    def walls_at(self, xy):
        return self.pool["walls"][self.layout, xy[:, 1], xy[:, 0]]

    def caregiver_action(self):
        """The scripted caregiver: turn toward the next cell of its route, then forward."""
        wanted = self.pool["route"][self.layout, self.partner_pos[:, 1], self.partner_pos[:, 0]]
        return face_and_go(self.partner_dir, wanted)

    def step(self, action):
        """One step: the learner's action (B,) in 0..4, then the caregiver's; a `Step`."""
        action = np.asarray(action)
        if action.shape != (self.n,) or ((action < 0) | (action > Prosocial.PICKUP)).any():
            raise ValueError(f"step needs {self.n} actions in 0..4, got shape {action.shape}")
        # The learner.
        self.dir = (self.dir + np.select([action == Prosocial.LEFT, action == Prosocial.RIGHT], [-1, 1], 0)) % 4
        ahead = self.pos + DIR_TO_VEC[self.dir]
        cell = self.cell_at(ahead)
        forward = action == Prosocial.FORWARD
        self.pos = np.where((forward & (cell == EMPTY))[:, None], ahead, self.pos)
        self.carrying |= (action == Prosocial.PICKUP) & (cell == BALL)
        # The caregiver: it moves into empty cells and into its goal.
        partner = self.caregiver_action()
        self.partner_dir = (self.partner_dir + np.select([partner == Prosocial.LEFT, partner == Prosocial.RIGHT], [-1, 1], 0)) % 4
        ahead = self.partner_pos + DIR_TO_VEC[self.partner_dir]
        cell = self.cell_at(ahead)
        moves = (partner == Prosocial.FORWARD) & ((cell == EMPTY) | (cell == GOAL))
        self.partner_pos = np.where(moves[:, None], ahead, self.partner_pos)
        reached = moves & (cell == GOAL)
        r_e = np.where(forward, self.cfg.step_cost, 0.0)
        r_s = np.where(reached, self.cfg.social_reward, 0.0)
        self._draw_layouts(np.flatnonzero(reached))
        self.t += 1
        if self.t >= self.cfg.episode_len:
            return Step(self.reset(), r_e, r_s, reached, True, partner)
        return Step(self.observe(), r_e, r_s, reached, False, partner)


def scripted_goals(cfg, pool, n_worlds, episodes, rng, act):
    """(episodes, n_worlds) the caregiver's goals per episode with a scripted learner,
    act(world) → (B,) actions (Fig. 7's reference lines)."""
    world = ProsocialWorld(cfg, n_worlds, rng, pool)
    world.reset()
    goals = np.zeros((episodes, n_worlds))
    for episode in range(episodes):
        for _ in range(cfg.episode_len):
            goals[episode] += world.step(act(world)).reached
    return goals


def helper_goals(cfg, pool, n_worlds, episodes, rng):
    """Goals per episode with a scripted helper (Fig. 7's ceiling): it walks a shortest path
    to the ball, lifts it, then walks to the nearest cell off the caregiver's route and
    stays there."""
    walls, ball, caregiver, goal, _ = pool
    n, h, w = walls.shape
    b = np.arange(n)
    ball_m, goal_m, route = (np.zeros((n, h, w), dtype=bool) for _ in range(3))
    ball_m[b, ball[:, 1], ball[:, 0]] = True
    goal_m[b, goal[:, 1], goal[:, 0]] = True
    free = ~walls & ~goal_m
    to_ball = bfs_distance(ball_m, free)
    caregiver_route = downhill(bfs_distance(goal_m, ~walls))
    at = caregiver.copy()
    for _ in range(h * w):                          # mark the caregiver's route to its goal
        route[b, at[:, 1], at[:, 0]] = True
        at = np.where(goal_m[b, at[:, 1], at[:, 0]][:, None], at, at + DIR_TO_VEC[caregiver_route[b, at[:, 1], at[:, 0]]])
    to_aside = bfs_distance(free & ~route, free)
    to_ball_dir, to_aside_dir = downhill(to_ball), downhill(to_aside)

    def act(world):
        y, x, lay = world.pos[:, 1], world.pos[:, 0], world.layout
        fetch = face_and_go(world.dir, to_ball_dir[lay, y, x])
        fetch = np.where((to_ball[lay, y, x] == 1) & (fetch == Prosocial.FORWARD), Prosocial.PICKUP, fetch)
        aside = to_aside[lay, y, x]
        step_aside = np.where(np.isfinite(aside) & (aside > 0), face_and_go(world.dir, to_aside_dir[lay, y, x]),
                              Prosocial.STILL)
        return np.where(world.carrying, step_aside, fetch)
    return scripted_goals(cfg, pool, n_worlds, episodes, rng, act)


def random_goals(cfg, pool, n_worlds, episodes, rng):
    """Goals per episode with a learner that picks its 5 actions uniformly at random."""
    return scripted_goals(cfg, pool, n_worlds, episodes, rng,
                          lambda world: rng.integers(0, len(Prosocial), size=world.n))


def render_ascii(walls, goal, pos, direction):
    """One world as text: '#' block, '.' free, 'G' goal, '>v<^' the agent."""
    rows = [["#" if w else "." for w in row] for row in walls]
    rows[goal[1]][goal[0]] = "G"
    rows[pos[1]][pos[0]] = ARROWS[direction]
    return "\n".join("".join(r) for r in rows)


def draw_world(ax, walls, goal, pos, direction, unseen=None):
    """Draw one world (Fig. 1 left) or view (Fig. 6): grey blocks, green goal (None: none in
    sight), red triangle agent, black cells where `unseen` (H, W) is True."""
    from matplotlib.patches import Polygon, Rectangle
    height, width = walls.shape
    for y, x in zip(*np.nonzero(walls)):
        ax.add_patch(Rectangle((x, y), 1, 1, color="0.45"))
    if unseen is not None:
        for y, x in zip(*np.nonzero(unseen)):
            ax.add_patch(Rectangle((x, y), 1, 1, color="0.1"))
    if goal is not None:
        ax.add_patch(Rectangle(tuple(goal), 1, 1, color="#2ca02c"))
    fwd, right = DIR_TO_VEC[direction], DIR_TO_VEC[(direction + 1) % 4]
    centre = np.asarray(pos) + 0.5
    tip, back = centre + 0.38 * fwd, centre - 0.3 * fwd
    ax.add_patch(Polygon([tip, back + 0.3 * right, back - 0.3 * right], color="#d62728"))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)                        # y grows downward, as in the world
    ax.set_xticks(range(width + 1), [])
    ax.set_yticks(range(height + 1), [])
    ax.tick_params(length=0)
    ax.grid(color="0.8", linewidth=0.8)
    ax.set_aspect("equal")


def main(argv=None):
    """`python env.py [--layout FILE] [--blocks K] [--seed S] [--worlds N]`: print random worlds."""
    import argparse
    import sys
    from pathlib import Path
    parser = argparse.ArgumentParser(description="Print random layouts of the caregiver's world.")
    parser.add_argument("--layout", type=Path, help="ASCII file of fixed blocks ('#', '.')")
    parser.add_argument("--blocks", type=int, default=WorldConfig.n_blocks, help="random blocks")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worlds", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        layout = args.layout.read_text() if args.layout else None
        world = GridWorld(WorldConfig(n_blocks=args.blocks, layout=layout), args.worlds,
                          np.random.default_rng(args.seed))
        world.reset()
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("\n\n".join(render_ascii(world.walls[b], world.goal[b], world.pos[b], world.dir[b])
                      for b in range(world.n)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
