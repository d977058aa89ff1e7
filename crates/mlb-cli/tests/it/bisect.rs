//! Finding broken apps with a real `haproxy -c`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use mlb_cli::apply::{self, ApplyError, ApplyOptions, Check, RenderedFiles};
use mlb_cli::bisect::{self, Bisection, Verdict};

use crate::apply::{TempDir, require_haproxy};

/// App ids `/app-00` .. and the subset whose backend HAProxy refuses.
struct Cluster {
    apps: Vec<String>,
    bad: BTreeSet<String>,
    broken_head: bool,
}

impl Cluster {
    fn new(count: usize, bad: &[usize]) -> Self {
        let apps: Vec<String> = (0..count).map(|i| format!("/app-{i:02}")).collect();
        let bad = bad.iter().map(|&i| apps[i].clone()).collect();
        Cluster {
            apps,
            bad,
            broken_head: false,
        }
    }

    /// The backend name of an app, as a renderer would derive it.
    fn backend(app: &str) -> String {
        format!("{}_80", app.trim_start_matches('/'))
    }

    /// The app owning a backend, the inverse of [`Cluster::backend`].
    fn app(&self, backend: &str) -> Option<String> {
        self.apps
            .iter()
            .find(|app| Self::backend(app) == backend)
            .cloned()
    }

    /// A head with one listener (HAProxy refuses a config that could not
    /// accept a connection), then one backend per app not excluded; a bad app's backend
    /// carries a keyword HAProxy does not know.
    fn render(&self, excluded: &BTreeSet<String>) -> RenderedFiles {
        let mut config = String::from(
            "global\n  maxconn 100\n\
             defaults\n  mode http\n  timeout connect 5s\n  timeout client 5s\n  timeout server 5s\n\
             frontend stats\n  bind 127.0.0.1:19090\n",
        );
        if self.broken_head {
            config.push_str("  no_such_keyword 1\n");
        }
        for (i, app) in self.apps.iter().enumerate() {
            if excluded.contains(app) {
                continue;
            }
            let port = 10_000 + i;
            write!(
                config,
                "backend {}\n  server s1 127.0.0.1:{port}\n",
                Self::backend(app)
            )
            .unwrap();
            if self.bad.contains(app) {
                config.push_str("  bogus_keyword on\n");
            }
        }
        RenderedFiles {
            config,
            maps: Vec::new(),
        }
    }

    fn bisect(&self, suspects: &BTreeSet<String>) -> Bisection<apply::Rejection> {
        require_haproxy();
        let dir = TempDir::new();
        let options = ApplyOptions::new(dir.path().join("haproxy.cfg"));
        let check = |files: &RenderedFiles| {
            Ok::<_, ApplyError>(apply::check(files, &options)?.into_result().map(drop))
        };
        bisect::find_bad_apps(
            &self.apps,
            suspects,
            |excluded| self.render(excluded),
            check,
        )
        .unwrap()
    }
}

#[test]
fn bisect_finds_exactly_the_apps_haproxy_refuses() {
    let cluster = Cluster::new(40, &[3, 17, 38]);

    let found = cluster.bisect(&BTreeSet::new());

    let Verdict::BadApps(bad) = found.verdict else {
        panic!("expected bad apps")
    };
    let ids: BTreeSet<String> = bad.iter().map(|b| b.app_id.clone()).collect();
    assert_eq!(ids, cluster.bad);
    // Each carries HAProxy's alert about its own backend.
    for app in &bad {
        let alert = app.failure.alerts().next().expect("an alert");
        assert!(
            alert.message.contains("unknown keyword 'bogus_keyword'"),
            "{}",
            alert.message
        );
        assert_eq!(alert.proxy, Some(Cluster::backend(&app.app_id)));
    }
    assert!(found.checks <= 3 * (6 + 1) + 2, "{} checks", found.checks);

    // And leaving them out really passes.
    let options = ApplyOptions::new("/etc/haproxy/haproxy.cfg");
    let check = apply::check(&cluster.render(&ids), &options).unwrap();
    assert!(matches!(check, Check::Passed { .. }), "{check:?}");
}

#[test]
fn proxies_in_the_first_alerts_make_cheap_suspects() {
    require_haproxy();
    let cluster = Cluster::new(40, &[5, 30]);
    let options = ApplyOptions::new("/etc/haproxy/haproxy.cfg");

    // HAProxy reports every unknown keyword of one file in one go, so the
    // first refusal already names both broken backends.
    let Check::Failed(first) = apply::check(&cluster.render(&BTreeSet::new()), &options).unwrap()
    else {
        panic!("the full config must be refused");
    };
    let suspects: BTreeSet<String> = first
        .alerts()
        .filter_map(|d| d.proxy.as_deref())
        .filter_map(|p| cluster.app(p))
        .collect();
    assert_eq!(suspects, cluster.bad);

    let found = cluster.bisect(&suspects);

    let Verdict::BadApps(bad) = found.verdict else {
        panic!("expected bad apps")
    };
    let ids: BTreeSet<String> = bad.into_iter().map(|b| b.app_id).collect();
    assert_eq!(ids, cluster.bad);
    // First check, suspects left out, one halving, one confirmation.
    assert_eq!(found.checks, 4);
}

#[test]
fn a_broken_head_is_reported_instead_of_blaming_apps() {
    let mut cluster = Cluster::new(10, &[2]);
    cluster.broken_head = true;

    let found = cluster.bisect(&BTreeSet::new());

    let Verdict::HeadBroken(rejection) = found.verdict else {
        panic!("expected a broken head, got {:?}", found.verdict);
    };
    assert!(
        rejection.output.contains("no_such_keyword"),
        "{}",
        rejection.output
    );
    assert_eq!(found.checks, 2);
}

#[test]
fn a_clean_cluster_costs_one_check() {
    let found = Cluster::new(10, &[]).bisect(&BTreeSet::new());
    assert_eq!(found.verdict, Verdict::Clean);
    assert_eq!(found.checks, 1);
}
