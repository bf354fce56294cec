"""Each experiment runs the protocol it names (paper Fig. 2): read back from what every call
of agents.learn received, at a budget of a few updates, which learners had the caregiver
present (P of Eq. 1), which had an ISR, and how often the caregiver came back; and each
learner's score is the score of the learner that call trained."""

from dataclasses import replace

import numpy as np
import pytest

import agents
import authors
import env
import evaluation
import experiments as ex
import prosocial
import isr
from beyond import experiments as bx

SEEDS = (5, 6)
S = len(SEEDS)
TINY_AGENT = agents.AgentConfig(worlds_per_seed=2)
TINY_ISR = replace(isr.ISRConfig(), updates=2, calibration_size=100)
TINY_AUTHORS = replace(isr.AUTHORS, updates=3)
# The learner and both ISRs at their smallest; 10 updates of 2 episodes: the fewest
# socialization episodes that hold one held-out block in ten
TINY_SHARED = dict(agent=TINY_AGENT, isr=TINY_ISR, authors_isr=TINY_AUTHORS, socialization=20)
TINY = replace(
    ex.Internalization(),
    **TINY_SHARED,
    after=4,
    tail=2,
    isr_fractions=(1 / 2, 1.0),
    planner_worlds=2,
    planner_episodes=1,
)


@pytest.fixture
def calls(monkeypatch):
    """Every call of agents.learn, as {P, has_isr, visits, record} per learner, its AgentConfig
    (`agent`), in order, and the learners as that call left them (`trained`)."""
    made, learn = [], agents.learn

    def recorded(
        policy, world_cfg, agent_cfg, episodes, presence, rng, isr=None, has_isr=None, **kwargs
    ):
        n = policy.n_learners
        paid = (
            np.zeros(n, bool)
            if isr is None
            else np.broadcast_to(True if has_isr is None else has_isr, (n,))
        )
        visits = kwargs.get("visits")
        made.append(
            {
                "P": np.broadcast_to(np.asarray(presence, float), (n,)).copy(),
                "has_isr": paid.copy(),
                "visits": None if visits is None else np.broadcast_to(visits, (n,)).copy(),
                "record": kwargs.get("record", False),
                "layouts": kwargs.get("layouts"),
                "agent": agent_cfg,
            }
        )
        logs = learn(
            policy,
            world_cfg,
            agent_cfg,
            episodes,
            presence,
            rng,
            isr=isr,
            has_isr=has_isr,
            **kwargs,
        )
        made[-1]["trained"] = policy.tile(1)
        return logs

    monkeypatch.setattr(agents, "learn", recorded)
    return made


def groups(*pairs):
    """(P, has_isr) per learner from (P, has an ISR) per group of S learners."""
    return (np.repeat([p for p, _ in pairs], S).astype(float), np.repeat([i for _, i in pairs], S))


def check(call, expected):
    presence, has_isr = expected
    np.testing.assert_array_equal(call["P"], presence)
    np.testing.assert_array_equal(call["has_isr"], has_isr)


def check_socialization(call):
    """Phase 1: every learner with the caregiver (P = 1), no ISR, every transition recorded."""
    check(call, (np.ones(S), np.zeros(S, bool)))
    assert call["record"] and call["visits"] is None


def test_internalization_leaves_the_oracle_the_caregiver_and_pays_the_isr_arms(calls):
    """Figs 1, 3, 4 left: oracle P = 1; none, isr, isr_authors P = 0; only the ISR arms get R_i."""
    ex.internalization(TINY, SEEDS)
    assert len(calls) == 2
    check_socialization(calls[0])
    # oracle, none, isr, authors'
    check(calls[1], groups((1, False), (0, False), (0, True), (0, True)))
    assert not calls[1]["record"]


GENERALIZATION = replace(
    ex.Generalization(),
    **TINY_SHARED,
    new_world_episodes=4,
    layout_episodes=6,
    reruns=1,
    test_layouts=2,
    layouts=("plus", "x"),
    tail=2,
)


def test_generalization_gives_each_arm_its_presence_in_new_worlds_and_layouts(calls):
    """Figs 4 right, 5: in new worlds isr, oracle, isr_raw, isr_authors; the authors' frozen arm
    keeps the caregiver (P = 1, twice: 6K then 12K episodes); in the layouts isr, oracle,
    isr_authors, each once per layout."""
    cfg = GENERALIZATION
    ex.generalization(cfg, SEEDS)
    assert len(calls) == 5
    check_socialization(calls[0])
    # isr, oracle, isr_raw, authors'
    check(calls[1], groups((0, True), (1, False), (0, True), (0, True)))
    for call in calls[2:4]:  # the authors' frozen arm
        check(call, (np.ones(S), np.zeros(S, bool)))
    n_layouts = len(cfg.layouts)
    per_layout = lambda p, i: (np.repeat(p, n_layouts * S), np.repeat(i, n_layouts * S))
    expected = [per_layout(p, i) for p, i in ((0.0, True), (1.0, False), (0.0, True))]
    check(calls[4], tuple(np.concatenate(parts) for parts in zip(*expected)))
    grids = [env.parse_layout(env.HANDPICKED[name]) for name in cfg.layouts]
    for j, grid in enumerate(calls[4]["layouts"]):  # arm-, then layout-major
        np.testing.assert_array_equal(grid, grids[(j // S) % n_layouts], err_msg=f"learner {j}")


def test_generalization_scores_each_arm_by_the_learners_it_trained(calls):
    """Figs 4 right, 5: every arm's exact score is that of the learners its call of
    agents.learn trained (the frozen ones as socialized; the authors' frozen arm after 6K
    episodes in new worlds, after 12K in the layouts), in the test layouts or its own layout."""
    cfg = GENERALIZATION
    run, socialized = ex.generalization(cfg, SEEDS)
    new_world, layouts = calls[1]["trained"], calls[4]["trained"]
    arms = {"frozen": socialized.policy, "frozen_authors": calls[2]["trained"]}
    arms.update(
        {
            c: new_world.select(slice(i * S, (i + 1) * S))
            for i, c in enumerate(run["new_world_curves"])
        }
    )
    for arm, policy in arms.items():
        exact = evaluation.expected_return(policy, cfg.new_world, run["test_layouts"])
        np.testing.assert_array_equal(
            run["new_world"][arm]["return"][0], exact["return"], err_msg=arm
        )
    grids = [env.parse_layout(env.HANDPICKED[name])[None] for name in cfg.layouts]
    n_layouts = len(grids)
    for layout, grid in enumerate(grids):
        arms = {"frozen": socialized.policy, "frozen_authors": calls[3]["trained"]}
        arms.update(
            {
                c: layouts.select(
                    slice((i * n_layouts + layout) * S, (i * n_layouts + layout + 1) * S)
                )
                for i, c in enumerate(run["layout_curves"])
            }
        )
        for arm, policy in arms.items():
            exact = evaluation.expected_return(policy, cfg.train_world, grid)
            np.testing.assert_array_equal(
                run["layouts"][arm]["return"][0, layout], exact["return"], err_msg=arm
            )


def test_incomplete_internalization_pays_every_learner_from_its_isr_with_the_caregiver_gone(calls):
    """Fig. 6: every cell's learners learn from their ISR, P = 0; the last updates recorded."""
    _, socialized = ex.internalization(TINY, SEEDS)
    calls.clear()
    cfg = replace(
        ex.IncompleteInternalization(),
        source=TINY,
        data_fractions=(1 / 2, 1.0),
        isr_training=(None, 2, "authors"),
        after=6,
        tail=2,
        test_layouts=2,
    )
    ex.incomplete_internalization(cfg, SEEDS, socialized)
    n = 3 * 2 * S  # columns × sizes × seeds
    assert len(calls) == 2 and not calls[0]["record"] and calls[1]["record"]
    for call in calls:
        check(call, (np.zeros(n), np.ones(n, bool)))


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide")
def test_helping_leaves_the_oracle_the_caregiver_and_pays_its_control_at_the_isrs_rate(calls):
    """Fig. 7: oracle P = 1; none and isr P = 0, R_i for isr alone; the control keeps the
    caregiver at P = the ISR's pay rate, with no ISR."""
    cfg = replace(
        prosocial.Helping(),
        world=replace(prosocial.Helping().world, n_layouts=64),
        agent=TINY_AGENT,
        isr=replace(TINY_ISR, updates=2),
        socialization=20,
        after=4,
        tail=2,
        helper_worlds=2,
        helper_episodes=1,
    )
    run = prosocial.helping(cfg, SEEDS)
    assert len(calls) == 2
    check_socialization(calls[0])
    # oracle, none, isr, control
    presence, has_isr = groups((1, False), (0, False), (0, True), (0, False))
    presence[3 * S :] = run["isr_pay_rate"]  # NaN here: so few updates see no help held out
    check(calls[1], (presence, has_isr))


def test_partial_presence_brings_the_caregiver_at_each_rate_to_every_arm(calls):
    """Fig. 8: none and isr (then the online ISR) with P = 0 while the caregiver is away, and
    the visit rate of each learner's group, q per group of S."""
    _, socialized = ex.internalization(TINY, SEEDS)
    calls.clear()
    cfg = replace(
        bx.PartialPresence(),
        source=TINY,
        visit_rates=(0.0, 0.5),
        after=4,
        tail=2,
        online_every=2,
        online_updates=1,
    )
    bx.partial_presence(cfg, SEEDS, socialized)
    q = np.repeat(cfg.visit_rates, S)  # (rates · S,)
    n = len(q)
    assert len(calls) == 1 + cfg.after // cfg.online_every
    check(calls[0], (np.zeros(2 * n), np.repeat([False, True], n)))  # none, isr
    np.testing.assert_array_equal(calls[0]["visits"], np.tile(q, 2))
    for call in calls[1:]:  # the online ISR
        check(call, (np.zeros(n), np.ones(n, bool)))
        np.testing.assert_array_equal(call["visits"], q)
        assert call["record"]


def test_the_factorial_socializes_each_learner_and_pays_each_isr_with_the_caregiver_gone(calls):
    """Fig. 12: per learner (ours, ours without the entropy bonus, PPO), a socialization with
    P = 1, then its learners with each ISR (the authors' network only for cfg.conv_for), P = 0,
    in two calls (the last updates recorded); each learner with its own algorithm."""
    cfg = replace(
        bx.Factorial(),
        source=TINY,
        ppo=replace(authors.PPO, worlds_per_seed=2),
        conv_isr=replace(isr.AUTHORS, updates=3),
        conv_for=("ppo",),
    )
    run = bx.factorial(cfg, SEEDS)
    assert len(calls) == 3 * len(cfg.learners)
    for i, learner in enumerate(cfg.learners):
        socialization, first, last = calls[3 * i : 3 * i + 3]
        check_socialization(socialization)
        n = (3 if learner in cfg.conv_for else 2) * S
        for call in (first, last):
            check(call, (np.zeros(n), np.ones(n, bool)))
        assert not first["record"] and last["record"]
        assert type(last["trained"]) is (authors.PPOPolicy if learner == "ppo" else agents.Policy)
        assert {call["agent"] for call in (socialization, first, last)} == {cfg.agent(learner)}
        assert list(run["after"][learner]) == ["ours", "authors_mlp", "authors_conv"][: n // S]
    assert [cfg.agent(learner).entropy for learner in cfg.learners] == [0.01, 0.0, 0.0]
