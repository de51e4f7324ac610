//! `modules` and `versions`, on a database filled by a real pass against the fixture server.

use serde_json::Value;

use crate::server::{Reply, Server};
use crate::support::Env;

/// Three Dolibarr instances polled once, then the server is gone (the inventory reads the store
/// only), and one disabled ping instance never checked (the server saw three requests):
/// - martin  18.0.4: modSubtotal 3.24.1 active, modWebObserver 1.2.0, modExperimentalThing, core…
/// - garage  19.0.3: modSubtotal 3.21.0 inactive, modSociete, modFacture, modFicheinter
/// - durand  12.0.5: modOldModule 1.0.3, modSociete, modFacture, modBanque (inactive)
fn seeded() -> Env {
    let server = Server::start(None, |hit| match hit.path.as_str() {
        "/martin" => Reply::fixture("webobserver-instance.json"),
        "/garage" => Reply::fixture("servermanager-instance-garage-lefebvre.json"),
        "/durand" => Reply::fixture("serverobserver-legacy-check.txt"),
        _ => Reply::Body(404, b"not found".to_vec()),
    })
    .expect_hits(3);
    let env = Env::new();
    for r in ["martin", "garage", "durand"] {
        let url = server.url(&format!("/{r}"));
        env.add_instance(r, "server-observer-v1", &["--url", &url]);
    }
    env.add_instance(
        "shop",
        "ping",
        &["--url", &server.url("/shop"), "--disabled"],
    );
    let res = env.run(&["--json", "update-instances"]).ok().json();
    let online = res
        .as_array()
        .map_or(0, |a| a.iter().filter(|r| r["status"] == "online").count());
    assert_eq!(online, 3, "{res}");
    drop(server);
    env
}

fn json(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    env.run(&all).ok().json()
}

fn items(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

fn group<'a>(groups: &'a Value, module: &str) -> &'a Value {
    items(groups)
        .iter()
        .find(|g| g["module"] == module)
        .unwrap_or_else(|| panic!("no {module} in {groups}"))
}

/// (instance, module) of every flat row, in order.
fn pairs(rows: &Value) -> Vec<(String, String)> {
    items(rows)
        .iter()
        .map(|r| {
            (
                r["instance"].as_str().unwrap_or("").to_string(),
                r["module"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn pair(instance: &str, module: &str) -> (String, String) {
    (instance.to_string(), module.to_string())
}

#[test]
fn grouped_view_counts_instances_and_active_per_version() {
    let env = seeded();
    let all = json(&env, &["modules"]);
    let names: Vec<&str> = items(&all)
        .iter()
        .filter_map(|g| g["module"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "modApi",
            "modBanque",
            "modCommande",
            "modExperimentalThing",
            "modFacture",
            "modFicheinter",
            "modOldModule",
            "modPropale",
            "modSociete",
            "modStock",
            "modSubtotal",
            "modTakePos",
            "modWebObserver",
        ]
    );

    // On 2 of 3 instances, active on one, newest version first.
    let sub = group(&all, "modSubtotal");
    assert_eq!(sub["instances"], 2);
    assert_eq!(sub["active"], 1);
    let versions = items(&sub["versions"]);
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], "3.24.1");
    assert_eq!(versions[0]["effective_version"], "3.24.1");
    assert_eq!(versions[0]["instances"], 1);
    assert_eq!(versions[0]["active"], 1);
    assert_eq!(versions[0]["refs"], serde_json::json!(["martin"]));
    assert_eq!(versions[1]["version"], "3.21.0");
    assert_eq!(versions[1]["instances"], 1);
    assert_eq!(versions[1]["active"], 0);
    assert_eq!(versions[1]["refs"], serde_json::json!(["garage"]));

    // A core module follows each instance's Dolibarr version.
    let societe = group(&all, "modSociete");
    assert_eq!(societe["instances"], 3);
    assert_eq!(societe["active"], 3);
    let effective: Vec<&str> = items(&societe["versions"])
        .iter()
        .filter_map(|v| v["effective_version"].as_str())
        .collect();
    assert_eq!(effective, ["19.0.3", "18.0.4", "12.0.5"]);
    assert!(
        items(&societe["versions"])
            .iter()
            .all(|v| v["version"] == "dolibarr")
    );

    let banque = group(&all, "modBanque");
    assert_eq!(
        (banque["instances"].clone(), banque["active"].clone()),
        (1.into(), 0.into())
    );

    // The table: one row per module and version.
    let text = env.run(&["modules", "--name", "subtotal"]).ok().stdout;
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec!["MODULE", "VERSION", "INSTANCES", "ACTIVE"],
            vec!["modSubtotal", "3.24.1", "1", "1"],
            vec!["modSubtotal", "3.21.0", "1", "0"],
        ],
        "{text}"
    );
    let text = env.run(&["modules", "--name", "societe"]).ok().stdout;
    assert!(text.contains("dolibarr (19.0.3)"), "{text}");
}

#[test]
fn version_below_compares_numbers_and_core_modules_use_dolibarr() {
    let env = seeded();
    let old = json(
        &env,
        &["modules", "--name", "subtotal", "--version-below", "3.22"],
    );
    let sub = group(&old, "modSubtotal");
    assert_eq!(items(&old).len(), 1);
    assert_eq!(sub["instances"], 1);
    let versions = items(&sub["versions"]);
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["version"], "3.21.0");
    assert_eq!(versions[0]["refs"], serde_json::json!(["garage"]));

    // 1.2.0 and 1.0.3 are below 3.22 too; core modules (Dolibarr 12 to 19) and
    // "experimental" are not.
    let flat = json(&env, &["modules", "--flat", "--version-below", "3.22"]);
    assert_eq!(
        pairs(&flat),
        [
            pair("durand", "modOldModule"),
            pair("garage", "modSubtotal"),
            pair("martin", "modWebObserver"),
        ]
    );

    // Number by number, not as text: 3.24.1 is below 3.100.
    let flat = json(
        &env,
        &[
            "modules",
            "--flat",
            "--name",
            "subtotal",
            "--version-below",
            "3.100",
        ],
    );
    assert_eq!(
        pairs(&flat),
        [pair("garage", "modSubtotal"), pair("martin", "modSubtotal")]
    );

    let flat = json(
        &env,
        &[
            "modules",
            "--flat",
            "--name",
            "modSociete",
            "--version-below",
            "18.1",
        ],
    );
    assert_eq!(
        pairs(&flat),
        [pair("durand", "modSociete"), pair("martin", "modSociete")]
    );

    let none = json(
        &env,
        &[
            "modules",
            "--name",
            "ExperimentalThing",
            "--version-below",
            "999",
        ],
    );
    assert_eq!(none, serde_json::json!([]));

    // A clap usage error: exit 2, with clap's own hint lines after it.
    let run = env.run(&["modules", "--version-below", "latest"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a version number"),
        "{}",
        run.stderr
    );
}

#[test]
fn name_active_and_instance_filters() {
    let env = seeded();
    let expected = [pair("garage", "modSubtotal"), pair("martin", "modSubtotal")];
    for name in ["subtotal", "SUBTOTAL", "modSubtotal", "modsubtotal"] {
        let flat = json(&env, &["modules", "--flat", "--name", name]);
        assert_eq!(pairs(&flat), expected, "--name {name}");
    }
    // The whole name, not a part of it.
    assert_eq!(
        json(&env, &["modules", "--name", "subtot"]),
        serde_json::json!([])
    );

    let active = json(
        &env,
        &["modules", "--flat", "--active", "--name", "subtotal"],
    );
    assert_eq!(pairs(&active), [pair("martin", "modSubtotal")]);
    let active = json(&env, &["modules", "--flat", "--active"]);
    assert_eq!(
        items(&active).len(),
        12,
        "6 on martin, 3 on garage, 3 on durand"
    );
    assert!(items(&active).iter().all(|r| r["active"] == true));
    let grouped = json(&env, &["modules", "--active", "--name", "subtotal"]);
    assert_eq!(group(&grouped, "modSubtotal")["instances"], 1);

    let garage = json(&env, &["modules", "--flat", "--instance", "garage"]);
    assert_eq!(
        pairs(&garage),
        [
            pair("garage", "modFacture"),
            pair("garage", "modFicheinter"),
            pair("garage", "modSociete"),
            pair("garage", "modSubtotal"),
        ]
    );
    let rows = items(&garage);
    assert_eq!(rows[3]["version"], "3.21.0");
    assert_eq!(rows[3]["effective_version"], "3.21.0");
    assert_eq!(rows[3]["active"], false);
    assert_eq!(rows[3]["source"], "external");
    assert_eq!(rows[2]["version"], "dolibarr");
    assert_eq!(rows[2]["effective_version"], "19.0.3");
    assert_eq!(rows[2]["active"], true);
    assert_eq!(rows[2]["source"], "core");

    let two = json(
        &env,
        &[
            "modules",
            "--flat",
            "--instance",
            "garage",
            "--instance",
            "durand",
            "--name",
            "facture",
        ],
    );
    assert_eq!(
        pairs(&two),
        [pair("durand", "modFacture"), pair("garage", "modFacture")]
    );

    env.run(&["modules", "--instance", "nope"])
        .fails(2, "no instance named 'nope'");

    // The flat table.
    let text = env
        .run(&[
            "modules",
            "--flat",
            "--instance",
            "garage",
            "--name",
            "subtotal",
        ])
        .ok()
        .stdout;
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec!["INSTANCE", "MODULE", "VERSION", "ACTIVE", "SOURCE"],
            vec!["garage", "modSubtotal", "3.21.0", "no", "external"],
        ],
        "{text}"
    );
}

#[test]
fn versions_counts_instances_newest_first_unknown_last() {
    let env = seeded();
    let counts = json(&env, &["versions"]);
    assert_eq!(
        counts,
        serde_json::json!([
            {"dolibarr_version": "19.0.3", "instances": 1, "refs": ["garage"]},
            {"dolibarr_version": "18.0.4", "instances": 1, "refs": ["martin"]},
            {"dolibarr_version": "12.0.5", "instances": 1, "refs": ["durand"]},
            {"dolibarr_version": null, "instances": 1, "refs": ["shop"]},
        ])
    );
    let text = env.run(&["versions"]).ok().stdout;
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec!["VERSION", "INSTANCES", "REFS"],
            vec!["19.0.3", "1", "garage"],
            vec!["18.0.4", "1", "martin"],
            vec!["12.0.5", "1", "durand"],
            vec!["unknown", "1", "shop"],
        ],
        "{text}"
    );
}

#[test]
fn an_empty_database_lists_nothing() {
    let env = Env::new();
    env.create_empty_db();
    assert_eq!(json(&env, &["modules"]), serde_json::json!([]));
    assert_eq!(json(&env, &["modules", "--flat"]), serde_json::json!([]));
    assert_eq!(json(&env, &["versions"]), serde_json::json!([]));
    let run = env.run(&["modules"]).ok();
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("no matching modules"), "{}", run.stderr);
}
