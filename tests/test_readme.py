"""The README's worked example runs as printed and prints what the README says it prints."""
import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_example_prints_its_documented_output():
    code = README.read_text().split("```python\n", 1)[1].split("```", 1)[0]
    expected = [line[2:] for line in code.splitlines() if line.startswith("# ")]
    import matplotlib
    matplotlib.use("Agg")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    import matplotlib.pyplot as plt
    assert len(plt.gca().get_lines()) == 3                      # one curve per condition
    plt.close("all")
    strip = lambda line: re.sub(r"\s+<-.*$", "", line).rstrip()          # drop the annotation
    assert [l.rstrip() for l in printed.getvalue().splitlines()] == [strip(l) for l in expected]


def test_the_readme_result_tables_are_the_committed_results():
    """Every result table of the README is what report.py makes of figures/results.json (and
    figures/seed_sets/): no number in them is typed by hand, and none is stale."""
    import report
    results, seed_sets = report.load(README.parent / "figures" / "results.json")
    text = README.read_text()
    assert report.update(text, report.render(results, seed_sets)) == text, "run python report.py"


def test_report_refuses_a_readme_whose_blocks_do_not_match_the_tables():
    import pytest
    import report
    with pytest.raises(ValueError, match="do not match"):
        report.update("<!-- results:nonsense -->\nx\n<!-- /results -->", {"internalization": "y"})
