//! `fixtures/networking.json`: host, bridge and IP-per-task apps in their
//! Marathon 1.4 and 1.5 shapes.

use insta::assert_snapshot;

use crate::support::render;

#[test]
fn every_networking_mode_finds_its_service_ports_and_task_addresses() {
    let out = render("networking.json", &[]);
    assert_snapshot!("networking_default", out.body());
}

#[test]
fn ip_per_task_ports_are_made_up_from_the_default_range() {
    let out = render("networking.json", &[]);
    // Marathon 1.4 gives IP-per-task apps no service port: one is chosen
    // per discovery port, inside 10050-10100.
    let made_up: Vec<&str> = out
        .body()
        .lines()
        .filter_map(|line| line.strip_prefix("frontend net_ip-per-task-1.4_"))
        .collect();
    assert_eq!(made_up.len(), 2, "{made_up:?}");
    for port in made_up {
        let port: u16 = port.parse().expect("a port number");
        assert!((10050..=10100).contains(&port), "{port}");
    }
}
