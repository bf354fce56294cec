"""env.py — the caregiver's gridworld (paper §2, Fig. 1 left), its view and its planner.

A batched numpy re-implementation of the authors' Minigrid world. One `GridWorld` steps
many independent worlds at once (leading batch axis B); nothing here loops over worlds
or cells. numpy only: drawing lives in figures.py, the two-agent world of Fig. 7 in
prosocial.py, printing and playing worlds in the terminal in examples/terminal.py
(`python examples/terminal.py --play 40`).

Coordinates: a cell is (x, y); x is the column and grows to the right, y is the row and
grows downward (minigrid's convention). Arrays indexed by cell are [y, x].
Directions: 0 = east (+x), 1 = south (+y), 2 = west (−x), 3 = north (−y).

Public names: WorldConfig, GridWorld, LayoutPool, random_pool, goal_pool, Step, Action,
parse_layout, check_layouts, check_count, check_actions, per_world, egocentric_view, pad, turn,
crop, window_starts, action_values, planner_goals, planner_steps, render_ascii, HANDPICKED
(Fig. 5's layouts), and the cell codes UNSEEN, EMPTY, WALL, GOAL, AGENT.
"""
import functools
from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from streams import Draws, pick

# Minigrid's object codes, which the authors' observation used.
UNSEEN, EMPTY, WALL, GOAL, AGENT = 0, 1, 2, 8, 10
FACING = 12                    # in the ISR's view with the heading, the agent's cell holds 12 + dir
DIR_TO_VEC = np.array([[1, 0], [0, 1], [-1, 0], [0, -1]])  # (dx, dy) per direction
DIR_TO_VEC.setflags(write=False)
ARROWS = ">v<^"


class Action(IntEnum):
    LEFT = 0     # turn left: dir − 1 (mod 4)
    RIGHT = 1    # turn right: dir + 1 (mod 4)
    FORWARD = 2  # move one cell ahead unless it is a block; costs R_e either way


@dataclass(frozen=True)
class WorldConfig:
    """The world's sizes and rewards. Defaults are the paper's: a 7×7 grid (a 5×5 interior),
    3 random blocks, 20-step episodes, −0.045 per forward step, +0.4 for the goal."""
    width: int = 7                 # grid width including the outer wall ring
    height: int = 7                # grid height including the outer wall ring
    n_blocks: int = 3              # random interior blocks per layout (Fig. 1: 3)
    episode_len: int = 20          # steps per episode, 4·(size−2)²//5 in the original
    step_cost: float = -0.045      # R_e of every forward step, −0.9 / episode_len
    social_reward: float = 0.4     # R_s, the caregiver's reward for entering the goal
    view: int = 9                  # side of the egocentric view (agent at its centre)
    layout: str | None = None      # ASCII blocks ('#' block, '.' free); replaces n_blocks
    layout_pool: int = 8192        # random layouts (blocks and goal) drawn once per world, among
                                   # which each reset picks one (the agent's cell and heading fresh)
    isr_heading: bool = False      # the ISR's view holds the agent's absolute heading at its cell
                                   # (FACING + dir), as the authors' raw codes did (authors.py)

    @property
    def n_actions(self):
        return len(Action)

    @property
    def isr_codes(self):
        """The view cells the ISR sees (one-hot): walls and the goal (docs/deviations.md)."""
        return (WALL, GOAL)

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
        """n_each worlds per learner; layouts (n_learners, H, W): one fixed layout per learner.
        rng: Streams with a row per learner (or a Generator)."""
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
        check_count(self.layout_pool, "layout_pool")
        return walls


# ---------------------------------------------------------------------------------------------
# The world's dynamics: one step of every world at once

class Step(NamedTuple):
    obs: np.ndarray        # (B, view, view) int8: the egocentric view after the step
    r_e: np.ndarray        # (B,) extrinsic reward: the step cost on forward, else 0
    r_s: np.ndarray        # (B,) the caregiver's social reward: +0.4 on entering the goal
    reached: np.ndarray    # (B,) bool: the step entered the goal (a fresh layout follows)
    truncated: bool        # the episode ended here; all worlds were reset
    heading: np.ndarray = None     # (B,) the agent's absolute heading when it acted
    final_obs: np.ndarray = None   # (B, view, view) if truncated: the view the episode ended
                                   # in, before the reset (PPO's time-limit bootstrap)


class GridWorld:
    """B independent copies of the caregiver's world, stepped together.

    Description
        A learner (red triangle) walks a grid with blocks (grey) toward a goal (green).
        Entering the goal draws a fresh layout and the episode goes on, as in the authors'
        world, so an episode can hold several goals.
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
        """rng: Streams with one row per learner, whose worlds are consecutive (or a Generator
        or an int seed: one learner). layouts: optional (B, H, W) bool fixed blocks, one layout
        per world (Fig. 5 runs its five hand-picked layouts as one batch); they replace cfg's
        layout and random blocks, and each reset draws the goal, the agent's cell and its
        heading. Without them
        each reset draws one of cfg.layout_pool layouts of cfg.blocks() plus cfg.n_blocks random
        blocks and a goal, made once from rng's common stream (`random_pool`)."""
        self.cfg, self.n = cfg, check_count(n_worlds, "n_worlds")
        self.draws = Draws(rng, self.n, cfg.episode_len + 1, 3)
        if layouts is None and cfg.layout is None:
            self.pool = random_pool(cfg, self.draws.streams.common)
            self.first, self.count = np.zeros(self.n, np.int64), np.full(self.n, cfg.layout_pool)
            self.which = self.rank = None
        else:
            fixed = cfg.validate() if layouts is None else check_layouts(layouts, self.n)
            fixed = np.broadcast_to(fixed, (self.n,) + fixed.shape[-2:])
            self.pool, self.first, self.count, self.which, self.rank = goal_pool(fixed, cfg.view)
        self.height, self.width = self.pool.walls.shape[1:]
        self.starts = window_starts(self.pool.turned.shape[-1], cfg.view, self.height, self.width)
        self.layout = self.pos = self.dir = None     # per world: its pool entry, cell, heading
        self.t = 0
        self.env_steps = 0                       # world-steps taken so far

    @property
    def walls(self):
        """(B, H, W) bool each world's blocks."""
        return self.pool.walls[self.layout]

    @property
    def goal(self):
        """(B, 2) each world's goal cell (x, y)."""
        return self.pool.goal[self.layout]

    def reset(self):
        """Draw a fresh layout in every world; return the observation (B, view, view)."""
        self.layout = np.zeros(self.n, dtype=np.int64)
        self.pos = np.zeros((self.n, 2), dtype=np.int64)
        self.dir = np.zeros(self.n, dtype=np.int64)
        self.draws.refill()
        self._draw_layouts(np.arange(self.n))
        self.t = 0
        return self.observe()

    def _draw_layouts(self, idx):
        """A fresh layout for worlds `idx`: a pool entry (blocks and goal), then the agent on
        one of its other free cells, uniformly, and a heading."""
        if len(idx) == 0:
            return
        u = self.draws.take(idx)                                     # (m, 3)
        layout = self.first[idx] + pick(u[:, 0], self.count[idx])
        cell = self.pool.agent_cells[layout, pick(u[:, 1], self.pool.n_agent[layout])]
        self.layout[idx] = layout
        self.pos[idx] = np.stack(np.divmod(cell, self.width)[::-1], axis=1)
        self.dir[idx] = pick(u[:, 2], 4)

    def place(self, goal, pos, dirs):
        """Start every world in a given state instead of a drawn one (evaluation.py enumerates
        a layout's states this way): its fixed blocks, goal (B, 2), agent (B, 2) and heading
        (B,) as given. Only for worlds with fixed layouts."""
        if self.rank is None:
            raise ValueError("place needs worlds with fixed layouts (layouts= or cfg.layout)")
        goal = np.asarray(goal)
        self.layout = self.first + self.rank[self.which, goal[:, 1] * self.width + goal[:, 0]]
        self.pos, self.dir = np.array(pos), np.array(dirs)
        self.draws.u = None                      # a goal reached from here starts the first layout
        self.t = 0

    def codes(self, agent=True):
        """(B, H, W) int8 cell codes of the whole grid; without the agent if not `agent`."""
        grid = np.where(self.walls, WALL, EMPTY).astype(np.int8)
        b, goal = np.arange(self.n), self.goal
        grid[b, goal[:, 1], goal[:, 0]] = GOAL
        if agent:
            grid[b, self.pos[:, 1], self.pos[:, 0]] = AGENT
        return grid

    def observe(self):
        """(B, view, view) the agent's views: its window of its layout's walls and goal (padded
        and turned once per pool entry, `turn`), and the agent itself at the centre."""
        views = crop(self.pool.turned, self.pos, self.dir, self.cfg.view, self.layout, self.starts)
        views[:, self.cfg.view // 2, self.cfg.view // 2] = AGENT
        return views

    def isr_view(self, obs, step):
        """What the ISR sees of the step just taken from views `obs`: the views themselves, or
        with cfg.isr_heading the agent's cell holding FACING + the heading it acted in."""
        if not self.cfg.isr_heading:
            return obs
        seen, c = obs.copy(), self.cfg.view // 2
        seen[..., c, c] = FACING + step.heading.reshape(obs.shape[:-2])
        return seen

    def step(self, action):
        """Apply one action per world (B,); return a `Step`."""
        if self.layout is None:
            raise RuntimeError("call reset() before step()")
        action = check_actions(action, self.n, len(Action))
        turn = np.where(action == Action.LEFT, -1, np.where(action == Action.RIGHT, 1, 0))
        heading, self.dir = self.dir, (self.dir + turn) % 4
        forward = action == Action.FORWARD
        ahead = self.pos + DIR_TO_VEC[self.dir]
        blocked = self.pool.walls[self.layout, ahead[:, 1], ahead[:, 0]]
        moves = forward & ~blocked
        self.pos = np.where(moves[:, None], ahead, self.pos)
        reached = moves & (self.pos == self.pool.goal[self.layout]).all(axis=1)
        r_e = np.where(forward, self.cfg.step_cost, 0.0)
        r_s = np.where(reached, self.cfg.social_reward, 0.0)
        self._draw_layouts(np.flatnonzero(reached))  # the episode goes on in a new layout
        self.t += 1
        self.env_steps += self.n
        truncated = self.t >= self.cfg.episode_len
        if truncated:
            final = self.observe()
            return Step(self.reset(), r_e, r_s, reached, True, heading, final)
        return Step(self.observe(), r_e, r_s, reached, False, heading)

    def __str__(self):
        if self.layout is None:
            raise RuntimeError("call reset() before printing the world")
        return render_ascii(self.walls[0], self.goal[0], self.pos[0], self.dir[0])


# ---------------------------------------------------------------------------------------------
# The egocentric view

# A view is the square of the padded grid around the agent, turned so that its heading is
# up: np.rot90 by _TURNS[dir] quarter turns (heading east 1, south 2, west 3, north 0).
_TURNS = (1, 2, 3, 0)


def egocentric_view(codes, pos, dirs, view=9):
    """Crop (B, H, W) codes to (B, view, view) around each agent, its heading up.

    View cell (r, c) is the grid cell pos + (h − r)·fwd + (c − h)·right, h = view // 2:
    Minigrid's rotate-the-grid-then-crop, which the authors' observation used.
    """
    return crop(turn(pad(codes, view)), pos, dirs, view)


def pad(codes, view):
    """(B, H + 2h, W + 2h) the codes with a ring of h = view // 2 UNSEEN cells around them."""
    n, height, width = codes.shape
    h = view // 2
    padded = np.full((n, height + 2 * h, width + 2 * h), UNSEEN, dtype=np.int8)
    padded[:, h:h + height, h:h + width] = codes
    return padded


def turn(padded):
    """(4, B, P, P) the padded grids, made square with UNSEEN cells (P the longer side), turned
    for each heading as its view needs (np.rot90 by _TURNS[heading])."""
    n, height, width = padded.shape
    side = max(height, width)
    square = np.full((n, side, side), UNSEEN, dtype=np.int8)
    square[:, :height, :width] = padded
    return np.stack([np.rot90(square, k, axes=(1, 2)) for k in _TURNS])


def crop(turned, pos, dirs, view, grids=None, starts=None):
    """(B, view, view) each agent's view: the window of its heading's grid of `turn` (agent b's
    grid is grids[b], default b) centred on its cell (x, y): one gather of view·view cells per
    agent from the flat grids. starts: `window_starts` of these grids, if computed already."""
    n_grids, side = turned.shape[1], turned.shape[-1]
    if starts is None:
        starts = window_starts(side, view, side, side)
    grids = np.arange(len(dirs)) if grids is None else grids
    corner = (dirs * n_grids + grids) * (side * side) + starts[dirs, pos[:, 1], pos[:, 0]]
    window = np.arange(view)[:, None] * side + np.arange(view)          # (view, view) offsets
    return turned.reshape(-1)[corner[:, None, None] + window]


@functools.lru_cache(maxsize=16)                # a few world sizes; the worlds ask at every step
def window_starts(side, view, height, width):
    """(4, H, W) where, in a turned grid of `turn` (side × side), the view of an agent on cell
    (x, y) with each heading starts (flat offset of its top-left cell). The quarter turns k
    move the agent's padded cell (row, col) to (row, col), (side−1−col, row),
    (side−1−row, side−1−col) and (col, side−1−row)."""
    h = view // 2
    heading, y, x = np.meshgrid(np.arange(4), np.arange(height), np.arange(width), indexing="ij")
    turns, row, col = np.asarray(_TURNS)[heading], y + h, x + h
    turned_row = np.choose(turns, [row, side - 1 - col, side - 1 - row, col])
    turned_col = np.choose(turns, [col, row, side - 1 - col, side - 1 - row])
    starts = (turned_row - h) * side + turned_col - h
    starts.setflags(write=False)                   # shared through the cache
    return starts


# ---------------------------------------------------------------------------------------------
# Layouts: Fig. 5's hand-picked ones, ASCII layouts, the pools of random ones; checks

# Fig. 5's five hand-picked 5-block layouts, as the authors' code lists their walls; all free
# cells are connected.
HANDPICKED = MappingProxyType({
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
})

def parse_layout(text):
    """ASCII art → (H, W) bool walls. '#' is a block, '.' a free cell; the border must be '#'.

    The five hand-picked layouts of Fig. 5 are written this way.
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


def check_count(value, name):
    """value as a positive int, or a one-line ValueError (2.5, 0, −1 and True are refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def check_actions(action, n_worlds, n_actions):
    """action as an (n_worlds,) integer array in 0..n_actions−1, or a one-line ValueError
    (a float such as 1.5 or NaN is refused, not silently ignored)."""
    action = np.asarray(action)
    if (action.shape != (n_worlds,) or not np.issubdtype(action.dtype, np.integer)
            or ((action < 0) | (action >= n_actions)).any()):
        raise ValueError(f"step needs {n_worlds} whole-number actions in 0..{n_actions - 1}, "
                         f"got {action.dtype} values of shape {action.shape}")
    return action


def per_world(layouts, n):
    """Per-learner layouts (S, H, W) → per-world (S·n, H, W); None stays None."""
    return None if layouts is None else np.repeat(np.asarray(layouts, dtype=bool), n, axis=0)


def check_layouts(layouts, n_worlds):
    """Validate per-world fixed blocks (B, H, W) bool; return them as a bool array."""
    layouts = np.asarray(layouts)
    if layouts.ndim != 3 or layouts.shape[0] != n_worlds or min(layouts.shape[1:]) < 3:
        raise ValueError(
            f"layouts must be ({n_worlds}, H, W) with H, W >= 3, got shape {layouts.shape}"
        )
    layouts = layouts.astype(bool)
    border = np.concatenate(
        [layouts[:, 0], layouts[:, -1], layouts[:, :, 0], layouts[:, :, -1]], axis=1
    )
    if not border.all():
        raise ValueError("malformed layout: the outer ring must be all walls")
    n_free = (~layouts).reshape(n_worlds, -1).sum(axis=1)
    if n_free.min() < 2:
        raise ValueError(f"a layout has {n_free.min()} free cells; goal and agent need 2")
    return layouts


class LayoutPool(NamedTuple):
    """Layouts (blocks and goal) a world draws from, with what its resets need precomputed."""
    walls: np.ndarray        # (L, H, W) bool
    goal: np.ndarray         # (L, 2) the goal's cell (x, y)
    agent_cells: np.ndarray  # (L, F) flat cells where the agent may start: free, not the goal
    n_agent: np.ndarray      # (L,) how many of them (the rest of the row is padding)
    turned: np.ndarray       # (4, L, P, P) int8 walls and goal, padded and turned per heading

    @classmethod
    def of(cls, walls, goal_flat, view):
        """The pool of layouts walls (L, H, W) with goals at flat cells goal_flat (L,)."""
        n, height, width = walls.shape
        goal = np.stack(np.divmod(goal_flat, width)[::-1], axis=1)
        start = ~walls.reshape(n, -1)
        start[np.arange(n), goal_flat] = False
        n_agent = start.sum(axis=1)
        agent_cells = np.argsort(~start, axis=1, kind="stable")[:, :max(int(n_agent.max()), 1)]
        grid = np.where(walls, WALL, EMPTY).astype(np.int8)
        grid[np.arange(n), goal[:, 1], goal[:, 0]] = GOAL
        return cls(walls, goal, agent_cells, n_agent, turn(pad(grid, view)))


def random_pool(cfg, rng):
    """cfg.layout_pool random layouts: cfg.n_blocks blocks and a goal on distinct free cells,
    uniformly (what the original's sequential rejection sampling gives, in one argsort)."""
    fixed = cfg.validate()
    n, k = cfg.layout_pool, cfg.n_blocks
    walls = np.broadcast_to(fixed, (n,) + fixed.shape).copy()
    keys = rng.random((n, fixed.size))
    keys[walls.reshape(n, -1)] = 2.0                           # fixed walls sort last
    cells = np.argsort(keys, axis=1)[:, :k + 1]                # (n, k + 1) flat cells
    walls.reshape(n, -1)[np.repeat(np.arange(n), k), cells[:, :k].ravel()] = True
    return LayoutPool.of(walls, cells[:, k], cfg.view)


def distinct_rows(rows):
    """np.unique(rows, axis=0, return_inverse=True) of bool rows (N, K), sorted as packed 64-bit
    words: 100x faster on the million states of an exact test."""
    packed = np.packbits(rows, axis=1)
    words = np.pad(packed, ((0, 0), (0, -packed.shape[1] % 8))).view(">u8")
    order = np.lexsort(words.T[::-1])                          # first word most significant
    ordered = words[order]
    starts = np.ones(len(rows), bool)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    which = np.empty(len(rows), np.int64)
    which[order] = np.cumsum(starts) - 1
    return rows[order[starts]], which


def goal_pool(layouts, view):
    """Every (layout, goal) of fixed layouts (B, H, W), the same layout counted once: (pool, the
    first entry of each world's layout (B,), how many goals it has (B,), which distinct layout
    each world has (B,), and the free-cell rank of each cell in each distinct layout (U, H·W):
    the entry of a goal is first + rank[which, cell])."""
    distinct, which = distinct_rows(layouts.reshape(len(layouts), -1))
    free = ~distinct                                           # (U, H·W)
    per_layout = free.sum(axis=1)
    first = np.concatenate([[0], np.cumsum(per_layout)[:-1]])
    layout, goal = np.nonzero(free)                            # layout by layout, cells in order
    walls = distinct[layout].reshape(-1, *layouts.shape[1:])
    rank = np.cumsum(free, axis=1) - 1
    return LayoutPool.of(walls, goal, view), first[which], per_layout[which], which.ravel(), rank


# ---------------------------------------------------------------------------------------------
# The shortest-path planner (the ceiling of every learning curve), and printing

def action_values(walls, goal):
    """(B, 3, 4, H, W) fewest actions to enter the goal after taking action a in (dir, y, x).

    Value iteration over the turn/forward dynamics, batched over worlds; inf where the goal
    cannot be reached (random blocks can wall the goal off; the authors' world had no
    connectivity check). It is the planner behind the dashed line of Figs 1 and 4.
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
    forward = np.where(
        is_goal,
        goal_sink,
        np.where(walls[:, ay, ax], dead_sink, np.ravel_multi_index((d, ay, ax), shape)),
    )
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
    """Goals per episode of the shortest-path planner: {"goals": (episodes, n_worlds),
    "env_steps": int}.

    The planner sees the true state and always takes the first action of a shortest path,
    which maximises goals per episode: each goal brings an independent fresh layout, so
    reaching every goal as early as possible is optimal.
    """
    world = GridWorld(cfg, n_worlds, rng)
    world.reset()
    goals = np.zeros((episodes, world.n))
    steps = planner_steps(world)
    for episode in range(episodes):
        for _ in range(cfg.episode_len):
            goals[episode] += next(steps).reached
    return {"goals": goals, "env_steps": world.env_steps}


def planner_steps(world):
    """The shortest-path planner stepping a reset world forever: yields each `Step`."""
    b = np.arange(world.n)
    q = action_values(world.walls, world.goal)
    while True:
        step = world.step(q[b, :, world.dir, world.pos[:, 1], world.pos[:, 0]].argmin(axis=1))
        yield step
        changed = b if step.truncated else np.flatnonzero(step.reached)
        if len(changed):
            q[changed] = action_values(world.walls[changed], world.goal[changed])


def render_ascii(walls, goal, pos, direction):
    """One world as text: '#' block, '.' free, 'G' goal, '>v<^' the agent."""
    rows = [["#" if w else "." for w in row] for row in walls]
    rows[goal[1]][goal[0]] = "G"
    rows[pos[1]][pos[0]] = ARROWS[direction]
    return "\n".join("".join(r) for r in rows)
