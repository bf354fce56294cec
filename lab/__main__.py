"""`python -m lab`, the command line that `python figures.py` becomes (lab/cli.py: `--help`).

A Ctrl-C while the modules load ends the process at once, with one line and exit status 130:
nothing is written yet and no process started. From then on lab/cli.py handles it."""
import os
import signal
import sys


def _interrupted_while_loading(signum, frame):
    os.write(2, b"interrupted while loading: nothing was written\n")
    os._exit(130)


if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:       # an ignored Ctrl-C stays ignored
    signal.signal(signal.SIGINT, _interrupted_while_loading)
import figures  # noqa: E402  first: it pins BLAS to one thread before numpy loads
from lab import cli  # noqa: E402

if signal.getsignal(signal.SIGINT) is _interrupted_while_loading:   # loaded: from here Ctrl-C is
    signal.signal(signal.SIGINT, signal.default_int_handler)        # lab/cli.py's KeyboardInterrupt
sys.exit(cli.main())
