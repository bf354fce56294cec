"""beyond/watch.py — watch the learners: an animated GIF of a socialized learner, and of the same
learner after the caregiver left, without and with its ISR (`python figures.py watch`).

One learner is socialized at the paper's budget (6K episodes with the caregiver), its ISR
is trained, and copies of it learn 6K more episodes with the caregiver gone (`none`,
`isr`), as Fig. 4 left. The three policies then play side by side, each in its own copy of
the same starting world (a world draws a fresh layout after each goal, so they part ways
once one reaches the goal), acting by sampling from their policies.

Public names: figure, learners, play, animate.
"""
from functools import partial

import numpy as np

import agents
import env
import experiments as ex
from figures import reads

PANELS = ("socialized", "none", "isr")


def learners(seed, cfg=None):
    """(Policy of 3 learners: socialized, none, isr; their goals per episode at the end)."""
    cfg = cfg or ex.Internalization()
    stage = partial(ex.learner_streams, (seed,), "internalization")
    policy, _, data = ex.socialize(cfg.world, cfg.agent, cfg.isr, 1, cfg.socialization, stage("socialization"))
    model, _ = ex.internalize(data, cfg.isr, stage("isr"), cfg.world, curve=False)
    after = policy.tile(2)
    logs = ex.caregiver_leaves(after, ("none", "isr"), cfg.world, cfg.agent, cfg.after, stage("after", 2), model)
    goals = {c: float(logs[c]["goals"][0, -17:].mean()) for c in ("none", "isr")}
    return agents.Policy.stack(policy, after), goals


def play(policy, world_cfg, steps, seed):
    """Frames of S learners, each in its own copy of the same starting world, sampling
    actions: a list of (walls (S, H, W), goal (S, 2), pos (S, 2), dir (S,), goals so far (S,))."""
    n = policy.n_learners
    worlds = [env.GridWorld(world_cfg, 1, np.random.default_rng(seed)) for _ in range(n)]
    obs = np.stack([w.reset() for w in worlds], axis=0)            # (S, 1, v, v)
    rng, goals, frames = np.random.default_rng(seed + 1), np.zeros(n, dtype=int), []
    for _ in range(steps):
        frames.append((np.stack([w.walls[0] for w in worlds]), np.stack([w.goal[0] for w in worlds]),
                       np.stack([w.pos[0] for w in worlds]), np.array([w.dir[0] for w in worlds]), goals.copy()))
        actions = policy.sample(agents.features(obs), rng.random((n, 1)))   # (S, 1)
        for i, w in enumerate(worlds):
            step = w.step(actions[i])
            goals[i] += int(step.reached[0])
            obs[i] = step.obs
    return frames


def animate(frames, titles, path, fps=4):
    """Write the frames as an animated GIF at `path` (matplotlib's Pillow writer)."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter
    import plots
    fig, axes = plt.subplots(1, len(titles), figsize=(3.2 * len(titles), 3.6))

    def draw(k):
        walls, goal, pos, direction, goals = frames[k]
        for i, ax in enumerate(axes):
            ax.clear()
            plots.draw_world(ax, walls[i], goal[i], pos[i], direction[i])
            ax.set_title(f"{titles[i]}\ngoals: {goals[i]}   (step {k + 1})", fontsize=9)
        return []

    animation = FuncAnimation(fig, draw, frames=len(frames), blit=False)
    animation.save(path, writer=PillowWriter(fps=fps), dpi=70)
    plt.close(fig)


@reads()                          # it teaches its own learners
def figure(runs, seed=1234, steps=60):
    """`python figures.py watch`: 60 steps (3 episodes) of the three learners of seed 1234.
    Returns (a writer of the GIF: writer(path), and their goals per episode in the last 510
    episodes of their learning and in the clip)."""
    policy, goals = learners(seed)
    frames = play(policy, ex.Internalization().world, steps, seed)
    titles = ("socialized (caregiver present)", "caregiver gone, no ISR", "caregiver gone, with its ISR")
    return (lambda path: animate(frames, titles, path)), {"seed": seed, "goals_per_episode_end_of_learning": goals,
            "goals_in_clip": dict(zip(PANELS, frames[-1][4].tolist())), "steps": steps}
