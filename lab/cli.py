"""lab/cli.py — the command line of `python figures.py`.

    python figures.py [FIG ...] [--quick] [--seeds N|A-B] [--out DIR] [--replot] [--jobs N]
                      [--learner linear|mlp] [--set EXPERIMENT.FIELD=VALUE ...] [--settings]

Every field of every experiment's config dataclass can be set with `--set`, nested configs
with dots (`--set helping.agent.lr=0.2`, `--set generalization.isr.hidden=16,16`); the value
is read by the type of the field's default (numbers, text, true/false, none where the field
may be None, comma-separated values for a tuple). `--settings` lists every field with its
default. An experiment that continues another's learners takes that one's settings as its
`source` (lab/registry.py), so the two cannot disagree.

Public names: main, parse_args, parse_seeds, parse_settings, settable_fields.
"""
import argparse
import dataclasses
import difflib
import inspect
import os
import sys
import time
import typing
from pathlib import Path

from lab import outputs, pipeline
from lab.registry import EXPERIMENTS, FIGURES, LEARNERS, PAPER_FIGURES, QUICK_SHOWS, needs, with_sources

FIG_DIR = Path(__file__).resolve().parent.parent / "figures"
FIRST_SEED = 1234                       # the authors' seeds are 1234–1243
SEEDS = 10                              # learners per condition, as the paper
QUICK_SEEDS = 5                         # learners per condition with --quick
SKIPPED = ("source",)                   # set through the source experiment's own fields


def main(argv=None):
    """`python figures.py --help`. Returns the exit status; errors are one line on stderr, and
    Ctrl-C is one line and exit status 130, every worker process ended and no temporary file
    left (a worker stopped or killed mid-write leaves one, removed here)."""
    begun, args = time.time(), None
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        if args.list_settings:
            print(settings_listing(args.quick))
            return 0
        return pipeline.run_figures(args)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _remove_temporary_files(args)
        print(f"interrupted: {written_since(args.out if args else None, begun)}", file=sys.stderr)
        return 130
    finally:
        _remove_temporary_files(args)


def _remove_temporary_files(args):
    if args is not None and args.out.is_dir():
        outputs.remove_temporary_files(args.out)


def written_since(folder, begun):
    """What an interrupted run left: the files it wrote in `folder` since `begun`, each whole
    (every file is written to a temporary name and moved into place), or that it wrote none."""
    written = sorted(p.name for p in Path(folder).glob("*") if p.is_file() and p.stat().st_mtime >= begun) \
        if folder is not None and Path(folder).is_dir() else []
    if not written:
        return f"nothing was written{f' to {folder}' if folder is not None else ''}"
    return f"{folder}/ holds what this run finished: {', '.join(written)}"


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as one-line ValueErrors (main prints them)."""

    def error(self, message):
        raise ValueError(message)


def default_figures(quick):
    """The figures a run without figure numbers makes: all but those on request, or with
    --quick the paper's own (Figs 8 and 9 on request), to keep the quick run short."""
    return list(PAPER_FIGURES) if quick else [n for n, f in FIGURES.items() if not f.on_request]


def parse_args(argv):
    every = [n for n, f in FIGURES.items() if not f.on_request]
    optional = [n for n, f in FIGURES.items() if f.on_request]
    parser = _Parser(prog="python figures.py", description="Regenerate the figures of Rong & Kleiman-Weiner "
                     "(2024), Value Internalization, and ours.")
    parser.add_argument("figures", nargs="*", metavar="FIG",
                        help=f"figures to make: {' '.join(every)}, or {' '.join(optional)} (default: all of "
                             f"{' '.join(every)}; with --quick {' '.join(PAPER_FIGURES)})")
    parser.add_argument("--quick", action="store_true",
                        help=f"a small budget (its time: README) that shows {QUICK_SHOWS}")
    parser.add_argument("--seeds", default=None, metavar="N|A-B",
                        help=f"N learners from seed {FIRST_SEED} on (default {SEEDS}, {QUICK_SEEDS} with "
                             "--quick), or the seeds A to B, e.g. 2000-2009")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="output folder (default figures/, figures/quick/ with --quick)")
    parser.add_argument("--replot", action="store_true",
                        help="redraw from the arrays saved in the output folder, without learning")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help=f"experiments run in up to N processes at once (default: the cores, {os.cpu_count()})")
    parser.add_argument("--learner", choices=("linear", "mlp"), default="linear",
                        help="Figs 1 and 4 left's learner: linear in hand-made features (default), or an MLP "
                             "on the raw view (output in figures/mlp/)")
    parser.add_argument("--set", action="append", default=[], metavar="EXPERIMENT.FIELD=VALUE",
                        help="change one experiment setting, e.g. --set generalization.reruns=1 (repeatable)")
    parser.add_argument("--settings", dest="list_settings", action="store_true",
                        help="list every experiment setting with its default, and exit")
    args = parser.parse_args(argv)
    args.settings = parse_settings(args.set)
    if args.jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {args.jobs}")
    unknown = [f for f in args.figures if f not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure {' '.join(unknown)}; choose from {' '.join(FIGURES)}")
    args.full_run = not args.figures
    args.figures = args.figures or default_figures(args.quick)
    if args.learner != "linear":                # the learner's config class (registry.LEARNERS)
        if set(args.figures) - {"1", "4"}:
            raise ValueError("the MLP learner runs Figs 1 and 4 only (name them: python figures.py 1 4 --learner mlp)")
        if args.out is None:
            args.out = FIG_DIR / ("quick/mlp" if args.quick else "mlp")
    read = settings_read(args.figures)
    unused = sorted(set(args.settings) - read)
    if unused and not args.list_settings:
        raise ValueError(f"--set {unused[0]}.…: Fig. {', '.join(args.figures)} does not run {unused[0]} "
                         f"(it runs {', '.join(sorted(read)) or 'no experiment'})")
    args.configs = {} if args.list_settings else {      # each experiment's config, built once and
        name: checked_config(name, args.quick, args.settings, args.learner)   # checked before any
        for name in sorted(read)}                                # learning (an error names its --set)
    args.seeds = parse_seeds(args.seeds or str(QUICK_SEEDS if args.quick else SEEDS))
    if args.out is None:
        args.out = FIG_DIR / "quick" if args.quick else FIG_DIR
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out {args.out} exists and is not a folder")
    return args


def checked_config(name, quick, settings, learner="linear"):
    """The config experiment `name` runs with (pipeline.experiment_config), or a one-line
    ValueError if it cannot run: each --set alone first (the error names it), then all of
    them together (cfg.check())."""
    changed = settings.get(name, {})
    for path, value in changed.items():
        try:
            _check(pipeline.experiment_config(name, quick, {**settings, name: {path: value}}, learner))
        except ValueError as err:
            raise ValueError(f"--set {name}.{path}={_shown(value)}: {err}") from None
    try:
        cfg = pipeline.experiment_config(name, quick, settings, learner)
        _check(cfg)
    except ValueError as err:
        items = " ".join(f"--set {name}.{p}={_shown(v)}" for p, v in changed.items())
        raise ValueError(f"{items or name}: {err}") from None
    return cfg


def _check(cfg):
    """cfg.check(), or its source's for a config that continues another experiment's."""
    for config in (cfg, getattr(cfg, "source", None)):
        if hasattr(config, "check"):
            return config.check()


def settings_read(figures):
    """The experiments whose settings the figures' run reads: those it runs (with the ones
    whose learners they continue) and those whose settings they take as their source."""
    names = {e for name in figures for e in needs(name)}
    read = set(with_sources(sorted(names)))
    read |= {EXPERIMENTS[e].source_experiment for e in read} - {None}
    return read


def parse_seeds(text):
    """'N' → the N seeds from 1234 on; 'A-B' → A, A+1, …, B. At least two (the t-tests)."""
    first, _, last = text.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        raise ValueError(f"--seeds takes a count N or a range A-B of non-negative integers, got {text!r}")
    seeds = tuple(range(int(first), int(last) + 1)) if last else tuple(range(FIRST_SEED, FIRST_SEED + int(first)))
    if len(seeds) < 2:
        raise ValueError(f"--seeds must give at least 2 seeds (the t-tests need two per group), got {text!r}")
    return seeds


# ---------------------------------------------------------------------------------------------
# --set and --settings

def settable_fields(cfg, prefix="", meanings=False):
    """(dotted path, default, annotation) of every field of a config (a class or an instance)
    that --set can change, nested configs flattened (a `source` follows its own experiment);
    with `meanings`, each with the comment that documents it in its dataclass, on one line."""
    cfg = cfg() if isinstance(cfg, type) else cfg
    hints = typing.get_type_hints(type(cfg))
    comments = field_comments(type(cfg)) if meanings else {}
    for field in dataclasses.fields(cfg):
        if field.name in SKIPPED:
            continue
        default = getattr(cfg, field.name)
        if dataclasses.is_dataclass(default):
            yield from settable_fields(default, f"{prefix}{field.name}.", meanings)
        else:
            yield (f"{prefix}{field.name}", default, hints[field.name]) + ((comments.get(field.name, ""),)
                                                                            if meanings else ())


def field_comments(cls):
    """{field: its comment in the class's source, continuation lines joined}."""
    comments, last = {}, None
    for line in inspect.getsource(cls).splitlines():
        code, _, comment = line.partition("#")
        name = code.strip().split(":")[0] if ":" in code and "=" in code else ""
        if name.isidentifier():
            comments[name], last = comment.strip(), name
        elif last and comment:                             # the field's statement or comment goes on
            comments[last] = f"{comments[last]} {comment.strip()}".strip()
        else:
            last = None
    return comments


def parse_settings(items):
    """{experiment: {dotted field: value}} from --set's EXPERIMENT.FIELD=VALUE items."""
    out = {}
    for item in items:
        key, sep, text = item.partition("=")
        experiment, _, path = key.partition(".")
        if not sep or not path:
            raise ValueError(f"--set takes EXPERIMENT.FIELD=VALUE, got {item!r}")
        if experiment not in EXPERIMENTS:
            hint = _near(experiment, EXPERIMENTS, 1)
            raise ValueError(f"--set {key}: no experiment {experiment!r}; {f'did you mean {hint}? ' if hint else ''}"
                             f"choose from {', '.join(EXPERIMENTS)}")
        fields = {p: (default, annotation) for p, default, annotation in settable_fields(EXPERIMENTS[experiment].config)}
        if path not in fields:
            hint = _near(path, fields, 3)
            raise ValueError(f"--set {key}: {experiment} has no setting {path!r}"
                             + (f"; did you mean {hint}?" if hint else " (python figures.py --settings)"))
        try:
            out.setdefault(experiment, {})[path] = _read(text, *fields[path])
        except ValueError as err:
            raise ValueError(f"--set {item}: {err}") from None
    return out


def _near(word, choices, n):
    """The `n` closest of `choices` to a misspelt `word`, joined by "or" ("" if none is close)."""
    return " or ".join(difflib.get_close_matches(word, list(choices), n=n))


def _read(text, default, annotation):
    """A value of the field's type from text: a tuple's elements comma-separated."""
    if isinstance(default, tuple):
        element = type(default[0]) if default else str
        return tuple(_scalar(part.strip(), element, False) for part in text.split(","))
    optional = type(None) in typing.get_args(annotation)
    kind = type(default)
    if default is None:
        kind = next((a for a in typing.get_args(annotation) if a is not type(None)), str)
    return _scalar(text, kind, optional)


def _scalar(text, kind, optional):
    if optional and text.lower() == "none":
        return None
    if kind is bool:
        if text.lower() not in ("true", "false"):
            raise ValueError(f"expected true or false, got {text!r}")
        return text.lower() == "true"
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"expected {kind.__name__}{' or none' if optional else ''}, got {text!r}") from None


def settings_listing(quick=False):
    """Every experiment's settings with their defaults (the --settings text), at the quick
    budget's values with `quick`. Each field is documented beside it in its config
    dataclass, named in the heading."""
    lines = []
    for name, experiment in EXPERIMENTS.items():
        cls = experiment.config
        doc = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())     # its first paragraph
        lines.append(f"{name}: {cls.__module__}.{cls.__name__} — {doc}" + (" (--quick values)" if quick else ""))
        if experiment.source_experiment:
            lines.append(f"  source: {experiment.source_experiment}'s settings")
        cfg = cls().quick() if quick else cls()
        lines += [f"  {path} = {_shown(default)}" + (f"  # {meaning}" if meaning else "")
                  for path, default, _, meaning in settable_fields(cfg, meanings=True)]
    for name, learners in LEARNERS.items():
        lines.append(f"{name}'s learner: linear, or with --learner {', '.join(learners)}")
    return "\n".join(lines)


def _shown(default):
    """A setting's value as --set takes it: a tuple comma-separated, a float in 6 digits."""
    if isinstance(default, tuple):
        return ",".join(_shown(v) for v in default)
    return f"{default:.6g}" if isinstance(default, float) else str(default)
