"""streams.py — random numbers per learner: what makes a learner's numbers depend on its seed
alone (its own stream), however many learners share its batch or its process.

`Streams` holds one numpy generator per row (a learner, or one copy of a learner) and draws
arrays whose first axis is the rows, row i from generator i alone. The worlds (env.py,
prosocial.py) take each reset's numbers from `Draws`, refilled once per episode, and the
learner draws its actions once per episode (agents.learn), so the loop over rows is off the
hot path. experiments.learner_streams keys the generators by seed, experiment, stage and copy.

Public names: Streams, Draws, pick.
"""
import numpy as np


class Streams:
    """Random streams, one per row (a learner, or one copy of a learner), drawn from together.

    Row i of every draw comes from generator i alone, so what a learner draws does not depend
    on the learners beside it in the batch, nor on how a run splits them between processes.
    Each draw has the row axis first, as numpy's Generator would draw an array of that shape
    (`random`, `integers`, `normal`); the worlds and the learner draw once per episode, not
    per step, so the loop over rows stays off the hot path. `common` is a generator for what
    all rows share and is drawn once (a pool of layouts)."""

    def __init__(self, generators, common):
        self.generators, self.common = list(generators), common

    @classmethod
    def of(cls, rng, rows):
        """rng as Streams of `rows` rows: Streams as they are (with that many rows); a numpy
        Generator spawns one child per row and is itself the common one; an int seed (or
        None) is made such a Generator first, as Gymnasium's reset(seed=) takes one."""
        if rng is None or isinstance(rng, (int, np.integer)):
            rng = np.random.default_rng(rng)
        if isinstance(rng, Streams):
            if rng.rows != rows:
                raise ValueError(f"{rows} learners need as many random streams, got {rng.rows}")
            return rng
        return cls(rng.spawn(rows), rng)

    @property
    def rows(self):
        return len(self.generators)

    def spawn(self, n):
        """n independent Streams of the same rows (each row's generator spawns n children)."""
        children = [g.spawn(n) for g in self.generators]
        return [
            Streams([row[k] for row in children], common)
            for k, common in enumerate(self.common.spawn(n))
        ]

    def random(self, size):
        """(rows, ...) uniforms in [0, 1); size[0] must be the rows."""
        return np.stack([g.random(self._size(size)) for g in self.generators])

    def integers(self, low, high, size):
        return np.stack([g.integers(low, high, self._size(size)) for g in self.generators])

    def normal(self, loc, scale, size):
        return np.stack([g.normal(loc, scale, self._size(size)) for g in self.generators])

    def _size(self, size):
        size = (size,) if np.isscalar(size) else tuple(size)
        if size[0] != self.rows:
            raise ValueError(
                f"a draw of shape {size} from {self.rows} streams: the first axis must be the rows"
            )
        return size[1:]


class Draws:
    """Each world's uniforms for its resets within an episode, drawn from its learner's stream
    at the episode's start: world b of a batch of rows × n_each takes row b // n_each's
    numbers, its j-th reset the j-th set of `k`; at most per_episode resets an episode.
    rng: Streams with one row per learner, or a numpy Generator (one learner)."""

    def __init__(self, rng, n_worlds, per_episode, k):
        streams = Streams.of(rng, rng.rows if isinstance(rng, Streams) else 1)
        self.streams, self.per_episode, self.k = streams, per_episode, k
        self.n_each = n_worlds // streams.rows
        if self.n_each * streams.rows != n_worlds:
            raise ValueError(
                f"{n_worlds} worlds do not split evenly between {streams.rows} learners"
            )
        self.row, self.col = np.divmod(np.arange(n_worlds), self.n_each)
        self.u = None

    def refill(self):
        """New numbers for a new episode of every world."""
        self.u = self.streams.random((self.streams.rows, self.per_episode, self.n_each, self.k))
        self.taken = np.zeros(len(self.row), dtype=np.int64)

    def take(self, idx):
        """(len(idx), k) uniforms, the next set of each world in idx; zeros for worlds put in
        place rather than reset (GridWorld.place: no episode's numbers were drawn)."""
        if self.u is None:
            return np.zeros((len(idx), self.k))
        u = self.u[self.row[idx], self.taken[idx], self.col[idx]]
        self.taken[idx] += 1
        return u


def pick(u, count):
    """floor(u · count) for uniforms u in [0, 1), never count itself (rounding)."""
    return np.minimum((u * count).astype(np.int64), count - 1)
