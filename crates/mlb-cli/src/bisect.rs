//! Finding the apps whose part of the config makes `haproxy -c` fail.
//!
//! When HAProxy refuses a config built from thousands of apps, the useful
//! answer is "these apps are broken; everything else can go live". Trying
//! each app alone costs one check per app. [`find_bad_apps`] instead looks
//! for the shortest prefix of the app list whose config fails, by halving:
//! with `k` bad apps among `n` it needs about `k * (log2(n) + 1) + 2`
//! checks, 13 for one bad app among 1024.
//!
//! The search never assumes more than it has seen. Every app it blames is
//! one whose addition to a set of apps that passed made the check fail, and
//! it stops only when a check with exactly the blamed apps left out has
//! passed. So apps that are only broken together (two apps claiming the
//! same backend name) still end with a config that passes: the later one
//! in the list is left out.
//!
//! ```no_run
//! use std::collections::BTreeSet;
//!
//! use mlb_cli::apply::{self, ApplyError, ApplyOptions, RenderedFiles};
//! use mlb_cli::bisect::{self, Verdict};
//!
//! let options = ApplyOptions::new("/etc/haproxy/haproxy.cfg");
//! let apps = vec!["/api".to_owned(), "/web".to_owned()];
//! let render = |excluded: &BTreeSet<String>| RenderedFiles {
//!     config: format!("global\n# left out: {excluded:?}\n"),
//!     maps: Vec::new(),
//! };
//! let check = |files: &RenderedFiles| {
//!     Ok::<_, ApplyError>(apply::check(files, &options)?.into_result().map(drop))
//! };
//!
//! let bisection = bisect::find_bad_apps(&apps, &BTreeSet::new(), render, check)?;
//! if let Verdict::BadApps(bad) = &bisection.verdict {
//!     for app in bad {
//!         let first = app.failure.alerts().next().map(|d| d.message.as_str());
//!         eprintln!("{} breaks the config: {}", app.app_id, first.unwrap_or("?"));
//!     }
//! }
//! # Ok::<(), ApplyError>(())
//! ```

use std::collections::BTreeSet;

use crate::apply::RenderedFiles;

/// The result of a search, with its cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bisection<F> {
    /// What was found.
    pub verdict: Verdict<F>,
    /// How many times the check ran.
    pub checks: usize,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<F> {
    /// The config passes with every app in it.
    Clean,
    /// Leaving out these apps makes the config pass; in the order of the
    /// app list.
    BadApps(Vec<BadApp<F>>),
    /// The config fails even with every app left out: the head or another
    /// global template is broken, and no app is to blame. Holds the
    /// failure of that check.
    HeadBroken(F),
}

/// An app that breaks the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadApp<F> {
    /// The app id as given in the app list.
    pub app_id: String,
    /// The failure of the check that added this app to a set of apps that
    /// passed, so everything in it is due to this app (or its clash with
    /// an app before it in the list).
    pub failure: F,
}

/// Finds apps to leave out so that the config passes the check.
///
/// - `apps`: every app id the config is rendered from. The search follows
///   this order, so pass it sorted for a deterministic result.
/// - `suspects`: apps the first failure points at, for example those
///   owning the proxies named in HAProxy's alerts; may be empty. When
///   leaving out all suspects makes the config pass, only they are
///   searched, which is cheaper; otherwise the search covers every app.
/// - `render`: renders the config without the given apps.
/// - `check`: `Ok(Ok(()))` when the config passes, `Ok(Err(failure))` when
///   it fails, `Err` when the check could not run at all, which ends the
///   search with that error.
///
/// Costs 1 check when the config passes as it is.
pub fn find_bad_apps<F, E>(
    apps: &[String],
    suspects: &BTreeSet<String>,
    render: impl FnMut(&BTreeSet<String>) -> RenderedFiles,
    check: impl FnMut(&RenderedFiles) -> Result<Result<(), F>, E>,
) -> Result<Bisection<F>, E> {
    let mut tester = Tester {
        render,
        check,
        checks: 0,
    };
    let verdict = search(&mut tester, apps, suspects)?;
    Ok(Bisection {
        verdict,
        checks: tester.checks,
    })
}

fn search<F, E, R, C>(
    tester: &mut Tester<R, C>,
    apps: &[String],
    suspects: &BTreeSet<String>,
) -> Result<Verdict<F>, E>
where
    R: FnMut(&BTreeSet<String>) -> RenderedFiles,
    C: FnMut(&RenderedFiles) -> Result<Result<(), F>, E>,
{
    let Err(failure) = tester.test(&BTreeSet::new())? else {
        return Ok(Verdict::Clean);
    };

    // Suspects only help when they are a strict part of the apps; the
    // check that leaves them all out then proves the culprits are among
    // them, and every other app can stay in for the whole search.
    let narrowed: Vec<&String> = apps.iter().filter(|app| suspects.contains(*app)).collect();
    if !narrowed.is_empty() && narrowed.len() < apps.len() {
        let all_suspects = narrowed.iter().map(|app| (*app).clone()).collect();
        if tester.test(&all_suspects)?.is_ok() {
            return Ok(Verdict::BadApps(blame(tester, &narrowed, failure)?));
        }
    }

    // With no apps, "all left out" is the check that already failed.
    if apps.is_empty() {
        return Ok(Verdict::HeadBroken(failure));
    }
    let everything = apps.iter().cloned().collect();
    if let Err(head) = tester.test(&everything)? {
        return Ok(Verdict::HeadBroken(head));
    }
    let all: Vec<&String> = apps.iter().collect();
    Ok(Verdict::BadApps(blame(tester, &all, failure)?))
}

/// Blames candidates one at a time, each the last app of the shortest
/// failing prefix of those not yet blamed.
///
/// Expects that leaving out every candidate passes and that leaving out
/// none fails with `failure`. Apps that are not candidates stay in
/// throughout.
fn blame<F, E, R, C>(
    tester: &mut Tester<R, C>,
    candidates: &[&String],
    mut failure: F,
) -> Result<Vec<BadApp<F>>, E>
where
    R: FnMut(&BTreeSet<String>) -> RenderedFiles,
    C: FnMut(&RenderedFiles) -> Result<Result<(), F>, E>,
{
    let mut bad = Vec::new();
    let mut blamed = BTreeSet::new();

    // Invariant: leaving out `blamed` and `candidates[passing..]` passes
    // (seen, not assumed), and leaving out only `blamed` fails with
    // `failure`.
    let mut passing = 0;
    loop {
        let mut failing = candidates.len();
        while failing - passing > 1 {
            let middle = passing + (failing - passing) / 2;
            match tester.test(&left_out(&blamed, &candidates[middle..]))? {
                Ok(()) => passing = middle,
                Err(found) => {
                    failing = middle;
                    failure = found;
                }
            }
        }

        // `failing == passing + 1`: the prefix up to `passing` passed and
        // adding this one app made it fail, with `failure`.
        let culprit = candidates[passing];
        blamed.insert(culprit.clone());
        bad.push(BadApp {
            app_id: culprit.clone(),
            failure,
        });

        // Leaving out `blamed` and `candidates[failing..]` is now the very
        // set that passed at `passing`, so the invariant holds again.
        passing = failing;
        if passing == candidates.len() {
            return Ok(bad);
        }
        match tester.test(&blamed)? {
            Ok(()) => return Ok(bad),
            Err(found) => failure = found,
        }
    }
}

fn left_out(blamed: &BTreeSet<String>, rest: &[&String]) -> BTreeSet<String> {
    let mut set = blamed.clone();
    set.extend(rest.iter().map(|app| (*app).clone()));
    set
}

/// Renders and checks, counting the checks.
struct Tester<R, C> {
    render: R,
    check: C,
    checks: usize,
}

impl<R, C> Tester<R, C> {
    fn test<F, E>(&mut self, excluded: &BTreeSet<String>) -> Result<Result<(), F>, E>
    where
        R: FnMut(&BTreeSet<String>) -> RenderedFiles,
        C: FnMut(&RenderedFiles) -> Result<Result<(), F>, E>,
    {
        self.checks += 1;
        let files = (self.render)(excluded);
        (self.check)(&files)
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    /// The app ids `/app-0000` .. in order.
    fn apps(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("/app-{i:04}")).collect()
    }

    /// Renders one line per included app; a config "fails" with the ids of
    /// the bad apps it contains, or with "head" when `broken_head`.
    fn run(
        apps: &[String],
        bad: &[&str],
        suspects: &[&str],
        broken_head: bool,
    ) -> Bisection<String> {
        let all = apps.to_vec();
        let render = move |excluded: &BTreeSet<String>| RenderedFiles {
            config: all
                .iter()
                .filter(|a| !excluded.contains(*a))
                .cloned()
                .collect::<Vec<_>>()
                .join("\n"),
            maps: Vec::new(),
        };
        let check = |files: &RenderedFiles| {
            let present: Vec<&str> = files
                .config
                .lines()
                .filter(|line| bad.contains(line))
                .collect();
            Ok::<_, Infallible>(match (broken_head, present.is_empty()) {
                (true, _) => Err("head".to_owned()),
                (false, true) => Ok(()),
                (false, false) => Err(present.join(",")),
            })
        };
        let suspects = suspects.iter().map(|s| (*s).to_owned()).collect();
        let Ok(found) = find_bad_apps(apps, &suspects, render, check);
        found
    }

    fn bad_ids(bisection: &Bisection<String>) -> Vec<&str> {
        match &bisection.verdict {
            Verdict::BadApps(bad) => bad.iter().map(|b| b.app_id.as_str()).collect(),
            other => panic!("expected bad apps, got {other:?}"),
        }
    }

    #[test]
    fn a_passing_config_costs_one_check() {
        let found = run(&apps(1000), &[], &[], false);
        assert_eq!(
            found,
            Bisection {
                verdict: Verdict::Clean,
                checks: 1
            }
        );
    }

    #[test]
    fn one_bad_app_among_1024_costs_about_log2_checks() {
        for bad in ["/app-0000", "/app-0511", "/app-0512", "/app-1023"] {
            let found = run(&apps(1024), &[bad], &[], false);
            assert_eq!(bad_ids(&found), [bad]);
            assert!(found.checks <= 10 + 3, "{bad}: {} checks", found.checks);
        }
    }

    #[test]
    fn three_bad_apps_among_1000_cost_about_three_times_log2_checks() {
        let bad = ["/app-0003", "/app-0500", "/app-0999"];
        let found = run(&apps(1000), &bad, &[], false);
        assert_eq!(bad_ids(&found), bad);
        // ceil(log2(1000)) = 10 halvings and one confirming check per app,
        // plus the first check and the one with every app left out.
        assert!(found.checks <= 3 * (10 + 1) + 2, "{} checks", found.checks);
    }

    #[test]
    fn each_bad_app_carries_the_failure_it_alone_caused() {
        let found = run(&apps(64), &["/app-0010", "/app-0040"], &[], false);
        let Verdict::BadApps(bad) = found.verdict else {
            panic!("expected bad apps")
        };
        let failures: Vec<_> = bad.iter().map(|b| b.failure.as_str()).collect();
        assert_eq!(failures, ["/app-0010", "/app-0040"]);
    }

    #[test]
    fn every_app_bad_blames_every_app() {
        let all = apps(5);
        let names: Vec<&str> = all.iter().map(String::as_str).collect();
        assert_eq!(bad_ids(&run(&all, &names, &[], false)), names);
    }

    #[test]
    fn a_broken_head_blames_no_app() {
        let found = run(&apps(100), &["/app-0001"], &[], true);
        assert_eq!(
            found,
            Bisection {
                verdict: Verdict::HeadBroken("head".to_owned()),
                checks: 2
            }
        );

        let found = run(&[], &[], &[], true);
        assert_eq!(found.verdict, Verdict::HeadBroken("head".to_owned()));
        assert_eq!(found.checks, 1);
    }

    #[test]
    fn right_suspects_narrow_the_search() {
        let all = apps(1024);
        let found = run(&all, &["/app-0700"], &["/app-0100", "/app-0700"], false);
        assert_eq!(bad_ids(&found), ["/app-0700"]);
        // First check, suspects left out, one halving of two suspects.
        assert_eq!(found.checks, 3);
    }

    #[test]
    fn wrong_suspects_fall_back_to_searching_everything() {
        let found = run(&apps(1024), &["/app-0700"], &["/app-0100"], false);
        assert_eq!(bad_ids(&found), ["/app-0700"]);
        assert!(found.checks <= 10 + 4, "{} checks", found.checks);
    }

    #[test]
    fn apps_broken_only_together_lose_the_later_one() {
        let all = apps(32);
        let render = |excluded: &BTreeSet<String>| RenderedFiles {
            config: all
                .iter()
                .filter(|a| !excluded.contains(*a))
                .cloned()
                .collect::<Vec<_>>()
                .join("\n"),
            maps: Vec::new(),
        };
        // Like two apps rendering the same backend name: either one alone
        // is fine.
        let check = |files: &RenderedFiles| {
            let both = files.config.contains("/app-0004") && files.config.contains("/app-0020");
            Ok::<_, Infallible>(if both {
                Err("duplicate".to_owned())
            } else {
                Ok(())
            })
        };
        let Ok(found) = find_bad_apps(&all, &BTreeSet::new(), render, check);
        assert_eq!(bad_ids(&found), ["/app-0020"]);
    }

    #[test]
    fn a_check_that_cannot_run_ends_the_search_with_its_error() {
        let all = apps(8);
        let render = |_: &BTreeSet<String>| RenderedFiles::default();
        let check = |_: &RenderedFiles| Err::<Result<(), String>, _>("no haproxy");
        assert_eq!(
            find_bad_apps(&all, &BTreeSet::new(), render, check),
            Err("no haproxy")
        );
    }
}
