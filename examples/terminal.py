"""examples/terminal.py — the caregiver's world in the terminal: `python examples/terminal.py`
prints random worlds, `python examples/terminal.py --play 40` plays the shortest-path planner
step by step.

Public names: main, play.
"""
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the repository's env.py
from env import GridWorld, WorldConfig, planner_steps, render_ascii  # noqa: E402


def main(argv=None):
    """`python examples/terminal.py [--layout FILE] [--blocks K] [--seed S] [--worlds N]
    [--play STEPS]`: print random worlds, or play the shortest-path planner in the terminal."""
    import argparse
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
