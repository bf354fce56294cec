"""lab/pipeline.py — run the experiments the asked-for figures need, save their arrays, draw.

Each experiment runs at most once per invocation; its arrays are saved to
<out>/<experiment>.npz and the figures are drawn from what was saved, so `--replot` (no
learning) draws the same pictures. results.json gets, per figure, its claims, the run its
arrays came from (seeds, budget, settings) and what it cost. An output folder holds one run:
a run whose seeds, budget or settings differ from the arrays already there is refused, and
`--replot` checks every file it will read before it draws anything.

Progress goes to standard error, the end-of-run summary to standard output.

Public names: log, Progress, experiment_config, run_experiment, load, check_folder,
read_results, saved_run_info, run_figures, time_left.
"""
import dataclasses
import json
import shutil
import sys
import time
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

import env
import experiments as ex
from lab import outputs
from lab.registry import EXPERIMENTS, FIGURES, LEARNERS, file_name, needs

QUICK_LABEL = "QUICK BUDGET: fewer learners and episodes, not the paper's scale"


def log(msg):
    """A line of the run's report on stderr (it first clears a live progress line)."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    print(msg, file=sys.stderr, flush=True)


class Progress:
    """The stage now running, with the time spent and the time left, on stderr: in a terminal
    one line that each stage rewrites, otherwise one plain line per stage. Time left is the
    last run's time for the figures still to make (results.json), less what this figure has
    spent so far; 0 shows none."""

    def __init__(self):
        self.start = self.figure_start = time.perf_counter()
        self.figure, self.left = "", 0.0

    def begin(self, figure, left):
        """A new figure starts; `left` seconds were spent last time on it and the rest."""
        self.figure, self.left, self.figure_start = figure, left, time.perf_counter()

    def __call__(self, stage):
        now = time.perf_counter()
        left = self.left - (now - self.figure_start)
        text = (f"[{now - self.start:.0f} s" + (f", about {left:.0f} s left" if left >= 1 else "")
                + f"] Figure {self.figure}: {stage.strip()}")
        if sys.stderr.isatty():
            width = shutil.get_terminal_size().columns
            sys.stderr.write("\r\033[K" + text[:max(width - 1, 20)])
            sys.stderr.flush()
        else:
            print(text, file=sys.stderr, flush=True)


def time_left(results, remaining):
    """Seconds the figures `remaining` took last time, from results.json's timings (0 if unknown)."""
    return sum((results.get(f"fig{n}", {}).get("timing") or {}).get("seconds", 0.0) for n in remaining)


# ---------------------------------------------------------------------------------------------
# Running an experiment

def experiment_config(name, quick, changed):
    """The config an experiment runs with: its defaults (or another learner's, `learner` in
    its settings: registry.LEARNERS), the quick budget if asked, then the command line's
    settings {experiment: {dotted field: value}}; an experiment with a source
    (Experiment.source_experiment) takes that experiment's config as its `source`."""
    settings = dict(changed.get(name, {}))
    learner = settings.pop("learner", "linear")
    cls = EXPERIMENTS[name].config if learner == "linear" else LEARNERS.get(name, {}).get(learner)
    if cls is None:
        raise ValueError(f"{name} has no learner {learner!r}; choose linear "
                         + " ".join(LEARNERS.get(name, {})))
    cfg = cls().quick() if quick else cls()
    cfg = apply_settings(cfg, settings)
    source = EXPERIMENTS[name].source_experiment
    return dataclasses.replace(cfg, source=experiment_config(source, quick, changed)) if source else cfg


def apply_settings(cfg, changed):
    """The config with the dotted fields of `changed` {path: value} replaced (nested with
    dataclasses.replace); a ValueError names a field it does not have."""
    for path, value in changed.items():
        cfg = _replace(cfg, path.split("."), value)
    return cfg


def _replace(cfg, names, value):
    if not dataclasses.is_dataclass(cfg) or names[0] not in {f.name for f in dataclasses.fields(cfg)}:
        raise ValueError(f"{type(cfg).__name__} has no setting {'.'.join(names)}")
    if len(names) == 1:
        return dataclasses.replace(cfg, **{names[0]: value})
    return dataclasses.replace(cfg, **{names[0]: _replace(getattr(cfg, names[0]), names[1:], value)})


def run_experiment(name, seeds, quick, out_dir, runs, socialized, report=log, changed=None):
    """Run one experiment, save its arrays to out_dir/<name>.npz, and put them, as loaded
    back, into `runs`. An experiment that continues another's learners (kept in `socialized`)
    runs that one first if needed. Returns what it cost: [{experiment, seconds, env_steps}, ...]."""
    changed, spent = changed or {}, []
    source = EXPERIMENTS[name].continues
    if source and source not in socialized:
        spent += run_experiment(source, seeds, quick, out_dir, runs, socialized, report, changed)
    cfg = experiment_config(name, quick, changed)
    start = time.perf_counter()
    run = EXPERIMENTS[name].run
    arrays = run(cfg, seeds, socialized[source], report) if source else run(cfg, seeds, report)
    if isinstance(arrays, tuple):                # (arrays, the learners later experiments continue)
        arrays, socialized[name] = arrays
    cost = {"experiment": name, "seconds": round(time.perf_counter() - start, 2), "env_steps": int(arrays["env_steps"])}
    path = Path(out_dir) / f"{name}.npz"
    meta = {"experiment": name, "seeds": list(seeds), "quick": quick, "env_steps": cost["env_steps"]}
    if changed.get(name):                        # only when set, so default runs' files stay as they were
        meta["settings"] = changed[name]
    outputs.save_run(path, arrays, meta)
    runs[name] = load(path)
    return spent + [cost]


# ---------------------------------------------------------------------------------------------
# Saved outputs: what a folder holds, checked before it is used

def load(path):
    """A saved run's arrays, with its `quick` flag from the meta (so figures can say so); a
    damaged or unreadable file is a ValueError naming it."""
    try:
        run, meta = outputs.load_run(path)
        seeds, quick = list(meta["seeds"]), bool(meta["quick"])
    except Exception as err:                     # zip, zlib, numpy and JSON all raise their own
        raise ValueError(f"{path} is damaged or not a saved run ({type(err).__name__}: {err}); "
                         "make it again without --replot") from None
    if "seeds" in run and run["seeds"].tolist() != seeds:
        raise ValueError(f"{path} is damaged: its arrays' seeds disagree with its meta")
    return {**run, "quick": quick}


def _signature(meta):
    """(seeds, quick, settings) of a saved run's meta."""
    return list(meta["seeds"]), bool(meta["quick"]), meta.get("settings") or {}


def _describe(seeds, quick, settings=None):
    seeds = list(seeds)
    text = (f"seeds {seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else f"seeds {seeds}")
    text += " at the quick budget" if quick else " at paper scale"
    return text + (f" with settings {settings}" if settings else "")


def check_folder(out_dir, seeds, quick, changed):
    """A ValueError naming --out if out_dir holds arrays of another run (other seeds, budget
    or settings) than this one, which would mix with them."""
    for path in sorted(Path(out_dir).glob("*.npz")):
        if path.stem not in EXPERIMENTS:
            continue
        try:
            saved = _signature(outputs.load_meta(path))
        except Exception as err:
            raise ValueError(f"{path} is damaged ({type(err).__name__}: {err}); remove it or use "
                             "another folder (--out DIR)") from None
        wanted = (list(seeds), bool(quick), changed.get(path.stem) or {})
        if saved != wanted:
            raise ValueError(f"--out {out_dir} holds arrays of another run ({path.name}: {_describe(*saved)}); "
                             f"this run has {_describe(*wanted)}: write it to another folder (--out DIR)")


def read_results(path):
    """results.json as a dict {figN: entry, timing: ...} ({} if there is none yet); a damaged
    file is a ValueError naming it."""
    if not path.exists():
        return {}
    try:
        results = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path} is damaged ({err}); remove it and run again") from None
    if not isinstance(results, dict) or not all(isinstance(v, dict) for v in results.values()):
        raise ValueError(f"{path} is damaged: it should map each figure to an object")
    return results


def saved_run_info(metas, previous=None):
    """{seeds, quick[, settings]} of a figure from the metas {experiment: meta} of its own saved
    arrays (`previous` for a figure without arrays); a ValueError if they come from different
    seeds or budgets."""
    if not metas:
        return previous
    (first, meta), *others = metas.items()
    for name, other in others:
        if _signature(other)[:2] != _signature(meta)[:2]:
            raise ValueError(f"the arrays of {first} ({_describe(*_signature(meta)[:2])}) and {name} "
                             f"({_describe(*_signature(other)[:2])}) come from different runs; make them again together")
    info = {"seeds": list(meta["seeds"]), "quick": bool(meta["quick"])}
    settings = {name: m["settings"] for name, m in metas.items() if m.get("settings")}
    return {**info, "settings": settings} if settings else info


# ---------------------------------------------------------------------------------------------
# Drawing and the whole run

def save_picture(picture, runs, path):
    """Write a figure (a matplotlib figure, or a writer(path) for a GIF) atomically; a figure
    drawn from quick-budget arrays says so across its foot."""
    if callable(picture) and not isinstance(picture, matplotlib.figure.Figure):
        outputs.save_file(path, picture)
        return
    if any(run.get("quick", False) for run in runs.values()):
        picture.text(0.5, 0.003, QUICK_LABEL, ha="center", va="bottom", color="tab:red", fontsize=9, weight="bold")
    outputs.save_figure(picture, path)
    plt.close(picture)


def run_figures(args):
    """Make the figures args.figures (learning, or with args.replot from the saved arrays) into
    args.out, with results.json; print the summary. Returns the exit status."""
    matplotlib.use("Agg")                        # the command line draws off-screen
    if args.replot:
        _check_saved(args.figures, args.out)     # before the folder is made
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"cannot make the output folder {args.out}: {err.strerror or err}") from None
    results_path = args.out / "results.json"
    results = read_results(results_path)
    names = args.figures
    if args.replot:
        drawn = _replot(names, args.out, results)
    else:
        _check_scale(results, results_path, args.quick)
        check_folder(args.out, args.seeds, args.quick, args.settings)
        drawn = _learn_and_draw(names, args, results, results_path)
    if not args.replot and args.full_run:        # the top-level timing is the full run's
        n_worlds = len(args.seeds) * ex.Internalization().agent.worlds_per_seed
        results["timing"] = {"seconds_total": round(time.perf_counter() - drawn["start"], 2),
                             "peak_memory_mb": outputs.peak_memory_mb(), "figures": names,
                             "bare_world_steps_per_second": {
                                 f"{n} worlds": env.steps_per_second(n) for n in (n_worlds, 3 * n_worlds)}}
        outputs.write_json(results_path, results)
    print(f"wrote {args.out}/: " + ", ".join(file_name(n) for n in names) + ", results.json"
          + "".join(f", {e}.npz" for e in drawn["learned"]))
    for name in names:
        print(f"  Fig. {name}: {FIGURES[name].headline(name, results[f'fig{name}'])}")
    return 0


def _check_scale(results, results_path, quick):
    scales = {entry.get("run", {}).get("quick") for key, entry in results.items() if key != "timing"} - {None}
    if scales - {quick}:
        this, other = ("quick", "paper-scale") if quick else ("paper-scale", "quick")
        raise ValueError(f"{results_path} holds {other} results; write {this} runs to another folder (--out)")


def _learn_and_draw(names, args, results, results_path):
    """Each figure in turn: run the experiments it needs (each once), draw it, save it, and
    write results.json after it (never stale)."""
    runs, socialized, start, report = {}, {}, time.perf_counter(), Progress()
    for i, name in enumerate(names):
        report.begin(name, time_left(results, names[i:]))
        report("starting")
        begin, spent = time.perf_counter(), []
        for experiment in (e for e in needs(name) if e not in runs):
            spent += run_experiment(experiment, args.seeds, args.quick, args.out, runs, socialized, report,
                                    args.settings)
        picture, entry = FIGURES[name].draw(runs)
        save_picture(picture, runs, args.out / file_name(name))
        seconds, steps = time.perf_counter() - begin, sum(e["env_steps"] for e in spent)
        entry["run"] = {"seeds": list(args.seeds), "quick": args.quick}
        changed = {e: args.settings[e] for e in needs(name) if e in args.settings}
        if changed:                              # the settings this figure's arrays were made with
            entry["run"]["settings"] = changed
        entry["timing"] = {"seconds": round(seconds, 2), "env_steps": steps,
                           "env_steps_per_second": round(steps / seconds) if steps else None,
                           "experiments": spent}
        results[f"fig{name}"] = entry
        outputs.write_json(results_path, results)
        log(f"Figure {name}: {seconds:.1f} s")
    return {"start": start, "learned": list(runs)}


def _check_saved(names, out_dir):
    """The experiments whose saved arrays the figures read; a ValueError if any is missing."""
    if "watch" in names:
        raise ValueError("watch learns its own learners; it has no saved arrays to --replot")
    wanted = sorted({e for name in names for e in needs(name)}, key=list(EXPERIMENTS).index)
    missing = [str(out_dir / f"{e}.npz") for e in wanted if not (out_dir / f"{e}.npz").exists()]
    if missing:
        raise ValueError(f"--replot: no saved arrays {', '.join(missing)}; run the figures without --replot first")
    return wanted


def _replot(names, out_dir, results):
    """Load and check every saved file the figures read, draw them all in memory (which finds
    every array they need), and only then write them: a damaged or incomplete file is a
    one-line error before anything is redrawn."""
    wanted = _check_saved(names, out_dir)
    runs = {e: load(out_dir / f"{e}.npz") for e in wanted}
    metas = {e: outputs.load_meta(out_dir / f"{e}.npz") for e in wanted}
    pictures = {}
    for name in names:                           # in memory: a missing array stops all, silently
        info = saved_run_info({e: metas[e] for e in needs(name)}, results.get(f"fig{name}", {}).get("run"))
        if not needs(name) and len({json.dumps(_signature(m)[:2]) for m in metas.values()}) == 1:
            info = {"seeds": next(iter(metas.values()))["seeds"], "quick": next(iter(metas.values()))["quick"]}
        try:
            picture, entry = FIGURES[name].draw(runs)
        except (KeyError, IndexError, ValueError) as err:
            plt.close("all")
            files = ", ".join(f"{e}.npz" for e in needs(name))
            raise ValueError(f"Fig. {name} cannot be drawn from {files} in {out_dir}/ ({type(err).__name__}: "
                             f"{err}); the arrays may be from an older version: make them again") from None
        entry["run"] = info
        entry["timing"] = results.get(f"fig{name}", {}).get("timing")
        pictures[name] = (picture, entry)
    report = Progress()
    for name, (picture, entry) in pictures.items():
        report.begin(name, 0.0)                  # no time left: that would be a learning run's
        report("writing")
        save_picture(picture, runs, out_dir / file_name(name))
        results[f"fig{name}"] = entry
    outputs.write_json(out_dir / "results.json", results)
    log(f"redrew {len(names)} figures from {out_dir}/")
    return {"start": None, "learned": []}
