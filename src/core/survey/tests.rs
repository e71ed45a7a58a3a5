//! R `survey` agreement on its `api` data, and the invariants of the partials.
//!
//! `r_reference.out` is the output of `r_reference.R` (beside this file), run with R 4.2.2 and
//! survey 4.1.1 on the CSV copies of R's `data(api)` in `../shared/reference/api/`.
use super::partials::check_shape;
use super::rows::PARALLEL_ROWS;
use super::text::TEXT_CHUNK;
use super::*;
use std::collections::HashMap;

const R_OUTPUT: &str = include_str!("r_reference.out");

/// The numbers R printed under `name`.
fn reference(name: &str) -> Vec<f64> {
    let line = R_OUTPUT
        .lines()
        .find(|line| line.split(" = ").next() == Some(name))
        .unwrap_or_else(|| panic!("no reference line {name:?}"));
    let list = line.split(" = ").nth(1).unwrap();
    list.trim_matches(|c| c == '[' || c == ']')
        .split(", ")
        .map(|v| match v {
            "NaN" | "NA" => f64::NAN,
            _ => v.parse().unwrap(),
        })
        .collect()
}

fn assert_close(got: &[f64], want: &[f64], rel: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        if w.is_nan() {
            assert!(g.is_nan(), "{what}[{i}]: got {g}, R gives NaN");
            continue;
        }
        let err = (g - w).abs() / w.abs().max(1e-300);
        assert!(
            err <= rel || (w == 0.0 && g.abs() < 1e-12),
            "{what}[{i}]: got {g}, R gives {w} (relative error {err:e})"
        );
    }
}

/// A CSV file as text columns (R `write.csv`: quoted strings, NA for missing).
struct Frame {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

fn api_path(name: &str) -> String {
    format!(
        "{}/../shared/reference/api/{name}.csv",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Whether R's api data are beside the checkout; the tests that read them pass quietly if not.
fn api_present() -> bool {
    let present = std::path::Path::new(&api_path("apistrat")).exists();
    if !present {
        eprintln!("skipped: ../shared/reference/api/ is not beside this checkout");
    }
    present
}

fn read_api(name: &str) -> Frame {
    let path = api_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines();
    let header = split_csv_line(lines.next().unwrap());
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(split_csv_line)
        .collect();
    Frame { header, rows }
}

impl Frame {
    fn text(&self, column: &str) -> Vec<String> {
        let j = self
            .header
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column {column}"));
        self.rows.iter().map(|r| r[j].clone()).collect()
    }
    fn num(&self, column: &str) -> Vec<f64> {
        self.text(column)
            .iter()
            .map(|v| {
                if v == "NA" {
                    f64::NAN
                } else {
                    v.parse().unwrap()
                }
            })
            .collect()
    }
    fn len(&self) -> usize {
        self.rows.len()
    }
}

/// Codes for the combinations of `columns`, numbered in R's `interaction` order (the first
/// column varies fastest), as `svyby` orders its domains.
fn factorize(frame: &Frame, columns: &[&str]) -> (Vec<u32>, usize) {
    let texts: Vec<Vec<String>> = columns.iter().rev().map(|c| frame.text(c)).collect();
    let keys: Vec<Vec<String>> = (0..frame.len())
        .map(|i| texts.iter().map(|t| t[i].clone()).collect())
        .collect();
    let mut distinct = keys.clone();
    distinct.sort();
    distinct.dedup();
    let codes = keys
        .iter()
        .map(|k| distinct.binary_search(k).unwrap() as u32)
        .collect();
    (codes, distinct.len())
}

/// A design as R's `svydesign(id = ids, strata = strata, fpc = fpc, weights = weight)`.
#[derive(Clone, Copy)]
struct Spec {
    data: &'static str,
    strata: Option<&'static str>,
    ids: &'static [&'static str],
    fpc: &'static [&'static str],
    /// None: weights from the fpc, as R does without `weights`.
    weight: Option<&'static str>,
}

const STRAT_FPC: Spec = Spec {
    data: "apistrat",
    strata: Some("stype"),
    ids: &[],
    fpc: &["fpc"],
    weight: Some("pw"),
};
const STRAT: Spec = Spec {
    fpc: &[],
    ..STRAT_FPC
};
const CLUS1_FPC: Spec = Spec {
    data: "apiclus1",
    strata: None,
    ids: &["dnum"],
    fpc: &["fpc"],
    weight: Some("pw"),
};
const CLUS1: Spec = Spec {
    fpc: &[],
    ..CLUS1_FPC
};
const CLUS2_FPC: Spec = Spec {
    data: "apiclus2",
    strata: None,
    ids: &["dnum", "snum"],
    fpc: &["fpc1", "fpc2"],
    weight: None,
};
const CLUS2: Spec = Spec {
    fpc: &[],
    weight: Some("pw"),
    ..CLUS2_FPC
};
const LONELY: Spec = Spec {
    data: "apiclus1",
    strata: Some("dnum"),
    ids: &["snum"],
    fpc: &[],
    weight: Some("pw"),
};

const DESIGNS: [(&str, Spec); 6] = [
    ("strat_fpc", STRAT_FPC),
    ("strat", STRAT),
    ("clus1_fpc", CLUS1_FPC),
    ("clus1", CLUS1),
    ("clus2_fpc", CLUS2_FPC),
    ("clus2", CLUS2),
];

/// The variable: a numeric column, the levels of a text column, or a 0/1 flag `column == value`.
#[derive(Clone, Copy)]
enum Y {
    Num(&'static str),
    Levels(&'static str),
    Flag(&'static str, &'static str),
}

/// Owned columns for one design and variable.
struct Built {
    weight: Vec<f64>,
    strata: Option<(Vec<u32>, usize)>,
    units: Vec<(Vec<u32>, usize)>,
    fpc: Vec<Vec<f64>>,
    y_num: Vec<f64>,
    y_levels: Option<(Vec<u32>, usize)>,
    domains: Option<(Vec<u32>, usize)>,
}

fn build(spec: Spec, y: Y, by: &[&str]) -> Built {
    build_from(&read_api(spec.data), spec, y, by)
}

fn build_from(frame: &Frame, spec: Spec, y: Y, by: &[&str]) -> Built {
    let n = frame.len();
    let strata = spec.strata.map(|s| factorize(frame, &[s]));
    let units: Vec<(Vec<u32>, usize)> = if spec.ids.is_empty() {
        vec![((0..n as u32).collect(), n)]
    } else {
        // Stage k's unit is the combination of the ids of stages 1..k (R's `interaction`).
        (1..=spec.ids.len())
            .map(|k| factorize(frame, &spec.ids[..k]))
            .collect()
    };
    let fpc: Vec<Vec<f64>> = spec.fpc.iter().map(|f| frame.num(f)).collect();
    let weight = if let Some(w) = spec.weight {
        frame.num(w)
    } else {
        {
            // R: probabilities from the fpc, the product over stages of n / N.
            let mut prob = vec![1.0; n];
            for (k, (codes, _)) in units.iter().enumerate() {
                let group: Vec<u32> = if k == 0 {
                    strata.as_ref().map_or(vec![0; n], |s| s.0.clone())
                } else {
                    units[k - 1].0.clone()
                };
                let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
                for i in 0..n {
                    members.entry(group[i]).or_default().push(codes[i]);
                }
                for v in members.values_mut() {
                    v.sort_unstable();
                    v.dedup();
                }
                for i in 0..n {
                    let sampled = members[&group[i]].len() as f64;
                    prob[i] *= 1.0 / (fpc[k][i] / sampled);
                }
            }
            prob.iter().map(|p| 1.0 / p).collect()
        }
    };
    let (y_num, y_levels) = match y {
        Y::Num(c) => (frame.num(c), None),
        Y::Levels(c) => (Vec::new(), Some(factorize(frame, &[c]))),
        Y::Flag(c, value) => (
            frame
                .text(c)
                .iter()
                .map(|v| f64::from(u8::from(v == value)))
                .collect(),
            None,
        ),
    };
    let domains = (!by.is_empty()).then(|| factorize(frame, by));
    Built {
        weight,
        strata,
        units,
        fpc,
        y_num,
        y_levels,
        domains,
    }
}

impl Built {
    fn design(&self) -> Design<'_> {
        Design {
            weight: &self.weight,
            strata: self.strata.as_ref().map(|s| s.0.as_slice()),
            n_strata: self.strata.as_ref().map_or(1, |s| s.1),
            stages: self
                .units
                .iter()
                .enumerate()
                .map(|(k, (codes, n))| Stage {
                    unit: codes,
                    n_units: *n,
                    fpc: self.fpc.get(k).map(Vec::as_slice),
                })
                .collect(),
        }
    }
    fn outcome(&self) -> Outcome<'_> {
        match &self.y_levels {
            Some((code, n_levels)) => Outcome::Levels {
                code,
                n_levels: *n_levels,
            },
            None => Outcome::Numeric(&self.y_num),
        }
    }
    fn domains(&self) -> Domains<'_> {
        match &self.domains {
            Some((code, n)) => Domains {
                code: Some(code),
                n_domains: *n,
            },
            None => Domains {
                code: None,
                n_domains: 1,
            },
        }
    }
    fn partials(&self) -> CoreResult<SurveyPartials> {
        SurveyPartials::from_rows(&self.design(), self.outcome(), self.domains(), 0)
    }
    fn estimate(&self, estimator: Estimator, lonely: LonelyPsu) -> CoreResult<Estimates> {
        self.partials()?.estimate(estimator, lonely)
    }
}

fn run(spec: Spec, y: Y, by: &[&str], estimator: Estimator, lonely: LonelyPsu) -> Estimates {
    build(spec, y, by).estimate(estimator, lonely).unwrap()
}

/// R prints a factor's shares level-major (all domains of level 1, then level 2); ours are
/// domain-major.
fn level_major(values: &[f64], n_columns: usize) -> Vec<f64> {
    let domains = values.len() / n_columns;
    (0..n_columns)
        .flat_map(|c| (0..domains).map(move |d| values[d * n_columns + c]))
        .collect()
}

const REL: f64 = 1e-9;

#[test]
fn whole_sample_means_and_totals_match_r() {
    if !api_present() {
        return;
    }
    for (name, spec) in DESIGNS {
        let m = run(spec, Y::Num("api00"), &[], Estimator::Mean, LonelyPsu::Fail);
        let got = [m.estimate[0], m.se[0], m.deff[0]];
        assert_close(&got, &reference(&format!("{name} mean api00")), REL, name);
        let t = run(
            spec,
            Y::Num("enroll"),
            &[],
            Estimator::Total,
            LonelyPsu::Fail,
        );
        let got = [t.estimate[0], t.se[0], t.deff[0]];
        assert_close(&got, &reference(&format!("{name} total enroll")), REL, name);
        assert_close(&m.df, &reference(&format!("{name} degf")), 0.0, name);
    }
}

fn check_by(name: &str, e: &Estimates, tag: &str) {
    let (est, se, deff) = if e.n_columns > 1 {
        (
            level_major(&e.estimate, e.n_columns),
            level_major(&e.se, e.n_columns),
            level_major(&e.deff, e.n_columns),
        )
    } else {
        (e.estimate.clone(), e.se.clone(), e.deff.clone())
    };
    let what = format!("{name} {tag}");
    assert_close(&est, &reference(&format!("{what} est")), REL, &what);
    assert_close(&se, &reference(&format!("{what} se")), REL, &what);
    assert_close(&deff, &reference(&format!("{what} deff")), REL, &what);
}

#[test]
fn domain_estimates_match_svyby() {
    if !api_present() {
        return;
    }
    for (name, spec) in DESIGNS {
        let e = run(
            spec,
            Y::Num("api00"),
            &["awards"],
            Estimator::Mean,
            LonelyPsu::Fail,
        );
        check_by(name, &e, "by awards mean api00");
        let e = run(
            spec,
            Y::Num("enroll"),
            &["stype"],
            Estimator::Total,
            LonelyPsu::Fail,
        );
        check_by(name, &e, "by stype total enroll");
        let e = run(
            spec,
            Y::Levels("sch.wide"),
            &["stype"],
            Estimator::Mean,
            LonelyPsu::Fail,
        );
        check_by(name, &e, "by stype share sch.wide");
        let e = run(
            spec,
            Y::Levels("stype"),
            &["awards"],
            Estimator::Mean,
            LonelyPsu::Fail,
        );
        check_by(name, &e, "by awards share stype");
        let e = run(
            spec,
            Y::Num("api00"),
            &["awards", "yr.rnd"],
            Estimator::Mean,
            LonelyPsu::Fail,
        );
        check_by(name, &e, "by awards+yr.rnd mean api00");
        let e = run(
            spec,
            Y::Flag("sch.wide", "Yes"),
            &["stype"],
            Estimator::Mean,
            LonelyPsu::Fail,
        );
        assert_close(&e.df, &reference(&format!("{name} domain degf")), 0.0, name);
    }
}

#[test]
fn sampling_fractions_give_the_same_as_population_counts() {
    if !api_present() {
        return;
    }
    let frame = read_api("apistrat");
    let fpc = frame.num("fpc");
    let (strata, _) = factorize(&frame, &["stype"]);
    let mut sampled = [0.0; 3];
    for &h in &strata {
        sampled[h as usize] += 1.0;
    }
    let fraction: Vec<f64> = strata
        .iter()
        .zip(&fpc)
        .map(|(&h, &big_n)| sampled[h as usize] / big_n)
        .collect();
    let mut built = build(STRAT_FPC, Y::Num("api00"), &[]);
    built.fpc = vec![fraction];
    let e = built.estimate(Estimator::Mean, LonelyPsu::Fail).unwrap();
    let got = [e.estimate[0], e.se[0], e.deff[0]];
    assert_close(&got, &reference("strat_frac mean api00"), REL, "fractions");
}

#[test]
fn lonely_psu_options_match_r() {
    if !api_present() {
        return;
    }
    for (option, lonely) in [
        ("remove", LonelyPsu::Remove),
        ("certainty", LonelyPsu::Certainty),
        ("adjust", LonelyPsu::Adjust),
        ("average", LonelyPsu::Average),
    ] {
        let what = format!("lonely {option}");
        let m = run(LONELY, Y::Num("api00"), &[], Estimator::Mean, lonely);
        let got = [m.estimate[0], m.se[0], m.deff[0]];
        assert_close(&got, &reference(&format!("{what} mean api00")), REL, &what);
        let t = run(LONELY, Y::Num("enroll"), &[], Estimator::Total, lonely);
        let got = [t.estimate[0], t.se[0], t.deff[0]];
        assert_close(
            &got,
            &reference(&format!("{what} total enroll")),
            REL,
            &what,
        );
        let e = run(LONELY, Y::Num("api00"), &["stype"], Estimator::Mean, lonely);
        check_by(&what, &e, "by stype mean api00");
        let e = run(
            LONELY,
            Y::Num("enroll"),
            &["stype"],
            Estimator::Total,
            lonely,
        );
        check_by(&what, &e, "by stype total enroll");
    }
}

#[test]
fn published_lonely_psu_standard_errors() {
    if !api_present() {
        return;
    }
    // survey.csv: R survey tests/lonely.psu.Rout.save, printed to 5 significant digits.
    for (lonely, se) in [
        (LonelyPsu::Remove, 5.8058),
        (LonelyPsu::Adjust, 5.8281),
        (LonelyPsu::Average, 6.0096),
    ] {
        let m = run(LONELY, Y::Num("api00"), &[], Estimator::Mean, lonely);
        assert!((m.se[0] - se).abs() < 5e-5, "{lonely:?}: {}", m.se[0]);
    }
}

#[test]
fn share_intervals_match_svyciprop() {
    if !api_present() {
        return;
    }
    for (name, spec) in DESIGNS {
        let e = run(
            spec,
            Y::Flag("sch.wide", "Yes"),
            &["stype"],
            Estimator::Mean,
            LonelyPsu::Fail,
        );
        for (method, ci) in [
            ("logit", ShareInterval::Logit),
            ("beta", ShareInterval::Beta),
            ("xlogit", ShareInterval::XLogit),
            ("mean", ShareInterval::Mean),
        ] {
            let what = format!("{name} ciprop {method}");
            let want = reference(&what);
            assert_close(&e.estimate, &want[0..3], 1e-9, &what);
            assert_close(&e.se, &want[3..6], REL, &what);
            for (conf, lower_want, upper_want) in [
                (0.95, want[6..9].to_vec(), want[9..12].to_vec()),
                (
                    0.9,
                    reference(&format!("{name} ciprop90 {method}"))[0..3].to_vec(),
                    reference(&format!("{name} ciprop90 {method}"))[3..6].to_vec(),
                ),
            ] {
                let (lower, upper) =
                    share_intervals(&e.estimate, &e.se, &e.df, &e.n, ci, conf).unwrap();
                // R's `mean` interval is not clipped to [0, 1]; ours is.
                let clip =
                    |v: Vec<f64>| v.into_iter().map(|x| x.clamp(0.0, 1.0)).collect::<Vec<_>>();
                assert_close(
                    &lower,
                    &clip(lower_want),
                    REL,
                    &format!("{what} lower {conf}"),
                );
                assert_close(
                    &upper,
                    &clip(upper_want),
                    REL,
                    &format!("{what} upper {conf}"),
                );
            }
        }
    }
}

#[test]
fn svy_reference_intervals() {
    // survey.csv: svy's tests, R survey 4.4-2: p, se, n = 922 rows, df = 56.
    let (p, se, n, df) = (0.507348258357226, 0.0167712595840644, 922.0, 56.0);
    let tail = 0.025;
    let (lo, hi) = share_interval(p, se, df, n, ShareInterval::Beta, tail);
    assert_close(
        &[lo, hi],
        &[0.473233376535445, 0.541412207644769],
        REL,
        "beta",
    );
    let (lo, hi) = share_interval(p, se, df, n, ShareInterval::Logit, tail);
    assert_close(
        &[lo, hi],
        &[0.473768764613996, 0.54086158229386],
        REL,
        "logit",
    );
}

#[test]
fn shares_of_zero_and_one_have_defined_intervals() {
    for ci in [
        ShareInterval::Logit,
        ShareInterval::XLogit,
        ShareInterval::Mean,
        ShareInterval::Wilson,
        ShareInterval::Beta,
    ] {
        let (lo, hi) = share_interval(0.0, 0.0, 10.0, 50.0, ci, 0.025);
        assert_eq!(lo, 0.0, "{ci:?}");
        assert!((0.0..=1.0).contains(&hi), "{ci:?}");
        let (lo, hi) = share_interval(1.0, 0.0, 10.0, 50.0, ci, 0.025);
        assert_eq!(hi, 1.0, "{ci:?}");
        assert!((0.0..=1.0).contains(&lo), "{ci:?}");
    }
    let (lo, hi) = share_interval(0.3, 0.05, 0.0, 50.0, ShareInterval::Logit, 0.025);
    assert!(lo.is_nan() && hi.is_nan(), "no df, no interval");
}

#[test]
fn wilson_interval_contains_the_share_and_nests() {
    let (lo95, hi95) = share_interval(0.3, 0.04, 40.0, 500.0, ShareInterval::Wilson, 0.025);
    let (lo90, hi90) = share_interval(0.3, 0.04, 40.0, 500.0, ShareInterval::Wilson, 0.05);
    assert!(lo95 < lo90 && lo90 < 0.3 && 0.3 < hi90 && hi90 < hi95);
}

/// Rows `0..n` of a synthetic stratified cluster sample with a categorical y and domains.
struct Synthetic {
    weight: Vec<f64>,
    strata: Vec<u32>,
    psu: Vec<u32>,
    y: Vec<u32>,
    flag: Vec<f64>,
    domain: Vec<u32>,
}

fn synthetic(n: usize) -> Synthetic {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut s = Synthetic {
        weight: Vec::with_capacity(n),
        strata: Vec::with_capacity(n),
        psu: Vec::with_capacity(n),
        y: Vec::with_capacity(n),
        flag: Vec::with_capacity(n),
        domain: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let psu = (next() % 400) as u32;
        s.psu.push(psu);
        s.strata.push(psu / 8);
        s.weight.push(500.0 + (next() % 1000) as f64);
        s.y.push(if next() % 11 == 0 {
            NO_CODE
        } else {
            (next() % 3) as u32
        });
        s.flag.push(if next() % 13 == 0 {
            f64::NAN
        } else {
            (next() % 2) as f64
        });
        s.domain.push((next() % 14) as u32);
    }
    s
}

impl Synthetic {
    fn design(&self) -> Design<'_> {
        Design {
            weight: &self.weight,
            strata: Some(&self.strata),
            n_strata: 50,
            stages: vec![Stage {
                unit: &self.psu,
                n_units: 400,
                fpc: None,
            }],
        }
    }
    fn domains(&self) -> Domains<'_> {
        Domains {
            code: Some(&self.domain),
            n_domains: 14,
        }
    }
}

#[test]
fn merged_partials_equal_one_pass() {
    let s = synthetic(30_000);
    let outcome = Outcome::Levels {
        code: &s.y,
        n_levels: 3,
    };
    let whole = SurveyPartials::from_rows(&s.design(), outcome, s.domains(), 0).unwrap();
    let want = whole.estimate(Estimator::Mean, LonelyPsu::Fail).unwrap();
    // Three partitions of unequal size; every PSU spans them.
    let cuts = [0, 7_000, 19_000, 30_000];
    let mut merged: Option<SurveyPartials> = None;
    for w in cuts.windows(2) {
        let design = Design {
            weight: &s.weight[w[0]..w[1]],
            strata: Some(&s.strata[w[0]..w[1]]),
            n_strata: 50,
            stages: vec![Stage {
                unit: &s.psu[w[0]..w[1]],
                n_units: 400,
                fpc: None,
            }],
        };
        let outcome = Outcome::Levels {
            code: &s.y[w[0]..w[1]],
            n_levels: 3,
        };
        let domains = Domains {
            code: Some(&s.domain[w[0]..w[1]]),
            n_domains: 14,
        };
        let part = SurveyPartials::from_rows(&design, outcome, domains, w[0] as u64).unwrap();
        merged = Some(match merged {
            None => part,
            Some(m) => m.merge(part).unwrap(),
        });
    }
    let got = merged
        .unwrap()
        .estimate(Estimator::Mean, LonelyPsu::Fail)
        .unwrap();
    assert_close(&got.estimate, &want.estimate, 1e-12, "estimate");
    assert_close(&got.se, &want.se, 1e-10, "se");
    assert_close(&got.deff, &want.deff, 1e-10, "deff");
    assert_eq!(got.n, want.n);
    assert_eq!(got.df, want.df);
}

#[test]
fn parallel_pass_equals_serial_pass() {
    let s = synthetic(PARALLEL_ROWS * 2 + 17);
    let outcome = Outcome::Numeric(&s.flag);
    let parallel = SurveyPartials::from_rows(&s.design(), outcome, s.domains(), 0).unwrap();
    let shape = check_shape(&s.design(), outcome, s.domains()).unwrap();
    let mut serial = SurveyPartials::empty(shape);
    serial
        .accumulate(&s.design(), outcome, s.domains(), 0..s.weight.len(), 0)
        .unwrap();
    for estimator in [Estimator::Mean, Estimator::Total] {
        let a = parallel.estimate(estimator, LonelyPsu::Fail).unwrap();
        let b = serial.estimate(estimator, LonelyPsu::Fail).unwrap();
        assert_close(&a.estimate, &b.estimate, 1e-12, "estimate");
        assert_close(&a.se, &b.se, 1e-10, "se");
        assert_close(&a.deff, &b.deff, 1e-10, "deff");
    }
}

#[test]
fn sparse_cells_give_the_same_as_dense() {
    // An unclustered design with many domains keeps only the cells that occur.
    let s = synthetic(20_000);
    let rows: Vec<u32> = (0..20_000).collect();
    let many: Vec<u32> = s
        .domain
        .iter()
        .zip(&s.psu)
        .map(|(d, p)| d * 400 + p)
        .collect();
    let design = Design {
        weight: &s.weight,
        strata: Some(&s.strata),
        n_strata: 50,
        stages: vec![Stage {
            unit: &rows,
            n_units: 20_000,
            fpc: None,
        }],
    };
    let domains = Domains {
        code: Some(&many),
        n_domains: 5_600,
    };
    let partials =
        SurveyPartials::from_rows(&design, Outcome::Numeric(&s.flag), domains, 0).unwrap();
    assert!(matches!(partials.cells, Cells::Sparse { .. }));
    let sparse = partials.estimate(Estimator::Mean, LonelyPsu::Fail).unwrap();
    // The same numbers domain by domain from a dense table of one domain at a time.
    for d in [0_u32, 17, 401, 5_599] {
        let own: Vec<u32> = many
            .iter()
            .map(|&m| if m == d { 0 } else { NO_CODE })
            .collect();
        let one = Domains {
            code: Some(&own),
            n_domains: 1,
        };
        let dense = SurveyPartials::from_rows(&design, Outcome::Numeric(&s.flag), one, 0)
            .unwrap()
            .estimate(Estimator::Mean, LonelyPsu::Fail)
            .unwrap();
        let d = d as usize;
        assert_close(
            &[sparse.estimate[d], sparse.se[d]],
            &[dense.estimate[0], dense.se[0]],
            1e-12,
            "cell",
        );
    }
}

#[test]
fn results_do_not_depend_on_row_order() {
    if !api_present() {
        return;
    }
    let built = build(CLUS2_FPC, Y::Num("api00"), &["awards"]);
    let want = built.estimate(Estimator::Mean, LonelyPsu::Fail).unwrap();
    let n = built.weight.len();
    let order: Vec<usize> = (0..n).map(|i| (i * 37) % n).collect();
    let pick = |v: &Vec<u32>| order.iter().map(|&i| v[i]).collect::<Vec<u32>>();
    let pickf = |v: &Vec<f64>| order.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let shuffled = Built {
        weight: pickf(&built.weight),
        strata: None,
        units: built.units.iter().map(|(c, k)| (pick(c), *k)).collect(),
        fpc: built.fpc.iter().map(pickf).collect(),
        y_num: pickf(&built.y_num),
        y_levels: None,
        domains: built.domains.as_ref().map(|(c, k)| (pick(c), *k)),
    };
    let got = shuffled.estimate(Estimator::Mean, LonelyPsu::Fail).unwrap();
    assert_close(&got.estimate, &want.estimate, 1e-12, "estimate");
    assert_close(&got.se, &want.se, 1e-10, "se");
}

fn design_error(result: CoreResult<Estimates>) -> String {
    match result {
        Err(e) => e.to_string(),
        Ok(e) => panic!("expected an error, got {e:?}"),
    }
}

#[test]
fn bad_designs_are_refused_with_the_reason() {
    if !api_present() {
        return;
    }
    let mut built = build(STRAT, Y::Num("api00"), &[]);
    built.weight[5] = -1.0;
    let message = design_error(built.estimate(Estimator::Mean, LonelyPsu::Fail));
    assert!(
        message.contains("weight") && message.contains("position 5"),
        "{message}"
    );

    // dnum as PSU within stype strata: some districts have schools of several types.
    let spec = Spec {
        strata: Some("stype"),
        ..CLUS1
    };
    let message =
        design_error(build(spec, Y::Num("api00"), &[]).estimate(Estimator::Mean, LonelyPsu::Fail));
    assert!(message.contains("also in another stratum"), "{message}");

    let message = design_error(
        build(LONELY, Y::Num("api00"), &[]).estimate(Estimator::Mean, LonelyPsu::Fail),
    );
    assert!(message.contains("only one PSU"), "{message}");

    let mut built = build(STRAT_FPC, Y::Num("api00"), &[]);
    built.fpc[0][0] = 0.5;
    let message = design_error(built.estimate(Estimator::Mean, LonelyPsu::Fail));
    assert!(message.contains("fpc"), "{message}");

    let mut built = build(STRAT_FPC, Y::Num("api00"), &[]);
    built.fpc[0] = built.fpc[0].iter().map(|_| 0.9).collect();
    built.fpc[0][3] = 0.8;
    let message = design_error(built.estimate(Estimator::Mean, LonelyPsu::Fail));
    assert!(message.contains("constant within a stratum"), "{message}");

    let mut built = build(STRAT_FPC, Y::Num("api00"), &[]);
    built.fpc[0] = built.fpc[0].iter().map(|_| 10.0).collect();
    let message = design_error(built.estimate(Estimator::Mean, LonelyPsu::Fail));
    assert!(message.contains("gives a population of 10"), "{message}");

    assert!("nonsense".parse::<LonelyPsu>().is_err());
    assert!("wald".parse::<ShareInterval>().is_err());
}

#[test]
fn certainty_strata_need_no_lonely_rule() {
    if !api_present() {
        return;
    }
    // A stratum whose one PSU is its whole population contributes nothing, even under `fail`.
    let mut built = build(LONELY, Y::Num("api00"), &[]);
    let (strata, _) = built.strata.clone().unwrap();
    let mut psus_in: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, &h) in strata.iter().enumerate() {
        psus_in.entry(h).or_default().push(built.units[0].0[i]);
    }
    for v in psus_in.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    let fpc: Vec<f64> = strata
        .iter()
        .map(|h| {
            let n = psus_in[h].len() as f64;
            if n == 1.0 {
                1.0
            } else {
                n * 2.0
            }
        })
        .collect();
    built.fpc = vec![fpc];
    let e = built.estimate(Estimator::Mean, LonelyPsu::Fail).unwrap();
    assert!(e.se[0].is_finite() && e.se[0] > 0.0);
}

#[test]
fn a_domain_without_valid_rows_has_no_mean() {
    if !api_present() {
        return;
    }
    let mut built = build(STRAT, Y::Num("api00"), &["awards"]);
    let no = 0; // awards "No" sorts first
    let codes = built.domains.as_ref().unwrap().0.clone();
    for (i, &d) in codes.iter().enumerate() {
        if d == no {
            built.y_num[i] = f64::NAN;
        }
    }
    let mean = built.estimate(Estimator::Mean, LonelyPsu::Fail).unwrap();
    assert!(mean.estimate[0].is_nan() && mean.se[0].is_nan() && mean.n[0] == 0.0);
    assert!(mean.se[1].is_finite());
    let total = built.estimate(Estimator::Total, LonelyPsu::Fail).unwrap();
    assert_eq!((total.estimate[0], total.se[0]), (0.0, 0.0));
}

/// apiclus2 with stage-2 lonely units, as `r_reference.R` makes it: in the two districts (smallest
/// dnum) that sampled at least three schools, only the school with the smallest snum is kept.
fn stage2_lonely() -> Frame {
    let frame = read_api("apiclus2");
    let dnum = frame.num("dnum");
    let snum = frame.num("snum");
    let mut sampled: HashMap<i64, Vec<f64>> = HashMap::new();
    for (d, s) in dnum.iter().zip(&snum) {
        sampled.entry(*d as i64).or_default().push(*s);
    }
    let mut chosen: Vec<i64> = sampled
        .iter()
        .filter(|(_, schools)| schools.len() >= 3)
        .map(|(d, _)| *d)
        .collect();
    chosen.sort_unstable();
    chosen.truncate(2);
    assert_eq!(
        chosen.iter().map(|&d| d as f64).collect::<Vec<_>>(),
        reference("stage2 lonely districts")
    );
    let keep = |i: usize| {
        let d = dnum[i] as i64;
        !chosen.contains(&d) || snum[i] == sampled[&d].iter().copied().fold(f64::INFINITY, f64::min)
    };
    Frame {
        header: frame.header.clone(),
        rows: (0..frame.len())
            .filter(|&i| keep(i))
            .map(|i| frame.rows[i].clone())
            .collect(),
    }
}

#[test]
fn stage2_lonely_units_match_r() {
    if !api_present() {
        return;
    }
    let frame = stage2_lonely();
    let message = design_error(
        build_from(&frame, CLUS2_FPC, Y::Num("api00"), &[])
            .estimate(Estimator::Mean, LonelyPsu::Fail),
    );
    assert!(
        message.contains("only one sampled unit at stage 2"),
        "{message}"
    );
    for (option, lonely) in [
        ("remove", LonelyPsu::Remove),
        ("certainty", LonelyPsu::Certainty),
        ("adjust", LonelyPsu::Adjust),
        ("average", LonelyPsu::Average),
    ] {
        let what = format!("stage2 lonely {option}");
        let m = build_from(&frame, CLUS2_FPC, Y::Num("api00"), &[])
            .estimate(Estimator::Mean, lonely)
            .unwrap();
        let got = [m.estimate[0], m.se[0], m.deff[0]];
        assert_close(&got, &reference(&format!("{what} mean api00")), REL, &what);
        let t = build_from(&frame, CLUS2_FPC, Y::Num("enroll"), &[])
            .estimate(Estimator::Total, lonely)
            .unwrap();
        let got = [t.estimate[0], t.se[0]];
        assert_close(
            &got,
            &reference(&format!("{what} total enroll")),
            REL,
            &what,
        );
        let e = build_from(&frame, CLUS2_FPC, Y::Num("api00"), &["stype"])
            .estimate(Estimator::Mean, lonely)
            .unwrap();
        assert_close(
            &e.se,
            &reference(&format!("{what} by stype mean api00 se")),
            REL,
            &what,
        );
    }
}

#[test]
fn text_labels_are_coded_in_sorted_order() {
    // Labels sharing their length and first and last eight bytes have the same fingerprint.
    let labels = [
        "region 07",
        "aaaaaaaaXaaaaaaaa",
        "aaaaaaaaYaaaaaaaa",
        "",
        "z",
        "Ынн",
        "region 10",
        "a",
    ];
    let n = 3 * TEXT_CHUNK + 11;
    let mut offsets = vec![0_i64];
    let mut data = Vec::new();
    let mut bits = vec![0_u8; (n + 3).div_ceil(8)];
    let mut want_labels = Vec::with_capacity(n);
    for i in 0..n {
        let text = labels[(i * 7 + i / 5) % labels.len()];
        // The bitmap starts three bits in, as a sliced Arrow array's does; every 13th is missing.
        let valid = i % 13 != 4;
        if valid {
            bits[(i + 3) / 8] |= 1 << ((i + 3) % 8);
        }
        data.extend_from_slice(text.as_bytes());
        offsets.push(data.len() as i64);
        want_labels.push(valid.then_some(text));
    }
    let (codes, first_rows) = factorize_text(&offsets, &data, Some((&bits, 3))).unwrap();
    let mut sorted: Vec<&str> = labels.to_vec();
    sorted.sort_unstable();
    assert_eq!(first_rows.len(), labels.len());
    for (code, &row) in first_rows.iter().enumerate() {
        assert_eq!(want_labels[row as usize], Some(sorted[code]));
        assert!(want_labels[..row as usize]
            .iter()
            .all(|&l| l != Some(sorted[code])));
    }
    for (i, &code) in codes.iter().enumerate() {
        match want_labels[i] {
            None => assert_eq!(code, NO_CODE),
            Some(text) => assert_eq!(sorted[code as usize], text, "row {i}"),
        }
    }
    let bad = factorize_text(&[0, 5, 3], b"abcde", None);
    assert!(bad.is_err());
}
