"""Every experiment setting on the command line: `--set EXPERIMENT.FIELD=VALUE`, read by the
type of the field's default, listed by `--settings`, recorded with the arrays (lab/cli.py)."""
import json
from dataclasses import asdict

import matplotlib.pyplot as plt
import pytest

import experiments as ex
import prosocial
from lab import cli, outputs, pipeline, registry


def test_every_field_of_every_config_is_listed_with_its_default_and_meaning(capsys):
    """A line per setting: its default (floats short) and the comment that documents it in its
    dataclass, continuation lines joined; each experiment's heading its docstring's first paragraph."""
    assert cli.main(["--settings"]) == 0
    listing = capsys.readouterr().out
    for name, experiment in registry.EXPERIMENTS.items():
        own = listing.split(f"\n{name}:")[-1]
        for path, default, _ in cli.settable_fields(experiment.config):
            assert f"\n  {path} = {cli._shown(default)}  # " in "\n" + own, (name, path)
    for line in ("  reruns = 2  # independent runs of the further learning",
                 "  agent.lr = 0.1  # Adam step size", "  isr.updates = 1000  # updates whatever the data size",
                 "  old_training.zero_output = False  # start the output layer at 0",
                 "  world.layout_pool = 8192  # random layouts (blocks and goal) drawn once per world, among which "
                 "each reset picks one (the agent's cell and heading fresh)"):
        assert line in listing, line
    assert "  isr_fractions = 0.0833333,0.166667" in listing and "  source." not in listing
    assert "(rows) and trained for less long (columns).\n" in listing      # Fig. 6's whole first paragraph


def test_set_changes_nested_fields_by_the_types_of_their_defaults():
    changed = cli.parse_settings(["generalization.reruns=3", "helping.agent.lr=0.2",
                                  "internalization.isr_threshold=none", "internalization.isr.hidden=16,16",
                                  "internalization.isr.calibrate=false", "generalization.layouts=plus,4 rooms"])
    assert changed == {"generalization": {"reruns": 3, "layouts": ("plus", "4 rooms")},
                       "helping": {"agent.lr": 0.2},
                       "internalization": {"isr_threshold": None, "isr.hidden": (16, 16), "isr.calibrate": False}}
    cfg = pipeline.apply_settings(ex.Internalization(), changed["internalization"])
    assert cfg.isr.hidden == (16, 16) and cfg.isr.calibrate is False and cfg.isr.updates == 1000
    assert pipeline.apply_settings(prosocial.Helping(), changed["helping"]).agent.lr == 0.2
    saved = pipeline.recorded("internalization", cfg, False)           # read back from the saved config
    assert pipeline.recorded("helping", prosocial.Helping().quick(), True) == {}   # default: no record
    assert ex.Internalization().isr_threshold is None                   # a default set is no change
    assert pipeline.settings_of("internalization", {"quick": False, **saved}) == {
        "isr.hidden": [16, 16], "isr.calibrate": False}


def test_continuing_experiments_take_internalizations_settings():
    changed = {"internalization": {"socialization": 900}, "incomplete_internalization": {"after": 300}}
    cfg = pipeline.experiment_config("incomplete_internalization", True, changed)
    assert cfg.source.socialization == 900 and cfg.after == 300
    assert cfg.source.after == ex.Internalization().quick().after
    assert pipeline.experiment_config("feature_sets", False, changed).source.socialization == 900
    assert pipeline.experiment_config("thresholds", False, {"generalization": {"new_world_episodes": 300}}
                                      ).source.new_world_episodes == 300


def test_a_setting_is_recorded_with_the_arrays_and_in_results(tmp_path):
    argv = ["7", "--quick", "--seeds", "2", "--set", "helping.after=150", "--out", str(tmp_path)]
    assert cli.main(argv) == 0
    meta = outputs.load_meta(tmp_path / "helping.npz")                  # the config, saved whole
    assert meta["config"] == {**json.loads(json.dumps(asdict(prosocial.Helping().quick()))), "after": 150}
    entry = json.loads((tmp_path / "results.json").read_text())["fig7"]
    assert entry["run"]["settings"] == {"helping": {"after": 150}}
    top = plt.imread(tmp_path / "fig7.png")[:25, :, :3]                 # "SETTINGS CHANGED: helping.after=150"
    assert ((top[..., 0] > 0.9) & (abs(top[..., 1] - 0.5) < 0.15) & (top[..., 2] < 0.3)).sum() > 100
    assert cli.main(["7", "--replot", "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "results.json").read_text())["fig7"]["run"] == entry["run"]
    for other in ([], ["--set", "helping.after=200"]):                   # its folder holds this run alone
        assert cli.main(argv[:4] + other + argv[-2:]) == 2


@pytest.mark.parametrize("item, message", [
    ("generalization.reruns=x", "expected int"), ("internalization.isr.calibrate=maybe", "expected true or false"),
    ("generalization.no_such_setting=1", "has no setting 'no_such_setting'"), ("nobody.reruns=1", "no experiment"),
    ("generalization.reruns", "takes EXPERIMENT.FIELD=VALUE"), ("thresholds.source.after=1", "has no setting"),
    ("internalization.learner=mlp", "has no setting 'learner'")])
def test_bad_settings_are_one_line_errors(item, message, capsys):
    assert cli.main(["--set", item]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error:") and message in err, err
    with pytest.raises(ValueError, match="no setting"):
        pipeline.apply_settings(ex.Generalization(), {"agent.nonsense": 1})


@pytest.mark.parametrize("item, valid", [
    ("generalization.reruns=0", "a positive whole number"),
    ("generalization.layouts=foo", "some of plus, x, U, T, 4 rooms"),
    ("internalization.world.n_blocks=100", "the world has 25 free cells"),
    ("internalization.socialization=45", "multiple of the learner's worlds_per_seed (30)"),
    ("factorial.ppo.worlds_per_seed=70", "multiple of the learner's worlds_per_seed (70)")])
def test_a_setting_the_experiment_cannot_run_fails_before_any_learning(item, valid, tmp_path, capsys, monkeypatch):
    """One line naming the --set and what is valid; no experiment starts, no folder is made."""
    monkeypatch.setattr(pipeline, "run_figures", lambda args: pytest.fail("the run started"))
    figure = "12" if item.startswith("factorial") else "4"
    assert cli.main([figure, "--set", item, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: --set {item}: ") and valid in err, err
    assert not (tmp_path / "out").exists()


def test_help_fits_on_one_screen(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    text = capsys.readouterr().out
    assert len(text.splitlines()) <= 40
    for flag in ("--quick", "--seeds", "--out", "--replot", "--learner", "--set", "--settings"):
        assert flag in text
    import claims                                    # what --quick shows, as docs/usage.md says it
    assert " ".join(registry.QUICK_SHOWS.split()) in " ".join(text.split())


@pytest.mark.parametrize("argv, message", [
    (["1", "--set", "helping.socialization=10"], "Fig. 1 does not run helping"),
    (["9", "--set", "helping.after=60"], "does not run helping"),
    (["--set", "internalization.socialisation=10"], "did you mean socialization?"),
    (["--set", "internalizaton.after=10"], "did you mean internalization?")])
def test_a_setting_the_run_does_not_read_or_a_misspelt_one_is_an_error(argv, message, capsys):
    assert cli.main(argv + ["--quick"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert cli.parse_args(["9", "--quick", "--set", "internalization.after=60"]).settings   # Fig. 9 c's source


def test_settings_with_quick_lists_the_quick_values(capsys):
    assert cli.main(["--settings", "--quick"]) == 0
    quick = capsys.readouterr().out
    assert f"  socialization = {ex.Internalization().quick().socialization}" in quick
    assert cli.main(["--settings"]) == 0
    assert f"  socialization = {ex.Internalization().socialization}" in capsys.readouterr().out
