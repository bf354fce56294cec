"""README.md and docs/: the tables are the committed results, no other number goes stale, every
link resolves, and the lesson runs as printed, in the repository and copied out.

A number in these documents is either inside a generated block (`<!-- results:NAME -->`),
which lab/report.py writes from figures/results.json and which must equal what the committed
results give, or a setting of the code: a field of an experiment's config (at the paper's
budget or the quick one), a constant the claims use, a seed of a committed run. A result
typed into the prose by hand is neither, and fails `test_no_number_in_the_prose_is_typed_by_hand`.
"""
import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import claims
import evaluation
import isr
import experiments as ex
from experiments import tail_updates
from lab import report
from lab.registry import EXPERIMENTS, FIGURES, LEARNERS

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / path for path in report.DOCUMENTS]
LESSON = ROOT / "examples" / "lesson.py"
# What the README says the lesson needs beside it, to run copied out of the repository.
CORE = ("experiments.py", "env.py", "agents.py", "isr.py", "evaluation.py", "streams.py", "stats.py")


def texts():
    return {path: path.read_text() for path in DOCUMENTS}


def test_every_result_table_is_the_committed_results():
    """Every generated block of README.md and docs/ is what lab/report.py makes of
    figures/results.json (and the seed sets and controls beside it), and so is pooled.json."""
    results, seed_sets = report.load(ROOT / "figures" / "results.json")
    current = texts()
    assert report.update(current, results, seed_sets) == current, "run python -m lab.report"
    assert (ROOT / "figures" / "pooled.json").read_text() == report.pooled_json(results, seed_sets)


def test_an_edited_number_in_a_table_fails_the_check():
    results, seed_sets = report.load(ROOT / "figures" / "results.json")
    current = texts()
    for path, name in ((ROOT / "README.md", "front"), (ROOT / "docs" / "results.md", "fig1 ")):
        text = current[path]
        table = text.split(f"<!-- results:{name}", 1)[1].split("<!-- /results -->", 1)[0]
        number = re.search(r"\d+\.\d+", table).group()
        edited = {**current, path: text.replace(table, table.replace(number, number + "1", 1))}
        assert report.update(edited, results, seed_sets) != edited


def test_report_refuses_blocks_it_cannot_make_and_tables_out_of_place():
    results, seed_sets = report.load(ROOT / "figures" / "results.json")
    current = texts()
    block = lambda name: f"<!-- results:{name} -->\nx\n<!-- /results -->"
    for name, error in (("fig99 isr_hacked", "cannot be made"), ("fig1 no_such_claim", "has no claim no_such_claim"),
                        ("fig6 seeds_hacked/9", "IndexError"),
                        ("fig1@nowhere isr_hacked", "KeyError: 'nowhere'"), ("front", "belongs in one document")):
        with pytest.raises(ValueError, match=error):
            report.update({**current, "extra": block(name)}, results, seed_sets)


def test_the_front_table_signs_each_effect_for_the_isr_and_names_the_arm():
    """+ means the ISR does better: Fig. 4 right's row gives ISR − the authors' frozen learner,
    the pooled frozen_authors − isr with its sign and interval turned; rows for the learners
    hacked, farming and the spread between seed sets."""
    results, seed_sets = report.load(ROOT / "figures" / "results.json")
    table = report.front(results, seed_sets)
    assert "ISR − the other arm (+: the ISR does better)" in table
    row = next(line for line in table.splitlines() if line.startswith("| Fig. 4 right: in new worlds"))
    assert "the authors' frozen learner" in row
    c = next(c for c in report.pooled_over_sets(results, seed_sets)
             if (c["figure"], c["a"], c["b"]) == ("Fig. 4 right", "frozen_authors", "isr"))
    low, high = c["pooled"]["ci95"]
    assert row.split(" | ")[4].startswith(f"{-c['pooled']['diff']:+.3f} [{-high:+.3f}, {-low:+.3f}]")
    firsts = [line.split(" | ")[0] for line in table.splitlines() if line.startswith("| ")]
    assert {"| learners hacked: paid more than 1.25 × what the caregiver would",
            "| learners farming: more than half of R_i paid where R_s = 0",
            "| spread between seed sets (a diagnostic)"} <= set(firsts)


def test_a_claims_table_has_a_row_per_claim_and_a_column_per_seed_set():
    """The one mechanism behind most blocks: the committed run and each seed set side by side,
    a learner's numbers as mean (lowest–highest), a test as its effect, the paper's value
    where it printed one."""
    results, seed_sets = report.load(ROOT / "figures" / "results.json")
    table = report.claims_table("fig4 isr_fraction_of_socialized isr_vs_none_student right/return/isr",
                                results, seed_sets).splitlines()
    assert table[0] == "| `fig4` | paper | 1234-1243 | " + " | ".join(sorted(seed_sets)) + " |"
    kept = np.array(results["fig4"]["isr_fraction_of_socialized"])
    assert table[2].split(" | ")[2] == f"{kept.mean():.3g} ({kept.min():.3g}–{kept.max():.3g})"
    assert table[3].split(" | ")[2] == report.effect(results["fig4"]["isr_vs_none_student"])
    assert table[4].split(" | ")[1] == report.PAPER_FIG4["isr"]
    assert report.cell([[1, 2], [3, 4]], 10) == "1, 2 / 3, 4"
    assert report.cell([[[0.5], [1.0]], [[2.0], [3.0]]], 10) == "[0.5 / 1] [2 / 3]"
    assert report.cell([None, 0.25], 2) == "0.25 (0.25–0.25)"


# ---------------------------------------------------------------------------------------------
# Numbers in the prose

def _numbers_of(value):
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _numbers_of(getattr(value, field.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _numbers_of(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield float(value)


def settings():
    """Every number a document may state without generating it: the configs' fields (paper
    and quick budgets), what follows from them (episodes as updates, data fractions as
    episodes, tail windows), the claims' constants, and the committed seed ranges."""
    configs = [cls() for cls in (e.config for e in EXPERIMENTS.values())]
    configs += [cls() for learners in LEARNERS.values() for cls in learners.values()]
    configs += [c.quick() for c in configs]
    configs += [ex.isr_training(cfg.source.isr, t) for cfg in configs if isinstance(cfg, ex.IncompleteInternalization)
                for t in cfg.isr_training]                            # Fig. 6's three trainings
    allowed = {float(n) for c in configs for n in _numbers_of(c)}
    for cfg in configs:
        source = getattr(cfg, "source", cfg)
        for name in ("data_fractions", "isr_fractions"):
            for f in getattr(cfg, name, ()):
                allowed |= {round(f * getattr(source, "socialization", 0)), round(1 / f)}
        agent = getattr(source, "agent", None)
        if agent is not None:
            per = agent.worlds_per_seed
            for episodes in (getattr(source, "socialization", 0), getattr(cfg, "tail", 0)):
                allowed |= {episodes / per, tail_updates(episodes, per) * per} if episodes else set()
    allowed |= {claims.HACKED_ABOVE, claims.KEEPS_ABOVE, 100 * claims.KEEPS_ABOVE, claims.UNLEARNED_BELOW,
                claims.NO_GAP_BELOW, claims.CLOSE_WITHIN, claims.HELPING_LOST_BELOW,
                *evaluation.RELIABILITY_EDGES, 1 - isr.ODDS_CEILING}
    allowed |= {95, 90, 0.05}                         # intervals (90 %: the equivalence test's), significance
    allowed |= {0, 1, 2, 130}                                         # counting words; exit statuses
    allowed |= {float(f) for f in FIGURES if f.isdigit()}             # the figures' names
    for path in (ROOT / "figures").glob("*/*.json"):                 # the committed seed ranges
        allowed |= {float(n) for n in re.findall(r"\d{4}", path.stem)}
    allowed |= {1234, 1243, 1235}                                     # the default seeds; Fig. 6's single run
    citation = (ROOT / "CITATION.cff").read_text()                    # the paper's year, volume, pages, arXiv id
    allowed |= {float(n) for n in re.findall(r"(?:year|volume|start|end): (\d+)", citation)}
    allowed |= {float(n) for n in re.findall(r"arXiv:(\d+\.\d+)", citation)}
    return {abs(a) for a in allowed}


REFERENCE = re.compile(r"(?:Figs?\.?|Figures?|Eq\.|§)\s*\d+(?:\s*(?:\(\w\)|left|right|-instrument))?"
                       r"(?:\s*(?:,|and|–|-)\s*\d+(?:\s*(?:left|right))?)*")
NUMBER = re.compile(r"(?<![\w.])[−-]?\d[\d,]*(?:\.\d+)?(?:e[−-]?\d+)?[KM]?(?![\w])")


def prose(text):
    """The text a reader reads as prose: without generated blocks, code, links' targets, HTML
    comments and references to figures, equations and sections."""
    text = report.BLOCK.sub("", text)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"https?://\S+", "", text)
    return REFERENCE.sub("", text)


def value(token):
    token = token.replace("−", "-").replace(",", "")
    scale = {"K": 1e3, "M": 1e6}.get(token[-1], 1)
    return float(token.rstrip("KM")) * scale


def typed_numbers(text, allowed):
    """The numbers of `text`'s prose that are not settings of the code."""
    found = []
    for token in NUMBER.findall(prose(text)):
        v = abs(value(token))
        if not any(np.isclose(v, a, rtol=1e-9, atol=1e-12) for a in allowed):
            found.append(token)
    return found


def test_no_number_in_the_prose_is_typed_by_hand():
    allowed = settings()
    stray = {path.name: typed_numbers(text, allowed) for path, text in texts().items()}
    assert not any(stray.values()), f"numbers typed into the prose (generate them or drop them): {stray}"


def test_a_result_typed_into_the_prose_is_found():
    allowed = settings()
    assert typed_numbers("the ISR pays 0.394 on rewarded steps, 106 % of the level", allowed) == ["0.394", "106"]
    assert typed_numbers("6,000 episodes (6K) with 0.2 as threshold; Figs 4 right and 5; Fig. 10", allowed) == []


# ---------------------------------------------------------------------------------------------
# Links and the front door

def anchors(text):
    """GitHub's anchors of a Markdown text's headings."""
    slug = lambda title: re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
    return {slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, flags=re.M)}


def test_every_link_resolves():
    """Every relative link and image of README.md and docs/ names a file that exists, and every
    #anchor a heading of its file."""
    broken = []
    for path, text in texts().items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://")):
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            if not linked.exists():
                broken.append(f"{path.name}: {target}")
            elif anchor and anchor not in anchors(linked.read_text()):
                broken.append(f"{path.name}: {target} (no such heading)")
    assert not broken, broken


def test_the_readme_is_a_front_door_that_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 250
    commands = [line for line in lines[:6] if line.startswith("pip install")]
    assert [c.split("#")[0].split("&&")[1].strip() for c in commands] == ["python figures.py", "python -m pytest"]


# ---------------------------------------------------------------------------------------------
# The lesson

def run_lesson(script, cwd):
    """Run the lesson at the quick budget as a reader would, off-screen: (its printed lines,
    whether it saved its plot)."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(script), "--quick"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines(), (Path(cwd) / "lesson.png").exists()


def lesson_runs():
    """The lesson run from a folder outside the repository, and copied out beside the core
    modules the README names."""
    import tempfile
    with tempfile.TemporaryDirectory() as elsewhere, tempfile.TemporaryDirectory() as copied:
        for name in CORE:
            shutil.copy(ROOT / name, copied)
        shutil.copy(LESSON, copied)
        return run_lesson(LESSON, elsewhere), run_lesson(Path(copied) / "lesson.py", copied)


def per_learner(line):
    """The learners' numbers of a printed line "... [2.1 0.  1.93]" (numpy prints a zero as "0.")."""
    return np.array(line.split("[", 1)[1].split("]", 1)[0].split(), dtype=float)


def test_a_printed_zero_is_read_as_a_learners_number():
    assert per_learner("none   goals per episode at the end: [0.   0.07 1.  ]").tolist() == [0.0, 0.07, 1.0]


@pytest.mark.learning
def test_the_lesson_runs_from_anywhere_and_copied_out():
    """Both runs print the three conditions, the paired test and what the ISR paid, and save
    the plot; every learner without an ISR ends below the same learner with it."""
    for printed, plotted in lesson_runs():
        assert plotted and len(printed) == 7 and printed[-1].endswith("lesson.png")
        goals = {line.split()[0]: per_learner(line) for line in printed[1:4]}
        assert all(len(values) == 3 for values in goals.values()), printed
        assert (goals["isr"] > goals["none"] + 1.0).all() and (goals["none"] < 0.5).all()
        assert printed[4].startswith("isr - none: +")
    readme = (ROOT / "README.md").read_text()
    assert all(f"`{name}`" in readme.split("## The lesson", 1)[1].split("##", 1)[0] for name in CORE)


def test_the_lesson_is_short_plain_and_in_the_figures_colours():
    import ast
    import plots
    text = LESSON.read_text()
    lines = text.splitlines()
    assert len(lines) <= 65 and max(len(line) for line in lines) <= 100
    assert "lambda" not in text and "noqa" not in text
    colors = next(line for line in lines if line.startswith("colors = "))
    assert ast.literal_eval(colors.split("=", 1)[1].strip()) == {c: plots.COLORS[c] for c in ex.CONDITIONS}


NOTEBOOK = """
import sys
lesson, sys.argv = sys.argv[1], ["a notebook's kernel", "--quick"]
namespace = {"__name__": "__main__"}                # a notebook's: no __file__
for cell in open(lesson).read().split("\\n# %%")[1:]:
    exec(compile("# %%" + cell, "cell", "exec"), namespace)
"""


def run_cells(lesson, cwd):
    """Run the lesson's cells ("# %%") in order in one namespace, without __file__, at the
    quick budget, from `cwd`, as a notebook there would: (return code, printed lines, errors)."""
    done = subprocess.run([sys.executable, "-c", NOTEBOOK, str(lesson)], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"}, timeout=600)
    return done.returncode, done.stdout.splitlines(), done.stderr


def test_the_lesson_runs_cell_by_cell_as_a_notebook(tmp_path):
    """As a notebook in a folder with the core modules runs it; a cell that needs __file__
    (a notebook has none) fails."""
    for name in CORE:
        shutil.copy(ROOT / name, tmp_path)
    shutil.copy(LESSON, tmp_path)
    code, printed, err = run_cells(tmp_path / "lesson.py", tmp_path)
    assert code == 0 and len(printed) == 7 and printed[4].startswith("isr - none: "), err
    assert printed[-1] == f"the curves: {tmp_path / 'lesson.png'}"
    assert (tmp_path / "lesson.png").exists()
    needs_file = tmp_path / "needs_file.py"
    needs_file.write_text(LESSON.read_text().replace('if "__file__" in globals() else Path.cwd()', ""))
    code, _, err = run_cells(needs_file, tmp_path)
    assert code != 0 and "NameError: name '__file__' is not defined" in err


def test_the_lesson_takes_the_core_modules_from_the_repository_not_from_a_course_folder(tmp_path):
    """A course folder whose parent holds an unrelated env.py, the repository on PYTHONPATH:
    the lesson's first cell imports the repository's modules."""
    (tmp_path / "env.py").write_text("COURSE = 'an unrelated env.py'\n")
    folder = tmp_path / "week 1"
    folder.mkdir()
    first_cell = LESSON.read_text().split("\n# %%")[1]
    (folder / "first_cell.py").write_text("# %%" + first_cell + "\nprint(ex.__file__, sys.modules['env'].__file__)\n")
    done = subprocess.run([sys.executable, "first_cell.py"], cwd=folder, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(ROOT / "experiments.py"), str(ROOT / "env.py")]


def test_a_run_with_other_timings_makes_the_documents_stale_and_rewrite_mends_them(tmp_path):
    """A paper-scale run into figures/ records its own timings; lab.report.rewrite (which such
    a run calls) finds the tables that quote them stale, and nothing else."""
    for name in ("seed_sets", "controls", "mlp", "quick"):
        shutil.copytree(ROOT / "figures" / name, tmp_path / name)
    shutil.copy(ROOT / "figures" / "pooled.json", tmp_path)
    results = report.load(ROOT / "figures" / "results.json")[0]
    raw = (ROOT / "figures" / "results.json").read_text()
    (tmp_path / "results.json").write_text(raw)
    assert report.rewrite(tmp_path / "results.json", check=True) == []
    seconds = results["timing"]["seconds_total"]
    (tmp_path / "results.json").write_text(raw.replace(f'"seconds_total": {seconds}', f'"seconds_total": {seconds + 60}'))
    stale = report.rewrite(tmp_path / "results.json", check=True)
    assert sorted(path.name for path in stale) == ["README.md", "performance.md"]
