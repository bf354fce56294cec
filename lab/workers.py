"""lab/workers.py — run experiments, in worker processes where they do not depend on each other.

Each experiment runs in a worker process of its own (--jobs at once), saves its
arrays to <out>/<experiment>.npz and hands back what it cost; one that continues another's
learners starts once that one is done, with its learners sent to it. Ctrl-C belongs to the
main process, which stops every worker; a worker killed by the system (for lack of memory,
most likely) ends the run with one line, the experiments that do not need it going on.
Progress goes to standard error.

Public names: log, Progress, run_experiments, WorkerDied.
"""
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from pathlib import Path

from lab import outputs
from lab.registry import EXPERIMENTS, with_sources


def log(msg):
    """A line of the run's report on stderr."""
    print(msg, file=sys.stderr, flush=True)


class Progress:
    """One line on stderr per stage of an experiment: "[time since the run began] experiment:
    stage" (the processes of a parallel run share the screen, so no line is rewritten)."""

    def __init__(self, label, start=None):
        self.label, self.start = label, time.time() if start is None else start

    def __call__(self, stage):
        log(f"[{time.time() - self.start:.0f} s] {self.label}: {stage.strip()}")


def run_experiments(names, args, records, estimates, start):
    """Run the experiments `names` (and those whose learners they continue), each in a worker
    process of its own, up to args.jobs at once, the longest chains first (by `estimates`,
    the last run's timings); yield (name, cost) as each one finishes. Each saves its arrays to
    args.out with its meta's `records[name]` (pipeline.recorded). One that continues
    another's learners starts once that one is done, with its learners sent to it; learners
    no one will continue are dropped. The numbers do not depend on the order or the process:
    each experiment draws from its own random streams. Ctrl-C or an error stops every worker
    (_Worker.stop) before it goes on up; a worker that dies stops only what needs it."""
    closure = with_sources(names)
    continued = {EXPERIMENTS[e].continues for e in closure} - {None}
    chain = lambda e: estimates.get(e, 0.0) + max([chain(d) for d in closure if EXPERIMENTS[d].continues == e],
                                                  default=0.0)
    ready = sorted([e for e in closure if not EXPERIMENTS[e].continues], key=chain, reverse=True)
    task = dict(seeds=args.seeds, quick=args.quick, out_dir=str(args.out), configs=args.configs,
                records=records, made_with=outputs.made_with(), start=start)
    socialized, running, died = {}, [], []
    try:
        while ready or running:
            while ready and len(running) < args.jobs:
                name = ready.pop(0)
                learners = socialized.get(EXPERIMENTS[name].continues)
                _Worker.start(name, dict(task, learners=learners, keep=name in continued), running)
            worker = _Worker.first_done(running)
            try:
                cost, learners = worker.result()
            except WorkerDied as death:              # the others go on; those that need it cannot
                running.remove(worker)
                died.append(death)
                log(f"{death}; the experiments that do not need it go on")
                continue
            running.remove(worker)                   # only now: a Ctrl-C while it is read stops it too
            name = worker.name
            if learners is not None:
                socialized[name] = learners
            followers = [e for e in closure if EXPERIMENTS[e].continues == name]
            ready = sorted(ready + followers, key=chain, reverse=True)
            if not any(EXPERIMENTS[e].continues == EXPERIMENTS[name].continues for e in ready + [w.name for w in running]):
                socialized.pop(EXPERIMENTS[name].continues, None)      # no one needs them any more
            yield name, cost
    except BaseException:
        _Worker.stop(running)
        raise
    if died:
        raise ValueError(f"{died[0]}. The experiments that did not need it are saved, with their figures; "
                         "the same command again picks them up (--jobs 1 needs the least memory)")


class WorkerDied(Exception):
    """An experiment's worker process ended without its result (killed: by the system for
    lack of memory, most likely)."""

    def __init__(self, name, exitcode):
        self.name, self.exitcode = name, exitcode
        how = (f"was killed by {signal.Signals(-exitcode).name}" if exitcode is not None and exitcode < 0
               else f"ended with exit code {exitcode}")
        super().__init__(f"the process of {name} {how}, most likely by the system for lack of memory")


class _Worker:
    """One experiment in a worker process of its own, its result sent back through a pipe.

    Ctrl-C belongs to the main process. A worker ignores SIGINT, which is held back from
    before it exists (a Ctrl-C while it starts cannot reach it half made). The main process
    stops it with SIGTERM, and kills it if it has not exited GRACE seconds later; the
    command line then removes any half-written file. A worker whose main process has died
    ends itself."""
    CONTEXT = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    GRACE = 1.5

    def __init__(self, name, process, connection):
        self.name, self.process, self.connection = name, process, connection

    @classmethod
    def start(cls, name, kwargs, running):
        """Start experiment `name` in a new process and add it to `running`, Ctrl-C held back
        until it is there (so whatever has started is also stopped)."""
        receive, send = cls.CONTEXT.Pipe(duplex=False)
        with _interrupts_held():
            process = cls.CONTEXT.Process(target=_work, args=(send, name, kwargs, os.getpid()), daemon=True)
            process.start()
            running.append(cls(name, process, receive))
        send.close()

    @staticmethod
    def first_done(running):
        """The first of `running` to finish."""
        ready = multiprocessing.connection.wait([w.connection for w in running])
        return next(w for w in running if w.connection in ready)

    def result(self):
        """(cost, learners) from the worker; an error of the experiment is raised here."""
        try:
            status, value = self.connection.recv()
        except EOFError:
            self.process.join()
            raise WorkerDied(self.name, self.process.exitcode) from None
        self.process.join()
        if status == "error":
            raise value
        return value

    @classmethod
    def stop(cls, running):
        """End every worker of `running`: SIGTERM, then SIGKILL to one still alive GRACE s later."""
        with _interrupts_held():                 # a second Ctrl-C waits the GRACE seconds at most
            for worker in running:
                worker.process.terminate()
            deadline = time.monotonic() + cls.GRACE
            for worker in running:
                worker.process.join(max(0.0, deadline - time.monotonic()))
                if worker.process.is_alive():
                    worker.process.kill()
                    worker.process.join()


@contextlib.contextmanager
def _interrupts_held():
    """SIGINT held back in this thread, and in a process started here, until the block ends."""
    if not hasattr(signal, "pthread_sigmask"):   # Windows has no signal masks
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _work(connection, name, kwargs, parent):
    """A worker process: run experiment `name`, send back ("done", result) or ("error", error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    threading.Thread(target=_end_when_orphaned, args=(parent,), daemon=True).start()
    try:
        connection.send(("done", _run_one(name, **kwargs)))
    except Exception as err:
        connection.send(("error", err))


def _end_when_orphaned(parent):
    """SIGTERM to this worker once its main process is gone (killed, so it could not stop it)."""
    while os.getppid() == parent:
        time.sleep(0.25)
    os.kill(os.getpid(), signal.SIGTERM)


def _run_one(name, seeds, quick, out_dir, configs, records, start, made_with, learners=None, keep=False):
    """Run one experiment (continuing `learners` if it continues another's), save its arrays to
    out_dir/<name>.npz. Returns (its cost {experiment, seconds, env_steps}, the learners later
    experiments continue if `keep`, else None)."""
    cfg = configs[name]                          # built and checked once, by the command line
    report = Progress(name, start)
    report("starting")
    begin = time.perf_counter()
    run = EXPERIMENTS[name].run
    arrays = run(cfg, seeds, learners, report) if EXPERIMENTS[name].continues else run(cfg, seeds, report)
    arrays, socialized = arrays if isinstance(arrays, tuple) else (arrays, None)
    cost = {"experiment": name, "seconds": round(time.perf_counter() - begin, 2), "env_steps": int(arrays["env_steps"])}
    meta = {"experiment": name, "seeds": list(seeds), "quick": quick, "env_steps": cost["env_steps"],
            "made_with": made_with, **records[name]}
    outputs.save_run(Path(out_dir) / f"{name}.npz", arrays, meta)
    return cost, (socialized if keep else None)
