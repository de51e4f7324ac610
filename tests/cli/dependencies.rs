//! Dependencies: when a host is down, its instances that fail with it are `unreachable`,
//! raise no alert of their own, and the host's one alert names how many it takes down; once
//! the host is back, its instances alert as before.

use crate::maintenance::{events, recorder, server, set_hook};
use crate::support::Env;

const T0: i64 = 1_800_000_000;

#[test]
fn a_host_outage_is_one_alert_and_its_failing_instances_are_unreachable() {
    let (server, down) = server();
    let env = Env::new();
    env.add_host(
        "web1",
        "server-observer-v1",
        &["--url", &server.url("/web1")],
    );
    for i in ["a", "b", "c"] {
        env.add_instance(
            i,
            "ping",
            &["--url", &server.url(&format!("/{i}")), "--host", "web1"],
        );
    }
    // Not on web1: alerts whatever web1 does.
    env.add_instance("solo", "ping", &["--url", &server.url("/solo")]);
    let (hook, log) = recorder(&env);
    set_hook(&env, &hook);
    env.run_at(T0, &["update-hosts"]).ok();
    env.run_at(T0, &["update-instances"]).ok();

    *down.lock().expect("down") = ["/web1", "/a", "/b", "/solo"].map(String::from).to_vec();
    env.run_at(T0 + 300, &["update-hosts"]).ok();
    let (lines, json) = events(&log);
    assert_eq!(lines, ["web1 online>offline"]);
    assert_eq!(json[0]["instances_down"], 3);
    assert!(
        json[0]["message"]
            .as_str()
            .unwrap_or("")
            .ends_with("(takes down 3 instances)"),
        "{}",
        json[0]
    );

    // The instance pass after it: a and b failed with their host, c still answers.
    let pass = env
        .run_at(T0 + 310, &["--json", "update-instances"])
        .ok()
        .json();
    let status = |r: &str| crate::support::result_of(&pass, r);
    assert_eq!(status("a").0, "unreachable");
    assert!(
        status("a").1.ends_with("(host web1 is offline)"),
        "{}",
        status("a").1
    );
    assert!(
        status("a").1.contains("503"),
        "its own reason too: {}",
        status("a").1
    );
    assert_eq!(status("c").0, "online");
    assert_eq!(status("solo").0, "offline");
    assert_eq!(
        events(&log).0,
        ["solo online>offline", "web1 online>offline"]
    );
    // As Nagios sees it: down (the site was), with the host as the cause.
    let check = env.run_at(T0 + 320, &["check", "a"]);
    assert_eq!(check.code, 2, "{}", check.stdout);
    assert!(check.stdout.contains("unreachable"), "{}", check.stdout);
    let shown = env.run(&["--json", "instance", "show", "a"]).ok().json();
    assert_eq!(shown["status"], "unreachable");
    let metrics = env.run(&["metrics"]).ok().stdout;
    assert!(
        metrics.contains(
            r#"webhost_status{type="instance",ref="a",api="ping",host="web1",status="unreachable"} 1"#
        ),
        "{metrics}"
    );
    let page = env.path().join("page.html");
    env.run_at(
        T0 + 320,
        &["report", "--html", page.to_str().expect("path")],
    )
    .ok();
    let html = std::fs::read_to_string(&page).expect("page");
    assert!(html.contains(r#"<span class="badge s-unreachable">unreachable</span>"#));

    // web1 back, and a and b with it: web1's recovery only; a and b were online before.
    *down.lock().expect("down") = vec!["/solo".into()];
    env.run_at(T0 + 600, &["update-hosts"]).ok();
    env.run_at(T0 + 610, &["update-instances"]).ok();
    assert_eq!(
        events(&log).0,
        [
            "solo online>offline",
            "web1 offline>online",
            "web1 online>offline"
        ]
    );

    // With web1 up, a alone failing alerts as any instance does.
    *down.lock().expect("down") = vec!["/solo".into(), "/a".into()];
    env.run_at(T0 + 900, &["update-instances"]).ok();
    assert_eq!(
        events(&log).0,
        [
            "a online>offline",
            "solo online>offline",
            "web1 offline>online",
            "web1 online>offline"
        ]
    );
}

#[test]
fn an_instance_still_down_after_its_host_returns_alerts_then() {
    let (server, down) = server();
    let env = Env::new();
    env.add_host(
        "web1",
        "server-observer-v1",
        &["--url", &server.url("/web1")],
    );
    env.add_instance("a", "ping", &["--url", &server.url("/a"), "--host", "web1"]);
    let (hook, log) = recorder(&env);
    set_hook(&env, &hook);
    env.run_at(T0, &["update-hosts"]).ok();
    env.run_at(T0, &["update-instances"]).ok();
    *down.lock().expect("down") = vec!["/web1".into(), "/a".into()];
    env.run_at(T0 + 300, &["update-hosts"]).ok();
    env.run_at(T0 + 310, &["update-instances"]).ok();
    assert_eq!(events(&log).0, ["web1 online>offline"]);
    assert_eq!(events(&log).1[0]["instances_down"], 1);
    *down.lock().expect("down") = vec!["/a".into()];
    env.run_at(T0 + 600, &["update-hosts"]).ok();
    let pass = env
        .run_at(T0 + 610, &["--json", "update-instances"])
        .ok()
        .json();
    assert_eq!(crate::support::result_of(&pass, "a").0, "offline");
    assert_eq!(
        events(&log).0,
        [
            "a online>offline",
            "web1 offline>online",
            "web1 online>offline"
        ]
    );
}

#[test]
fn a_host_status_over_an_hour_old_silences_nobody() {
    let (server, down) = server();
    let env = Env::new();
    env.add_host(
        "web1",
        "server-observer-v1",
        &["--url", &server.url("/web1")],
    );
    env.add_instance("a", "ping", &["--url", &server.url("/a"), "--host", "web1"]);
    let (hook, log) = recorder(&env);
    set_hook(&env, &hook);
    env.run_at(T0, &["update-instances"]).ok();
    *down.lock().expect("down") = vec!["/web1".into(), "/a".into()];
    env.run_at(T0 + 300, &["update-hosts"]).ok();
    // The host pass stopped after that: an hour later, a's failure is its own.
    let pass = env
        .run_at(T0 + 300 + 3601, &["--json", "update-instances"])
        .ok()
        .json();
    assert_eq!(crate::support::result_of(&pass, "a").0, "offline");
    assert_eq!(events(&log).0, ["a online>offline", "web1 unknown>offline"]);
}
