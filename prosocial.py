"""prosocial.py — the two-agent world of Fig. 7 (paper §5): a learner socialized to help.

A caregiver walks a shortest path to its own goal; a ball on a cut cell of the layout
blocks it, and only the learner can lift the ball away. When the caregiver enters its goal,
the learner receives the social reward R_s. Like `env.GridWorld`, one `ProsocialWorld`
steps many independent worlds at once (leading batch axis B); nothing loops over worlds.

The learner's actions here differ from the single-agent world's (`env.Action`):

    code   env.Action (Figs 1-6)   prosocial.Action (Fig. 7)
    0      LEFT                    STILL
    1      RIGHT                   LEFT
    2      FORWARD                 RIGHT
    3      -                       FORWARD
    4      -                       PICKUP

The codes are the ones the authors' learner actually emitted: their environment listed a
sixth action, drop (5), that the learner's policy could never choose.

Fig. 7's protocol is at the end (`Helping`, `helping`): experiments.py's socialization,
ISR and caregiver_leaves, in this world.

Public names: ProsocialConfig, ProsocialWorld, Step, Action, Layouts, prosocial_layouts,
symmetric_layouts, features, helper_goals, random_goals, with_caregiver_action, windows_valid,
flood, flood_step, bfs_distance, downhill, face_and_go, Helping, helping, PRESENCE_AT_ISR_RATE,
and the cell codes BALL, CAREGIVER, CAREGIVER_ACTION (with env's UNSEEN, EMPTY, WALL, GOAL,
AGENT).
"""
from dataclasses import dataclass, replace
from functools import partial
from enum import IntEnum
from typing import NamedTuple

import numpy as np

import agents
import env
import evaluation
import experiments as ex
import isr
from env import AGENT, DIR_TO_VEC, EMPTY, GOAL, WALL, check_actions, check_count, egocentric_view
from isr import ISRConfig
from streams import Draws, pick

BALL, CAREGIVER = 6, 11        # Minigrid's ball code; our code for the caregiver's cell
CAREGIVER_ACTION = 20          # in the ISR's view the caregiver's cell holds 20 + its action


class Action(IntEnum):
    """The learner's (and the scripted caregiver's) actions in the two-agent world."""
    STILL = 0
    LEFT = 1       # turn left: dir − 1 (mod 4)
    RIGHT = 2      # turn right: dir + 1 (mod 4)
    FORWARD = 3    # move into the cell ahead if it is empty; costs R_e either way
    PICKUP = 4     # lift the ball from the cell ahead; it is carried until the next layout


TURN = np.array([0, -1, 1, 0, 0])     # the heading change of each Action (left −1, right +1)
TURN.setflags(write=False)


@dataclass(frozen=True)
class ProsocialConfig:
    """Fig. 7's world: 7×7, 8 interior walls, a ball that cuts the caregiver off its goal."""
    width: int = 7                 # grid width including the outer wall ring
    height: int = 7                # grid height including the outer wall ring
    n_walls: int = 8               # interior walls per layout (the authors' layout generator)
    episode_len: int = 100         # steps per episode (the authors' max_steps)
    step_cost: float = -0.009      # R_e of a learner's forward step, −0.9 / episode_len as Figs 1–6
    social_reward: float = 0.4     # R_s to the learner when the caregiver enters its goal
    view: int = 9                  # side of the learner's egocentric view
    n_layouts: int = 4096          # layouts generated per run; every reset draws one of them

    @property
    def n_actions(self):
        return len(Action)

    @property
    def isr_codes(self):
        """The view cells the ISR sees (one-hot): walls, the goal, the ball, and the caregiver's
        cell by what it did (`with_caregiver_action`; the scripted caregiver never stands still)."""
        return (WALL, GOAL, BALL) + tuple(
            CAREGIVER_ACTION + a for a in (Action.LEFT, Action.RIGHT, Action.FORWARD)
        )

    def make(self, n_learners, n_each, rng, layouts=None):
        """n_each worlds per learner, all drawing from `layouts` (a `Layouts`), or from
        cfg.n_layouts layouts generated here."""
        return ProsocialWorld(self, n_learners * n_each, rng, layouts)


class Layouts(NamedTuple):
    """The layouts a `ProsocialWorld` draws from: walls (n, H, W) bool and the (x, y) cells
    (n, 2) where the ball, the caregiver, its goal and the learner start."""
    walls: np.ndarray
    ball: np.ndarray
    caregiver: np.ndarray
    goal: np.ndarray
    learner: np.ndarray


class Step(NamedTuple):
    obs: np.ndarray               # (B, view, view) int8: the learner's view after the step
    r_e: np.ndarray               # (B,) the learner's step cost: step_cost on forward, else 0
    r_s: np.ndarray               # (B,) the social reward: +0.4 when the caregiver enters its goal
    reached: np.ndarray           # (B,) bool: the caregiver entered its goal (a new layout next)
    truncated: bool               # the episode ended here; all worlds were reset
    caregiver_action: np.ndarray  # (B,) what the caregiver did this step (an `Action`)
    final_obs: np.ndarray = None  # (B, view, view) if truncated: the view before the reset


def features(views):
    """(..., F) float32 features of the learner's view in the two-agent world (Fig. 7).

    The single-agent features with the ball in the goal's place (the ball is what the
    learner must reach), "blocked" meaning any non-empty cell, plus: the ball straight
    ahead (to pick it up), where the caregiver and its goal are (one-hot and side), and
    whether the ball is gone (carried). Ours: the authors' learner used its CNN.
    """
    flat, near = agents.nearby_cells(views, None)
    ball_cell, ball_side = agents.where_is(flat, BALL)
    caregiver_cell, caregiver_side = agents.where_is(flat, CAREGIVER)
    goal_cell, goal_side = agents.where_is(flat, GOAL)
    blocked_ahead = near[..., :1]
    v = views.shape[-1]
    ball_ahead = flat[..., (v // 2 - 1) * v + v // 2, None] == BALL
    carried = ~ball_cell.any(axis=-1, keepdims=True)
    parts = [ball_cell & blocked_ahead, ball_cell & ~blocked_ahead, near, ball_side,
             blocked_ahead & ball_side, ball_ahead, caregiver_cell, caregiver_side, goal_cell,
             goal_side, carried, carried & blocked_ahead,
             np.ones(flat.shape[:-1] + (1,), dtype=bool)]
    return np.concatenate(parts, axis=-1).astype(np.float32)


def with_caregiver_action(views, caregiver_action):
    """The ISR's input in the two-agent world: views (..., v, v) whose caregiver cell holds
    CAREGIVER_ACTION + the caregiver's action (...,). The authors' ISR saw both agents'
    actions as extra planes at the agents' cells; this is the same information in one code."""
    code = (CAREGIVER_ACTION + caregiver_action[..., None, None]).astype(views.dtype)
    return np.where(views == CAREGIVER, code, views)



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
    keys = np.where(
        mask.reshape(len(mask), -1), rng.random(mask.reshape(len(mask), -1).shape), -1.0
    )
    return np.stack(np.divmod(keys.argmax(axis=1), mask.shape[-1])[::-1], axis=1)


def _free_neighbours(free):
    """(n, H, W) how many of each cell's four neighbours are free."""
    padded = np.pad(free, ((0, 0), (1, 1), (1, 1)))
    return (padded[:, :-2, 1:-1].astype(int) + padded[:, 2:, 1:-1] + padded[:, 1:-1, :-2]
            + padded[:, 1:-1, 2:])


def windows_valid(walls):
    """(n,) bool: every 2×2 window holding an interior wall has exactly two equal cyclic
    neighbour pairs (one or three walls, or two side by side; never four or a checkerboard),
    the authors' rule for adding a wall."""
    a, b, c, d = walls[:, :-1, :-1], walls[:, :-1, 1:], walls[:, 1:, :-1], walls[:, 1:, 1:]
    equal = (a == b).astype(int) + (b == d) + (d == c) + (c == a)
    interior = np.zeros(walls.shape[1:], dtype=bool)
    interior[1:-1, 1:-1] = True
    inner = walls & interior
    has_inner = inner[:, :-1, :-1] | inner[:, :-1, 1:] | inner[:, 1:, :-1] | inner[:, 1:, 1:]
    return ((equal == 2) | ~has_inner).all(axis=(1, 2))


def prosocial_layouts(cfg, n, rng):
    """n layouts of Fig. 7, generated in batches under the authors' rules; failures are dropped.

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
        raise ValueError(
            f"{cfg.n_walls} walls leave too few of the {len(inner_cells)} interior cells"
        )
    found, total = [], 0
    for _ in range(1000):
        m = (n - total) * 5 // 4 + 64
        walls = np.broadcast_to(~interior, (m, h, w)).copy()
        ok = np.ones(m, dtype=bool)
        for _ in range(cfg.n_walls):     # one wall at a time, as the original: a random cell
            trial = np.repeat(walls[:, None], len(inner_cells), axis=1)   # whose windows stay valid
            trial.reshape(m, len(inner_cells), -1)[
                :, np.arange(len(inner_cells)), inner_cells
            ] = True
            allowed = (
                windows_valid(trial.reshape(-1, h, w)).reshape(m, -1)
                & ~walls.reshape(m, -1)[:, inner_cells]
            )
            still = ~trial                                                   # and the free cells
            allowed &= (flood(_first_cell(still), still) == still).all(axis=(2, 3))   # connected
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
        learner_cells = np.where(
            dead_ends.any(axis=(1, 2))[:, None, None], dead_ends, learner_cells
        )
        keep = learner_cells.any(axis=(1, 2))
        learner = _random_cell(learner_cells, rng)
        found.append((walls[keep], ball[keep], caregiver[keep], goal[keep], learner[keep]))
        total += int(keep.sum())
        if total >= n:
            return tuple(np.concatenate(parts)[:n] for parts in zip(*found))
    raise RuntimeError("could not generate enough two-agent layouts")


def symmetric_layouts(cfg, n, rng):
    """n layouts: n/8 from `prosocial_layouts`, each in its 8 rotations and reflections (4
    reflections if the grid is not square), as the authors stored their layouts.
    A symmetry keeps every constraint. Returns `Layouts`."""
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
        xy = [
            np.stack(np.divmod(turn(m).reshape(len(m), -1).argmax(1), cfg.width)[::-1], 1)
            for m in masks
        ]
        out.append((np.ascontiguousarray(turn(walls)), *xy))
    return Layouts(*(np.concatenate(parts)[:n] for parts in zip(*out)))


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
    neighbours = np.stack(
        [padded[:, 1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] for dx, dy in DIR_TO_VEC], axis=1
    )
    return (neighbours < dist[:, None]).argmax(axis=1)


def face_and_go(direction, wanted):
    """The scripted action toward heading `wanted`: forward if facing it, else turn the short
    way (a U-turn turns right). The authors' caregiver turned right while the wanted
    heading's index was larger and left while it was smaller, the long way round between
    north (3) and east (0); that slip is fixed here."""
    diff = (wanted - direction) % 4
    return np.select([diff == 0, diff == 3], [Action.FORWARD, Action.LEFT], Action.RIGHT)


class ProsocialWorld:
    """B independent two-agent worlds, stepped together (Fig. 7).

    Description
        The learner (red) shares a layout with the caregiver (purple), which walks a shortest
        path over the walls to its goal (green). The ball (blue) stands on a cut cell of the
        layout, between the caregiver and its goal; the caregiver can neither pass nor lift
        it, the learner can. When the caregiver enters its goal the world draws a fresh
        layout and the episode goes on.
    Layout (7×7, 8 interior walls; '#' wall, G the caregiver's goal, o the ball,
    C the caregiver, > the learner)
        #######
        #..#.G#
        ##.#.##
        #....>#
        #o#.###
        #C#...#
        #######
    Action space
        0 still, 1 turn left, 2 turn right, 3 forward, 4 pick up (`Action`; the table in the
        module docstring compares them with `env.Action`).
    Observation
        The learner's egocentric `view`×`view` grid of cell codes (env's codes plus BALL 6 and
        CAREGIVER 11), the learner at the centre facing up. The ISR sees the same view with the
        caregiver's cell holding CAREGIVER_ACTION + the caregiver's action (`isr_view`).
    Rewards (kept apart; the learner combines them, agents.utility)
        R_e = step_cost on every learner forward step; R_s = social_reward on the step the
        caregiver enters its goal.
    Termination vs truncation
        Never terminated. Truncated after episode_len steps: every world gets a new layout.
    Order within a step
        The learner acts, then the caregiver. (The authors' code drew a random order and let a
        later forward overwrite the learner's R_s with a step cost; R_e and R_s are kept apart
        here, so nothing is overwritten.)
    """

    def __init__(self, cfg, n_worlds, rng, layouts=None):
        """rng: streams.Streams with one row per learner, whose worlds are consecutive (or a
        Generator: one learner). layouts: the `Layouts` every reset draws from; None generates
        cfg.n_layouts of them from rng's common stream (the authors read theirs from a file
        made offline)."""
        self.cfg, self.n = cfg, check_count(n_worlds, "n_worlds")
        self.draws = Draws(rng, self.n, cfg.episode_len + 1, 3)
        if layouts is None:
            layouts = symmetric_layouts(cfg, cfg.n_layouts, self.draws.streams.common)
        self.layouts = Layouts(*layouts)
        walls, goal = self.layouts.walls, self.layouts.goal
        self.n_layouts = len(walls)
        goal_mask = np.zeros_like(walls)
        goal_mask[np.arange(self.n_layouts), goal[:, 1], goal[:, 0]] = True
        self.route = downhill(bfs_distance(goal_mask, ~walls))     # the caregiver's plan, per cell
        self.layout = np.zeros(self.n, dtype=np.int64)              # which layout each world shows
        self.pos = np.zeros((self.n, 2), np.int64)
        self.caregiver_pos = np.zeros((self.n, 2), np.int64)
        self.dir, self.caregiver_dir = np.zeros(self.n, np.int64), np.zeros(self.n, np.int64)
        self.ball, self.carrying = np.zeros((self.n, 2), np.int64), np.zeros(self.n, bool)
        self.t = 0
        self.env_steps = 0                                          # world-steps taken so far

    def reset(self):
        """Draw a fresh layout in every world; return the learner's views (B, view, view)."""
        self.draws.refill()
        self._draw_layouts(np.arange(self.n))
        self.t = 0
        return self.observe()

    def _draw_layouts(self, idx):
        """One of the layouts, with random headings, for worlds `idx`."""
        if len(idx) == 0:
            return
        u = self.draws.take(idx)                                    # (m, 3)
        layout = pick(u[:, 0], self.n_layouts)
        self.layout[idx] = layout
        self.pos[idx] = self.layouts.learner[layout]
        self.caregiver_pos[idx] = self.layouts.caregiver[layout]
        self.ball[idx], self.carrying[idx] = self.layouts.ball[layout], False
        self.dir[idx], self.caregiver_dir[idx] = pick(u[:, 1], 4), pick(u[:, 2], 4)

    @property
    def walls(self):
        return self.layouts.walls[self.layout]

    @property
    def goal(self):
        return self.layouts.goal[self.layout]

    def codes(self):
        """(B, H, W) int8 cell codes of the whole grid (the view crops this)."""
        b = np.arange(self.n)
        grid = np.where(self.walls, WALL, EMPTY).astype(np.int8)
        goal = self.goal
        grid[b, goal[:, 1], goal[:, 0]] = GOAL
        on_grid = ~self.carrying
        grid[b[on_grid], self.ball[on_grid, 1], self.ball[on_grid, 0]] = BALL
        grid[b, self.caregiver_pos[:, 1], self.caregiver_pos[:, 0]] = CAREGIVER
        grid[b, self.pos[:, 1], self.pos[:, 0]] = AGENT
        return grid

    def observe(self):
        return egocentric_view(self.codes(), self.pos, self.dir, self.cfg.view)

    def isr_view(self, obs, step):
        """What the ISR sees of the step just taken from views `obs` (..., v, v): the views
        with the caregiver's action written into its cell."""
        return with_caregiver_action(obs, step.caregiver_action.reshape(obs.shape[:-2]))

    def cell_at(self, xy):
        """(B,) the code of cell xy (B, 2) in each world: codes() at one cell, without the grid."""
        same = lambda p: (p == xy).all(axis=1)
        return np.select([self.walls_at(xy), same(self.goal), same(self.ball) & ~self.carrying,
                          same(self.caregiver_pos), same(self.pos)],
                         [WALL, GOAL, BALL, CAREGIVER, AGENT], EMPTY)

    def walls_at(self, xy):
        return self.layouts.walls[self.layout, xy[:, 1], xy[:, 0]]

    def caregiver_policy(self):
        """(B,) the scripted caregiver's action: turn toward its route's next cell, then forward."""
        wanted = self.route[self.layout, self.caregiver_pos[:, 1], self.caregiver_pos[:, 0]]
        return face_and_go(self.caregiver_dir, wanted)

    def step(self, action):
        """One step: the learner's action (B,) in 0..4, then the caregiver's; a `Step`."""
        action = check_actions(action, self.n, len(Action))
        # The learner.
        self.dir = (self.dir + TURN[action]) % 4
        ahead = self.pos + DIR_TO_VEC[self.dir]
        cell = self.cell_at(ahead)
        forward = action == Action.FORWARD
        self.pos = np.where((forward & (cell == EMPTY))[:, None], ahead, self.pos)
        self.carrying |= (action == Action.PICKUP) & (cell == BALL)
        # The caregiver: it moves into empty cells and into its goal.
        caregiver_action = self.caregiver_policy()
        self.caregiver_dir = (self.caregiver_dir + TURN[caregiver_action]) % 4
        ahead = self.caregiver_pos + DIR_TO_VEC[self.caregiver_dir]
        cell = self.cell_at(ahead)
        moves = (caregiver_action == Action.FORWARD) & ((cell == EMPTY) | (cell == GOAL))
        self.caregiver_pos = np.where(moves[:, None], ahead, self.caregiver_pos)
        reached = moves & (cell == GOAL)
        r_e = np.where(forward, self.cfg.step_cost, 0.0)
        r_s = np.where(reached, self.cfg.social_reward, 0.0)
        self._draw_layouts(np.flatnonzero(reached))
        self.t += 1
        self.env_steps += self.n
        if self.t >= self.cfg.episode_len:
            final = self.observe()
            return Step(self.reset(), r_e, r_s, reached, True, caregiver_action, final)
        return Step(self.observe(), r_e, r_s, reached, False, caregiver_action)


def scripted_goals(cfg, layouts, n_worlds, episodes, rng, act):
    """The caregiver's goals per episode with a scripted learner act(world) → (B,) actions
    (Fig. 7's reference lines): {"goals": (episodes, n_worlds), "env_steps": int}."""
    world = ProsocialWorld(cfg, n_worlds, rng, layouts)
    world.reset()
    goals = np.zeros((episodes, n_worlds))
    for episode in range(episodes):
        for _ in range(cfg.episode_len):
            goals[episode] += world.step(act(world)).reached
    return {"goals": goals, "env_steps": world.env_steps}


def helper_goals(cfg, layouts, n_worlds, episodes, rng):
    """`scripted_goals` of a scripted helper (Fig. 7's ceiling): it walks a shortest path to
    the ball, lifts it, then walks to the nearest cell off the caregiver's route and stays."""
    walls, ball, caregiver, goal, _ = layouts
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
        at = np.where(
            goal_m[b, at[:, 1], at[:, 0]][:, None],
            at,
            at + DIR_TO_VEC[caregiver_route[b, at[:, 1], at[:, 0]]],
        )
    to_aside = bfs_distance(free & ~route, free)
    to_ball_dir, to_aside_dir = downhill(to_ball), downhill(to_aside)

    def act(world):
        y, x, lay = world.pos[:, 1], world.pos[:, 0], world.layout
        fetch = face_and_go(world.dir, to_ball_dir[lay, y, x])
        fetch = np.where(
            (to_ball[lay, y, x] == 1) & (fetch == Action.FORWARD), Action.PICKUP, fetch
        )
        aside = to_aside[lay, y, x]
        step_aside = np.where(
            np.isfinite(aside) & (aside > 0),
            face_and_go(world.dir, to_aside_dir[lay, y, x]),
            Action.STILL,
        )
        return np.where(world.carrying, step_aside, fetch)
    return scripted_goals(cfg, layouts, n_worlds, episodes, rng, act)


def random_goals(cfg, layouts, n_worlds, episodes, rng):
    """`scripted_goals` of a learner that picks its 5 actions uniformly at random (the floor)."""
    return scripted_goals(cfg, layouts, n_worlds, episodes, rng,
                          lambda world: rng.integers(0, len(Action), size=world.n))


# ---------------------------------------------------------------------------------------------
# Fig. 7's protocol: socialize to help, train the ISR, the caregiver's reward stops (experiments.py)

PRESENCE_AT_ISR_RATE = "oracle_at_isr_rate"   # Fig. 7's control: P = the ISR's pay rate


@dataclass(frozen=True)
class Helping:
    """Fig. 7: a learner socialized to help the caregiver (lift the ball off its way)."""
    world: ProsocialConfig = ProsocialConfig()   # 7×7, 8 walls, 100-step episodes
    agent: agents.AgentConfig = agents.AgentConfig(lr=0.1)   # at 0.15 with 2,400 episodes 1–2 of 10
    # learners stalled at 0 goals (a tuning run)
    isr: ISRConfig = ISRConfig(updates=3000)        # as in Figs 1–6, but 3,000 updates: its data
                                                    # are 2.5× Figs 1–6's (with 1,000 it over-paid:
                                                    # a tuning run)
    isr_codes: tuple = ProsocialConfig().isr_codes  # walls, goal, ball, the caregiver's action
    isr_threshold: float | None = None              # the raw R_i of Eq. 1, as the authors' Fig. 7
    socialization: int = 6000                       # episodes of 100 steps = 6e5 steps (paper:
                                                    # 24e4; docs/deviations.md, Fig. 7: why longer)
    after: int = 2400                               # episodes after the caregiver's reward stops
    tail: int = 500                                 # "the last 500 episodes" of a phase
    helper_worlds: int = 400                        # worlds the scripted helper plays (the ceiling)
    helper_episodes: int = 2                        # episodes per helper world
    authors_reward: bool = False                    # a control: also the ISR learner as the authors
    # rewarded it (the raw network's output, no step cost)

    def quick(self):
        return replace(
            self,
            world=replace(self.world, n_layouts=512),
            socialization=600,
            after=300,
            tail=150,
            helper_worlds=60,
            helper_episodes=1,
            isr=replace(self.isr, updates=250),
        )

    def check(self):
        """A one-line ValueError naming the first setting this experiment cannot run."""
        ex.check_episodes(
            self.agent.worlds_per_seed, socialization=self.socialization, after=self.after
        )
        for name in ("tail", "helper_worlds", "helper_episodes"):
            env.check_count(getattr(self, name), name)
        env.check_count(self.world.n_layouts, "world.n_layouts")


def helping(cfg, seeds, log=ex.no_log):
    """Socialize S learners to help: the caregiver's reward comes when it reaches its goal,
    which needs the learner to lift the ball off its way (paper §5, Fig. 7).

    Phase 1 (6,000 episodes of 100 steps; the paper's 24e4 steps are 2,400): the caregiver's
    reward is present, every transition recorded. ISR: as `ex.internalize`, on the view one-hot
    over walls, goal, ball and the caregiver's action. Phase 2 (2,400 episodes): oracle, none,
    isr (`caregiver_leaves`), with Eq. 1's R_i; and a control, `oracle_at_isr_rate`: the
    caregiver stays but pays R_s times each learner's ISR's rate on held-out data (Σ R_i /
    Σ R_s): isr vs this control compares what the ISR rewards at equal scale. With
    cfg.authors_reward, also `isr_authors_reward`: U = the raw network output alone, as the
    authors' phase 2, on its own streams (the other conditions are unchanged).
    """
    n_seeds = len(seeds)
    stage = partial(ex.learner_streams, seeds, "helping")
    layouts = symmetric_layouts(cfg.world, cfg.world.n_layouts, ex.shared_rng("helping", "layouts"))
    common = dict(layouts=layouts, featurize=features)
    log(f"  socialization to help: {cfg.socialization} episodes x {n_seeds} seeds")
    policy, social, data = ex.socialize(cfg.world, cfg.agent, cfg.isr, n_seeds, cfg.socialization,
                                        stage("socialization"), **common)
    model, isr_log = ex.internalize(
        data, cfg.isr, stage("isr"), cfg.world, cfg.isr_codes, cfg.isr_threshold, curve=False
    )
    measured = evaluation.measure(model, data, evaluation.two_agent_hazards)
    positives = (data.r_s[:, data.train_index] > 0).mean()
    del data
    log(f"  after the caregiver's reward stops: {cfg.after} episodes x {n_seeds} seeds x "
        f"{len(ex.CONDITIONS)} conditions")
    rate = measured["used_sum"] / measured["r_s_sum"]                 # (S,) the ISR's pay rate
    conditions = ex.CONDITIONS + (PRESENCE_AT_ISR_RATE,)
    # The control has no ISR, so P = rate gives U = R_e + rate·R_s: the caregiver paying at the
    # ISR's rate.
    presence = np.concatenate([np.repeat([ex.PRESENCE[c] for c in ex.CONDITIONS], n_seeds), rate])
    after = ex.caregiver_leaves(
        policy.tile(len(conditions)),
        conditions,
        cfg.world,
        cfg.agent,
        cfg.after,
        stage("after", len(conditions)),
        model,
        presence=presence,
        **common,
    )
    if cfg.authors_reward:
        # the network as trained
        uncalibrated = isr.ISR(model.params, model.codes, cfg.isr_threshold)
        authors = ex.caregiver_leaves(
            policy,
            ("isr",),
            replace(cfg.world, step_cost=0.0),
            cfg.agent,
            cfg.after,
            stage("after, the authors' reward"),
            uncalibrated,
            **common,
        )
        after["isr_authors_reward"], after["env_steps"] = (
            authors["isr"],
            after["env_steps"] + authors["env_steps"],
        )
        conditions += ("isr_authors_reward",)
    helper = helper_goals(cfg.world, layouts, cfg.helper_worlds, cfg.helper_episodes,
                          ex.shared_rng("helping", "helper"))
    random = random_goals(cfg.world, layouts, cfg.helper_worlds, cfg.helper_episodes,
                          ex.shared_rng("helping", "random learner"))
    return {
        "seeds": np.array(seeds),
        "episodes_per_update": cfg.agent.worlds_per_seed,
        "tail_episodes": cfg.tail,
        "social": {k: social[k] for k in ex.LOGGED},
        "after": {c: after[c] for c in conditions},
        "isr_pay_rate": rate,
        "helper_goals": helper["goals"].mean(),  # the scripted helper's rate (the ceiling)
        "random_goals": random["goals"].mean(),  # a uniformly random learner's rate (the floor)
        "isr_test_loss": isr_log["final_test_loss"],
        "isr_positive_share": positives,
        "calibration": measured,
        "env_steps": (
            social["env_steps"] + after["env_steps"] + helper["env_steps"] + random["env_steps"]
        ),
    }
