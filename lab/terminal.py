"""lab/terminal.py — the caregiver's world in the terminal: `python -m lab.terminal` prints
random worlds, `python -m lab.terminal --play 40` plays the shortest-path planner step by step;
and `steps_per_second` and `learner_steps_per_second`, the bare batched world's speed and the
learner's in the same worlds (the benchmarks a full run records).

Public names: main, play, steps_per_second, learner_steps_per_second.
"""
import time

import numpy as np

import agents
from env import Action, GridWorld, WorldConfig, planner_steps, render_ascii


def steps_per_second(n_worlds, seconds=0.5):
    """Environment steps per second of the batched world alone, with random actions."""
    world = GridWorld(WorldConfig(), n_worlds, np.random.default_rng(0))
    world.reset()
    actions = np.random.default_rng(1).integers(0, len(Action), size=(64, n_worlds))
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for a in actions:
            world.step(a)
    return round(world.env_steps / (time.perf_counter() - start))


def learner_steps_per_second(n_seeds, updates=30):
    """Environment steps per second of n_seeds fresh learners (agents.learn, 30 worlds each,
    so n_seeds · 30 worlds) with the caregiver present, no ISR, nothing recorded: every
    learning step (features, policy, the world, the update) beside `steps_per_second`'s
    world alone. After a warm-up, a run of `updates` updates is timed less a run of one, so
    that, as there, building and resetting the worlds is not counted."""
    agent, world = agents.AgentConfig(), WorldConfig()

    def seconds(n_updates):
        policy = agents.Policy.for_world(n_seeds, world)
        start = time.perf_counter()
        agents.learn(policy, world, agent, n_updates * agent.worlds_per_seed, 1.0, np.random.default_rng(0))
        return time.perf_counter() - start
    seconds(1)
    learning = seconds(updates) - seconds(1)
    return round((updates - 1) * n_seeds * agent.worlds_per_seed * world.episode_len / learning)


def main(argv=None):
    """`python -m lab.terminal [--layout FILE] [--blocks K] [--seed S] [--worlds N] [--play STEPS]`:
    print random worlds, or play the shortest-path planner in the terminal."""
    import argparse
    import sys
    from pathlib import Path
    parser = argparse.ArgumentParser(
        description="Print random layouts of the caregiver's world, or play the shortest-path planner.",
        epilog="Symbols: # wall, . free cell, G goal, ^ > v < the learner facing up, right, down, left.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--layout", type=Path, help="ASCII file of fixed blocks ('#', '.')")
    parser.add_argument("--blocks", type=int, default=WorldConfig.n_blocks, help="random blocks per world")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the layouts")
    parser.add_argument("--worlds", type=int, default=3, help="worlds to print")
    parser.add_argument("--play", type=int, default=0, metavar="STEPS",
                        help="play STEPS steps of the shortest-path planner in the first world (0: print only)")
    args = parser.parse_args(argv)
    if args.play < 0:
        parser.error(f"--play must be 0 or more steps, got {args.play}")
    try:
        layout = args.layout.read_text() if args.layout else None
        world = GridWorld(WorldConfig(n_blocks=args.blocks, layout=layout), args.worlds,
                          np.random.default_rng(args.seed))
        world.reset()
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.play > 0:
        play(world, args.play, sys.stdout)
        return 0
    print("\n\n".join(render_ascii(world.walls[b], world.goal[b], world.pos[b], world.dir[b])
                      for b in range(world.n)))
    return 0


def play(world, steps, out, delay=0.2):
    """Terminal playback: the planner's first world, one frame per step; in a terminal each
    frame replaces the last (ANSI clear), otherwise frames follow one another."""
    live = out.isatty()
    frame = lambda t, goals: (f"step {t}/{steps}, goals {goals}\n"
                              + render_ascii(world.walls[0], world.goal[0], world.pos[0], world.dir[0]))
    goals, planner = 0, planner_steps(world)
    for t in range(steps + 1):
        out.write(("\033[H\033[2J" if live else "\n") + frame(t, goals) + "\n")
        out.flush()
        if t < steps:
            goals += int(next(planner).reached[0])
            if live:
                time.sleep(delay)


if __name__ == "__main__":
    raise SystemExit(main())
