"""lab/pipeline.py — the experiments the asked-for figures need, their saved arrays, the drawing.

Each experiment runs at most once per invocation (lab/workers.py); its arrays are saved to
<out>/<experiment>.npz and the figures are drawn from what was saved, so `--replot` (no
learning) draws the same pictures. results.json gets, per figure, its claims, the run its
arrays came from (seeds, budget, settings) and what it cost. Each file's meta saves the config
it ran with where that is not the default (`recorded`), the one saved form of its settings,
from which the figures read their world and stamp what was changed. An output folder holds one run:
a run whose seeds, budget or settings differ from the arrays already there is refused, and
`--replot` checks every file it will read before it draws anything. A run that stops before
its end (a worker killed, Ctrl-C) leaves UNFINISHED beside its arrays; the same command run
again, on the same code, picks up the experiments it saved (`pick_up`).

Progress goes to standard error, the end-of-run summary to standard output.

Public names: time_left, experiment_config, apply_settings, recorded, settings_of, load,
check_folder, read_results, saved_run_info, pick_up, save_picture, run_figures.
"""
import contextlib
import dataclasses
import hashlib
import json
import time
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

from lab import outputs, report
from lab.registry import EXPERIMENTS, FIGURES, LEARNERS, file_name, needs, with_sources
from lab.workers import Progress, log, run_experiments

COMMITTED = Path(__file__).resolve().parent.parent / "figures" / "results.json"   # the paper-scale run
UNFINISHED = "unfinished.json"   # what a run that has not ended saved: {run, saved: {experiment: cost}}
QUICK_LABEL = "QUICK BUDGET: fewer learners and episodes, not the paper's scale"


def time_left(estimates, remaining, jobs=1):
    """About how many seconds the experiments `remaining` still take, from their last run's
    timings {experiment: seconds} (0 if unknown): their total over the processes, or the
    longest one if that is longer."""
    seconds = [estimates.get(e, 0.0) for e in remaining]
    return max(sum(seconds) / max(jobs, 1), max(seconds, default=0.0))


# ---------------------------------------------------------------------------------------------
# Running an experiment

def experiment_config(name, quick, changed, learner="linear"):
    """The config an experiment runs with: its defaults (or, where registry.LEARNERS has
    `learner` for it, that learner's), the quick budget if asked, then the command line's
    settings {experiment: {dotted field: value}}; an experiment with a source
    (Experiment.source_experiment) takes that experiment's config as its `source`."""
    cls = LEARNERS.get(name, {}).get(learner, EXPERIMENTS[name].config)
    cfg = apply_settings(cls().quick() if quick else cls(), changed.get(name, {}))
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


# ---------------------------------------------------------------------------------------------
# Saved outputs: what a folder holds, checked before it is used

def recorded(name, cfg, quick):
    """What an experiment's meta saves of its config, the one saved form of its settings: the
    learner where not the linear one (registry.LEARNERS), and the config itself
    (dataclasses.asdict) where it is not that learner's default at the budget. A default run
    saves neither, so its file stays as it was. `settings_of` reads it back."""
    learner = next((k for k, c in LEARNERS.get(name, {}).items() if type(cfg) is c), "linear")
    record = {} if learner == "linear" else {"learner": learner}
    config = _as_saved(dataclasses.asdict(cfg))
    if config != _default(name, quick, learner):
        record["config"] = config
    return record


def settings_of(name, meta):
    """{dotted field: value} of a saved run of experiment `name` (its meta): its learner where
    not the linear one, then each field where its saved config differs from that learner's
    default at its budget (`source.` fields are those of the experiment it takes them from)."""
    if "settings" in meta:
        raise ValueError("its settings are saved as text, by an older version")
    learner = meta.get("learner", "linear")
    default = _default(name, bool(meta["quick"]), learner)
    return {**({"learner": learner} if learner != "linear" else {}),
            **_differences(default, meta.get("config", default))}


def _differences(default, config, prefix=""):
    changed = {}
    for key, value in config.items():
        if isinstance(value, dict) and isinstance(default.get(key), dict):
            changed.update(_differences(default[key], value, f"{prefix}{key}."))
        elif key not in default or default[key] != value:
            changed[prefix + key] = value
    return changed


def _default(name, quick, learner):
    """The default config of experiment `name` for `learner` at the budget, as it is saved."""
    return _as_saved(dataclasses.asdict(experiment_config(name, quick, {}, learner)))


def _as_saved(value):
    """`value` as JSON reads it back (tuples as lists)."""
    return json.loads(json.dumps(value, default=outputs.jsonable))


def load(path):
    """(a saved run's arrays, with its `quick` flag, its settings and its saved config from the
    meta, so that figures can say so and draw its world; the meta); a damaged or unreadable
    file is a ValueError naming it."""
    try:
        run, meta = outputs.load_run(path)
        seeds, quick, settings = _signature(Path(path).stem, meta)
    except Exception as err:                     # zip, zlib, numpy and JSON all raise their own
        raise ValueError(f"{path} is damaged, of an older version or not a saved run ({type(err).__name__}: {err}); "
                         "make it again without --replot") from None
    if "seeds" in run and run["seeds"].tolist() != seeds:
        raise ValueError(f"{path} is damaged: its arrays' seeds disagree with its meta")
    return {**run, "quick": quick, "settings": settings, "config": meta.get("config")}, meta


def _signature(name, meta):
    """(seeds, quick, settings) of a saved run's meta."""
    return list(meta["seeds"]), bool(meta["quick"]), settings_of(name, meta)


def _describe(seeds, quick, settings=None):
    seeds = list(seeds)
    text = (f"seeds {seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else f"seeds {seeds}")
    text += " at the quick budget" if quick else " at paper scale"
    return text + (f" with settings {settings}" if settings else "")


def check_folder(args, results):
    """A ValueError naming --out if it holds results or arrays of another run than this one
    (other seeds, budget or settings), which would mix with them."""
    scales = {entry.get("run", {}).get("quick") for key, entry in results.items() if key != "timing"} - {None}
    if scales - {args.quick}:
        this, other = ("quick", "paper-scale") if args.quick else ("paper-scale", "quick")
        raise ValueError(f"{args.out}/results.json holds {other} results; write {this} runs to another folder "
                         "(--out)")
    for path in sorted(Path(args.out).glob("*.npz")):
        if path.stem not in EXPERIMENTS:
            continue
        try:
            saved = _signature(path.stem, outputs.load_meta(path))
        except Exception as err:
            raise ValueError(f"{path} is damaged or of an older version ({type(err).__name__}: {err}); remove "
                             "it or use another folder (--out DIR)") from None
        cfg = args.configs.get(path.stem) or experiment_config(path.stem, args.quick, args.settings, args.learner)
        wanted = (list(args.seeds), bool(args.quick), settings_of(path.stem, {"quick": args.quick,
                                                                              **recorded(path.stem, cfg, args.quick)}))
        if saved != wanted:
            raise ValueError(f"--out {args.out} holds arrays of another run ({path.name}: {_describe(*saved)}); "
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
    signatures = {name: _signature(name, meta) for name, meta in metas.items()}
    (first, (seeds, quick, _)), *others = signatures.items()
    for name, other in others:
        if other[:2] != (seeds, quick):
            raise ValueError(f"the arrays of {first} ({_describe(seeds, quick)}) and {name} "
                             f"({_describe(*other[:2])}) come from different runs; make them again together")
    info = {"seeds": seeds, "quick": quick}
    settings = {name: s for name, (_, _, s) in signatures.items() if s}
    if settings:
        info["settings"] = settings
    return {**info, **_made_with(metas)}


def _made_with(metas):
    """{"made_with": where the arrays of `metas` were made (lab.outputs.made_with), one record
    if they share it, else one per experiment}, or {} for arrays that do not say."""
    records = {name: m["made_with"] for name, m in metas.items() if m.get("made_with")}
    if not records:
        return {}
    shared = list(records.values())
    return {"made_with": shared[0] if all(r == shared[0] for r in shared) else records}


def _shared_run(metas, previous):
    """{seeds, quick} that every saved run of `metas` shares (a figure without arrays of its
    own, as a learning run records it), else `previous`."""
    shared = {(tuple(m["seeds"]), bool(m["quick"])) for m in metas.values()}
    if len(shared) != 1:
        return previous
    seeds, quick = shared.pop()
    return {"seeds": list(seeds), "quick": quick}


def pick_up(args, wanted):
    """{experiment: cost} of `wanted` that an unfinished run of this same command (seeds,
    budget, settings, code) saved in args.out, and that no experiment still to run continues
    (its learners were not saved); {} if there is no such run."""
    path = Path(args.out) / UNFINISHED
    try:
        unfinished = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if unfinished.get("run") != _this_run(args):
        return {}
    saved = {e: c for e, c in unfinished.get("saved", {}).items()
             if e in with_sources(wanted) and (Path(args.out) / f"{e}.npz").exists()}
    for _ in range(2):                           # a source goes with its followers (chains of two)
        saved = {e: c for e, c in saved.items()
                 if all(f in saved for f in with_sources(wanted) if EXPERIMENTS[f].continues == e)}
    return saved


def _this_run(args):
    """What makes two runs the same: their seeds, budget, settings and code (a hash of the
    .py files of the top level, beyond/ and lab/)."""
    code, root = hashlib.sha256(), COMMITTED.parent.parent
    for path in sorted([*root.glob("*.py"), *root.glob("beyond/*.py"), *root.glob("lab/*.py")]):
        code.update(path.read_bytes())
    return _as_saved({"seeds": list(args.seeds), "quick": bool(args.quick), "settings": args.settings,
                      "learner": args.learner, "code": code.hexdigest()})    # as unfinished.json reads back


# ---------------------------------------------------------------------------------------------
# Drawing and the whole run

def save_picture(picture, name, runs, path):
    """Write figure `name` (a matplotlib figure, or a writer(path) for a GIF) atomically; a
    figure drawn from quick-budget arrays says so across its foot, and a diagram that reads
    none (Fig. 2) does not; one drawn from arrays made with changed settings names them in
    its top left corner."""
    if callable(picture) and not isinstance(picture, matplotlib.figure.Figure):
        outputs.save_file(path, picture)
        return
    if any(runs[e].get("quick", False) for e in needs(name) if e in runs):
        picture.text(0.5, 0.003, QUICK_LABEL, ha="center", va="bottom", color="tab:red", fontsize=9, weight="bold")
    changed = [f"{e}.{field}={value}" for e in needs(name) if e in runs
               for field, value in runs[e].get("settings", {}).items()]
    if changed:
        picture.text(0.003, 0.997, "SETTINGS CHANGED: " + ", ".join(changed), ha="left", va="top",
                     color="tab:orange", fontsize=8, weight="bold")
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
        check_folder(args, results)
        drawn = _learn_and_draw(names, args, results, results_path)
    if not args.replot and args.full_run:        # the top-level timing is the full run's
        results["timing"] = {"seconds_total": round(time.time() - drawn["start"], 2),
                             "peak_memory_mb": outputs.peak_memory_mb(), "jobs": args.jobs,
                             "peak_memory_mb_of_a_worker": outputs.peak_memory_mb("children"), "figures": names,
                             "measured_with": outputs.made_with(commit=True)}
        outputs.write_json(results_path, results)
    _rewrite_documents(args, results_path)
    redrawn = drawn.get("redrawn", [])
    print(f"wrote {args.out}/: " + ", ".join(file_name(n) for n in names) + ", results.json"
          + "".join(f", {e}.npz" for e in drawn["learned"])
          + (f"; redrew {', '.join(file_name(n) for n in redrawn)} (they read arrays this run remade)"
             if redrawn else ""))
    for name in names:
        print(f"  Fig. {name}: {report.summary_line(FIGURES[name], results[f'fig{name}'])}")
    return 0


def _rewrite_documents(args, results_path):
    """After a paper-scale run into the committed folder, the tables of README.md and docs/
    (lab/report.py) from its results: they describe what is beside them, timings included."""
    if args.quick or Path(args.out).resolve() != COMMITTED.parent.resolve():
        return
    try:
        for path in report.rewrite(results_path):
            log(f"rewrote the tables of {path}")
    except ValueError as error:
        log(f"the documents' tables were not rewritten ({error}); run python -m lab.report")


def _learn_and_draw(names, args, results, results_path):
    """Run the experiments the figures need (each once, up to args.jobs at a time), and draw
    each figure as soon as its arrays are saved; results.json is written after each figure."""
    start, drawn, entries = time.time(), set(), {}
    wanted = [e for e in EXPERIMENTS if any(e in needs(n) for n in names)]
    costs, runs, metas = {}, {}, {}

    def draw_ready():
        for name in names:
            if name in drawn or not all(e in runs for e in needs(name)):
                continue
            begin = time.perf_counter()
            picture, entry = FIGURES[name].draw(runs)
            save_picture(picture, name, runs, args.out / file_name(name))
            entry["run"] = saved_run_info({e: metas[e] for e in needs(name)},
                                          {"seeds": list(args.seeds), "quick": args.quick})
            entries[name] = _entry(name, entry, costs, drawn, time.perf_counter() - begin)
            ordered = _in_order({**results, **{f"fig{n}": e for n, e in entries.items()}}, names)
            results.clear()
            results.update(ordered)
            outputs.write_json(results_path, results)
            drawn.add(name)
            log(f"Figure {name}: drawn")

    # the last run's timings, else the committed paper-scale run's (not for a quick run)
    estimates = _estimates(results) or ({} if args.quick else _estimates(read_results(COMMITTED)))
    saved = pick_up(args, wanted)
    if saved:
        log(f"picked up what the unfinished run saved: {', '.join(saved)}")
    unfinished = {"run": _this_run(args), "saved": saved}
    to_run = [e for e in with_sources(wanted) if e not in saved]
    records = {e: recorded(e, args.configs[e], args.quick) for e in to_run}
    for name, cost in saved.items():
        runs[name], metas[name] = load(Path(args.out) / f"{name}.npz")
        costs[name] = cost
    draw_ready()
    with contextlib.closing(run_experiments(to_run, args, records, estimates, start)) as finished:
        for name, cost in finished:              # closing: a Ctrl-C while drawing stops the workers now
            runs[name], metas[name] = load(Path(args.out) / f"{name}.npz")
            costs[name] = unfinished["saved"][name] = cost
            outputs.write_json(Path(args.out) / UNFINISHED, unfinished)
            left = time_left(estimates, [e for e in wanted if e not in runs], args.jobs)
            log(f"[{time.time() - start:.0f} s] {name} saved ({len(runs)} of {len(with_sources(wanted))})"
                + (f"; about {left:.0f} s left" if left >= 1 else ""))
            draw_ready()
    draw_ready()                                 # figures without arrays
    (Path(args.out) / UNFINISHED).unlink(missing_ok=True)
    learned = [e for e in runs if e not in saved]
    return {"start": start, "learned": learned, "redrawn": _redraw_others(names, runs, args.out, results)}


def _redraw_others(names, learned, out_dir, results):
    """The figures not asked for that read an experiment this run remade (Fig. 6's single run
    reads Fig. 5's arrays): redrawn from the folder's arrays where it has every one they read,
    else their picture and results.json entry removed, so that nothing in the folder describes
    arrays that are no longer there. Returns the figures redrawn."""
    others, redrawn = [n for n in FIGURES if n not in names and set(needs(n)) & set(learned)], []
    for name in others:
        if all((out_dir / f"{e}.npz").exists() for e in needs(name)):
            try:
                _replot([name], out_dir, results)
                redrawn.append(name)
                continue
            except ValueError as error:          # arrays of an older version beside the new ones
                log(f"Figure {name} removed: {error}")
        results.pop(f"fig{name}", None)
        (out_dir / file_name(name)).unlink(missing_ok=True)
    if others:
        outputs.write_json(out_dir / "results.json", results)
    return redrawn


def _entry(name, entry, costs, drawn, seconds):
    """A figure's results.json entry: its claims and run, with what its experiments cost (each
    counted in the first figure drawn from it)."""
    counted = {e for n in drawn for e in needs(n)}
    spent = [costs[e] for e in needs(name) if e not in counted]
    seconds += sum(c["seconds"] for c in spent)
    steps = sum(c["env_steps"] for c in spent)
    entry["timing"] = {"seconds": round(seconds, 2), "env_steps": steps,
                       "env_steps_per_second": round(steps / seconds) if steps else None,
                       "experiments": spent}
    return entry


def _in_order(results, names):
    """results.json's entries in the figures' order, whatever order they were drawn in."""
    order = [f"fig{n}" for n in names]
    return {**{k: results[k] for k in order if k in results}, **{k: v for k, v in results.items() if k not in order}}


def _estimates(results):
    """{experiment: seconds it took in the run of a results.json} (the order a parallel run
    starts experiments in: the folder's last run, else the committed paper-scale run's)."""
    return {c["experiment"]: c["seconds"] for entry in results.values() if isinstance(entry, dict)
            for c in (entry.get("timing") or {}).get("experiments", [])}


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
    loaded = {e: load(out_dir / f"{e}.npz") for e in wanted}
    runs, metas = {e: run for e, (run, _) in loaded.items()}, {e: meta for e, (_, meta) in loaded.items()}
    pictures = {}
    for name in names:                           # in memory: a missing array stops all, silently
        previous = results.get(f"fig{name}", {}).get("run")
        own = {e: metas[e] for e in needs(name)}
        info = saved_run_info(own, previous) if own else _shared_run(metas, previous)
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
    for name, (picture, entry) in pictures.items():
        log(f"Figure {name}: writing")          # no time left: that would be a learning run's
        save_picture(picture, name, runs, out_dir / file_name(name))
        results[f"fig{name}"] = entry
    outputs.write_json(out_dir / "results.json", results)
    log(f"redrew {len(names)} figures from {out_dir}/")
    return {"start": None, "learned": []}
