//! `report --public --only/--host`: one customer's status page, built from real passes against
//! the local fixture server and parsed as HTML: what is on it, what is not (the other
//! customers, versions, modules, disks unless asked), and the small things seen on it (strips of
//! half-hourly passes, pass durations, the uptime's rounding, core modules).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use scraper::{ElementRef, Html, Selector};

use crate::server::{Reply, Server};
use crate::support::{CANARY, Env, now};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"))
}

fn text_of(e: ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&sel(css)).map(text_of).collect()
}

#[track_caller]
fn text(doc: &Html, css: &str) -> String {
    texts(doc, css)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("nothing matches {css}"))
}

/// The ids of the record rows, in page order.
fn rows(doc: &Html) -> Vec<String> {
    doc.select(&sel("table.records tbody tr"))
        .filter_map(|tr| tr.value().id().map(str::to_string))
        .collect()
}

fn page_path(env: &Env) -> PathBuf {
    env.path().join("page.html")
}

/// Runs `report --html` with `args` at webhost's clock `at`, and returns the page and its parse.
fn page(env: &Env, at: i64, args: &[&str]) -> (String, Html) {
    let path = page_path(env).to_string_lossy().into_owned();
    env.run_at(at, &[&["report", "--html", &path], args].concat())
        .ok();
    let html = std::fs::read_to_string(page_path(env)).expect("page written");
    let doc = Html::parse_document(&html);
    (html, doc)
}

/// Other customers: their refs and labels, none of which the garage's page may hold.
const OTHERS: [&str; 8] = [
    "boulangerie-martin",
    "Boulangerie Martin",
    "cabinet-durand",
    "Cabinet Durand",
    "dupont-web",
    "Dupont et fils",
    "srv1",
    "Main server",
];

/// A server-manager host `srv1` ("Main server") with the three instances it lists that answer
/// (old-demo's Dolibarr is gone), each answering with the garage's document; the garage's own legacy instance `garage-archive`
/// (a 2018 check.php: module names only, no versions) and `dupont-web`, another customer's
/// site; labels on all. One update-hosts and one update-instances.
fn fleet() -> (Server, Env) {
    let server = Server::manager(Some(CANARY), |hit| {
        match (
            hit.path.as_str(),
            hit.query.get("action").map(String::as_str),
            hit.query.get("instance_name").map(String::as_str),
        ) {
            ("/archive", _, _) => Reply::fixture("serverobserver-legacy-2018-check.json"),
            ("/dupont", _, _) => Reply::ok("ok"),
            (_, None, _) => Reply::fixture("servermanager-server.json"),
            (_, Some("get-all-instance"), _) => Reply::fixture("servermanager-instances.json"),
            (_, Some("get-info-instance"), Some("old-demo")) => {
                Reply::fixture("error-wrong-instance-path.txt")
            }
            _ => Reply::fixture("servermanager-instance-garage-lefebvre.json"),
        }
    });
    let env = Env::new();
    env.run_with_stdin(
        &[
            "host",
            "add",
            "srv1",
            "--api",
            "server-manager-v1",
            "--url",
            &server.url("/index.php"),
            "--token-stdin",
            "--label",
            "Main server",
        ],
        CANARY,
    )
    .ok();
    env.run(&["update-hosts"]).ok();
    for (r, label) in [
        ("boulangerie-martin", "Boulangerie Martin"),
        ("cabinet-durand", "Cabinet Durand"),
        ("garage-lefebvre", "Garage Lefebvre"),
    ] {
        env.run(&["instance", "edit", r, "--label", label]).ok();
    }
    env.add_instance(
        "garage-archive",
        "server-observer-v1",
        &[
            "--url",
            &server.url("/archive"),
            "--token",
            CANARY,
            "--label",
            "Garage Lefebvre archive",
        ],
    );
    env.add_instance(
        "dupont-web",
        "ping",
        &["--url", &server.url("/dupont"), "--label", "Dupont et fils"],
    );
    env.run(&["update-hosts"]).ok();
    env.run(&["update-instances"]).ok();
    (server, env)
}

#[test]
fn a_customer_page_holds_that_customer_only() {
    let (_server, env) = fleet();
    let t = now();
    let garage = ["--only", "garage-lefebvre", "garage-archive"];

    // The internal page has everyone, so their absence below means something.
    let (html, _) = page(&env, t, &[]);
    for other in OTHERS {
        assert!(html.contains(other), "{other} on the internal page");
    }

    let (html, doc) = page(&env, t, &[&["--public"], &garage[..]].concat());
    assert_eq!(rows(&doc), ["i-garage-lefebvre", "i-garage-archive"]);
    for other in OTHERS {
        assert!(!html.contains(other), "{other} on the garage's page");
    }
    assert_eq!(
        texts(&doc, "td.rec .muted"),
        ["Garage Lefebvre", "Garage Lefebvre archive"]
    );
    // Its own host is not named either: the group is just "Instances".
    assert_eq!(
        texts(&doc, "section.group h3 > span:first-child"),
        ["Instances"]
    );
    // The counts are of the page's records.
    let cards = texts(&doc, "#summary .card");
    assert!(
        cards.iter().any(|c| c.starts_with("Instances2")),
        "{cards:?}"
    );
    assert!(!cards.iter().any(|c| c.starts_with("Hosts")), "{cards:?}");
    // No version, module or disk unless asked for.
    assert_eq!(
        doc.select(&sel("td.dol, th.dol, td.dsk, th.dsk")).count(),
        0
    );
    assert_eq!(doc.select(&sel("#modules, #changes")).count(), 0);
    for needle in [
        "19.0.3",
        "7.0.3",
        "17.0.1",
        "modSubtotal",
        "modSociete",
        "GiB",
    ] {
        assert!(!html.contains(needle), "{needle} on the public page");
    }
    assert!(
        text(&doc, "footer")
            .contains("no URLs, folders, server messages, versions, modules, disks")
    );

    // Asked for: the versions, modules and disks of these instances, still no one else's.
    let (html, doc) = page(
        &env,
        t,
        &[
            &[
                "--public",
                "--with-versions",
                "--with-modules",
                "--with-disks",
            ],
            &garage[..],
        ]
        .concat(),
    );
    for other in OTHERS {
        assert!(!html.contains(other), "{other} with --with-*");
    }
    assert_eq!(texts(&doc, "td.dol"), ["19.0.3", "7.0.3"]);
    assert!(text(&doc, "tr#i-garage-lefebvre td.dsk").contains("GiB"));
    let dolibarr = texts(&doc, "#dolibarr li");
    assert_eq!(
        dolibarr,
        ["19.0.3: 1 garage-lefebvre", "7.0.3: 1 garage-archive"]
    );
    // Core modules (version "dolibarr" on one instance, none on the legacy one) are core:
    // not among the modules with versions of their own.
    let own: Vec<String> = texts(&doc, ".mods .mod h4")
        .iter()
        .map(|h| h.split(' ').next().unwrap_or_default().to_string())
        .collect();
    assert!(own.contains(&"modSubtotal".to_string()), "{own:?}");
    for core in ["modSociete", "modFacture", "modFicheinter"] {
        assert!(
            !own.contains(&core.to_string()),
            "{core} listed with own versions: {own:?}"
        );
    }
    let core: Vec<String> = texts(&doc, "ul.core li b");
    for name in ["modSociete", "modFacture", "modFicheinter"] {
        assert!(
            core.contains(&name.to_string()),
            "{name} not core: {core:?}"
        );
    }

    // A host and its instances: none of the others.
    let (html, doc) = page(&env, t, &["--public", "--host", "srv1"]);
    assert_eq!(
        rows(&doc),
        [
            "h-srv1",
            "i-boulangerie-martin",
            "i-cabinet-durand",
            "i-garage-lefebvre",
        ]
    );
    for other in ["garage-archive", "dupont-web", "Dupont et fils"] {
        assert!(!html.contains(other), "{other} on srv1's page");
    }
    assert!(!html.contains("127.0.0.1"));
}

#[test]
fn unknown_refs_are_named_and_nothing_is_written() {
    let (_server, env) = fleet();
    let path = page_path(&env).to_string_lossy().into_owned();
    let run = env
        .run(&[
            "report",
            "--html",
            &path,
            "--public",
            "--only",
            "garage-lefebvre",
            "nope",
            "other",
            "--host",
            "garage-lefebvre",
        ])
        .fails(2, "no host or instance named 'nope', 'other'");
    assert!(
        run.stderr.contains("no host named 'garage-lefebvre'"),
        "{}",
        run.stderr
    );
    assert!(!page_path(&env).exists());
    // What to add back is for the public page only.
    let run = env.run(&["report", "--html", &path, "--with-disks"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--public"), "{}", run.stderr);
}

/// Two sites polled every 30 minutes over the last day, with a 4-hour stop; `flaky` fails twice.
#[test]
fn half_hourly_passes_draw_a_joined_strip_and_the_cli_uptime() {
    let flaky_down = Arc::new(Mutex::new(false));
    let server = {
        let flaky_down = flaky_down.clone();
        Server::start(None, move |hit| match hit.path.as_str() {
            "/flaky" if *flaky_down.lock().expect("flag") => Reply::Body(503, b"down".to_vec()),
            _ => Reply::ok("ok"),
        })
    };
    let env = Env::new();
    env.add_instance("steady", "ping", &["--url", &server.url("/steady")]);
    env.add_instance("flaky", "ping", &["--url", &server.url("/flaky")]);
    let t = now();
    let from = t - 86_400;
    let stopped = 20..28;
    let at = |k: i64| from + 60 + k * 1800;
    for k in (0..48).filter(|k| !stopped.contains(k)) {
        *flaky_down.lock().expect("flag") = k == 5 || k == 30;
        env.run_at(at(k), &["update-instances"]).ok();
    }

    let (_, doc) = page(
        &env,
        t,
        &["--since", "24h", "--public", "--only", "steady", "flaky"],
    );
    // 16-minute slots, a check every other one: the strip is one run of "up" but for the
    // stop, from the slot after the last check before it to the slot before the first after.
    let slot = |k: i64| (at(k) - from) / 960;
    let no_data = slot(stopped.end) - slot(stopped.start - 1) - 1;
    assert_eq!(
        text(&doc, "tr#i-steady td.hist .sub"),
        format!("all up, {no_data} no data")
    );
    let runs: Vec<String> = doc
        .select(&sel("tr#i-steady svg.strip rect[class]"))
        .map(|r| r.value().attr("class").unwrap_or_default().to_string())
        .collect();
    assert_eq!(runs, ["u", "n", "u"], "one bar per run");
    // The sparkline breaks at the stop only.
    assert_eq!(
        doc.select(&sel("tr#i-steady svg.spark polyline")).count(),
        2
    );
    // Over the week, 112-minute slots whose response times are sampled in their middle 15
    // minutes: slots with checks but no sample do not break the line either.
    let (_, week) = page(&env, t, &["--since", "7d", "--public", "--only", "steady"]);
    assert_eq!(
        week.select(&sel("tr#i-steady svg.spark polyline")).count(),
        1,
        "{:?}",
        week.select(&sel("tr#i-steady svg.spark"))
            .map(|s| s.html())
            .collect::<Vec<_>>()
    );
    let flaky = text(&doc, "tr#i-flaky td.hist .sub");
    assert!(flaky.starts_with("4 down, "), "{flaky}");

    // The uptime as `instance show` gives it for the same 24 hours: the checks weigh
    // 77,340 s, 3,600 of them down, 95.345… %, shown rounded down on both.
    let up = text(&doc, "tr#i-flaky td.up");
    assert_eq!(up, "95.34 %");
    let show = env.run_at(t, &["instance", "show", "flaky"]).ok().stdout;
    let line = show
        .lines()
        .find(|l| l.trim_start().starts_with("uptime"))
        .unwrap_or_else(|| panic!("no uptime line:\n{show}"));
    let cli = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .trim_end_matches('%');
    assert_eq!(up.trim_end_matches(" %"), cli, "{line}");

    // A pass on 127.0.0.1 takes milliseconds: shown as such, not "0.0 s".
    let durations: Vec<String> = texts(&doc, "table.passes td.num")
        .into_iter()
        .filter(|d| !d.is_empty())
        .collect();
    assert_eq!(
        durations.len(),
        1,
        "update-instances ran, update-hosts never"
    );
    for d in &durations {
        let ms = d.strip_suffix(" ms").unwrap_or_else(|| panic!("{d:?}"));
        assert!(ms.parse::<u64>().is_ok_and(|ms| ms < 1000), "{d:?}");
    }
}
