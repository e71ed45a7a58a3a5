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

/// Totals up to this size take the p-value from a table of every probability (a few hundred
/// multiplications); above it, from tails summed outward or the incomplete beta function.
const SMALL_TOTAL: usize = 256;

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

/// P(X <= k) for `k` at or below the mode, from `at_k` = P(X = k): probabilities fall away
/// from the mode, pmf(i - 1) = pmf(i) i / (n - i + 1) (1 - p) / p, and are summed until the
/// rest cannot change the total.
fn lower_tail(k: f64, n: f64, p: f64, at_k: f64) -> f64 {
    if !tail_settles(k, n, p) {
        return binom_cdf(k, n, p);
    }
    let odds_down = (1.0 - p) / p;
    let (mut term, mut sum, mut i) = (at_k, at_k, k);
    for _ in 0..TAIL_TERMS {
        if i <= 0.0 || term <= sum * 1e-17 {
            return sum;
        }
        term *= i / (n - i + 1.0) * odds_down;
        sum += term;
        i -= 1.0;
    }
    binom_cdf(k, n, p)
}

/// P(X >= k) for `k` at or above the mode, from `at_k` = P(X = k), as [`lower_tail`].
fn upper_tail(k: f64, n: f64, p: f64, at_k: f64) -> f64 {
    if !tail_settles(k, n, p) {
        return binom_sf(k - 1.0, n, p);
    }
    let odds_up = p / (1.0 - p);
    let (mut term, mut sum, mut i) = (at_k, at_k, k);
    for _ in 0..TAIL_TERMS {
        if i >= n || term <= sum * 1e-17 {
            return sum;
        }
        term *= (n - i) / (i + 1.0) * odds_up;
        sum += term;
        i += 1.0;
    }
    binom_sf(k - 1.0, n, p)
}

/// [`binom_test_two_sided`] for a small total: every probability from the mode's outward by
/// the ratio of neighbours, then R's sums taken literally.
fn binom_test_small(x: usize, n: usize, p: f64) -> f64 {
    let mut pmf = [0.0_f64; SMALL_TOTAL + 1];
    let mode = (((n + 1) as f64 * p).floor() as usize).min(n);
    pmf[mode] = binom_pmf(mode as f64, n as f64, p);
    let odds = p / (1.0 - p);
    for k in mode + 1..=n {
        pmf[k] = pmf[k - 1] * ((n - k + 1) as f64 / k as f64) * odds;
    }
    for k in (0..mode).rev() {
        pmf[k] = pmf[k + 1] * ((k + 1) as f64 / (n - k) as f64) / odds;
    }
    let m = n as f64 * p;
    let d = pmf[x] * REL_ERR;
    let qualifying = |range: &[f64]| range.iter().filter(|&&v| v <= d).sum::<f64>();
    let p_value = if (x as f64) < m {
        pmf[..=x].iter().sum::<f64>() + qualifying(&pmf[m.ceil() as usize..=n])
    } else {
        qualifying(&pmf[..=m.floor() as usize]) + pmf[x..=n].iter().sum::<f64>()
    };
    p_value.min(1.0)
}

/// R `binom.test`'s two-sided p-value: the probability of every count no more probable than
/// the observed `x` (within a relative 1e-7), capped at 1.
///
/// R sums `dbinom` over the far side of the mean; the binomial probabilities fall away from the
/// mean on each side, so the far-side counts that qualify form a tail, found by search from the
/// mirror image 2m - x. Small totals sum a table of probabilities; larger ones sum each tail
/// outward (few terms when the p-value is small) or call the incomplete beta function.
pub fn binom_test_two_sided(x: f64, n: f64, p: f64) -> f64 {
    if n == 0.0 {
        return 1.0;
    }
    let m = n * p;
    if x == m {
        return 1.0;
    }
    if n <= SMALL_TOTAL as f64 {
        return binom_test_small(x as usize, n as usize, p);
    }
    let at_x = binom_pmf(x, n, p);
    let d = at_x * REL_ERR;
    let mirror = (2.0 * m - x).round() as i64;
    let below = |k: i64| binom_pmf(k as f64, n, p) <= d;
    let p_value = if x < m {
        // Counts from ceil(m) up: probabilities fall, so those <= d are k >= first.
        let first = first_true(m.ceil() as i64, n as i64, mirror, below) as f64;
        let far = if first > n {
            0.0
        } else {
            upper_tail(first, n, p, binom_pmf(first, n, p))
        };
        lower_tail(x, n, p, at_x) + far
    } else {
        // Counts up to floor(m): probabilities rise, so those <= d are k <= last.
        let last = (first_true(0, m.floor() as i64, mirror, |k| !below(k)) - 1) as f64;
        let far = if last < 0.0 {
            0.0
        } else {
            lower_tail(last, n, p, binom_pmf(last, n, p))
        };
        far + upper_tail(x, n, p, at_x)
    };
    p_value.min(1.0)
}

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

    #[test]
    fn tail_sums_and_small_table_agree_with_the_incomplete_beta() {
        for (n, p) in [
            (40.0, 0.3),
            (256.0, 0.5),
            (257.0, 0.5),
            (5000.0, 0.013),
            (60_000.0, 0.71),
        ] {
            for x in [
                0.0,
                1.0,
                (n * p * 0.8_f64).floor(),
                (n * p).floor(),
                (n * p * 1.2_f64).ceil(),
                n,
            ] {
                let got = binom_test_two_sided(x, n, p);
                // R's sums written with the distribution functions (no shortcuts).
                let m = n * p;
                let d = binom_pmf(x, n, p) * REL_ERR;
                let want = if x == m {
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
                .min(1.0);
                if want > 1e-300 {
                    close(got, want, 1e-11);
                }
            }
        }
    }
}
