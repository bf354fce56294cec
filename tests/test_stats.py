"""The hand-written statistics against textbook tables and the paper's published numbers."""
import math

import numpy as np
import pytest

import stats
from beyond import claims as beyond_claims

# Fig. 4 right's per-seed OOD returns as the authors' plotting script (figure_4b_plot.py) holds them.
FROZEN = [.46815, .51655, .66775, .5002, .61165, .4882, .41905, .65745, .56195, .515]
ISR = [.54755, .67805, .607, .81355, .61925, .5173, .5994, .59855, .71735, .6025]
ORACLE = [.6545, .57865, .7698, .8218, .75765, .513, .60075, .615, .70365, .7042]

# Two-sided 95% and one-sided 95% critical values of Student's t (any textbook table).
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
         9: 2.262, 10: 2.228, 12: 2.179, 15: 2.131, 18: 2.101, 20: 2.086, 25: 2.060,
         30: 2.042, 40: 2.021, 60: 2.000, 80: 1.990, 100: 1.984}
T_95 = {1: 6.314, 2: 2.920, 5: 2.015, 10: 1.812, 20: 1.725, 30: 1.697, 60: 1.671, 100: 1.660}


@pytest.mark.parametrize("table, q", [(T_975, 0.975), (T_95, 0.95)])
def test_t_distribution_matches_textbook_tables(table, q):
    for df, t in table.items():
        assert stats.t_cdf(t, df) == pytest.approx(q, abs=2e-4), df
        assert stats.t_quantile(q, df) == pytest.approx(t, rel=5e-4), df


def test_t_cdf_special_cases():
    assert stats.t_cdf(0.0, 7) == pytest.approx(0.5)
    # df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π
    for t in (-3.0, -0.5, 0.7, 4.0):
        assert stats.t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, rel=1e-10)
    # df = 2 has F(t) = 1/2 + t / (2·sqrt(2 + t²))
    for t in (-2.0, 1.3):
        assert stats.t_cdf(t, 2) == pytest.approx(0.5 + t / (2 * math.sqrt(2 + t * t)), rel=1e-10)


def closed_form_t_cdf(t, df):
    """Abramowitz & Stegun 26.7.3–26.7.4: P(|T| ≤ t) as a finite series in θ = atan(t/√df)."""
    theta = math.atan(abs(t) / math.sqrt(df))
    s, c = math.sin(theta), math.cos(theta)
    if df % 2:                          # odd df
        term, series = c, 0.0 if df == 1 else c
        for k in range(3, df - 1, 2):
            term *= (k - 1) / k * c * c
            series += term
        inside = 2 / math.pi * (theta + s * series) if df > 1 else 2 * theta / math.pi
    else:                               # even df
        term, series = 1.0, 1.0
        for k in range(2, df - 1, 2):
            term *= (k - 1) / k * c * c
            series += term
        inside = s * series
    return 0.5 + math.copysign(inside / 2, t)


def test_t_cdf_agrees_with_the_closed_form_series_for_df_1_to_100():
    for df in range(1, 101):
        for t in (-4.0, -2.0, -0.7, 0.3, 1.0, 1.984, 2.5, 6.0):
            assert stats.t_cdf(t, df) == pytest.approx(closed_form_t_cdf(t, df), rel=1e-9, abs=1e-12), (df, t)


def test_betainc_matches_closed_forms():
    assert stats.betainc(1.0, 1.0, 0.3) == pytest.approx(0.3)
    assert stats.betainc(2.0, 1.0, 0.3) == pytest.approx(0.09)
    assert stats.betainc(2.5, 3.5, 0.4) + stats.betainc(3.5, 2.5, 0.6) == pytest.approx(1.0)


def test_student_t_test_reproduces_figure_4_right():
    frozen_vs_isr = stats.student_t_test(FROZEN, ISR)
    assert frozen_vs_isr.t == pytest.approx(-2.377, abs=1e-3) and frozen_vs_isr.df == 18
    assert frozen_vs_isr.p == pytest.approx(0.0287, abs=1e-4)
    isr_vs_oracle = stats.student_t_test(ISR, ORACLE)
    assert isr_vs_oracle.t == pytest.approx(-1.024, abs=1e-3)
    assert isr_vs_oracle.p == pytest.approx(0.3196, abs=1e-4)
    half = 2.100922 * isr_vs_oracle.diff / isr_vs_oracle.t          # t_0.975 with 18 df × SE
    assert isr_vs_oracle.ci95 == pytest.approx((isr_vs_oracle.diff - half, isr_vs_oracle.diff + half), abs=1e-6)


def test_paired_t_test_is_ols_with_a_fixed_effect_per_pair():
    a, b = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 0.0, 1.0, 1.0])
    paired = stats.paired_t_test(a, b)
    assert paired.t == pytest.approx(2 / math.sqrt(2 / 3 / 4)) and paired.df == 3
    X, names = stats.treatment_design({"method": ["a"] * 4 + ["b"] * 4, "pair": [0, 1, 2, 3] * 2},
                                      reference={"method": "b"})
    row = stats.ols(np.r_[a, b], X, names).row("method[a]")
    assert row["t"] == pytest.approx(paired.t) and row["p"] == pytest.approx(paired.p)
    assert row["ci95"] == pytest.approx(paired.ci95)
    with pytest.raises(ValueError, match="equal-length"):
        stats.paired_t_test(a, b[:3])
    with pytest.raises(ValueError, match="differences are equal"):
        stats.paired_t_test(a, a - 1)
    with pytest.raises(ValueError, match="NaN"):
        stats.paired_t_test(a, np.r_[b[:3], np.nan])


def test_welch_equals_student_for_equal_sizes_but_not_df():
    student, welch = stats.student_t_test(FROZEN, ISR), stats.welch_t_test(FROZEN, ISR)
    assert welch.t == pytest.approx(student.t)
    assert 17 < welch.df < 18 and welch.p > student.p


@pytest.mark.parametrize("a, b, message", [
    ([1.0], [1.0, 2.0], "at least 2"),
    ([1.0, float("nan")], [1.0, 2.0], "NaN"),
    ([1.0, 1.0], [2.0, 2.0], "zero variance"),
])
def test_bad_input_is_a_clear_error(a, b, message):
    for test in (stats.student_t_test, stats.welch_t_test):
        with pytest.raises(ValueError, match=message):
            test(a, b)


def test_mean_se():
    mean, se = stats.mean_se(np.array([[1.0, 2.0], [3.0, 6.0]]))
    np.testing.assert_allclose(mean, [2.0, 4.0])
    np.testing.assert_allclose(se, [1.0, 2.0])


# Fig. 5's per-seed OOD returns, 10 per layout, as the authors' plotting script (figure_5_plot.py) holds them.
FIG5 = {
    "plus": {"F": [.3345, .41305, .6714, .45605, .443, .2573, .34745, .17965, .36845, .5684],
             "I": [.56575, .4382, .5676, .61315, .4105, .4919, .43565, .5809, .5974, .638],
             "O": [.53885, .60235, .55725, .6205, .5664, .51755, .5435, .5633, .64665, .766]},
    "x": {"F": [.18515, .01815, .06405, .1942, .0353, -.2586, .16325, .0531, .11305, .19845],
          "I": [.39765, .3681, .4032, .5374, .3884, .358, .4855, .41835, .4949, .4777],
          "O": [.39495, .4245, .34085, .56645, .39055, .34965, .49895, .44755, .3671, .5429]},
    "U": {"F": [.3089, .12005, .35025, .18715, .1517, .0712, .2295, .13935, .26385, .37775],
          "I": [.49485, .4295, .53735, .35395, .40255, .3375, .38145, .42595, .6666, .50455],
          "O": [.47825, .42895, .49305, .514, .403, .40175, .4197, .4613, .60565, .63785]},
    "T": {"F": [.29075, .3925, .4093, .41405, .3423, .28095, .36985, .16845, .40445, .59485],
          "I": [.4573, .47335, .5482, .6496, .4509, .483, .48335, .5245, .6497, .5706],
          "O": [.45345, .63215, .7251, .4992, .5479, .37715, .5594, .49255, .6504, .7803]},
    "4 rooms": {"F": [.793, .8191, .74515, .8468, .841, .76625, .82365, .81955, .79115, .9011],
                "I": [.6824, .7547, .68785, .86865, .83695, .6732, .80465, .62855, .88605, .71155],
                "O": [.803, .86085, .90105, .8637, .78965, .69635, .8396, .84355, .929, .888]},
}


def fig5_fit(methods, interaction):
    """The paper's fit: two methods (renamed as the authors did), y ~ method (*|+) env."""
    y, method, layout = [], [], []
    for name, by_method in FIG5.items():
        for code, label in methods.items():
            y += by_method[code]
            method += [label] * 10
            layout += [name] * 10
    X, names = stats.treatment_design({"method": method, "env": layout},
                                      interaction=interaction, reference={"env": "T"})
    return stats.ols(y, X, names)


def test_ols_reproduces_figure_5_and_the_additive_model():
    """Frozen→"Simple", ISR→"Reward": the reference method is then Reward (resp. Oracle)."""
    frozen = fig5_fit({"F": "Simple", "I": "Reward"}, interaction=True)
    assert frozen.df == 90
    row = frozen.row("method[Simple]")
    assert row["coef"] == pytest.approx(-0.1623, abs=1e-4) and row["se"] == pytest.approx(0.0443, abs=1e-4)
    assert row["t"] == pytest.approx(-3.662, abs=1e-3) and row["p"] == pytest.approx(0.00042, abs=1e-5)
    oracle = fig5_fit({"I": "Reward", "O": "Oracle"}, interaction=True)
    row = oracle.row("method[Reward]")
    assert row["coef"] == pytest.approx(-0.0427, abs=1e-4)
    assert row["t"] == pytest.approx(-1.121, abs=1e-3) and row["p"] == pytest.approx(0.265, abs=1e-3)
    # The additive model answers "across layouts".
    assert fig5_fit({"F": "Simple", "I": "Reward"}, False).row("method[Simple]")["t"] == pytest.approx(-6.84, abs=0.01)
    additive = fig5_fit({"I": "Reward", "O": "Oracle"}, False).row("method[Reward]")
    assert additive["t"] == pytest.approx(-2.59, abs=0.01) and additive["p"] == pytest.approx(0.011, abs=1e-3)


def test_ols_matches_a_two_group_t_test():
    a, b = [1.0, 2.0, 4.0], [3.0, 5.0, 6.0, 9.0]
    X, names = stats.treatment_design({"group": ["a"] * 3 + ["b"] * 4})
    fit = stats.ols(a + b, X, names).row("group[b]")
    student = stats.student_t_test(b, a)
    assert fit["t"] == pytest.approx(student.t) and fit["p"] == pytest.approx(student.p)


def test_ols_bad_input_is_a_clear_error():
    X, names = stats.treatment_design({"g": ["a", "a", "b", "b"]})
    with pytest.raises(ValueError, match="NaN"):
        stats.ols([1.0, float("nan"), 2.0, 3.0], X, names)
    with pytest.raises(ValueError, match="zero residual"):
        stats.ols([1.0, 1.0, 2.0, 2.0], X, names)
    with pytest.raises(ValueError, match="at least 2 levels"):
        stats.treatment_design({"g": ["a", "a"]})


@pytest.mark.parametrize("df", [1, 2, 5, 30, 1e3, 1e6])
@pytest.mark.parametrize("t", [1e-15, 1e-10, 1e-6, 1e-4, -1e-8])
def test_t_cdf_is_exact_near_zero(t, df):
    """Near 0 the t density is f(0) = Γ((df+1)/2) / (√(df·π) Γ(df/2)), so by the series
    P(T ≤ t) = 1/2 + f(0)·t·(1 − (df+1)·t²/(6·df) + …): the excess over 1/2 must match it."""
    if df <= 1e4:
        f0 = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    else:                                       # lgamma would cancel: the large-df expansion
        f0 = (1 - 1 / (4 * df) + 1 / (32 * df ** 2) + 5 / (128 * df ** 3)) / math.sqrt(2 * math.pi)
    series = f0 * t * (1 - (df + 1) * t * t / (6 * df))
    step = math.ulp(0.5)                        # the spacing of doubles just above 1/2
    assert abs(stats.t_cdf(t, df) - (0.5 + series)) <= step       # correctly rounded
    assert abs(stats.t_sf_two_sided(t, df) - (1 - 2 * abs(series))) <= 2 * step
    if abs(series) > 4 * step:                  # where the old formula returned exactly 1/2
        assert stats.t_cdf(t, df) != 0.5


def test_the_pooled_test_is_the_paired_test_for_one_set_and_blocks_out_shifts_between_sets():
    """Pooled over seed sets with a term per set: with one set it is the paired t-test; a
    constant shift of one set moves the estimate by its share of learners but not its SE."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 12), rng.normal(0.3, 1, 12)
    one = stats.pooled_paired_t_test([a - b])
    assert one._replace(ci95=None) == pytest.approx(stats.paired_t_test(a, b)._replace(ci95=None))
    sets = [rng.normal(0.1, 0.2, 10), rng.normal(0.1, 0.2, 30)]
    shifted = stats.pooled_paired_t_test([sets[0] + 5.0, sets[1]])
    base = stats.pooled_paired_t_test(sets)
    assert shifted.se == pytest.approx(base.se) and shifted.df == 40 - 2
    assert shifted.diff == pytest.approx(base.diff + 5.0 * 10 / 40)
    with pytest.raises(ValueError, match="more learners than seed sets"):
        stats.pooled_paired_t_test([np.array([1.0]), np.array([2.0])])


def test_random_effects_counts_the_spread_between_seed_sets():
    """Two sets: Q = (d̄1 − d̄2)² / (v1 + v2) exactly, τ² = (Q − 1) / (Σw − Σw²/Σw); sets that
    agree give τ = 0 and the inverse-variance mean; sets that disagree widen the interval
    past the within-set one (t on J − 1 df)."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(0.0, 1.0, 10), rng.normal(3.0, 1.0, 12)
    v = np.array([a.var(ddof=1) / 10, b.var(ddof=1) / 12])
    w = 1 / v
    re = stats.random_effects([a, b])
    assert re.q == pytest.approx((a.mean() - b.mean()) ** 2 / v.sum(), rel=1e-12)
    tau2 = (re.q - 1) / (w.sum() - (w ** 2).sum() / w.sum())
    assert re.tau == pytest.approx(np.sqrt(tau2), rel=1e-12) and re.df == 1
    assert re.i2 == pytest.approx((re.q - 1) / re.q)
    assert re.ci95[1] - re.ci95[0] > 10 * (stats.pooled_paired_t_test([a, b]).ci95[1] - stats.pooled_paired_t_test([a, b]).ci95[0])
    same = stats.random_effects([a, a[::-1]])                                   # equal means
    assert same.q == pytest.approx(0.0, abs=1e-20) and same.tau == 0.0 and same.i2 == 0.0
    assert same.diff == pytest.approx(a.mean(), rel=1e-12)
    with pytest.raises(ValueError, match="two sets"):
        stats.random_effects([a])


def test_equivalence_is_two_one_sided_tests_against_the_margin():
    """diff 0.01 ± 0.01 on 20 df within ±0.05: the nearer bound gives t = (0.01 − 0.05) / 0.01
    = −4, p = P(T₂₀ < −4) = 0.00035 (tables); diff 0.04: t = −1, p = 0.165, not equivalent.
    Equivalent exactly when the 90 % interval lies inside ±margin, on either side."""
    inside = stats.equivalence(0.01, 0.01, 20, 0.05)
    assert inside.p == pytest.approx(0.00035, rel=0.01) and inside.equivalent
    np.testing.assert_allclose(inside.ci90, [0.01 - 1.7247 * 0.01, 0.01 + 1.7247 * 0.01], atol=1e-5)
    outside = stats.equivalence(0.04, 0.01, 20, 0.05)
    assert outside.p == pytest.approx(0.1646, abs=1e-3) and not outside.equivalent
    assert stats.equivalence(-0.04, 0.01, 20, 0.05).p == pytest.approx(outside.p)
    for diff in np.linspace(-0.08, 0.08, 33):
        e = stats.equivalence(diff, 0.012, 9, 0.05)
        assert e.equivalent == (-0.05 < e.ci90[0] and e.ci90[1] < 0.05), diff
    with pytest.raises(ValueError, match="margin"):
        stats.equivalence(0.0, 0.01, 9, 0.0)


def test_a_verdict_needs_the_pooled_interval_and_no_set_against_it():
    test = lambda diff, low, high, p: {"diff": diff, "ci95": (low, high), "p": p}
    agree = {"A": test(-0.02, -0.03, -0.01, 0.001), "B": test(-0.01, -0.03, 0.01, 0.3)}
    assert beyond_claims.pooled_verdict(test(-0.02, -0.03, -0.005, 0.01), agree) == "a < b"
    assert beyond_claims.pooled_verdict(test(-0.02, -0.05, 0.01, 0.2), agree) == "not distinguished"
    against = {**agree, "C": test(+0.02, 0.01, 0.03, 0.01)}
    assert beyond_claims.pooled_verdict(test(-0.02, -0.03, -0.005, 0.01), against) == "contradicted"
