"""Every experiment setting on the command line: flags made from the config dataclasses."""
import argparse

import pytest

import experiments as ex
import figures
import settings


def parser_with_flags():
    parser = argparse.ArgumentParser()
    settings.add_flags(parser, dict(figures.CONFIGS))
    return parser


def test_every_field_of_every_config_is_a_flag_with_its_comment_as_help():
    text = parser_with_flags().format_help()
    for flag in ("--generalization.reruns", "--generalization.test_layouts", "--helping.agent.lr",
                 "--internalization.isr.updates", "--incomplete_internalization.data_fractions",
                 "--isr_designs.old_training.zero_output", "--generalization.new_world.n_blocks"):
        assert flag in text
    assert "independent runs of the further learning (default: 2)" in " ".join(text.split())
    assert "--incomplete_internalization.source" not in text       # it follows internalization's


def test_flags_set_nested_fields_by_the_types_of_their_defaults():
    args = parser_with_flags().parse_args(
        ["--generalization.reruns", "3", "--helping.agent.lr", "0.2", "--internalization.isr_threshold", "none",
         "--internalization.isr.hidden", "16", "16", "--internalization.isr.calibrate", "false"])
    changed = settings.changes(args)
    assert changed == {"generalization": {"reruns": 3}, "helping": {"agent.lr": 0.2},
                       "internalization": {"isr_threshold": None, "isr.hidden": (16, 16), "isr.calibrate": False}}
    cfg = settings.apply(ex.Internalization(), changed["internalization"])
    assert cfg.isr.hidden == (16, 16) and cfg.isr.calibrate is False and cfg.isr.updates == 1000
    assert settings.apply(ex.Helping(), changed["helping"]).agent.lr == 0.2


def test_continuing_experiments_take_internalizations_settings():
    changed = {"internalization": {"socialization": 900}, "incomplete_internalization": {"after": 300}}
    cfg = figures.experiment_config("incomplete_internalization", True, changed)
    assert cfg.source.socialization == 900 and cfg.after == 300
    assert cfg.source.after == ex.Internalization().quick().after
    assert figures.experiment_config("feature_sets", False, changed).source.socialization == 900
    assert figures.experiment_config("thresholds", False, {"generalization": {"new_world_episodes": 300}}
                                     ).source.new_world_episodes == 300


def test_bad_settings_are_one_line_errors(capsys):
    for argv in (["--generalization.reruns", "x"], ["--internalization.isr.calibrate", "maybe"],
                 ["--generalization.no_such_setting", "1"]):
        assert figures.main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("error:"), err
    with pytest.raises(ValueError, match="no setting"):
        settings.apply(ex.Generalization(), {"agent.nonsense": 1})
