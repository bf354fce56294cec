"""Figs 1 and 4 left in one page: socialize, internalize, and let the caregiver leave.

Run it from anywhere: python examples/lesson.py [--quick]. It is a notebook too: each
"# %%" starts a cell (VS Code, or Jupyter through jupytext); run them in order from this
folder, the repository's root, or any folder that holds the core modules (README, "The lesson").
"""
# %% The core modules: beside this file (or the notebook), or one folder up; else as installed
import sys
from pathlib import Path

here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
core = [str(d) for d in (here, here.parent) if (d / "experiments.py").exists()]
sys.path[:0] = core[:1]          # only a folder that holds them: no other env.py gets ahead

import matplotlib.pyplot as plt
import numpy as np

import experiments as ex
import stats

# %% The paper's budget (with --quick on the command line, a small one)
cfg = ex.Internalization()
if "--quick" in sys.argv:
    cfg = cfg.quick()
world = cfg.world
rng = np.random.default_rng(0)          # one random stream for the whole lesson
n_learners = 3

# %% Socialization: the caregiver pays R_s; each learner records (view, action, R_s)
policy, social, data = ex.socialize(world, cfg.agent, cfg.isr, n_learners, cfg.socialization, rng)

# %% Internalization: each learner's ISR learns to predict R_s from its own records
print(f"training {n_learners} ISRs, {cfg.isr.updates} updates each (a minute at the paper's scale)")
model, _ = ex.internalize(data, cfg.isr, rng, world, curve=False)

# %% The caregiver leaves. Each learner is copied once per condition: oracle (the caregiver
# stays, P = 1), none (P = 0, no ISR) and isr (P = 0, its ISR pays R_i)
learners = policy.tile(len(ex.CONDITIONS))
after = ex.caregiver_leaves(learners, ex.CONDITIONS, world, cfg.agent, cfg.after, rng, model)


# %% Each learner at the end, and a paired t-test: the same learners with and without an ISR
def at_the_end(condition, key="goals"):
    return after[condition][key][:, -10:].mean(axis=1)


for condition in ex.CONDITIONS:
    print(f"{condition:6s} goals per episode at the end: {at_the_end(condition).round(2)}")
test = stats.paired_t_test(at_the_end("isr"), at_the_end("none"))
print(f"isr - none: {test.diff:+.2f} goals per episode, p = {test.p:.0e}")
paid = at_the_end("isr", "r_i") / at_the_end("isr", "r_s")
print("ISR paid / caregiver would:", paid.round(3))

# %% The learning curves after the caregiver left, in the figures' colours
colors = {"oracle": "0.5", "none": "tab:green", "isr": "tab:red"}
for condition in ex.CONDITIONS:
    plt.plot(after[condition]["goals"].mean(axis=0), color=colors[condition], label=condition)
plt.xlabel(f"updates of {cfg.agent.worlds_per_seed} episodes after the caregiver left")
plt.ylabel("goals per episode")
plt.legend()
plt.savefig("lesson.png")
print(f"the curves: {Path('lesson.png').resolve()}")
if "agg" not in plt.get_backend().lower():      # a window; a notebook draws it inline
    plt.show()
