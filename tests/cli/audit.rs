//! Known vulnerabilities, end to end: instances at known Dolibarr versions set up by a real
//! pass against the fixture server, OSV advisories the test writes (one file, a folder, a zip)
//! and an overrides file imported, then `audit --json`, `check --audit` and the metrics.

use std::io::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::server::{Reply, Server, fixture};
use crate::support::Env;

/// WebObserver's document with this Dolibarr version (its modules as the fixture has them:
/// modSubtotal at 3.24.1 among them).
fn document(version: &str) -> Reply {
    let mut doc: Value =
        serde_json::from_slice(&fixture("webobserver-instance.json")).expect("fixture JSON");
    doc["dolibarr"]["version"] = version.into();
    Reply::ok(doc.to_string())
}

/// Five Dolibarr instances, polled once: old 18.0.4, patched 18.0.5, exp "experimental",
/// new 22.0.3, hand 18.0.4 (patched by hand, say the overrides).
fn seeded() -> Env {
    let server = Server::start(None, |hit| match hit.path.as_str() {
        "/old" | "/hand" => document("18.0.4"),
        "/patched" => document("18.0.5"),
        // Its install wizard left open, too.
        "/exp" => {
            let mut doc: Value = serde_json::from_slice(&fixture("webobserver-instance.json"))
                .expect("fixture JSON");
            doc["dolibarr"]["version"] = "experimental".into();
            doc["security"]["install_lock"] = false.into();
            Reply::ok(doc.to_string())
        }
        "/new" => document("22.0.3"),
        _ => Reply::Body(404, b"not found".to_vec()),
    })
    .expect_hits(5);
    let env = Env::new();
    for r in ["old", "patched", "exp", "new", "hand"] {
        env.add_instance(
            r,
            "server-observer-v1",
            &["--url", &server.url(&format!("/{r}"))],
        );
    }
    let res = env.run(&["--json", "update-instances"]).ok().json();
    let online = res
        .as_array()
        .map_or(0, |a| a.iter().filter(|r| r["status"] == "online").count());
    assert_eq!(online, 5, "{res}");
    drop(server);
    env
}

fn osv(id: &str, severity: &str, package: &str, events: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{id}","aliases":["CVE-{id}"],"summary":"{id} summary",{severity}
           "affected":[{{"package":{{"ecosystem":"Packagist","name":"{package}"}},
           "ranges":[{{"type":"ECOSYSTEM","events":{events}}}]{extra}}}]}}"#
    )
}

const CRITICAL: &str =
    r#""severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],"#;
const HIGH: &str = r#""database_specific":{"severity":"HIGH"},"#;
const MODERATE: &str = r#""database_specific":{"severity":"MODERATE"},"#;

/// The advisories: a critical one fixed in 18.0.5 (one file), a high one up to 18.0.4 and
/// another package's (a folder), a module's and another package's (a zip); overrides that
/// add "CVE-LOCAL-1 affects 22.0.0–22.0.4" and ignore the critical one for `hand`.
fn write_advisories(dir: &Path) -> [String; 4] {
    let single = dir.join("GHSA-crit.json");
    std::fs::write(
        &single,
        osv(
            "GHSA-crit",
            CRITICAL,
            "dolibarr/dolibarr",
            r#"[{"introduced":"0"},{"fixed":"18.0.5"}]"#,
            "",
        ),
    )
    .expect("write");
    let folder = dir.join("feed");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::write(
        folder.join("GHSA-high.json"),
        osv(
            "GHSA-high",
            HIGH,
            "dolibarr/dolibarr",
            r#"[{"introduced":"18.0.0"},{"last_affected":"18.0.4"}]"#,
            "",
        ),
    )
    .expect("write");
    std::fs::write(
        folder.join("GHSA-other.json"),
        osv(
            "GHSA-other",
            HIGH,
            "symfony/http-kernel",
            r#"[{"introduced":"0"}]"#,
            "",
        ),
    )
    .expect("write");
    let zipped = dir.join("Packagist.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zipped).expect("create zip"));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let entries = [
        (
            "GHSA-mod.json",
            osv(
                "GHSA-mod",
                MODERATE,
                "acme/subtotal",
                r#"[{"introduced":"0"},{"fixed":"3.25.0"}]"#,
                r#","database_specific":{"module":"modSubtotal"}"#,
            ),
        ),
        (
            "GHSA-zother.json",
            osv(
                "GHSA-zother",
                HIGH,
                "laravel/framework",
                r#"[{"introduced":"0"}]"#,
                "",
            ),
        ),
    ];
    for (name, text) in entries {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(text.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish");
    let overrides = dir.join("overrides.toml");
    std::fs::write(
        &overrides,
        r#"
[[advisory]]
id = "CVE-LOCAL-1"
summary = "a CVE whose record carries only prose"
severity = "critical"
ranges = [{ introduced = "22.0.0", last_affected = "22.0.4" }]

[[ignore]]
advisory = "CVE-GHSA-crit"
instance = "hand"
reason = "patched by hand"
"#,
    )
    .expect("write");
    [single, folder, zipped, overrides].map(|p| p.to_str().expect("UTF-8 path").to_string())
}

/// (ref, advisory, fixed_in) of every finding, in order.
fn findings(audit: &Value) -> Vec<(String, String, Option<String>)> {
    audit["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in {audit}"))
        .iter()
        .map(|f| {
            (
                f["ref"].as_str().unwrap_or("").to_string(),
                f["advisory"].as_str().unwrap_or("").to_string(),
                f["fixed_in"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn row(r: &str, advisory: &str, fixed: Option<&str>) -> (String, String, Option<String>) {
    (
        r.to_string(),
        advisory.to_string(),
        fixed.map(str::to_string),
    )
}

fn import(env: &Env) -> Value {
    let [single, folder, zipped, overrides] = write_advisories(env.path());
    env.run(&[
        "--json",
        "advisories",
        "import",
        &single,
        &folder,
        &zipped,
        "--overrides",
        &overrides,
    ])
    .ok()
    .json()
}

#[test]
fn imports_one_file_a_folder_and_a_zip_and_reimport_replaces() {
    let env = seeded();
    let done = import(&env);
    let counts: Vec<(u64, u64, u64)> = done["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| {
            (
                s["files"].as_u64().unwrap_or(99),
                s["skipped"].as_u64().unwrap_or(99),
                s["advisories"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    // Other packages' advisories are read and left out.
    assert_eq!(counts, vec![(1, 0, 1), (2, 1, 1), (2, 1, 1)], "{done:#}");
    assert_eq!(done["overrides"]["advisories"], 1);
    assert_eq!(done["overrides"]["ignores"], 1);
    let listed = env.run(&["--json", "advisories", "list"]).ok().json();
    let ids: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, ["GHSA-crit", "GHSA-high", "GHSA-mod", "CVE-LOCAL-1"]);
    let crit = &listed[0];
    assert_eq!(
        (&crit["severity"], &crit["score"]),
        (&"critical".into(), &9.8.into())
    );
    assert_eq!(listed[1]["severity"], "high");
    assert_eq!(listed[2]["severity"], "medium");
    assert_eq!(listed[2]["modules"], serde_json::json!(["modSubtotal"]));
    assert_eq!(listed[3]["source"], Value::Null);

    // The folder again, without its high advisory: what it gave is replaced.
    let folder = env.path().join("feed");
    std::fs::remove_file(folder.join("GHSA-high.json")).expect("rm");
    let again = env
        .run(&[
            "--json",
            "advisories",
            "import",
            folder.to_str().expect("UTF-8"),
        ])
        .ok()
        .json();
    assert_eq!(
        (
            &again["sources"][0]["advisories"],
            &again["sources"][0]["replaced"]
        ),
        (&0.into(), &1.into()),
        "{again:#}"
    );
    let listed = env.run(&["--json", "advisories", "list"]).ok().json();
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "{listed:#}");

    // A file named on its own that is not OSV is an error, and changes nothing.
    let bad = env.path().join("bad.json");
    std::fs::write(&bad, "[1, 2]").expect("write");
    env.run(&["advisories", "import", bad.to_str().expect("UTF-8")])
        .fails(2, "is not an OSV advisory");
    let bad_overrides = env.path().join("bad.toml");
    std::fs::write(
        &bad_overrides,
        "[[advisory]]\nid = \"X\"\nseverity = \"huge\"\n",
    )
    .expect("write");
    env.run(&[
        "advisories",
        "import",
        "--overrides",
        bad_overrides.to_str().expect("UTF-8"),
    ])
    .fails(2, "severity 'huge'");
}

#[test]
fn audit_lists_affected_instances_and_the_unknown_version() {
    let env = seeded();
    import(&env);
    let audit = env
        .run(&["--json", "audit", "--by", "instance"])
        .ok()
        .json();
    // Every instance has modSubtotal 3.24.1: the module's advisory (medium) affects them all,
    // even exp, whose Dolibarr version cannot be told. hand's critical one is ignored.
    assert_eq!(
        findings(&audit),
        vec![
            row("exp", "GHSA-mod", Some("3.25.0")),
            row("hand", "GHSA-high", None),
            row("hand", "GHSA-mod", Some("3.25.0")),
            row("new", "CVE-LOCAL-1", None),
            row("new", "GHSA-mod", Some("3.25.0")),
            row("old", "GHSA-crit", Some("18.0.5")),
            row("old", "GHSA-high", None),
            row("old", "GHSA-mod", Some("3.25.0")),
            row("patched", "GHSA-mod", Some("3.25.0")),
        ],
        "{audit:#}"
    );
    let module = &audit["findings"][0];
    assert_eq!(
        (&module["module"], &module["version"]),
        (&"modSubtotal".into(), &"3.24.1".into())
    );
    assert_eq!(audit["findings"][5]["dolibarr_version"], "18.0.4");
    assert_eq!(audit["findings"][5]["severity"], "critical");
    assert_eq!(
        audit["cannot_tell"],
        serde_json::json!([{"ref": "exp", "host": null, "dolibarr_version": "experimental"}])
    );
    assert_eq!(audit["ignored"], 1);
    assert_eq!(
        (&audit["advisories"], &audit["instances"]),
        (&4.into(), &5.into())
    );

    // By advisory (the default): worst first; --severity high keeps high and critical.
    let high = env
        .run(&["--json", "audit", "--severity", "high"])
        .ok()
        .json();
    assert_eq!(
        findings(&high),
        vec![
            row("new", "CVE-LOCAL-1", None),
            row("old", "GHSA-crit", Some("18.0.5")),
            row("hand", "GHSA-high", None),
            row("old", "GHSA-high", None),
        ],
        "{high:#}"
    );
    // A report: it exits 0 when instances are affected; an unknown --host is an error.
    let table = env.run(&["audit"]).ok();
    assert!(table.stdout.contains("GHSA-crit"), "{}", table.stdout);
    assert!(
        table.stderr.contains("exp (experimental)"),
        "{}",
        table.stderr
    );
    env.run(&["audit", "--host", "nosuch"]).fails(2, "nosuch");
}

#[test]
fn check_audit_makes_a_critical_advisory_critical() {
    let env = seeded();
    // Before any import, and without --audit, the instances are OK.
    assert_eq!(env.run(&["check", "old", "--audit"]).code, 0);
    import(&env);
    let plain = env.run(&["check", "old"]);
    assert_eq!(plain.code, 0, "{}", plain.stdout);
    let old = env.run(&["check", "old", "--audit"]);
    assert_eq!(old.code, 2, "{}", old.stdout);
    assert!(
        old.stdout.starts_with("WEBHOST CRITICAL - old online"),
        "{}",
        old.stdout
    );
    assert!(
        old.stdout
            .contains("advisory GHSA-crit critical (fixed in 18.0.5), advisory GHSA-high high"),
        "{}",
        old.stdout
    );
    // hand's critical advisory is ignored: its high one is a WARNING.
    let hand = env.run(&["check", "hand", "--audit"]);
    assert_eq!(hand.code, 1, "{}", hand.stdout);
    // A medium advisory changes nothing but is named.
    let patched = env.run(&["check", "patched", "--audit"]);
    assert_eq!(patched.code, 0, "{}", patched.stdout);
    assert!(
        patched.stdout.contains("advisory GHSA-mod medium"),
        "{}",
        patched.stdout
    );
    let json = env.run(&["--json", "check", "new", "--audit"]).json();
    assert_eq!(json["state"], "CRITICAL");
    assert!(
        json["reasons"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r == "advisory CVE-LOCAL-1 critical")),
        "{json:#}"
    );
}

#[test]
fn metrics_count_advisories_per_instance_and_severity() {
    let env = seeded();
    let before = env.run(&["metrics"]).ok();
    assert!(
        !before.stdout.contains("webhost_advisories"),
        "nothing is known yet"
    );
    import(&env);
    let text = env.run(&["metrics"]).ok().stdout;
    for line in [
        "# TYPE webhost_advisories gauge",
        r#"webhost_advisories{ref="old",severity="critical"} 1"#,
        r#"webhost_advisories{ref="old",severity="high"} 1"#,
        r#"webhost_advisories{ref="old",severity="medium"} 1"#,
        r#"webhost_advisories{ref="old",severity="low"} 0"#,
        r#"webhost_advisories{ref="hand",severity="critical"} 0"#,
        r#"webhost_advisories{ref="new",severity="critical"} 1"#,
        r#"webhost_advisories{ref="patched",severity="high"} 0"#,
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
    }
    // exp's version cannot be told: no count would be true.
    assert!(!text.contains(r#"webhost_advisories{ref="exp""#), "{text}");
}

#[test]
fn status_counts_the_affected_instances_by_their_worst_advisory() {
    let env = seeded();
    let before = env.run(&["--json", "status"]).ok().json();
    assert!(before["advisories"].is_null(), "none imported yet");
    import(&env);
    let status = env.run(&["--json", "status"]).ok().json();
    let a = &status["advisories"];
    // old and new: critical; hand: high (its critical one ignored); exp and patched: medium
    // (the module's advisory); exp's Dolibarr version cannot be told.
    assert_eq!(a["affected_instances"], 5, "{a}");
    assert_eq!(
        (&a["critical"], &a["high"], &a["medium"], &a["low"]),
        (&2.into(), &1.into(), &2.into(), &0.into()),
        "{a}"
    );
    assert_eq!(a["cannot_tell"], 1, "{a}");
    let text = env.run(&["status"]).ok().stdout;
    assert!(
        text.contains("known vulnerabilities: 5 instances affected (2 critical, 1 high, 2 medium"),
        "{text}"
    );
}

#[test]
fn the_internal_page_lists_the_advisories_and_the_public_one_does_not() {
    let env = seeded();
    import(&env);
    let page = env.path().join("page.html");
    let public = env.path().join("public.html");
    env.run(&["report", "--html", page.to_str().expect("utf-8")])
        .ok();
    env.run(&[
        "report",
        "--html",
        public.to_str().expect("utf-8"),
        "--public",
    ])
    .ok();
    let page = std::fs::read_to_string(page).expect("page");
    let public = std::fs::read_to_string(public).expect("public page");
    let section = &page[page.find("Known vulnerabilities").expect("a section")..];
    let row = &section[section.find("GHSA-crit").expect("the critical one")..];
    let row = &row[..row.find("</tr>").expect("its row")];
    assert!(row.contains("critical") && row.contains("18.0.5"), "{row}");
    assert!(
        row.contains("old") && !row.contains("hand"),
        "hand's is ignored: {row}"
    );
    assert!(!public.contains("Known vulnerabilities") && !public.contains("GHSA-"));
}

#[test]
fn the_audit_names_the_risky_settings_too() {
    let env = seeded();
    import(&env);
    let audit = env.run(&["--json", "audit"]).ok().json();
    assert_eq!(
        audit["risky_settings"],
        serde_json::json!([{"ref": "exp", "risks": ["install wizard not locked (no install.lock)"]}]),
        "{audit:#}"
    );
    let text = env.run(&["audit"]).ok();
    assert!(
        text.stderr
            .contains("risky settings on exp: install wizard not locked"),
        "{}",
        text.stderr
    );
}
