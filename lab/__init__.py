"""lab/ — the tooling around the paper's code: the registry of experiments and figures
(registry.py), their saved arrays and the drawing (pipeline.py), the worker processes that
run them (workers.py), the command line (cli.py), the output files (outputs.py) and the
docs' tables (report.py).
A reader of the paper can ignore this folder."""
