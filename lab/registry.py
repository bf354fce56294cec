"""lab/registry.py — every experiment and every figure, each declared once.

An experiment is a config dataclass (its `.quick()` is the --quick budget) and a function
`run(cfg, seeds, [learners], log) → arrays` (or `(arrays, learners)` for one whose learners
later experiments continue). Its declaration says which experiment's learners (kept in
memory, not saved) it continues. A figure is a function `draw(runs) → (picture, claims)`
that names the experiments it reads where it is defined (`figures.reads`). Adding an
experiment means adding its line here and its own code.

Public names: Experiment, EXPERIMENTS, Figure, FIGURES, PAPER_FIGURES, needs, with_sources,
reading.
"""
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Callable

import experiments as ex
import figures
import prosocial
from beyond import experiments as bx
from beyond import figures as beyond_figures
from beyond.learners import MLPInternalization
from beyond import watch


@dataclass(frozen=True)
class Experiment:
    """One experiment, as the pipeline runs it."""
    config: type                   # its config dataclass; .quick() gives the --quick budget
    run: Callable                  # run(cfg, seeds, [learners it continues,] log) → arrays [, learners]
    summary: str                   # one line for the docs' table of what each experiment costs
    continues: str | None = None   # the experiment whose learners it continues (run first if needed)
    source: str | None = None      # the experiment whose settings its `source` field takes
                                   # (default: the one it continues)

    @property
    def source_experiment(self):
        return self.source or self.continues


EXPERIMENTS = MappingProxyType({
    "internalization": Experiment(
        ex.Internalization, ex.internalization,
        "`Internalization`: socialization, our ISRs (6 data sizes) and the authors', four conditions, planner"),
    "generalization": Experiment(
        ex.Generalization, ex.generalization,
        "`Generalization`: one-block socialization, both ISRs, two runs of the further learning "
        "(new worlds, the authors' frozen arm, layouts), exact tests"),
    "incomplete_internalization": Experiment(
        ex.IncompleteInternalization, ex.incomplete_internalization,
        "`IncompleteInternalization`: 18 ISRs (6 data sizes × ours twice and the authors'), learners, their exact test "
        "in new worlds", continues="internalization"),
    "helping": Experiment(
        prosocial.Helping, prosocial.helping,
        "`Helping`: the two-agent world (6,000 socialization episodes), three conditions and the "
        "control, scripted helper"),
    "isr_designs": Experiment(
        bx.ISRDesigns, bx.isr_designs,
        "`ISRDesigns`: 3 ISR designs × 2 trainings, learners after the caregiver left",
        continues="internalization"),
    "partial_presence": Experiment(
        bx.PartialPresence, bx.partial_presence,
        "`PartialPresence`: 6 visit rates × none / isr, and the online ISR arm", continues="internalization"),
    "repair": Experiment(
        bx.Repair, bx.repair,
        "`Repair`: Fig. 6's learners of the authors' ISR × visit rates × none / frozen / online (calibration "
        "kept, refitted)",
        continues="incomplete_internalization"),
    "thresholds": Experiment(
        bx.Thresholds, bx.thresholds,
        "`Thresholds`: 5 thresholds and the oracle in new worlds, exact test", continues="generalization"),
    "ablations": Experiment(
        bx.Ablations, bx.ablations,
        "`Ablations`: the authors' ISR and our choices in it (5 arms), 2 data sizes, learners in new worlds",
        continues="internalization", source="incomplete_internalization"),
    "feature_sets": Experiment(
        bx.FeatureSets, bx.feature_sets,
        "`FeatureSets`: 3 feature sets, socialization, ISRs, none / isr", source="internalization"),
    "factorial": Experiment(
        bx.Factorial, bx.factorial,
        "`Factorial`: 3 learners (ours, ours without the entropy bonus, PPO) socialized, their ISRs (ours, the "
        "authors' MLP form, and for 2 of them the authors' network), learners after the caregiver left",
        source="internalization"),
})

# What a --quick run can show (its --help and docs/usage.md say it from here): the rest
# needs the paper's budget.
QUICK_SHOWS = ("Figs 1 and 4 left for every learner of our ISR, Fig. 5's direction and Fig. 6's hacking of "
               "the authors' ISR; not Fig. 4 right's effect, Fig. 6's un-learning, Fig. 7's helping or "
               "Fig. 10's repair")


# Learners other than the paper's linear one (`--learner`): the config class they run with.
LEARNERS = MappingProxyType({"internalization": {"mlp": MLPInternalization}})


@dataclass(frozen=True)
class Figure:
    """One figure: how to draw it from the runs, and its line in the end-of-run summary
    (lab.report.summary_line: the `summary` claims as the documents' tables show them)."""
    draw: Callable                 # draw(runs) → (matplotlib figure, or a writer(path); claims), its
                                   # `.reads` the experiments it draws (figures.reads)
    summary: tuple = ()            # (claim of its results.json entry, what it is in words) pairs the
                                   # end-of-run summary shows
    quick_caveat: str = ""         # said after them when its arrays are of the quick budget
    file: str | None = None        # its file in the output folder (default figN.png)
    paper: bool = True             # one of the paper's figures (made by default with --quick)
    on_request: bool = False       # made only when named
    panel_reads: tuple = ()        # what a panel of ours that the figure is handed reads (Fig. 3's)

    @property
    def reads(self):
        """The experiments whose arrays the figure draws."""
        return getattr(self.draw, "func", self.draw).reads + self.panel_reads


KEPT = "goals kept (share of socialized)"
FIGURES = MappingProxyType({
    "1": Figure(figures.figure_1, (("none_fraction_of_socialized", f"without an ISR, {KEPT}"),)),
    "2": Figure(figures.figure_2),
    "3": Figure(partial(figures.figure_3, last_panel=beyond_figures.isr_designs_panel),
                (("test_over_train", "our ISR's held-out loss / its train loss"),
                 ("isr_calibration/r_i_over_r_s_pooled", "what our ISR paid / what the caregiver paid, held out")),
                panel_reads=beyond_figures.isr_designs_panel.reads),
    "3-instrument": Figure(beyond_figures.figure_instrument,
                           (("figs_1,_4_left/r_i_over_r_s_pooled", "what our ISR paid / the caregiver, Figs 1, 4 left"),
                            ("figs_4_right,_5/r_i_over_r_s_pooled", "Figs 4 right, 5"),
                            ("fig_7/r_i_over_r_s_pooled", "Fig. 7")), paper=False),
    "4": Figure(figures.figure_4, (("isr_fraction_of_socialized", f"with our ISR, {KEPT}"),
                                   ("isr_authors_fraction_of_socialized", f"with the authors' ISR, {KEPT}"),
                                   ("right/reruns/0/frozen_authors_vs_isr/paired",
                                    "new worlds, the authors' frozen learner − our ISR's (run 1)"))),
    "5": Figure(figures.figure_5, (("reruns/0/frozen_authors_vs_isr/paired_per_seed",
                                    "layouts, the authors' frozen learner − our ISR's (run 1)"),
                                   ("reruns/0/isr_vs_oracle/paired_per_seed", "layouts, our ISR's − the oracle (run 1)"))),
    "6": Figure(figures.figure_6, (("isr_training", "ISR trainings"),
                                   ("seeds_hacked", "learners hacked, per training and data size"),
                                   ("seeds_farming", "learners farming, per training and data size"))),
    "7": Figure(figures.figure_7, (("isr_fraction_of_socialized", "with its ISR, helping kept (share of socialized)"),
                                   ("none_fraction_of_socialized", "without one"),
                                   ("isr_vs_oracle_at_isr_rate_paired", "its ISR − a caregiver paying at that rate")),
                quick_caveat=figures.QUICK_FIG7),
    "8": Figure(beyond_figures.figure_8, (("visit_rates", "the caregiver's visit rates"),
                                          ("none_interval", f"without an ISR, {KEPT} [95 %]"),
                                          ("isr_interval", "with its ISR [95 %]"),
                                          ("isr_online_interval", f"with its ISR trained online [95 %]")),
                paper=False),
    "9": Figure(beyond_figures.figure_9, (("thresholds/return_interval", "return in new worlds per ISR threshold [95 %]"),
                                          ("features/isr_interval", f"with its ISR per feature set, {KEPT} [95 %]")),
                paper=False),
    "10": Figure(beyond_figures.figure_10, (("visit_rates", "the caregiver's visit rates"),
                                            ("hacked/learners", "learners that had hacked their ISR"),
                                            ("hacked/isr_kept_mean", "their goals kept, frozen ISR"),
                                            ("hacked/isr_online_kept_mean", "online ISR"),
                                            ("hacked/isr_online_refit_kept_mean", "online ISR refitted")), paper=False),
    "11": Figure(beyond_figures.figure_11, (("designs", "the authors' ISR and our choices in it"),
                                            ("seeds_hacked", "learners hacked, per design and data size")),
                 paper=False),
    "12": Figure(beyond_figures.figure_12, (("ours/authors_mlp/hacked", "hacked: the authors' ISR in MLP form, our learner"),
                                            ("ours_no_entropy/authors_mlp/hacked", "without its entropy bonus"),
                                            ("ppo/authors_mlp/hacked", "PPO"),
                                            ("ours/authors_conv/hacked", "their network, our learner"),
                                            ("ppo/authors_conv/hacked", "their network, PPO")), paper=False),
    "6-single-run": Figure(figures.figure_6_single_run,
                           (("hacking/isr/seeds_hacked", "learners hacked in each layout, our ISR"),
                            ("hacking/isr_authors/seeds_hacked", "the authors' ISR")), on_request=True),
    "watch": Figure(watch.figure, (("goals_in_clip", "goals in the clip"),), file="watch.gif", paper=False,
                    on_request=True),
})
PAPER_FIGURES = tuple(n for n, f in FIGURES.items() if f.paper and not f.on_request)


def needs(figure):
    """The experiments whose arrays `figure` reads, in the order of EXPERIMENTS."""
    return tuple(name for name in EXPERIMENTS if name in FIGURES[figure].reads)


def with_sources(names):
    """The experiments `names` and those whose learners they continue, in the order of EXPERIMENTS."""
    wanted = set(names)
    for name in names:
        while EXPERIMENTS[name].continues:
            name = EXPERIMENTS[name].continues
            wanted.add(name)
    return [e for e in EXPERIMENTS if e in wanted]


def reading(experiment):
    """The figures that read `experiment`'s arrays, in the order of FIGURES."""
    return tuple(name for name, figure in FIGURES.items() if experiment in figure.reads)


def file_name(figure):
    return FIGURES[figure].file or f"fig{figure}.png"
