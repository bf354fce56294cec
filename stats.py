"""stats.py — the statistics of the paper's figures, written out in numpy.

No scipy: the t distribution's CDF comes from the regularized incomplete beta function,
evaluated by its continued fraction (Numerical Recipes §6.4, modified Lentz method).

Public names: betainc, t_cdf, t_sf_two_sided, t_quantile, student_t_test, welch_t_test,
paired_t_test, pooled_paired_t_test, equivalence, random_effects, treatment_design, ols, mean_se.
"""
import math
from typing import NamedTuple

import numpy as np


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1."""
    if not (a > 0 and b > 0 and 0.0 <= x <= 1.0):
        raise ValueError(f"betainc needs a, b > 0 and 0 <= x <= 1, got a={a}, b={b}, x={x}")
    if x == 0.0 or x == 1.0:
        return float(x)
    log_front = _log_inverse_beta(a, b) + a * math.log(x) + b * math.log1p(-x)
    # The continued fraction converges fast for x < (a+1)/(a+b+2); use symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


def _log_inverse_beta(a, b):
    """log Γ(a+b) − log Γ(a) − log Γ(b). For a parameter above 1,000 (a t test with
    df > 2,000), lgamma(big + small) − lgamma(big) cancels most of its digits; there it is
    computed from Stirling's series term by term instead."""
    big, small = max(a, b), min(a, b)
    if big <= 1000.0:
        return math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    stirling = lambda z: 1.0 / (12 * z) - 1.0 / (360 * z ** 3) + 1.0 / (1260 * z ** 5)
    ratio = ((big - 0.5) * math.log1p(small / big) + small * math.log(big + small) - small
             + stirling(big + small) - stirling(big))          # log Γ(big+small) − log Γ(big)
    return ratio - math.lgamma(small)


def _beta_fraction(a, b, x, tiny=1e-300, eps=1e-15):
    """Continued fraction of I_x(a, b) by the modified Lentz method."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 10_000):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),           # even step
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):  # odd
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < eps:
            return result
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def _t_split(t, df):
    """(P(|T| ≥ |t|), P(|T| < |t|)) for Student's t with df > 0, each without cancellation.

    P(|T| ≥ |t|) = I_x(df/2, 1/2) with x = df/(df + t²); near t = 0, x rounds to 1, so there
    the inner mass is computed directly as I_y(1/2, df/2) with y = t²/(df + t²) = 1 − x.
    """
    if not df > 0:
        raise ValueError(f"degrees of freedom must be > 0, got {df}")
    t2 = t * t
    if t2 < df:
        inner = betainc(0.5, df / 2.0, t2 / (df + t2))
        return 1.0 - inner, inner
    outer = betainc(df / 2.0, 0.5, df / (df + t2))
    return outer, 1.0 - outer


def t_cdf(t, df):
    """P(T ≤ t) for Student's t distribution with df > 0 degrees of freedom."""
    outer, inner = _t_split(t, df)
    if t * t < df:                                   # near the centre: 1/2 ± half the inner mass
        return 0.5 + 0.5 * inner if t > 0 else 0.5 - 0.5 * inner
    return 1.0 - 0.5 * outer if t > 0 else 0.5 * outer


def t_sf_two_sided(t, df):
    """P(|T| ≥ |t|): the two-sided p-value of a t statistic."""
    return _t_split(t, df)[0]


class TTest(NamedTuple):
    t: float      # statistic of mean(a) − mean(b)
    df: float     # degrees of freedom
    p: float      # two-sided p-value
    diff: float   # mean(a) − mean(b)
    se: float     # standard error of diff
    ci95: tuple   # 95% confidence interval of diff


def _check_groups(a, b):
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    for name, g in (("first", a), ("second", b)):
        if g.size < 2:
            raise ValueError(f"a t-test needs at least 2 values per group; the {name} has {g.size}")
        if not np.isfinite(g).all():
            raise ValueError(f"the {name} group holds NaN or infinite values")
    if a.var() == 0.0 and b.var() == 0.0:
        raise ValueError("both groups have zero variance; the t statistic is undefined")
    return a, b


def _t_test(diff, se, df):
    t = diff / se
    half_width = t_quantile(0.975, df) * se
    return TTest(float(t), float(df), float(t_sf_two_sided(t, df)), float(diff), float(se),
                 (float(diff - half_width), float(diff + half_width)))


def student_t_test(a, b):
    """Two-sample t-test with pooled variance (scipy's ttest_ind default; the paper's).

    t = (ā − b̄) / (s_p·√(1/n_a + 1/n_b)), s_p² = ((n_a−1)s_a² + (n_b−1)s_b²)/(n_a+n_b−2),
    df = n_a + n_b − 2.
    """
    a, b = _check_groups(a, b)
    na, nb = a.size, b.size
    pooled = ((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2)
    return _t_test(a.mean() - b.mean(), math.sqrt(pooled * (1 / na + 1 / nb)), na + nb - 2)


def welch_t_test(a, b):
    """Welch's two-sample t-test (unequal variances).

    t = (ā − b̄) / √(s_a²/n_a + s_b²/n_b), with the Welch–Satterthwaite
    df = (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1)).
    """
    a, b = _check_groups(a, b)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    return _t_test(a.mean() - b.mean(), math.sqrt(va + vb), df)


def paired_t_test(a, b):
    """Paired t-test: a one-sample t-test of the differences a_i − b_i, df = n − 1.

    Fig. 5: a and b are one value per seed (the seed's mean over the five layouts), so the
    seed-to-seed spread that both conditions share cancels.
    """
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if a.size != b.size:
        raise ValueError(f"a paired t-test needs equal-length groups, got {a.size} and {b.size}")
    d = a - b
    if d.size < 2:
        raise ValueError(f"a paired t-test needs at least 2 pairs, got {d.size}")
    if not np.isfinite(d).all():
        raise ValueError("the pairs hold NaN or infinite values")
    if d.var() == 0.0:
        raise ValueError("all differences are equal; the t statistic is undefined")
    return _t_test(d.mean(), d.std(ddof=1) / math.sqrt(d.size), d.size - 1)


def pooled_paired_t_test(differences):
    """One paired effect over several seed sets, with a term per set: differences is a list
    of 1-D arrays, one per seed set, of per-learner paired differences a − b. The estimate is
    the mean over every learner (each set weighted by its learners); its standard error comes
    from the spread within sets, s² = Σ_j Σ_i (d_ij − d̄_j)² / (N − J), so a shift between
    seed sets is a set's term, not noise: SE = s / √N, df = N − J."""
    groups = [np.asarray(d, dtype=float).ravel() for d in differences]
    n, n_sets = sum(g.size for g in groups), len(groups)
    if n - n_sets < 1 or min(g.size for g in groups) < 1:
        raise ValueError(f"a pooled test needs more learners than seed sets, got {n} in {n_sets}")
    if not all(np.isfinite(g).all() for g in groups):
        raise ValueError("the differences hold NaN or infinite values")
    within = sum(((g - g.mean()) ** 2).sum() for g in groups) / (n - n_sets)
    if within == 0.0:
        raise ValueError("no spread within the seed sets; the t statistic is undefined")
    return _t_test(np.concatenate(groups).mean(), math.sqrt(within / n), n - n_sets)


class Equivalence(NamedTuple):
    diff: float        # the estimate of a − b
    ci90: tuple        # its 90 % interval: inside ±margin exactly when both one-sided
                       # tests reject at 5 %
    margin: float      # the equivalence margin: |a − b| below it counts as "the same"
    p: float           # the larger of the two one-sided p-values
                       # (H0: a − b ≤ −margin; a − b ≥ margin)
    equivalent: bool   # p < 0.05


def equivalence(diff, se, df, margin):
    """Two one-sided t-tests (TOST) that an estimate diff (standard error se, df degrees of
    freedom) lies within ±margin: t_low = (diff + margin) / se against H0 diff ≤ −margin,
    t_high = (diff − margin) / se against H0 diff ≥ margin; equivalent when both p < 0.05."""
    if not (se > 0 and margin > 0):
        raise ValueError(
            f"an equivalence test needs se > 0 and margin > 0, got se {se}, margin {margin}"
        )
    p = max(t_cdf(-(diff + margin) / se, df), t_cdf((diff - margin) / se, df))
    half = t_quantile(0.95, df) * se
    interval = (float(diff - half), float(diff + half))
    return Equivalence(float(diff), interval, float(margin), float(p), bool(p < 0.05))


class RandomEffects(NamedTuple):
    diff: float        # the pooled estimate, each set weighted by 1 / (its variance + τ²)
    se: float
    t: float
    df: int            # seed sets − 1
    p: float           # two-sided, t on df
    ci95: tuple
    q: float           # Cochran's Q: the spread of the sets' estimates against their own errors
    i2: float          # the share of that spread beyond chance, max(0, (Q − df) / Q)
    tau: float         # the standard deviation of the sets' true effects (DerSimonian–Laird)
    per_set: tuple     # each set's estimate


def random_effects(differences):
    """One paired effect over several seed sets that may differ in their true effect: a
    random-effects estimate (DerSimonian–Laird). Each set j gives d̄_j with variance
    v_j = s_j² / n_j; Q = Σ w_j (d̄_j − d̄_w)², w_j = 1 / v_j; τ² = max(0, (Q − (J − 1)) / (Σw −
    Σw² / Σw)); the estimate weights set j by 1 / (v_j + τ²), SE = 1 / √Σ those weights, and
    its t has J − 1 degrees of freedom (few sets: a wide interval, as the spread between sets
    allows no more). differences: a list of 1-D arrays of per-learner a − b, one per set."""
    groups = [np.asarray(d, dtype=float).ravel() for d in differences]
    if len(groups) < 2 or min(g.size for g in groups) < 2:
        sizes = [g.size for g in groups]
        raise ValueError(f"a random-effects estimate needs two sets of two learners or more, "
                         f"got {sizes}")
    means = np.array([g.mean() for g in groups])
    variances = np.array([g.var(ddof=1) / g.size for g in groups])
    if not (variances > 0).all():
        raise ValueError("a seed set without spread has no standard error")
    w = 1.0 / variances
    fixed = math.fsum((w * means).tolist()) / math.fsum(w.tolist())
    q = math.fsum((w * (means - fixed) ** 2).tolist())
    df = len(groups) - 1
    tau2 = max(0.0, (q - df) / (w.sum() - (w ** 2).sum() / w.sum()))
    w_star = 1.0 / (variances + tau2)
    diff = math.fsum((w_star * means).tolist()) / math.fsum(w_star.tolist())
    test = _t_test(diff, math.sqrt(1.0 / math.fsum(w_star.tolist())), df)
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    return RandomEffects(test.diff, test.se, test.t, df, test.p, test.ci95, q, i2, math.sqrt(tau2),
                         tuple(float(m) for m in means))


def t_quantile(q, df):
    """The q-quantile of Student's t with df degrees of freedom, by bisection on t_cdf."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {q}")
    lo, hi = -1.0, 1.0
    while t_cdf(lo, df) > q:
        lo *= 2.0
    while t_cdf(hi, df) < q:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if t_cdf(mid, df) < q else (lo, mid)
        if hi - lo < 1e-12 * max(1.0, abs(mid)):
            break
    return 0.5 * (lo + hi)


def mean_se(x, axis=0):
    """Mean and standard error (sample sd / √n) along an axis."""
    x = np.asarray(x, dtype=float)
    n = x.shape[axis]
    return x.mean(axis=axis), (
        x.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(x.mean(axis=axis))
    )


def treatment_design(factors, interaction=False, reference=None):
    """(X, names): an intercept plus treatment-coded categorical factors, as patsy/statsmodels.

    factors: {name: labels (n,)}, one or two factors. Each factor's reference level is
    `reference[name]` or, by default, its alphabetically first label (patsy's rule), and gets
    no column; every other level L gets an indicator column "name[L]". With
    `interaction=True` (two factors) the products "a[L]:b[M]" are added, so the model is
    y ~ a * b, and a main-effect coefficient is that level's effect at b's reference level.
    """
    names, columns, blocks = ["Intercept"], [], []
    reference = reference or {}
    for name, labels in factors.items():
        labels = np.asarray(labels).astype(str)
        levels = sorted(set(labels))
        if len(levels) < 2:
            raise ValueError(f"factor {name!r} needs at least 2 levels, has {levels}")
        ref = reference.get(name, levels[0])
        if ref not in levels:
            raise ValueError(f"reference {ref!r} is not a level of {name!r}: {levels}")
        block = [(f"{name}[{level}]", labels == level) for level in levels if level != ref]
        blocks.append(block)
        names += [n for n, _ in block]
        columns += [c for _, c in block]
    if interaction:
        if len(blocks) != 2:
            raise ValueError("an interaction needs exactly two factors")
        for name_a, col_a in blocks[0]:
            for name_b, col_b in blocks[1]:
                names.append(f"{name_a}:{name_b}")
                columns.append(col_a & col_b)
    n = len(columns[0])
    return np.column_stack([np.ones(n)] + [c.astype(float) for c in columns]), names


class OLSResult(NamedTuple):
    names: list      # one per coefficient
    coef: np.ndarray
    se: np.ndarray
    t: np.ndarray
    p: np.ndarray    # two-sided
    df: int          # residual degrees of freedom, n − p

    def row(self, name):
        """{coef, se, t, p, df, ci95} of one coefficient."""
        i = self.names.index(name)
        half_width = t_quantile(0.975, self.df) * self.se[i]
        return {"coef": float(self.coef[i]), "se": float(self.se[i]), "t": float(self.t[i]),
                "p": float(self.p[i]), "df": int(self.df),
                "ci95": (float(self.coef[i] - half_width), float(self.coef[i] + half_width))}


def ols(y, X, names):
    """Ordinary least squares: β = (XᵀX)⁻¹Xᵀy, se = √diag(σ²(XᵀX)⁻¹), σ² = RSS / (n − p).

    Every sum is exactly rounded (`_dot`) and (XᵀX)⁻¹ is Gauss–Jordan elimination in a fixed
    order, so the numbers are the same bits on any CPU (BLAS's kernels sum in their own order,
    and a replot on another machine changed the last digits)."""
    y, X = np.asarray(y, dtype=float), np.asarray(X, dtype=float)
    if not np.isfinite(y).all():
        raise ValueError("the response holds NaN or infinite values")
    n, p = X.shape
    if np.linalg.matrix_rank(X) < p:
        raise ValueError("the design matrix is rank-deficient (a level without data?)")
    if n <= p:
        raise ValueError(f"{n} observations cannot fit {p} coefficients with a residual")
    xtx_inv = _inverse([[_dot(X[:, i], X[:, j]) for j in range(p)] for i in range(p)])
    xty = np.array([_dot(X[:, i], y) for i in range(p)])
    coef = np.array([_dot(row, xty) for row in xtx_inv])
    df = n - p
    residuals = y - np.array([_dot(row, coef) for row in X])
    sigma2 = _dot(residuals, residuals) / df
    se = np.sqrt(np.diag(xtx_inv) * sigma2)
    if not (se > 0).all():
        raise ValueError("the fit is exact (zero residual variance); t is undefined")
    t = coef / se
    return OLSResult(list(names), coef, se, t, np.array([t_sf_two_sided(v, df) for v in t]), df)


def _dot(a, b):
    """a · b in float64, exactly rounded (math.fsum): the same bits on any CPU."""
    return math.fsum((np.asarray(a, dtype=float) * np.asarray(b, dtype=float)).tolist())


def _inverse(a):
    """The inverse of a small nonsingular matrix (lists of floats) by Gauss–Jordan elimination
    with partial pivoting, one Python float operation at a time."""
    n = len(a)
    rows = [[float(v) for v in row] + [float(i == j) for j in range(n)] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col][col]
        rows[col] = [v / head for v in rows[col]]
        for r in range(n):
            factor = rows[r][col]
            if r != col and factor != 0.0:
                rows[r] = [v - factor * w for v, w in zip(rows[r], rows[col])]
    return np.array([row[n:] for row in rows])
