"""Figs 1 and 4 left in one page: socialize, internalize, and let the caregiver leave.

Run it from anywhere: python examples/lesson.py [--quick]. In a notebook, copy the lines
below the imports; the core modules (README, "The lesson") must sit beside it or one up.
"""
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path[:0] = [str(here), str(here.parent)]         # the core modules: here or one up
import matplotlib.pyplot as plt, numpy as np, experiments as ex, stats  # noqa: E401,E402

cfg = ex.Internalization()                            # the paper's budget
cfg = cfg.quick() if "--quick" in sys.argv else cfg
rng, n, world = np.random.default_rng(0), 3, cfg.world          # one stream, 3 learners
policy, social, data = ex.socialize(world, cfg.agent, cfg.isr, n, cfg.socialization, rng)
isr, _ = ex.train_isr(data, cfg.isr, rng, world, curve=False)   # learns R_s from its data
after = ex.caregiver_leaves(policy.tile(3), ex.CONDITIONS, world, cfg.agent, cfg.after,
                            rng, isr)                 # oracle, none, isr: P = 1, 0, 0
last = lambda c, key="goals": after[c][key][:, -10:].mean(axis=1)   # per learner
for c in ex.CONDITIONS:
    print(f"{c:6s} goals per episode at the end: {last(c).round(2)}")
test = stats.paired_t_test(last("isr"), last("none"))   # the same learners, twice
print(f"isr - none: {test.diff:+.2f} goals per episode, p = {test.p:.0e}")
print("ISR paid / caregiver would:", (last("isr", "r_i") / last("isr", "r_s")).round(3))
for c in ex.CONDITIONS:
    plt.plot(after[c]["goals"].mean(axis=0), label=c)
plt.xlabel(f"updates of {cfg.agent.worlds_per_seed} episodes after the caregiver left")
plt.ylabel("goals per episode"), plt.legend(), plt.savefig("lesson.png")
if "agg" not in plt.get_backend().lower():            # a window or a notebook: show it
    plt.show()
