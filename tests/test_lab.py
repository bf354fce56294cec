"""The layers (the paper at the top level, our additions in beyond/, the tooling in lab/) and
the saved outputs a user can trust: no run mixes with another's arrays, --replot checks every
file before it draws, and results.json records each figure's seeds from its own arrays."""
import ast
import dataclasses
import json
import shutil
from pathlib import Path

import pytest

import figures
import prosocial
from lab import cli, outputs, pipeline, registry

ROOT = Path(figures.__file__).resolve().parent
QUICK = ["--quick", "--seeds", "2"]


def imports(path):
    """The top-level package or module names a Python file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_the_top_level_is_the_paper_and_imports_nothing_beneath_it():
    top = sorted(ROOT.glob("*.py"))
    for path in top:
        assert not imports(path) & {"beyond", "lab"}, path.name
    assert "prosocial" not in imports(ROOT / "agents.py")    # the learner does not know the two-agent world
    assert "prosocial" not in imports(ROOT / "experiments.py")   # the lesson copies seven modules, not eight
    ours = {p.stem for p in top}
    assert imports(ROOT / "env.py") & ours == {"streams"}       # the world copies with its streams alone
    assert not imports(ROOT / "streams.py") & ours and not imports(ROOT / "isr.py") & ours
    assert imports(ROOT / "authors.py") & ours == {"agents", "env", "isr"}   # their system builds on ours
    for path in (ROOT / "beyond").glob("*.py"):              # our additions need no tooling
        assert "lab" not in imports(path), path.name


def test_the_paper_s_code_reads_in_lines_of_at_most_100_characters():
    long = [f"{path.name}:{i}" for path in sorted(ROOT.glob("*.py"))
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if len(line) > 100]
    assert not long, long


def test_each_experiment_is_declared_once_with_what_it_continues():
    for name, experiment in registry.EXPERIMENTS.items():
        assert registry.reading(name), name                      # some figure reads it
        assert experiment.continues in (None, *registry.EXPERIMENTS), name
        assert experiment.run.__name__ == name                   # the function beside its config
    for name, figure in registry.FIGURES.items():                # a figure names only experiments that exist
        assert set(figure.reads) <= set(registry.EXPERIMENTS) and registry.needs(name) == tuple(
            e for e in registry.EXPERIMENTS if e in figure.reads), name
    assert figures.figure_4.reads == ("internalization", "generalization")   # named where the figure is
    assert registry.needs("3") == ("internalization", "isr_designs")         # and the panel of ours it is handed


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Figs 1, 2 and 7 at the quick budget on seeds 1234-1235, from the command line, in 2
    processes."""
    out = tmp_path_factory.mktemp("saved")
    assert cli.main(["1", "2", "7"] + QUICK + ["--jobs", "2", "--out", str(out)]) == 0
    return out


def copy(folder, tmp_path):
    for path in folder.iterdir():
        shutil.copy(path, tmp_path)
    return tmp_path


def snapshot(folder):
    """Each file's bytes and inode (a file rewritten atomically, even the same bytes, is a new inode)."""
    return {p.name: (p.read_bytes(), p.stat().st_ino) for p in sorted(folder.iterdir())}


def one_line_error(capsys, *words):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error:"), err
    for word in words:
        assert word in err, err
    return err


def test_a_run_with_other_seeds_or_budget_refuses_an_output_folder_with_other_arrays(saved, tmp_path, capsys):
    out = copy(saved, tmp_path)
    before = snapshot(out)
    for argv in (["1", "--quick", "--seeds", "3"], ["7", "--quick", "--seeds", "1235-1236"],
                 ["1"] + QUICK + ["--set", "internalization.after=600"]):
        assert cli.main(argv + ["--out", str(out)]) == 2
        one_line_error(capsys, f"--out {out} holds arrays of another run", "another folder")
        assert snapshot(out) == before                             # nothing written
    assert cli.main(["7"] + QUICK + ["--out", str(out)]) == 0   # the same run may remake its own


@pytest.mark.parametrize("damage, words", [
    (lambda out: (out / "internalization.npz").write_bytes((out / "internalization.npz").read_bytes()[:5000]),
     ["internalization.npz is damaged"]),
    (lambda out: (out / "helping.npz").write_bytes(b"not a zip file"), ["helping.npz is damaged"]),
    (lambda out: (out / "results.json").write_text("[1, 2]"), ["results.json is damaged"]),
    (lambda out: (out / "results.json").write_text('{"fig1": {"run"'), ["results.json is damaged"]),
    (lambda out: outputs.save_run(out / "helping.npz", {"seeds": [1234, 1235], "env_steps": 0},
                                  outputs.load_meta(out / "helping.npz")),
     ["Fig. 7 cannot be drawn from helping.npz", "make them again"]),
])
def test_replot_checks_every_file_before_it_draws_anything(saved, tmp_path, capsys, damage, words):
    out = copy(saved, tmp_path)
    damage(out)
    before = snapshot(out)
    assert cli.main(["1", "2", "7", "--replot", "--out", str(out)]) == 2
    one_line_error(capsys, *words)
    assert snapshot(out) == before                                 # no figure redrawn, nothing written


def test_replot_records_each_figures_seeds_from_its_own_arrays(saved, tmp_path, capsys):
    out = copy(saved, tmp_path)
    meta = outputs.load_meta(out / "helping.npz")
    run, _ = outputs.load_run(out / "helping.npz")
    outputs.save_run(out / "helping.npz", {**run, "seeds": [7, 8]}, {**meta, "seeds": [7, 8]})
    assert cli.main(["1", "7", "--replot", "--out", str(out)]) == 0
    entries = json.loads((out / "results.json").read_text())
    assert entries["fig1"]["run"]["seeds"] == [1234, 1235] and entries["fig7"]["run"]["seeds"] == [7, 8]
    # A figure whose arrays come from two runs (Fig. 4's two experiments) is refused.
    metas = {"internalization": {"seeds": [1234, 1235, 1236], "quick": False},
             "generalization": {"seeds": list(range(1234, 1244)), "quick": False}}
    with pytest.raises(ValueError, match="come from different runs"):
        pipeline.saved_run_info(metas)
    saved = pipeline.recorded("helping", dataclasses.replace(prosocial.Helping().quick(), after=150), True)
    assert pipeline.saved_run_info({"helping": {"seeds": [7, 8], "quick": True, **saved}}) == {
        "seeds": [7, 8], "quick": True, "settings": {"helping": {"after": 150}}}


def test_the_summary_goes_to_stdout_and_the_progress_to_stderr(saved, tmp_path, capsys):
    out = copy(saved, tmp_path)
    assert cli.main(["1", "7", "--replot", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"wrote {out}/") and "  Fig. 7: with its ISR, helping kept (share of socialized): mean " in captured.out
    assert "Figure 1: writing" in captured.err and "left]" not in captured.err     # no time left on replot
    assert "Fig. 7:" not in captured.err


def test_a_run_redraws_or_removes_every_figure_drawn_from_what_it_remade(saved, tmp_path, capsys):
    """Fig. 8 remakes Fig. 1's learners (it continues them): Fig. 1, not asked for, is redrawn
    from the new arrays, its stale entry replaced; Fig. 3, whose other arrays are not in the
    folder, loses its picture and its entry; Fig. 7 (helping, not remade) is left as it was."""
    out = copy(saved, tmp_path)
    entries = json.loads((out / "results.json").read_text())
    fig1 = {k: v for k, v in entries["fig1"].items() if k != "timing"}
    entries["fig1"] = {"stale": True, "run": fig1["run"]}
    entries["fig3"] = {"stale": True, "run": fig1["run"]}
    (out / "results.json").write_text(json.dumps(entries))
    (out / "fig3.png").write_bytes(b"a picture of arrays no longer here")
    fig7 = (out / "fig7.png").read_bytes()
    assert cli.main(["8"] + QUICK + ["--out", str(out)]) == 0
    assert "; redrew fig1.png (they read arrays this run remade)" in capsys.readouterr().out
    entries = json.loads((out / "results.json").read_text())
    assert {k: v for k, v in entries["fig1"].items() if k != "timing"} == fig1
    assert "fig3" not in entries and not (out / "fig3.png").exists()
    assert (out / "fig7.png").read_bytes() == fig7 and "fig8" in entries


def test_the_figure_folder_default_is_the_repositorys():
    assert cli.FIG_DIR == ROOT / "figures"


def test_a_rerun_picks_up_only_what_the_same_unfinished_run_saved(tmp_path):
    """pipeline.pick_up: the experiments an unfinished run of the same seeds, budget, settings
    (tuples included) and code saved, and nothing for another run."""
    from types import SimpleNamespace
    args = SimpleNamespace(out=tmp_path, seeds=(1, 2), quick=True, learner="linear",
                           settings={"generalization": {"layouts": ("plus", "x")}})
    (tmp_path / "generalization.npz").write_bytes(b"")
    cost = {"experiment": "generalization", "seconds": 1.0, "env_steps": 5}
    outputs.write_json(tmp_path / pipeline.UNFINISHED,
                       {"run": pipeline._this_run(args), "saved": {"generalization": cost}})
    assert pipeline.pick_up(args, ["generalization"]) == {"generalization": cost}
    assert pipeline.pick_up(SimpleNamespace(**{**vars(args), "seeds": (1, 3)}), ["generalization"]) == {}
    assert pipeline.pick_up(args, ["thresholds"]) == {}          # its follower was not saved

