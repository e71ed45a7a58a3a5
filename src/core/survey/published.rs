//! Published-table mode: shares from a table with their base and design factor, the change
//! between two survey years, and a share of a total as a count.
use super::super::binomial::{proportion_interval, ProportionMethod};
use super::super::check;
use super::super::error::{half_alpha, CoreResult};
use super::super::special::{norm_sf, norm_two_sided};

/// on that base (the binomial interval with a fractional base, as ONS does with its design
/// factors).
pub struct ShareCis {
    pub effective_n: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Intervals for published shares with base `n` and design factor `deft` (equal lengths).
pub fn share_cis(
    share: &[f64],
    n: &[f64],
    deft: &[f64],
    method: ProportionMethod,
    conf: f64,
) -> CoreResult<ShareCis> {
    let tail = half_alpha(conf)?;
    check_published(("share", share), ("n", n), deft)?;
    let z = norm_two_sided(conf);
    let effective_n: Vec<f64> = n.iter().zip(deft).map(|(n, d)| n / (d * d)).collect();
    let (lower, upper) = share
        .iter()
        .zip(&effective_n)
        .map(|(&p, &m)| proportion_interval(p * m, m, method, tail, z))
        .unzip();
    Ok(ShareCis {
        effective_n,
        lower,
        upper,
    })
}

/// The published-table arguments checked under the caller's names (`share1` and `n1` for a
/// change), so an error names the argument the user passed.
fn check_published(
    (share_name, share): (&'static str, &[f64]),
    (n_name, n): (&'static str, &[f64]),
    deft: &[f64],
) -> CoreResult<()> {
    check::same_length(n_name, n, share_name, share)?;
    check::same_length("deft", deft, share_name, share)?;
    check::unit_interval(share_name, share)?;
    check::positive(n_name, n, "")?;
    check::positive(
        "deft",
        deft,
        "; a design factor is 1 for a simple random sample",
    )
}

/// The change between two independent survey shares.
pub struct ShareChanges {
    pub difference: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub p_value: Vec<f64>,
}

/// `share1 - share0` for two independent samples with bases `n1`, `n0` and a common design
/// factor: the Wald interval and two-sided z test with the unpooled variance
/// `p1 (1 - p1) / n1' + p0 (1 - p0) / n0'` on the effective bases `n' = n / deft^2`, as ONS tests
/// a change between survey years (statsmodels `test_proportions_2indep(method = "wald")` when
/// deft = 1).
pub fn share_changes(
    share1: &[f64],
    n1: &[f64],
    share0: &[f64],
    n0: &[f64],
    deft: &[f64],
    conf: f64,
) -> CoreResult<ShareChanges> {
    half_alpha(conf)?;
    check_published(("share1", share1), ("n1", n1), deft)?;
    check::same_length("share0", share0, "share1", share1)?;
    check::same_length("n0", n0, "share1", share1)?;
    check::unit_interval("share0", share0)?;
    check::positive("n0", n0, "")?;
    let z = norm_two_sided(conf);
    let mut out = ShareChanges {
        difference: Vec::with_capacity(share1.len()),
        lower: Vec::with_capacity(share1.len()),
        upper: Vec::with_capacity(share1.len()),
        p_value: Vec::with_capacity(share1.len()),
    };
    for i in 0..share1.len() {
        let (p1, p0) = (share1[i], share0[i]);
        let d2 = deft[i] * deft[i];
        let se = (p1 * (1.0 - p1) * d2 / n1[i] + p0 * (1.0 - p0) * d2 / n0[i]).sqrt();
        let difference = p1 - p0;
        out.difference.push(difference);
        out.lower.push(difference - z * se);
        out.upper.push(difference + z * se);
        out.p_value.push(if se > 0.0 {
            2.0 * norm_sf((difference / se).abs())
        } else if se.is_nan() || difference.is_nan() {
            f64::NAN // a NaN share, base or design factor: NaN in, NaN out, never "significant"
        } else if difference == 0.0 {
            1.0
        } else {
            0.0
        });
    }
    Ok(out)
}

/// A share of a total as a count: `share * total` with an interval from the share's interval
/// and, if given, the total's, combined on the log scale by MOVER (Zou & Donner 2008): the
/// product's log bounds are the log estimate minus (plus) the root sum of squares of the two
/// log distances to the bounds. With an exact total the bounds are the share's bounds times it.
pub fn gross_up(
    share: f64,
    share_lower: f64,
    share_upper: f64,
    total: f64,
    total_lower: f64,
    total_upper: f64,
) -> (f64, f64, f64) {
    let estimate = share * total;
    if share == 0.0 || total == 0.0 {
        return (estimate, 0.0, share_upper * total_upper);
    }
    let distance = |a: f64, b: f64| (a.ln() - b.ln()).abs();
    let down = distance(share, share_lower).hypot(distance(total, total_lower));
    let up = distance(share_upper, share).hypot(distance(total_upper, total));
    let log_estimate = estimate.ln();
    (
        estimate,
        (log_estimate - down).exp(),
        (log_estimate + up).exp(),
    )
}

/// [`gross_up`] for equal-length arrays, checked: shares and their bounds in [0, 1], totals and
/// their bounds zero or more, each bound on its side of the estimate.
pub fn gross_ups(
    share: &[f64],
    share_lower: &[f64],
    share_upper: &[f64],
    total: &[f64],
    total_lower: &[f64],
    total_upper: &[f64],
) -> CoreResult<[Vec<f64>; 3]> {
    for (arg, values) in [
        ("share_lower", share_lower),
        ("share_upper", share_upper),
        ("total", total),
        ("total_lower", total_lower),
        ("total_upper", total_upper),
    ] {
        check::same_length(arg, values, "share", share)?;
    }
    for (arg, values) in [
        ("share", share),
        ("share_lower", share_lower),
        ("share_upper", share_upper),
    ] {
        check::unit_interval(arg, values)?;
    }
    for (arg, values) in [
        ("total", total),
        ("total_lower", total_lower),
        ("total_upper", total_upper),
    ] {
        check::counts(arg, values, None)?;
    }
    check::at_most("share_lower", share_lower, "share", share)?;
    check::at_most("share", share, "share_upper", share_upper)?;
    check::at_most("total_lower", total_lower, "total", total)?;
    check::at_most("total", total, "total_upper", total_upper)?;
    let mut out = [
        Vec::with_capacity(share.len()),
        Vec::with_capacity(share.len()),
        Vec::with_capacity(share.len()),
    ];
    for i in 0..share.len() {
        let (e, l, u) = gross_up(
            share[i],
            share_lower[i],
            share_upper[i],
            total[i],
            total_lower[i],
            total_upper[i],
        );
        out[0].push(e);
        out[1].push(l);
        out[2].push(u);
    }
    Ok(out)
}
