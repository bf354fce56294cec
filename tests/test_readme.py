"""The README: its teaching script runs as printed (and on a small budget), and its result tables are the committed results."""
import contextlib
import io
import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_script():
    """The Teaching section's script, and the outputs its comments say it prints."""
    code = README.read_text().split("## Teaching", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    return code, [line[2:] for line in code.splitlines() if line.startswith("# ")]


def run_script(code):
    """Run the script as a notebook would (a fresh namespace, the Agg backend): (what it printed,
    its namespace, the lines on its plot)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    printed, namespace = io.StringIO(), {}
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), namespace)
    lines = len(plt.gca().get_lines())
    plt.close("all")
    return printed.getvalue().splitlines(), namespace, lines


def numbers_and_words(line):
    """(the numbers in a printed line, the line with each number replaced by #)."""
    pattern = r"[-+]?\d+\.?\d*(?:e[-+]?\d+)?"
    return [float(x) for x in re.findall(pattern, line)], re.sub(pattern, "#", line).split()


def test_the_teaching_script_prints_its_documented_output():
    """The script prints the lines its comments show: the same words, and numbers close to
    the documented ones. Not equal: float32 sums (BLAS and numpy's SIMD kernels) round
    differently on different processors, and the learning amplifies the last bit."""
    code, expected = readme_script()
    assert len(code.strip().splitlines()) <= 25
    printed, _, lines = run_script(code)
    assert lines == 3                                         # one curve per condition
    assert len(printed) == len(expected)
    for got, want in zip(printed, expected):
        (got_numbers, got_words), (want_numbers, want_words) = numbers_and_words(got), numbers_and_words(want)
        assert got_words == want_words, (got, want)
        np.testing.assert_allclose(got_numbers, want_numbers, atol=0.4, err_msg=f"{got} | {want}")


def test_the_teaching_script_shows_the_effect_on_a_small_budget():
    """The same script at the quick budget (a quarter of the episodes): it runs, and every
    learner without an ISR ends below the same learner with its ISR."""
    code, _ = readme_script()
    assert "ex.Internalization()" in code
    printed, namespace, lines = run_script(code.replace("ex.Internalization()", "ex.Internalization().quick()"))
    assert lines == 3 and printed[3].startswith("isr - none: +")
    last = namespace["last"]
    assert (last("isr") > last("none") + 1.0).all() and (last("none") < 0.5).all()


def test_the_readme_result_tables_are_the_committed_results():
    """Every result table of the README is what lab/report.py makes of figures/results.json (and
    figures/seed_sets/): no number in them is typed by hand, and none is stale."""
    from lab import report
    results, seed_sets = report.load(README.parent / "figures" / "results.json")
    text = README.read_text()
    assert report.update(text, report.render(results, seed_sets)) == text, "run python -m lab.report"
    pooled = README.parent / "figures" / "pooled.json"
    assert pooled.read_text() == report.pooled_json(results, seed_sets), "run python -m lab.report"


def test_report_refuses_a_readme_whose_blocks_do_not_match_the_tables():
    import pytest
    from lab import report
    with pytest.raises(ValueError, match="do not match"):
        report.update("<!-- results:nonsense -->\nx\n<!-- /results -->", {"internalization": "y"})
