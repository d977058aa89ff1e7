//! Properties every fixture keeps: the config depends on the Marathon
//! state only, never on the order Marathon lists apps and tasks in.

use lb_model::HealthMemory;
use marathon_client::wire::App;
use proptest::prelude::*;

use crate::support::{decode, fixture, render_apps};

/// Each fixture with the flag set that exercises the most of it.
const CASES: &[(&str, &[&str])] = &[
    ("apps.json", &["--health-check"]),
    ("blue-green.json", &[]),
    ("groups.json", &["--group", "*"]),
    ("health-checks.json", &["--health-check"]),
    ("labels.json", &["--haproxy-map"]),
    ("networking.json", &[]),
    ("task-states.json", &[]),
    ("vhosts.json", &["--group-https-by-vhost"]),
];

/// A deterministic Fisher-Yates shuffle driven by a xorshift generator,
/// so that a failing seed reproduces.
fn shuffle<T>(items: &mut [T], state: &mut u64) {
    for i in (1..items.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let bound = u64::try_from(i + 1).expect("a slice length fits in u64");
        let j = usize::try_from(*state % bound).expect("below a slice length");
        items.swap(i, j);
    }
}

fn shuffled(mut apps: Vec<App>, seed: u64) -> Vec<App> {
    // xorshift never leaves zero, so zero is replaced by a fixed odd value.
    let mut state = if seed == 0 {
        0x9e37_79b9_7f4a_7c15
    } else {
        seed
    };
    shuffle(&mut apps, &mut state);
    for app in &mut apps {
        shuffle(&mut app.tasks, &mut state);
    }
    apps
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn config_and_maps_do_not_depend_on_app_or_task_order(seed in any::<u64>()) {
        for (name, flags) in CASES {
            let apps = decode(&fixture(name));
            let expected = render_apps(apps.clone(), flags, &mut HealthMemory::default());
            let actual = render_apps(shuffled(apps, seed), flags, &mut HealthMemory::default());
            prop_assert_eq!(&actual.rendered, &expected.rendered, "{} {:?}", name, flags);
        }
    }
}
