"""Every figure from the command line in quick mode; the same seeds give the same numbers and
pixels; --replot redraws from the saved arrays alone; bad input fails cleanly (lab/)."""
import contextlib
import dataclasses
import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

import claims
import experiments as ex
import figures
from lab import cli, outputs, pipeline, registry, report, workers

ALL = cli.default_figures(quick=False) + ["6-single-run"]     # every figure drawn from saved arrays
ROOT = Path(__file__).resolve().parent.parent      # the repository, where `python figures.py` runs
QUICK = ["--quick", "--seeds", "2"]


def without_timing(results):
    return {k: {kk: vv for kk, vv in v.items() if kk != "timing"}
            for k, v in results.items() if k != "timing"}


def results(folder):
    return json.loads((Path(folder) / "results.json").read_text())


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """Every figure at the quick budget, from the command line, into a fresh folder, its
    experiments in 3 processes."""
    out = tmp_path_factory.mktemp("quick")
    assert cli.main(ALL + QUICK + ["--jobs", "3", "--out", str(out)]) == 0
    return out


def test_every_figure_and_its_arrays_are_written(quick_run):
    """Each figure is a picture with something drawn and its claims; each experiment's arrays
    are its two learners' (the seed axis holds 1234 and 1235)."""
    for name in ALL:
        picture = plt.imread(quick_run / f"fig{name}.png")
        assert picture.shape[0] > 300 and picture[..., :3].std() > 0.05, name
    for experiment in registry.EXPERIMENTS:
        run, meta = outputs.load_run(quick_run / f"{experiment}.npz")
        assert run["seeds"].tolist() == [1234, 1235] and meta["seeds"] == [1234, 1235], experiment
    assert all(len(claims) > 1 for claims in results(quick_run).values())
    assert not list(quick_run.glob("*.tmp*"))
    assert set(results(quick_run)) == {f"fig{name}" for name in ALL}      # "timing": full runs only
    assert results(quick_run)["fig1"]["timing"]["env_steps"] > 0


def test_arrays_and_results_say_where_they_were_made(quick_run):
    """Each .npz's meta and each figure's run entry record numpy's version and the kernel sets
    (OpenBLAS's, numpy's SIMD); the entry's is its arrays'. No commit there (a rerun after a
    commit gives the same bytes); a full run's timing entry records it."""
    _, meta = outputs.load_run(quick_run / "internalization.npz")
    made = meta["made_with"]
    assert made["numpy"] == np.__version__ and isinstance(made["simd"], list) and "commit" not in made
    assert made["blas"] or sys.platform != "linux"                      # numpy's wheel ships OpenBLAS there
    assert made == outputs.made_with()                                  # this machine's
    commit = outputs.made_with(commit=True)["commit"]
    assert commit is None or len(commit) >= 40
    assert results(quick_run)["fig1"]["run"]["made_with"] == made
    assert "made_with" not in results(quick_run)["fig2"]["run"]          # a diagram reads no arrays


def test_quick_figures_are_labelled_and_a_diagram_is_not(quick_run):
    """The quick-budget label (red text across the foot) on a figure of quick arrays, not on Fig. 2."""
    def red_at_foot(name):
        foot = plt.imread(quick_run / f"fig{name}.png")[-30:, :, :3]
        return ((foot[..., 0] > 0.7) & (foot[..., 1] < 0.3) & (foot[..., 2] < 0.3)).sum()
    assert red_at_foot("2") == 0 and red_at_foot("1") > 500
    caveat = report.summary_line(registry.FIGURES["7"], results(quick_run)["fig7"])     # Fig. 7 cannot show its
    assert caveat.endswith(f"({figures.QUICK_FIG7})")                                    # effect at this budget


def test_same_seeds_give_the_same_results_and_pixels_in_any_number_of_processes(quick_run, tmp_path):
    """Figs 1 and 8 again (Fig. 8 continues Fig. 1's learners, sent to it by this process), their
    experiments one after the other in one worker process (the quick run used 3 processes,
    tests/test_lab.py 2): the same numbers and pixels."""
    assert cli.main(["1", "8"] + QUICK + ["--jobs", "1", "--out", str(tmp_path)]) == 0
    again, first = without_timing(results(tmp_path)), without_timing(results(quick_run))
    assert again == {k: first[k] for k in again}
    for name in ("1", "8"):
        assert filecmp.cmp(tmp_path / f"fig{name}.png", quick_run / f"fig{name}.png", shallow=False)


def test_replot_redraws_every_figure_from_the_saved_arrays_alone(quick_run, tmp_path):
    for npz in quick_run.glob("*.npz"):
        shutil.copy(npz, tmp_path)
    assert cli.main(ALL + ["--replot", "--out", str(tmp_path)]) == 0
    assert without_timing(results(tmp_path)) == without_timing(results(quick_run))
    for name in ALL:
        assert filecmp.cmp(tmp_path / f"fig{name}.png", quick_run / f"fig{name}.png", shallow=False), name


def test_the_committed_arrays_replot_to_the_committed_results(tmp_path):
    """figures/*.npz (paper scale) redraw figures/*.png and the claims in figures/results.json."""
    committed = cli.FIG_DIR
    for npz in committed.glob("*.npz"):
        shutil.copy(npz, tmp_path)
    shutil.copy(committed / "results.json", tmp_path)
    names = [n for n in ALL if (committed / f"fig{n}.png").exists()]
    assert cli.main(names + ["--replot", "--out", str(tmp_path)]) == 0
    redrawn, saved = without_timing(results(tmp_path)), without_timing(results(committed))
    assert_close(redrawn, saved)
    for name in names:
        assert filecmp.cmp(tmp_path / f"fig{name}.png", committed / f"fig{name}.png", shallow=False), name
    total = sum(p.stat().st_size for p in committed.glob("*.npz"))
    assert total < 24 * 2 ** 20                  # most of it Fig. 6's recorded last episodes


def assert_close(a, b, path=""):
    """Equal structure; numbers equal to 1e-9 relative. The statistics are computed in a fixed
    float64 order (stats.ols sums exactly), so on x86-64 the replot is bit for bit at every
    kernel set; the tolerance leaves room for another platform's libm in the p-values."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            assert_close(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=0, err_msg=path)
    else:
        assert a == b, path


def test_importing_figures_leaves_the_matplotlib_backend_alone():
    code = "import matplotlib; matplotlib.use('svg'); import figures; print(matplotlib.get_backend())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "svg"


@pytest.mark.parametrize("argv, message", [
    (["13"], "unknown figure 13"),
    (["--seeds", "0"], "--seeds must give at least 2 seeds"),
    (["--seeds", "-3"], "--seeds takes a count N or a range A-B"),
    (["--seeds", "2005-2005"], "--seeds must give at least 2 seeds"),
    (["--seeds", "ten"], "--seeds takes a count N or a range A-B"),
    (["--replot"], "--replot: no saved arrays"),
])
def test_bad_arguments_fail_with_one_line_and_write_nothing(argv, message, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(argv + ["--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not out.exists()


def test_replot_without_saved_arrays_is_one_line_and_draws_nothing(tmp_path, capsys):
    assert cli.main(["2", "5", "--replot", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "generalization.npz; run the figures without --replot first" in err
    assert not list(tmp_path.iterdir())


def test_seeds_take_a_count_or_a_range():
    assert cli.parse_seeds("3") == (1234, 1235, 1236)
    assert cli.parse_seeds("2000-2003") == (2000, 2001, 2002, 2003)


def test_quick_runs_have_a_folder_of_their_own_and_say_so(tmp_path):
    assert cli.parse_args(["--quick"]).out == cli.FIG_DIR / "quick"
    assert cli.parse_args([]).out == cli.FIG_DIR
    fig = plt.figure()
    pipeline.save_picture(fig, "1", {"internalization": {"quick": True}}, tmp_path / "quick.png")
    fig = plt.figure()
    pipeline.save_picture(fig, "1", {"internalization": {"quick": False}}, tmp_path / "paper.png")
    assert (tmp_path / "quick.png").read_bytes() != (tmp_path / "paper.png").read_bytes()


def test_one_results_file_never_mixes_scales(tmp_path, capsys):
    (tmp_path / "results.json").write_text(json.dumps({"fig1": {"run": {"seeds": [1, 2], "quick": False}}}))
    assert cli.main(["2", "--quick", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds paper-scale results; write quick runs to another folder" in err
    assert not (tmp_path / "fig2.png").exists()


def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path, capsys):
    (tmp_path / "a_file").write_text("")
    assert cli.main(["2", "--out", str(tmp_path / "a_file" / "figures")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot make the output folder" in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")
@pytest.mark.parametrize("seconds, to", [(0.2, "group"), (0.5, "main"), (1.0, "group"), (2.0, "main"),
                                         (3.5, "group")])
def test_ctrl_c_at_any_moment_ends_every_process_within_2_s(tmp_path, seconds, to):
    """SIGINT `seconds` after the start (while the modules load, the workers start, they
    socialize), to the run's every process as a terminal's Ctrl-C sends it ("group") or to
    the main process alone: within 2 s every process of the run has ended, with exit status
    130, one line saying so, and no temporary file."""
    import os
    import signal
    import time
    # The run in a process group of its own; its main process starts with SIGINT at its default
    # even where pytest runs with SIGINT ignored (a background job of a non-interactive shell).
    process = subprocess.Popen([sys.executable, "figures.py", "1", "4", "--quick", "--jobs", "2", "--out", str(tmp_path)],
                               cwd=ROOT, stderr=subprocess.PIPE, text=True,
                               start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(seconds)
    (os.killpg if to == "group" else os.kill)(process.pid, signal.SIGINT)
    sent = time.monotonic()
    try:
        _, err = process.communicate(timeout=30)
    finally:
        took = time.monotonic() - sent
        try:                                          # any process left in the run's group?
            os.killpg(process.pid, signal.SIGKILL)
            survived = True
        except ProcessLookupError:
            survived = False
    assert not survived and took < 2.0, (survived, took)
    assert process.returncode == 130
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err and last.startswith("interrupted"), err
    assert not list(tmp_path.glob("*.tmp*"))
    written = sorted(p.name for p in tmp_path.iterdir())            # what the line says is there
    assert last.endswith(", ".join(written)) if written else "nothing was written" in last, (last, written)


def group_running(group):
    """The processes of a process group that are still running (Linux's /proc; a zombie has
    ended, only its exit status is left)."""
    states = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            state, _, pgrp = stat.read_text().rpartition(")")[2].split()[:3]
            states += [state] if int(pgrp) == group and state != "Z" else []
    return states


@pytest.mark.skipif(sys.platform != "linux", reason="reads the process table in /proc")
def test_workers_end_when_their_main_process_is_killed(tmp_path):
    """SIGKILL to the main process (it cannot stop its workers): each worker sees it is
    orphaned and ends within 2 s instead of learning on to the end of its experiment."""
    import os
    import signal
    import time
    process = subprocess.Popen([sys.executable, "figures.py", "1", "4", "--quick", "--jobs", "2", "--out", str(tmp_path)],
                               cwd=ROOT, stderr=subprocess.DEVNULL, start_new_session=True)
    running = lambda: group_running(process.pid)
    deadline = time.monotonic() + 30.0
    while len(running()) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(running()) == 3                        # the main process and its two workers, learning
    time.sleep(1.0)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 2.0
    while running() and time.monotonic() < deadline:
        time.sleep(0.1)
    left = running()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    assert not left, left


@pytest.mark.skipif(sys.platform != "linux", reason="a forked worker sees this process's patches")
def test_a_ctrl_c_that_reaches_a_worker_before_its_first_line_is_ignored(monkeypatch):
    """A terminal's Ctrl-C reaches every process, a worker that is only starting too: the main
    process holds SIGINT back while it starts one, so the worker ignores it and finishes (the
    main process then stops it). Without the hold it would die of a KeyboardInterrupt."""
    import os
    import signal
    work = workers._work
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)   # even where pytest ignores it

    def interrupted_at_once(*args):
        os.kill(os.getpid(), signal.SIGINT)            # before the worker's own first line
        work(*args)

    monkeypatch.setattr(workers, "_work", interrupted_at_once)
    monkeypatch.setattr(workers, "_run_one", lambda name, **kwargs: ({"experiment": name}, None))
    running = []
    try:
        workers._Worker.start("internalization", {}, running)
        assert running[0].result() == ({"experiment": "internalization"}, None)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert running[0].process.exitcode == 0


def test_the_end_of_run_summary_shows_every_claim_it_names_for_every_figure(quick_run):
    """Each figure's summary line holds each of its Figure.summary claims, named in words, not
    results.json paths (a misspelt claim would be left out silently), a number per learner as
    its mean, lowest and highest; only Fig. 2, a diagram, has none; no two figures show the
    same claim of the same experiment."""
    entries = results(quick_run)
    for name in ALL:
        line, summary = report.summary_line(registry.FIGURES[name], entries[f"fig{name}"]), registry.FIGURES[name].summary
        assert all(f"{words}: " in line and f"{path} " not in line for path, words in summary), (name, line)
        assert (line == "drawn") == (name == "2"), (name, line)
    four = report.summary_line(registry.FIGURES["4"], entries["fig4"])
    assert "with our ISR, goals kept (share of socialized): mean " in four and ", lowest " in four
    shown = [(registry.needs(n), path) for n in ALL for path, _ in registry.FIGURES[n].summary]
    assert len(shown) == len(set(shown))


@pytest.mark.learning
def test_watch_writes_an_animation_of_the_three_learners(tmp_path, capsys, monkeypatch):
    """`python figures.py watch`, its learners at the quick budget (1,500 + 1,500 episodes), a
    12-step clip."""
    from PIL import Image
    import experiments as ex
    from beyond import watch
    learners = watch.learners
    monkeypatch.setattr(watch, "learners", lambda seed: learners(seed, ex.Internalization().quick()))
    monkeypatch.setattr(watch.figure, "__defaults__", (1234, 12))           # seed, steps: a short clip
    assert cli.main(["watch", "--out", str(tmp_path)]) == 0
    with Image.open(tmp_path / "watch.gif") as gif:
        assert gif.n_frames == 12
    entry = results(tmp_path)["figwatch"]
    assert entry["goals_per_episode_end_of_learning"]["isr"] > 10 * entry["goals_per_episode_end_of_learning"]["none"]
    assert "watch.gif" in capsys.readouterr().out
    assert cli.main(["watch", "--replot", "--out", str(tmp_path)]) == 2


def test_progress_estimates_the_time_left_from_the_last_run(capsys):
    last = {"internalization": 20.0, "generalization": 50.0, "helping": 30.0}
    assert pipeline.time_left(last, ["internalization", "generalization", "helping"]) == 100.0
    assert pipeline.time_left(last, ["internalization", "generalization", "helping"], jobs=2) == 50.0
    assert pipeline.time_left(last, ["generalization", "internalization"], jobs=4) == 50.0   # the longest
    assert pipeline.time_left({}, ["helping"]) == 0.0
    report = pipeline.Progress("internalization", start=pipeline.time.time() - 12.4)
    report("  socialization: 6000 episodes x 10 seeds")
    assert capsys.readouterr().err == "[12 s] internalization: socialization: 6000 episodes x 10 seeds\n"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_get_the_umasks_permissions(tmp_path, umask, mode):
    import os
    old = os.umask(umask)
    try:
        outputs.write_json(tmp_path / "results.json", {"a": 1})
    finally:
        os.umask(old)
    assert (tmp_path / "results.json").stat().st_mode & 0o777 == mode
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


@pytest.mark.parametrize("platform, divisor", [("linux", 1024), ("darwin", 2 ** 20)])
def test_peak_memory_is_in_megabytes_on_each_platform(monkeypatch, platform, divisor):
    import types
    rusage = types.SimpleNamespace(ru_maxrss=3 * divisor)            # 3 MB in the platform's unit
    fake = types.SimpleNamespace(RUSAGE_SELF=0, getrusage=lambda who: rusage)
    monkeypatch.setitem(sys.modules, "resource", fake)
    monkeypatch.setattr(sys, "platform", platform)
    assert outputs.peak_memory_mb() == 3.0


def test_peak_memory_is_none_without_the_resource_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "resource", None)               # import fails, as on Windows
    assert outputs.peak_memory_mb() is None


def test_results_do_not_depend_on_the_blas_thread_count(tmp_path):
    """figures.py pins BLAS to one thread before numpy loads, so a user's thread settings
    cannot change the float32 sums: the same run with 1 and with 2 threads asked for gives
    the same results. Fig. 7, whose two-agent ISR has the largest matrix products: without
    the pin its numbers differ between 1 and 2 threads."""
    import os
    found = {}
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
        out = tmp_path / threads
        subprocess.run([sys.executable, "figures.py", "7", *QUICK, "--set", "helping.socialization=300",
                        "--set", "helping.after=150", "--out", str(out)], env=env, check=True,
                       cwd=ROOT, capture_output=True)
        found[threads] = without_timing(results(out))
    assert found["1"] == found["2"]


def test_the_mlp_learner_flag_and_the_quick_default_figures(tmp_path, capsys):
    from beyond.learners import MLPInternalization
    args = cli.parse_args(["1", "4", "--learner", "mlp"])
    assert args.out == cli.FIG_DIR / "mlp" and isinstance(args.configs["internalization"], MLPInternalization)
    cfg = pipeline.experiment_config("internalization", False, args.settings, "mlp")
    assert isinstance(cfg, MLPInternalization) and (cfg.socialization, cfg.agent.lr) == (18000, 0.03)
    quick = pipeline.experiment_config("internalization", True, args.settings, "mlp")
    assert (quick.socialization, quick.agent.lr, quick.agent.worlds_per_seed) == (4500, 0.03, 15)
    assert pipeline.recorded("internalization", quick, True) == {"learner": "mlp"}      # its default
    assert type(pipeline.experiment_config("generalization", False, {}, "mlp")) is ex.Generalization
    cfg = pipeline.experiment_config("internalization", False, {"internalization": {"socialization": 6000}}, "mlp")
    assert cfg.socialization == 6000                              # settings apply after the learner's
    assert pipeline.settings_of("internalization", {"quick": False, **pipeline.recorded(
        "internalization", cfg, False)}) == {"learner": "mlp", "socialization": 6000}
    assert cli.main(["3", "--learner", "mlp", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "runs Figs 1 and 4 only" in err
    assert cli.default_figures(quick=True) == ["1", "2", "3", "4", "5", "6", "7"]
    assert cli.default_figures(quick=False) == ["1", "2", "3", "3-instrument", "4", "5", "6", "7", "8", "9", "10",
                                                "11", "12"]


def test_a_figure_draws_the_world_its_run_learned_in(monkeypatch):
    """Fig. 1's left panels (and Fig. 7's) draw the world of the run, its saved config's (as
    `--set internalization.world.n_blocks=5` saves it), not the default one."""
    import env
    import figures
    seen = []

    class Drawn(Exception):
        pass

    def grid_world(cfg, n, rng):
        seen.append(cfg)
        raise Drawn
    monkeypatch.setattr(env, "GridWorld", grid_world)
    with pytest.raises(Drawn):
        world = {**dataclasses.asdict(env.WorldConfig()), "n_blocks": 5}
        figures.figure_1({"internalization": {"seeds": np.array([1234]), "config": {"world": world}}})
    plt.close("all")
    assert seen[0].n_blocks == 5 and seen[0].width == env.WorldConfig().width


def test_figs_4_right_and_5_draw_the_papers_published_values_beside_ours():
    """A star per arm of the paper's system at its published value: Fig. 4 right's Frozen,
    Reward (on the authors' ISR's bar) and Oracle, and each layout's in Fig. 5; the titles say
    the bars are this repository's."""
    runs = {e: outputs.load_run(ROOT / "figures" / f"{e}.npz")[0] for e in ("internalization", "generalization")}
    stars = lambda ax: sorted(round(float(y), 3) for c in ax.collections if c.get_gid() == "paper"
                              for _, y in c.get_offsets())
    fig, _ = figures.figure_4(runs)
    right = fig.axes[1]
    assert stars(right) == sorted(mean for mean, _ in claims.PAPER_FIG4.values())
    assert "this repository" in right.get_title() and "their system" in right.get_legend().get_texts()[0].get_text()
    plt.close(fig)
    fig, _ = figures.figure_5(runs)
    for ax, name in zip(fig.axes, runs["generalization"]["layout_names"]):
        layout = claims.PAPER_LAYOUTS.index(str(name))
        assert stars(ax) == sorted(values[layout] for values in claims.PAPER_FIG5.values()), name
    assert "the paper" in fig._suptitle.get_text()
    plt.close(fig)


@pytest.mark.skipif(sys.platform != "linux", reason="finds the workers in /proc")
def test_a_worker_killed_by_the_system_is_one_line_and_the_others_are_saved(tmp_path):
    """SIGKILL (as the out-of-memory killer sends it) to one of the two workers of Figs 1 and 7:
    one line naming that experiment, its signal and the likely cause, exit status 2; the other
    experiment runs to its end, its arrays saved and its figure drawn; no process is left. The
    same command again picks up the saved arrays and runs only the killed experiment."""
    import os
    import signal
    import time
    process = subprocess.Popen([sys.executable, "figures.py", "1", "7", "--quick", "--seeds", "2", "--jobs", "2",
                                "--out", str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    workers, deadline = [], time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline:      # the workers: children of the run
        time.sleep(0.2)
        workers = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                   and _parent(p) == process.pid]
    time.sleep(1.0)
    os.kill(workers[0], signal.SIGKILL)
    _, err = process.communicate(timeout=300)
    last = err.strip().splitlines()[-1]
    experiments = [e for e in ("internalization", "helping") if f"the process of {e} was killed by SIGKILL" in last]
    assert process.returncode == 2 and "Traceback" not in err and len(experiments) == 1, err
    assert last.startswith("error: ") and "lack of memory" in last
    other = {"internalization": ("helping", "fig7.png"), "helping": ("internalization", "fig1.png")}[experiments[0]]
    assert (tmp_path / f"{other[0]}.npz").exists() and (tmp_path / other[1]).exists()
    assert not (tmp_path / f"{experiments[0]}.npz").exists() and not list(tmp_path.glob("*.tmp*"))
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)
    saved = (tmp_path / f"{other[0]}.npz").read_bytes()
    again = subprocess.run([sys.executable, "figures.py", "1", "7", "--quick", "--seeds", "2", "--jobs", "2",
                            "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"picked up what the unfinished run saved: {other[0]}" in again.stderr
    assert (tmp_path / f"{other[0]}.npz").read_bytes() == saved and (tmp_path / f"{experiments[0]}.npz").exists()
    assert not (tmp_path / pipeline.UNFINISHED).exists()


def _parent(proc):
    """The parent's pid of a /proc/<pid> entry (None if it ended meanwhile)."""
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None
