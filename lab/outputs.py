"""lab/outputs.py — the files a run leaves: its arrays (.npz), results.json and the PNGs.

A run of an experiment (experiments.py, beyond/experiments.py) is a nested dict of arrays,
saved flat, one array per "a/b/c" key, in a compressed .npz with a JSON "meta" entry
(experiment, seeds, quick, env steps, where it was made; its config where not the default),
and loaded back as the same nested dict, bit for bit; the same run gives the same file.
Every file is written to a temporary file in its folder and renamed into place, so an
interrupted run leaves no half-written file.

Public names: save_run, load_run, load_meta, write_json, save_figure, save_file,
remove_temporary_files, made_with, jsonable, peak_memory_mb.
"""
import json
import os
import platform
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np


def flatten(tree, prefix=""):
    """{"a": {"b": x}} → {"a/b": array(x)}."""
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = np.asarray(value)
    return flat


def unflatten(flat):
    """{"a/b": x} → {"a": {"b": x}}."""
    tree = {}
    for key, value in flat.items():
        *parents, leaf = key.split("/")
        node = tree
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return tree


def save_run(path, run, meta):
    """Write a run's arrays and its meta (a JSON-ready dict) to a compressed .npz.

    Like np.savez_compressed, but every member carries a fixed date, so the same run gives
    the same bytes (a rerun leaves git nothing to commit).
    """
    arrays = {"meta": np.array(json.dumps(meta, default=jsonable)), **flatten(run)}

    def write(f):
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as npz:
            for key, value in arrays.items():
                member = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                member.compress_type = zipfile.ZIP_DEFLATED
                with npz.open(member, "w", force_zip64=True) as out:
                    np.lib.format.write_array(out, value, allow_pickle=False)
    _atomic(path, write, binary=True)


def load_run(path):
    """(run, meta) from a file written by `save_run`."""
    with np.load(path, allow_pickle=False) as npz:
        flat = {key: npz[key] for key in npz.files}
    meta = json.loads(str(flat.pop("meta")))
    return unflatten(flat), meta


def load_meta(path):
    """Only the meta of a file written by `save_run` (the arrays are not read)."""
    with np.load(path, allow_pickle=False) as npz:
        return json.loads(str(npz["meta"]))


def write_json(path, obj):
    _atomic(path, lambda f: f.write(json.dumps(obj, indent=1, default=jsonable)))


def save_figure(fig, path, dpi=130):
    """Write a matplotlib figure as PNG, atomically."""
    fig.tight_layout()
    _atomic(path, lambda f: fig.savefig(f, dpi=dpi, format="png"), binary=True)


def save_file(path, write):
    """Call write(temporary path) for a writer that needs a file name (an animation), then
    rename the file into place; nothing is left behind if it fails or is interrupted. Each
    file has one writer, so its temporary name is fixed: <stem>.tmp<suffix> (writers read
    the suffix)."""
    path = Path(path)
    tmp = path.with_name(f"{path.stem}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remove_temporary_files(folder):
    """Remove the temporary files `save_file` left in `folder` (a worker killed mid-write
    cannot remove its own)."""
    for path in Path(folder).glob("*.tmp.*"):
        path.unlink(missing_ok=True)


def made_with(commit=False):
    """Where a run's numbers are made: numpy's version and the kernel sets its float sums and
    functions run (OpenBLAS's, chosen by CPU: "Haswell", "SkylakeX", …; numpy's SIMD sets in
    use), Python's version, and with `commit` the code's commit ("+changes" if a .py file
    differs from it; None outside a git checkout: the arrays' metas leave it out, so that a
    rerun after a commit gives the same bytes). The same seeds give the same bits with the
    same kernel sets; with others, learning takes other paths and the claims hold, not the bits."""
    made = {"numpy": np.__version__, "blas": _blas_kernels(), "simd": _simd_kernels(),
            "python": platform.python_version()}
    return {**made, "commit": _commit()} if commit else made


def _blas_kernels():
    """OpenBLAS's kernel set as it reports it, or None where numpy's BLAS is not OpenBLAS."""
    import ctypes
    for library in sorted((Path(np.__file__).parent.parent / "numpy.libs").glob("*openblas*")):
        for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename64_",
                       "openblas_get_corename"):
            function = getattr(ctypes.CDLL(str(library)), symbol, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode().strip()
    return None


def _simd_kernels():
    """numpy's SIMD sets found to run here, beyond its baseline (numpy.show_config)."""
    return np.show_config(mode="dicts")["SIMD Extensions"].get("found", [])


def _commit():
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "*.py"],
                                 cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+changes" if changed.stdout.strip() else "")


def jsonable(x):
    """json.dump's fallback for numpy values."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"cannot write {type(x)} to JSON")


def peak_memory_mb(who="self"):
    """Peak resident memory in MB of this process ("self") or of its largest finished worker
    process ("children"), or None where the platform cannot say."""
    try:
        import resource
    except ImportError:                      # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_CHILDREN if who == "children" else resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2 ** 20 if sys.platform == "darwin" else 1024), 1)   # bytes on macOS, KB on Linux


def _atomic(path, write, binary=False):
    """Call write(file) on a temporary file beside `path`, then rename it into place."""
    def write_to(tmp):
        with open(tmp, "wb" if binary else "w") as f:
            write(f)
    save_file(path, write_to)
