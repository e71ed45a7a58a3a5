//! The exact conditional test's p-value: R `binom.test`'s two-sided rule (scipy `binomtest`'s),
//! the probability of every count no more probable than the observed one.
use crate::core::special::{binom_cdf, binom_pmf, binom_sf};

/// R `binom.test`'s relative tolerance for "as or less probable than the observed count".
const REL_ERR: f64 = 1.0 + 1e-7;

/// The first `k` in `lo..=hi` where `pred` holds, for `pred` false then true along the range,
/// or `hi + 1` if it never holds. Gallops out from `guess` and then bisects, so a good guess
/// costs a handful of evaluations whatever the range.
fn first_true(lo: i64, hi: i64, guess: i64, pred: impl Fn(i64) -> bool) -> i64 {
    let guess = guess.clamp(lo, hi);
    // Invariant once bracketed: pred(a) false (or a == lo - 1), pred(b) true (or b == hi + 1).
    let (mut a, mut b);
    if pred(guess) {
        b = guess;
        let mut step = 1;
        loop {
            let probe = b - step;
            if probe < lo {
                a = lo - 1;
                break;
            }
            if pred(probe) {
                b = probe;
                step *= 2;
            } else {
                a = probe;
                break;
            }
        }
    } else {
        a = guess;
        let mut step = 1;
        loop {
            let probe = a + step;
            if probe > hi {
                b = hi + 1;
                break;
            }
            if pred(probe) {
                b = probe;
                break;
            }
            a = probe;
            step *= 2;
        }
    }
    while b - a > 1 {
        let mid = a + (b - a) / 2;
        if pred(mid) {
            b = mid;
        } else {
            a = mid;
        }
    }
    b
}

/// Terms a tail sum may take before the incomplete beta function takes over: far tails settle in
/// a few terms, tails near the mode would need hundreds.
const TAIL_TERMS: usize = 200;

/// Whether a tail sum from `k` settles within [`TAIL_TERMS`] terms. In the normal approximation
/// the j-th term out from k, at distance d from the mean n p, is smaller by about
/// exp(-(j d + j^2 / 2) / (n p (1 - p))); the sum has settled when that passes 1e-17 (e^-39).
fn tail_settles(k: f64, n: f64, p: f64) -> bool {
    let variance = n * p * (1.0 - p);
    let d = (k - n * p).abs();
    (d * d + 78.0 * variance).sqrt() - d < TAIL_TERMS as f64
}

/// The odds of a Bin(n, p) count, `p / q` and `q / p` with `q = 1 - p`, each as an unevaluated
/// sum `hi + lo` good to about 1e-32, and their first four powers: a probability reached from
/// another by k ratios of neighbours then carries k independent roundings, which partly cancel,
/// instead of k times the rounding of the odds, which would not.
#[derive(Clone, Copy)]
struct Odds {
    n: f64,
    up: (f64, f64),
    down: (f64, f64),
    /// `(p / q)^j` and `(q / p)^j` for j = 1..=4, each rounded once from its exact value.
    up_powers: [f64; 4],
    down_powers: [f64; 4],
    /// Whether [`Odds::four`] is safe from overflow: odds within 1e-60..1e60 (products of
    /// four counts and four odds stay within double precision's range).
    blocks: bool,
}

/// `a * b = hi + lo` exactly (Dekker 1971), for `|a|, |b|` within 1e-250..1e250; without a
/// fused multiply-add, which the baseline x86-64 target lacks (`mul_add` calls libm there).
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
    let halves = |v: f64| {
        let c = SPLIT * v;
        let hi = c - (c - v);
        (hi, v - hi)
    };
    let hi = a * b;
    let ((ah, al), (bh, bl)) = (halves(a), halves(b));
    (hi, ((ah * bh - hi) + ah * bl + al * bh) + al * bl)
}

/// The product of two unevaluated sums, to about 1e-32.
fn dd_mul((a, a_lo): (f64, f64), (b, b_lo): (f64, f64)) -> (f64, f64) {
    let (hi, err) = two_prod(a, b);
    let lo = err + (a * b_lo + a_lo * b);
    let sum = hi + lo;
    (sum, lo - (sum - hi))
}

impl Odds {
    fn new(n: f64, p: f64) -> Self {
        // q + q_err = 1 - p exactly (|1| >= |p|).
        let q = 1.0 - p;
        let q_err = (1.0 - q) - p;
        let blocks = (1e-60..=1e60).contains(&(p / q)) && n <= 1e15;
        // (num + num_err) / (den + den_err) as hi + lo; lo left 0 for odds beyond 1e60,
        // where `two_prod` would overflow (and the probabilities are walked little).
        let split = |num: f64, num_err: f64, den: f64, den_err: f64| {
            let hi = num / den;
            if !blocks {
                return (hi, 0.0);
            }
            let (prod, prod_err) = two_prod(hi, den);
            (hi, ((num - prod) - prod_err + num_err - hi * den_err) / den)
        };
        let up = split(p, 0.0, q, q_err);
        let down = split(q, q_err, p, 0.0);
        let powers = |o: (f64, f64)| {
            let o2 = dd_mul(o, o);
            let o3 = dd_mul(o2, o);
            let o4 = dd_mul(o2, o2);
            [o.0 + o.1, o2.0 + o2.1, o3.0 + o3.1, o4.0 + o4.1]
        };
        Odds {
            n,
            up,
            down,
            up_powers: powers(up),
            down_powers: powers(down),
            blocks,
        }
    }

    /// P(k + 1) / P(k) = (n - k) / (k + 1) p / q.
    #[inline]
    fn up(&self, k: f64) -> f64 {
        let r = (self.n - k) / (k + 1.0);
        r * self.up.0 + r * self.up.1
    }

    /// P(k - 1) / P(k) = k / (n - k + 1) q / p.
    #[inline]
    fn down(&self, k: f64) -> f64 {
        let r = k / (self.n - k + 1.0);
        r * self.down.0 + r * self.down.1
    }

    /// The next four probabilities from `at_k` = P(k): P(k + 1), ..., P(k + 4) when `upward`,
    /// else P(k - 1), ..., P(k - 4); 0 past the ends of 0..=n. The ratios to P(k) over a common
    /// denominator, so that four steps cost one division and only the last one waits on
    /// `at_k`. Only when [`Odds::blocks`].
    #[inline]
    fn four(&self, at_k: f64, k: f64, upward: bool) -> [f64; 4] {
        let n = self.n;
        // Step j multiplies by a_j / b_j times the odds: a_j reaches 0 one step past the end,
        // and every later ratio carries that 0.
        let (a, b, powers) = if upward {
            (
                [n - k, n - k - 1.0, n - k - 2.0, n - k - 3.0],
                [k + 1.0, k + 2.0, k + 3.0, k + 4.0],
                &self.up_powers,
            )
        } else {
            (
                [k, k - 1.0, k - 2.0, k - 3.0],
                [n - k + 1.0, n - k + 2.0, n - k + 3.0, n - k + 4.0],
                &self.down_powers,
            )
        };
        let a = a.map(|v| v.max(0.0));
        let (a12, b34) = (a[0] * a[1], b[2] * b[3]);
        let (a123, b234) = (a12 * a[2], b[1] * b34);
        let inv = 1.0 / (b[0] * b234);
        [
            at_k * (a[0] * b234 * powers[0] * inv),
            at_k * (a12 * b34 * powers[1] * inv),
            at_k * (a123 * b[3] * powers[2] * inv),
            at_k * (a123 * a[3] * powers[3] * inv),
        ]
    }
}

/// A tail of probabilities summed outward from `at_k` = P(k) (downward unless `upward`) until
/// the rest cannot change the total, or `None` after [`TAIL_TERMS`] terms.
fn tail_sum(k: f64, at_k: f64, odds: &Odds, upward: bool) -> Option<f64> {
    let n = odds.n;
    let (mut term, mut sum, mut i) = (at_k, at_k, k);
    let at_end = |i: f64| if upward { i >= n } else { i <= 0.0 };
    if odds.blocks {
        let step = if upward { 4.0 } else { -4.0 };
        for _ in 0..TAIL_TERMS / 4 {
            if at_end(i) || term <= sum * 1e-17 {
                return Some(sum);
            }
            let t = odds.four(term, i, upward);
            sum += (t[0] + t[1]) + (t[2] + t[3]);
            term = t[3];
            i += step;
        }
    } else {
        for _ in 0..TAIL_TERMS {
            if at_end(i) || term <= sum * 1e-17 {
                return Some(sum);
            }
            if upward {
                term *= odds.up(i);
                i += 1.0;
            } else {
                term *= odds.down(i);
                i -= 1.0;
            }
            sum += term;
        }
    }
    None
}

/// P(X <= k) for `k` at or below the mode, from `at_k` = P(X = k): probabilities fall away
/// from the mode, pmf(i - 1) = pmf(i) i / (n - i + 1) (1 - p) / p, and are summed until the
/// rest cannot change the total; from the incomplete beta function when that would take more
/// than [`TAIL_TERMS`] terms.
fn lower_tail(k: f64, n: f64, p: f64, at_k: f64, odds: &Odds) -> f64 {
    tail_settles(k, n, p)
        .then(|| tail_sum(k, at_k, odds, false))
        .flatten()
        .unwrap_or_else(|| binom_cdf(k, n, p))
}

/// P(X >= k) for `k` at or above the mode, from `at_k` = P(X = k), as [`lower_tail`].
fn upper_tail(k: f64, n: f64, p: f64, at_k: f64, odds: &Odds) -> f64 {
    tail_settles(k, n, p)
        .then(|| tail_sum(k, at_k, odds, true))
        .flatten()
        .unwrap_or_else(|| binom_sf(k - 1.0, n, p))
}

/// R `binom.test`'s two-sided p-value: the probability of every count no more probable than
/// the observed `x` (within a relative 1e-7), capped at 1.
///
/// R sums `dbinom` over the far side of the mean; the binomial probabilities fall away from the
/// mean on each side, so the far-side counts that qualify form a tail, which starts at the far
/// count of equal probability. When that count is near (x within a few standard deviations of
/// the mean, or a small total), the probabilities are walked from x across the mean to it by
/// the ratio of neighbours ([`across`]), and a p-value that is not small is one less the walked
/// probabilities. Otherwise the far count is found from an asymptotic start
/// ([`far_boundary`]), and each tail is summed outward (few terms when the p-value is small)
/// or taken from the incomplete beta function.
pub fn binom_test_two_sided(x: f64, n: f64, p: f64) -> f64 {
    if n == 0.0 {
        return 1.0;
    }
    let m = n * p;
    if x == m {
        return 1.0;
    }
    let at_x = binom_pmf(x, n, p);
    let d = at_x * REL_ERR;
    if at_x.is_nan() || at_x < WALK_MIN {
        // So improbable that the ratios would multiply subnormals: a search with every
        // probability evaluated afresh.
        return by_search(x, n, p, at_x);
    }
    let odds = Odds::new(n, p);
    let at_x = if at_x < FRESH_BELOW {
        from_mode(x, n, p, &odds).unwrap_or(at_x)
    } else {
        at_x
    };
    let crossing = if 2.0 * (x - m).abs() + 4.0 <= ACROSS_STEPS as f64 {
        across(x, m, at_x, d, &odds)
    } else {
        None
    };
    let (edge, at_edge) = match crossing {
        Some(Crossing { between, .. }) if between <= 1.0 - COMPLEMENT_MIN => {
            return 1.0 - between;
        }
        Some(Crossing { edge, at_edge, .. }) => (edge, at_edge),
        None => far_boundary(x, n, p, d, &odds),
    };
    two_tails(x, n, p, at_x, (edge, at_edge), &odds)
}

/// P(X <= x) + P(X >= edge) for `x` below the mean, P(X <= edge) + P(X >= x) above it, from
/// the probabilities at `x` and at `edge` (the far side's boundary: none beyond 0..=n), capped
/// at 1.
fn two_tails(x: f64, n: f64, p: f64, at_x: f64, (edge, at_edge): (f64, f64), odds: &Odds) -> f64 {
    let below_mean = x < n * p;
    let near = if below_mean {
        lower_tail(x, n, p, at_x, odds)
    } else {
        upper_tail(x, n, p, at_x, odds)
    };
    let far = if !(0.0..=n).contains(&edge) {
        0.0
    } else if p == 0.5 && edge == n - x {
        // The distribution is symmetric: P(X >= n - x) = P(X <= x).
        near
    } else if below_mean {
        upper_tail(edge, n, p, at_edge, odds)
    } else {
        lower_tail(edge, n, p, at_edge, odds)
    };
    (near + far).min(1.0)
}

/// Steps [`from_mode`] may take.
const FROM_MODE_STEPS: f64 = 256.0;

/// P(X = x) by the ratio of neighbours from the mode, where that is at most [`FROM_MODE_STEPS`]
/// steps. Far from the mode a direct evaluation costs the `D` ulps of exp(-D), `D` the deviance
/// (2e-13 at P = 1e-242); the mode's probability is accurate and k ratios cost about sqrt(k)
/// ulps.
fn from_mode(x: f64, n: f64, p: f64, odds: &Odds) -> Option<f64> {
    let mode = ((n + 1.0) * p).floor().min(n);
    if (x - mode).abs() > FROM_MODE_STEPS {
        return None;
    }
    let mut at_k = binom_pmf(mode, n, p);
    let mut k = mode;
    while k < x {
        at_k *= odds.up(k);
        k += 1.0;
    }
    while k > x {
        at_k *= odds.down(k);
        k -= 1.0;
    }
    Some(at_k)
}

/// Steps [`across`] may take from x to the far side's boundary (about 2 |x - m| of them).
const ACROSS_STEPS: usize = 128;

/// The smallest p-value taken as one less the probabilities [`across`] walked: below it the
/// complement would lose more than a factor 1 / COMPLEMENT_MIN of the walk's accuracy, and
/// the tails are summed instead.
const COMPLEMENT_MIN: f64 = 0.25;

/// What [`across`] found: the far side's boundary count (as [`far_boundary`]) with its
/// probability, and the probability of the counts strictly between x and it, the counts that
/// do not qualify.
struct Crossing {
    edge: f64,
    at_edge: f64,
    between: f64,
}

/// Walks the probabilities from x across the mean `m` to the far side's first count whose
/// probability is at most `d`, by the ratio of neighbours, summing those passed. `None` when
/// that takes more than [`ACROSS_STEPS`] steps.
///
/// Each probability carries the roundings of the ratios that led to it, about sqrt(k) ulps
/// after k steps (the odds are carried to twice double precision, see [`Odds`]).
fn across(x: f64, m: f64, at_x: f64, d: f64, odds: &Odds) -> Option<Crossing> {
    let n = odds.n;
    let upward = x < m;
    // The far side: counts from ceil(m) up, or up to floor(m).
    let (far, step, end) = if upward {
        (m.ceil(), 1.0, n)
    } else {
        (m.floor(), -1.0, 0.0)
    };
    let beyond = |k: f64| if upward { k >= far } else { k <= far };
    let (mut k, mut at_k, mut between) = (x, at_x, 0.0);
    let mut steps = 0;
    while steps < ACROSS_STEPS {
        if k == end {
            // No count beyond the mean qualifies.
            return Some(Crossing {
                edge: end + step,
                at_edge: 0.0,
                between,
            });
        }
        let four = if odds.blocks {
            odds.four(at_k, k, upward)
        } else if upward {
            [at_k * odds.up(k), 0.0, 0.0, f64::NAN]
        } else {
            [at_k * odds.down(k), 0.0, 0.0, f64::NAN]
        };
        let taken = if odds.blocks { 4 } else { 1 };
        let last = k + step * taken as f64;
        if !beyond(last) || four[taken - 1] > d {
            // None of these qualifies (the far side's probabilities fall outward).
            between += if taken == 4 {
                (four[0] + four[1]) + (four[2] + four[3])
            } else {
                four[0]
            };
            at_k = four[taken - 1];
            k = last;
            steps += taken;
            continue;
        }
        for (j, &at_j) in four[..taken].iter().enumerate() {
            let kj = k + step * (j + 1) as f64;
            // Past the end of 0..=n the probabilities are 0, and qualify.
            if beyond(kj) && at_j <= d {
                return Some(Crossing {
                    edge: kj,
                    at_edge: at_j,
                    between,
                });
            }
            between += at_j;
        }
        at_k = four[taken - 1];
        k += step * taken as f64;
        steps += taken;
    }
    None
}

/// Steps [`far_boundary`] takes from its start, by the ratio of neighbouring probabilities,
/// before it turns to a search that evaluates each probability afresh.
const WALK_STEPS: usize = 12;

/// The far side's boundary count and its probability: for `x` below the mean m, the first
/// count from ceil(m) up whose probability is at most `d` (n + 1 if none), for `x` above it
/// the last count up to floor(m) whose probability is at most `d` (-1 if none). On each side
/// of the mean the probabilities fall away monotonically, so the counts that qualify form a
/// tail from this boundary outward.
///
/// Starts from the count of equal probability in the Edgeworth expansion of the log
/// probability, -z^2 / 2 + g (z^3 - 3 z) / 6 with skewness g = (q - p) / sqrt(n p q): at
/// z = -u the far count is 2m - x + (q - p) (u^2 - 3) / 3, within a count or two of the
/// boundary. One probability is evaluated there; the neighbours follow by their ratio.
fn far_boundary(x: f64, n: f64, p: f64, d: f64, odds: &Odds) -> (f64, f64) {
    let m = n * p;
    let q = 1.0 - p;
    let below_mean = x < m;
    let (lo, hi) = if below_mean {
        (m.ceil(), n)
    } else {
        (0.0, m.floor())
    };
    let u = (x - m) / (m * q).sqrt();
    let start = (2.0 * m - x + (q - p) * (u * u - 3.0) / 3.0)
        .round()
        .clamp(lo, hi);
    let (mut k, mut at_k) = (start, binom_pmf(start, n, p));
    // Too small for the ratios to carry (or 0): search with every probability fresh.
    if at_k >= WALK_MIN && d >= WALK_MIN {
        // Towards the mean while the next count still qualifies, else away from it until one
        // does; `inward` moves one count towards the mean.
        let (inward, toward, away) = if below_mean {
            (-1.0, lo, hi)
        } else {
            (1.0, hi, lo)
        };
        let ratio_in = |k: f64| if below_mean { odds.down(k) } else { odds.up(k) };
        let ratio_out = |k: f64| if below_mean { odds.up(k) } else { odds.down(k) };
        // A probability reached by a few ratios is as good as a fresh one; far out (deviances
        // above 46) both carry the `D` ulps of exp(-D), and the fresh one is what a search
        // evaluating every probability would give.
        let fresh = |k: f64, at_k: f64| {
            if k == start || at_k >= FRESH_BELOW {
                (k, at_k)
            } else {
                (k, binom_pmf(k, n, p))
            }
        };
        if at_k <= d {
            for _ in 0..WALK_STEPS {
                if k == toward {
                    return fresh(k, at_k);
                }
                let next = at_k * ratio_in(k);
                if next > d {
                    return fresh(k, at_k);
                }
                (k, at_k) = (k + inward, next);
            }
        } else {
            for _ in 0..WALK_STEPS {
                if k == away {
                    return (k - inward, 0.0);
                }
                (k, at_k) = (k - inward, at_k * ratio_out(k));
                if at_k <= d {
                    return fresh(k, at_k);
                }
            }
        }
    }
    let edge = first_qualifying(x, n, p, d, k);
    (edge, pmf_or_zero(edge, n, p))
}

/// The far side's boundary count by [`first_true`] from `guess`, every probability evaluated
/// afresh.
fn first_qualifying(x: f64, n: f64, p: f64, d: f64, guess: f64) -> f64 {
    let m = n * p;
    let below = |k: i64| binom_pmf(k as f64, n, p) <= d;
    if x < m {
        // Counts from ceil(m) up: probabilities fall, so those <= d are k >= first.
        first_true(m.ceil() as i64, n as i64, guess as i64, below) as f64
    } else {
        // Counts up to floor(m): probabilities rise, so those <= d are k <= last.
        (first_true(0, m.floor() as i64, guess as i64, |k| !below(k)) - 1) as f64
    }
}

/// [`binom_test_two_sided`] for an observed count so improbable (below [`WALK_MIN`]) that
/// neighbouring probabilities cannot be reached by ratios: the far boundary by search from the
/// mirror image 2m - x and each tail from the incomplete beta function or a sum.
fn by_search(x: f64, n: f64, p: f64, at_x: f64) -> f64 {
    let m = n * p;
    let odds = Odds::new(n, p);
    let edge = first_qualifying(x, n, p, at_x * REL_ERR, (2.0 * m - x).round());
    two_tails(x, n, p, at_x, (edge, pmf_or_zero(edge, n, p)), &odds)
}

/// Probabilities below this are left to a fresh evaluation at each count: a ratio of
/// neighbours multiplies subnormals, whose relative precision is reduced.
const WALK_MIN: f64 = 1e-290;

/// Probabilities below this (deviances above 46) that [`far_boundary`] reached by ratios are
/// evaluated afresh.
const FRESH_BELOW: f64 = 1e-20;

/// The binomial probability of `k`, 0 outside 0..=n.
fn pmf_or_zero(k: f64, n: f64, p: f64) -> f64 {
    if k < 0.0 || k > n {
        0.0
    } else {
        binom_pmf(k, n, p)
    }
}

#[cfg(test)]
mod golden;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::close;

    #[test]
    fn first_true_finds_the_boundary_from_any_guess() {
        for boundary in [0_i64, 1, 7, 50, 99, 100, 101] {
            for guess in [-5_i64, 0, 3, 49, 50, 51, 100, 200] {
                let got = first_true(0, 100, guess, |k| k >= boundary);
                assert_eq!(got, boundary.min(101), "boundary {boundary} guess {guess}");
            }
        }
    }

    /// R's sums written with the distribution functions, no shortcuts: P(X <= x) plus the
    /// upper tail of as many far-side counts as qualify (mirrored above the mean).
    fn by_distribution_functions(x: f64, n: f64, p: f64) -> f64 {
        let m = n * p;
        let d = binom_pmf(x, n, p) * REL_ERR;
        if x == m {
            1.0
        } else if x < m {
            let y = (m.ceil() as i64..=n as i64)
                .filter(|&i| binom_pmf(i as f64, n, p) <= d)
                .count() as f64;
            binom_cdf(x, n, p) + binom_sf(n - y, n, p)
        } else {
            let y = (0..=m.floor() as i64)
                .filter(|&i| binom_pmf(i as f64, n, p) <= d)
                .count() as f64;
            (if y > 0.0 {
                binom_cdf(y - 1.0, n, p)
            } else {
                0.0
            }) + binom_sf(x - 1.0, n, p)
        }
        .min(1.0)
    }

    #[test]
    fn every_route_agrees_with_the_distribution_functions() {
        // Counts at these many standard deviations from the mean take each route: the walk
        // across the mean and its complement (p-values near 1), the walk and two tail sums,
        // an asymptotic start and tails summed or from the incomplete beta function, and a
        // search with every probability fresh (observed probability below 1e-290).
        let deviations: [f64; 11] = [
            -40.0, -8.0, -3.0, -1.3, -0.4, -0.05, 0.3, 1.0, 2.5, 6.0, 25.0,
        ];
        for (n, p) in [
            (1.0_f64, 0.5_f64),
            (40.0, 0.3),
            (256.0, 0.5),
            (257.0, 0.5),
            (5000.0, 0.013),
            (40_000.0, 0.4999),
            (40_000.0, 0.5),
            (60_000.0, 0.71),
            (100_000.0, 0.001),
            (3000.0, 1e-70),
        ] {
            let sd = (n * p * (1.0 - p)).sqrt();
            let counts = deviations
                .iter()
                .map(|z| (n * p + z * sd).round().clamp(0.0, n))
                .chain([0.0, 1.0, 2.0, n - 1.0, n]);
            for x in counts {
                let got = binom_test_two_sided(x, n, p);
                let want = by_distribution_functions(x, n, p);
                if want > 1e-300 {
                    close(got, want, 1e-11);
                } else {
                    assert!(got <= 1e-299, "({x}, {n}, {p}): {got:e}, want {want:e}");
                }
            }
        }
    }

    #[test]
    fn four_steps_at_once_are_four_single_steps() {
        for (n, p, k) in [
            (40.0, 0.3, 10.0),
            (40.0, 0.3, 38.0),
            (40.0, 0.3, 2.0),
            (9.0, 0.5, 7.0),
            (1e6, 1e-4, 130.0),
        ] {
            let odds = Odds::new(n, p);
            assert!(odds.blocks);
            let at_k = binom_pmf(k, n, p);
            for upward in [true, false] {
                let four = odds.four(at_k, k, upward);
                let (mut at, mut i) = (at_k, k);
                for &got in &four {
                    if upward {
                        at = if i >= n { 0.0 } else { at * odds.up(i) };
                        i += 1.0;
                    } else {
                        at = if i <= 0.0 { 0.0 } else { at * odds.down(i) };
                        i -= 1.0;
                    }
                    if at == 0.0 {
                        assert_eq!(got, 0.0, "({n}, {p}, {k}) past the end");
                    } else {
                        close(got, at, 1e-15);
                        // And both are the probability itself, to binom_pmf's accuracy.
                        close(got, binom_pmf(i, n, p), 5e-14);
                    }
                }
            }
        }
    }
}
