//! Fitting the matcher's re-ranking models, offline: `debunk train` reads the
//! candidate samples `eval --samples-out` wrote and prints the weights that
//! `matcher::model` then holds as constants. Nothing here runs when matching.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::matcher::features::{N, NAMES};

/// Fits the model the samples in `paths` call for and returns it as the
/// Rust constants `matcher::model` holds. Each line of a samples file is
/// `query<TAB>claim<TAB>label<TAB>feature...`.
pub fn train(paths: &[PathBuf], l2: f64, pairwise: bool) -> Result<String> {
    use std::fmt::Write as _;
    let mut samples: Vec<([f32; N], bool)> = Vec::new();
    let mut queries: Vec<(String, usize)> = Vec::new();
    for (file, path) in paths.iter().enumerate() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Invalid(format!("reading {}: {e}", path.display())))?;
        for (i, line) in text.lines().enumerate() {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != 3 + N {
                return Err(bad_line(
                    path,
                    i,
                    format!("expected {} columns, found {}", 3 + N, cols.len()),
                ));
            }
            let mut x = [0f32; N];
            for (slot, col) in x.iter_mut().zip(&cols[3..]) {
                *slot = col
                    .parse()
                    .map_err(|_| bad_line(path, i, format!("not a number: {col}")))?;
            }
            samples.push((x, cols[2] == "1"));
            queries.push((format!("{file}\t{}", cols[0]), samples.len() - 1));
        }
    }
    let fit = if pairwise {
        let mut groups: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
        for (q, i) in &queries {
            groups.entry(q.as_str()).or_default().push(*i);
        }
        let groups: Vec<Vec<([f32; N], bool)>> = groups
            .into_values()
            .map(|ix| ix.into_iter().map(|i| samples[i]).collect())
            .collect();
        fit_pairwise(&groups, &samples, l2)
    } else {
        fit(&samples, l2)
    };
    let positives = samples.iter().filter(|s| s.1).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// fitted on {} candidates ({} relevant), l2 {l2}{}",
        samples.len(),
        positives,
        if pairwise { ", pairwise" } else { "" }
    );
    let _ = writeln!(out, "pub const WEIGHTS: [f32; N] = [");
    for (name, w) in NAMES.iter().zip(fit.weights) {
        let _ = writeln!(out, "    {w:.4}, // {name}");
    }
    let _ = writeln!(out, "];");
    let _ = writeln!(out, "pub const BIAS: f32 = {:.4};", fit.bias);
    Ok(out)
}

/// Fits the semantic stage's logistic model (the lexical fitter, its
/// unused features held at zero) on `eval --fusion-samples-out` files and
/// returns it as the constants `matcher::semantic` holds.
pub fn train_fusion(paths: &[PathBuf], l2: f64) -> Result<String> {
    use crate::matcher::semantic::{M, NAMES};
    use std::fmt::Write as _;
    let mut samples: Vec<([f32; N], bool)> = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Invalid(format!("reading {}: {e}", path.display())))?;
        for (i, line) in text.lines().enumerate() {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != 3 + M {
                return Err(bad_line(path, i, format!("expected {} columns", 3 + M)));
            }
            let mut x = [0f32; N];
            for (slot, col) in x.iter_mut().zip(&cols[3..]) {
                *slot = col
                    .parse()
                    .map_err(|_| bad_line(path, i, format!("not a number: {col}")))?;
            }
            samples.push((x, cols[2] == "1"));
        }
    }
    let fit = fit(&samples, l2);
    let positives = samples.iter().filter(|s| s.1).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// fitted on {} candidates ({positives} relevant), l2 {l2}",
        samples.len()
    );
    let _ = writeln!(out, "pub const WEIGHTS: [f32; M] = [");
    for (w, name) in fit.weights.iter().zip(NAMES) {
        let _ = writeln!(out, "    {w:.4}, // {name}");
    }
    let _ = writeln!(out, "];");
    let _ = writeln!(out, "pub const BIAS: f32 = {:.4};", fit.bias);
    Ok(out)
}

fn bad_line(path: &Path, index: usize, reason: String) -> Error {
    Error::BadRecord {
        file: path.to_path_buf(),
        line: index as u64 + 1,
        reason,
    }
}

/// A fitted logistic model: weights on the raw features and a bias.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    pub weights: [f64; N],
    pub bias: f64,
}

/// Fits L2-regularized logistic regression by Newton's method. Features are
/// standardized for the fit and the weights mapped back to raw features.
pub fn fit(samples: &[([f32; N], bool)], l2: f64) -> Fit {
    let n = samples.len().max(1) as f64;
    let mut mean = [0f64; N];
    let mut sd = [0f64; N];
    for (x, _) in samples {
        for i in 0..N {
            mean[i] += f64::from(x[i]) / n;
        }
    }
    for (x, _) in samples {
        for i in 0..N {
            sd[i] += (f64::from(x[i]) - mean[i]).powi(2) / n;
        }
    }
    for s in &mut sd {
        *s = if *s > 1e-12 { s.sqrt() } else { 1.0 };
    }
    let z = |x: &[f32; N]| -> [f64; N + 1] {
        let mut out = [1f64; N + 1];
        for i in 0..N {
            out[i + 1] = (f64::from(x[i]) - mean[i]) / sd[i];
        }
        out
    };
    let mut w = [0f64; N + 1];
    for _ in 0..50 {
        let mut grad = [0f64; N + 1];
        let mut hess = vec![[0f64; N + 1]; N + 1];
        for (x, y) in samples {
            let xz = z(x);
            let dot: f64 = xz.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-dot).exp());
            let err = p - f64::from(u8::from(*y));
            let curv = (p * (1.0 - p)).max(1e-9);
            for i in 0..=N {
                grad[i] += err * xz[i];
                for j in 0..=N {
                    hess[i][j] += curv * xz[i] * xz[j];
                }
            }
        }
        for i in 1..=N {
            grad[i] += l2 * w[i];
            hess[i][i] += l2;
        }
        let step = solve(hess, grad);
        let mut change = 0f64;
        for i in 0..=N {
            w[i] -= step[i];
            change = change.max(step[i].abs());
        }
        if change < 1e-8 {
            break;
        }
    }
    let mut weights = [0f64; N];
    let mut bias = w[0];
    for i in 0..N {
        weights[i] = w[i + 1] / sd[i];
        bias -= w[i + 1] * mean[i] / sd[i];
    }
    Fit { weights, bias }
}

/// Fits the ranking on pairs: for every post, each relevant candidate
/// against each irrelevant one (RankNet's logistic loss on feature
/// differences), which optimizes the order within a post rather than the
/// probability of each candidate. The ranking score is then calibrated
/// into a probability (Platt scaling on `calibrate`), so the result has the
/// same form as `fit`'s.
pub fn fit_pairwise(
    posts: &[Vec<([f32; N], bool)>],
    calibrate: &[([f32; N], bool)],
    l2: f64,
) -> Fit {
    let mut pairs = Vec::new();
    for post in posts {
        for (pos, _) in post.iter().filter(|s| s.1) {
            for (neg, _) in post.iter().filter(|s| !s.1) {
                let mut d = [0f32; N];
                let mut r = [0f32; N];
                for i in 0..N {
                    d[i] = pos[i] - neg[i];
                    r[i] = -d[i];
                }
                pairs.push((d, true));
                pairs.push((r, false));
            }
        }
    }
    let rank = fit(&pairs, l2);
    let scores: Vec<([f32; N], bool)> = calibrate
        .iter()
        .map(|(x, y)| {
            let s: f64 = x
                .iter()
                .zip(&rank.weights)
                .map(|(a, w)| f64::from(*a) * w)
                .sum();
            let mut one = [0f32; N];
            one[0] = s as f32;
            (one, *y)
        })
        .collect();
    let platt = fit(&scores, 1e-6);
    let a = platt.weights[0];
    let mut weights = [0f64; N];
    for (w, r) in weights.iter_mut().zip(rank.weights) {
        *w = a * r;
    }
    Fit {
        weights,
        bias: platt.bias,
    }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<[f64; N + 1]>, mut b: [f64; N + 1]) -> [f64; N + 1] {
    let m = N + 1;
    for col in 0..m {
        let pivot = (col..m)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < 1e-12 {
            continue;
        }
        let pivot_row = a[col];
        for row in 0..m {
            if row != col {
                let f = a[row][col] / d;
                if f != 0.0 {
                    for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                        *x -= f * p;
                    }
                    b[row] -= f * b[col];
                }
            }
        }
    }
    let mut x = [0f64; N + 1];
    for i in 0..m {
        if a[i][i].abs() >= 1e-12 {
            x[i] = b[i] / a[i][i];
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_finds_the_feature_that_separates_the_classes() {
        // Label is 1 when feature 4 is high; feature 0 is noise.
        let mut samples = Vec::new();
        for i in 0..400 {
            let mut x = [0f32; N];
            x[0] = ((i * 37) % 100) as f32 / 100.0;
            x[4] = (i % 10) as f32 / 10.0;
            samples.push((x, x[4] > 0.55));
        }
        let fit = fit(&samples, 1e-3);
        assert!(fit.weights[4] > 5.0, "{:?}", fit.weights);
        assert!(fit.weights[0].abs() < fit.weights[4] / 10.0);
    }

    #[test]
    fn pairwise_fit_orders_each_post_by_the_feature_that_decides_it() {
        // In every post the relevant candidate has the higher feature 2;
        // feature 5 is high for whole posts (a post-level offset) and says nothing.
        let mut posts = Vec::new();
        let mut all = Vec::new();
        for p in 0..60 {
            let offset = (p % 7) as f32;
            let mut post = Vec::new();
            for c in 0..5 {
                let mut x = [0f32; N];
                x[2] = c as f32 / 5.0 + ((p * 13 + c * 7) % 10) as f32 / 100.0;
                x[5] = offset;
                post.push((x, c == 4));
            }
            all.extend(post.iter().copied());
            posts.push(post);
        }
        let fit = fit_pairwise(&posts, &all, 1e-3);
        assert!(fit.weights[2] > 1.0, "{:?}", fit.weights);
        assert!(fit.weights[5].abs() < fit.weights[2] / 10.0);
    }
}
