"""Every figure runs in quick mode; same seeds give the same numbers; bad input fails cleanly;
and the paper's claims hold on a reduced budget."""
import json

import numpy as np
import pytest

import figures

SEEDS = (1234, 1235)


@pytest.mark.parametrize("name", sorted(figures.FIGURES) + sorted(figures.OPTIONAL))
def test_every_figure_runs_in_quick_mode(name, tmp_path):
    out = {**figures.FIGURES, **figures.OPTIONAL}[name](SEEDS, tmp_path, quick=True)
    assert (tmp_path / f"fig{name}.png").stat().st_size > 10_000
    assert isinstance(out, dict)
    assert not list(tmp_path.glob("*.tmp*")) and len(list(tmp_path.iterdir())) == 1


def test_same_seeds_give_the_same_arrays():
    run = figures.caregiver_leaves.__wrapped__
    a, b = run(SEEDS, figures.QUICK), run(SEEDS, figures.QUICK)
    for key in ("goals", "internal"):
        np.testing.assert_array_equal(a["social"][key], b["social"][key])
        np.testing.assert_array_equal(a["after"][key], b["after"][key])
    np.testing.assert_array_equal(a["isr_size_test_loss"], b["isr_size_test_loss"])
    np.testing.assert_array_equal(a["isr_log"]["test_loss"], b["isr_log"]["test_loss"])
    c = run((1236, 1237), figures.QUICK)
    assert not np.array_equal(a["social"]["goals"], c["social"]["goals"])


def without_timing(results):
    return {k: {kk: vv for kk, vv in v.items() if kk != "timing"}
            for k, v in results.items() if k != "timing"}


def test_results_json_is_reproducible(tmp_path):
    for folder in ("a", "b"):
        for experiment in (figures.caregiver_leaves, figures.incomplete_internalization, figures.prosocial):
            experiment.cache_clear()
        assert figures.main(["1", "3", "6", "7", "--quick", "--seeds", "2", "--out", str(tmp_path / folder)]) == 0
    a, b = (json.loads((tmp_path / f / "results.json").read_text()) for f in ("a", "b"))
    assert without_timing(a) == without_timing(b)
    assert a["fig1"]["timing"]["env_steps"] > 0 and a["timing"]["peak_memory_mb"] > 0


@pytest.mark.parametrize("argv, message", [
    (["9"], "unknown figure 9"),
    (["--seeds", "0"], "--seeds must be at least 2"),
    (["--seeds", "-3"], "--seeds must be at least 2"),
])
def test_bad_arguments_fail_with_one_line_and_write_nothing(argv, message, tmp_path, capsys):
    out = tmp_path / "out"
    assert figures.main(argv + ["--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not out.exists()


def test_the_papers_claims_on_a_reduced_budget():
    """Figs 1 and 4 left: socialized learners un-learn without an ISR and keep going with one.

    3 seeds, 3,000 + 3,000 episodes (paper: 10 seeds, 6,000 + 6,000); thresholds are the
    issue's, loosened only where the budget is halved (the planner ratio).
    """
    budget = figures.Budget(episodes=3000, after=3000, planner_worlds=100, planner_episodes=4)
    run = figures.caregiver_leaves((1, 2, 3), budget)
    c = figures.claims(run)
    socialized = np.array(c["socialized_goals_per_episode"])
    assert socialized.mean() > 0.6 * c["planner_goals_per_episode"]
    assert (np.array(c["none_fraction_of_socialized"]) < 0.25).all()
    assert (np.array(c["isr_fraction_of_socialized"]) > 0.9).all()
    assert c["isr_vs_none_student"]["p"] < 0.001
    losses = run["isr_size_test_loss"].mean(axis=1)
    assert losses[-1] < losses[0] / 10
    log = run["isr_log"]
    assert log["final_test_loss"].mean() < 1.2 * log["final_train_loss"].mean()


def test_generalization_claims_on_a_reduced_budget():
    """Figs 4 right and 5: after socialization with one block, learning from the (thresholded)
    ISR in the five hand-picked layouts beats the frozen learner (additive OLS), and beats
    learning from the raw ISR, which the learner hacks, in random 5-block worlds.

    3 seeds, 3,000 episodes per phase (paper: 10 seeds, 6,000 / 6,000 / 12,000). Fig. 4 right's
    own t-test needs the paper's 10 seeds (README: results) and is not asserted here.
    """
    budget = figures.Budget(episodes=3000, after=3000, new_world=3000, new_layouts=3000)
    run = figures.generalization((1, 2, 3), budget)
    fig5 = figures.layout_claims(run)
    additive = fig5["frozen_vs_isr"]["additive"]
    assert additive["coef"] < 0 and additive["p"] < 0.01          # frozen − ISR < 0
    assert additive["df"] == 2 * 5 * 3 - 6
    fig4 = figures.new_world_claims(run)
    assert np.mean(fig4["return"]["isr"]) > np.mean(fig4["return"]["isr_raw"])
    assert np.array(run["layouts"]["goals"]).shape == (3, 5, 3)


def test_an_isr_that_saw_too_little_is_hacked_on_a_reduced_budget():
    """Fig. 6: from the ISR trained on the first 1/12 of socialization, internal return rises
    while goals fall; from the full ISR, goals do not fall. 3 seeds, 3,000 + 3,000 episodes."""
    budget = figures.Budget(episodes=3000, after=3000, planner_worlds=100, planner_episodes=4)
    c = figures.hacking_claims(figures.incomplete_internalization((1, 2, 3), budget))
    assert c["seeds_hacked"][0] == 3
    goals_first, goals_last = np.array(c["goals_first"]), np.array(c["goals_last"])
    assert (goals_last[0] < 0.5 * goals_first[0]).all()
    assert goals_last[-1].mean() > 0.95 * goals_first[-1].mean()
    top = c["hacked"]["groups"][0]
    assert top["action"] == "forward" and top["visits_per_episode"][0] > 1.0
    assert top["visits_per_episode"][-1] < 0.1 * top["visits_per_episode"][0]


def test_a_socialized_helper_keeps_helping_with_its_isr_on_a_reduced_budget():
    """Fig. 7: 3 seeds, 1,200 + 1,200 episodes of 100 steps (paper: 10 seeds, 2,400 + 2,400).

    At half the budget `none` has fallen to 29–46 % of its socialized helping (it falls to
    17–34 % by 2,400 episodes, README), so this asserts the direction, not the 30 % mark.
    """
    budget = figures.Budget(prosocial=1200, helper_worlds=100, helper_episodes=1)
    c = figures.claims(figures.prosocial((1, 2, 3), budget))
    socialized = np.array(c["socialized_goals_per_episode"])
    assert socialized.mean() > 0.1 * c["planner_goals_per_episode"]
    assert (np.array(c["isr_fraction_of_socialized"]) > 0.8).all()
    assert np.mean(c["none_fraction_of_socialized"]) < 0.5
    assert c["isr_vs_none_student"]["p"] < 0.05


def test_hacked_pairs_counts_what_the_isr_pays_and_the_caregiver_does_not():
    views = np.full((2, 1, 4, 9, 9), figures.env.EMPTY, dtype=np.int8)   # (sizes, S, M, v, v)
    views[:, :, :, 3, 4] = figures.env.WALL                              # a wall straight ahead
    actions = np.array([[[2, 2, 0, 2]], [[2, 2, 0, 2]]])                 # forward, forward, left, forward
    r_i = np.array([[[0.3, 0.3, 0.3, 0.0]], [[0.0, 0.0, 0.0, 0.0]]])
    r_s = np.array([[[0.0, 0.4, 0.0, 0.0]], [[0.0, 0.0, 0.0, 0.0]]])     # the 2nd step was a goal
    out = figures.hacked_pairs({"views": views, "actions": actions, "r_s": r_s, "r_i": r_i}, tail_episodes=2)
    groups = {(g["action"], g["ahead"]): g for g in out["groups"]}
    assert groups[("forward", "a wall")]["visits_per_seed"] == [[1], [0]]
    assert groups[("left", "a wall")]["visits_per_seed"] == [[1], [0]]
    assert out["hacked_steps_per_episode"] == [1.0, 0.0]
    assert out["example"]["r_i"] == pytest.approx(0.3) and out["example"]["visits"] == 1
