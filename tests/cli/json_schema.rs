//! Every command's `--json` output against its schema in docs/schema/ (draft 2020-12, closed
//! objects): a fleet polled from a real server on 127.0.0.1 into a temp database, every command
//! run with `--json` on it, each output validated. And the schemas do reject: a renamed field,
//! an extra one, a local time where an instant belongs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

use crate::server::{Reply, Server, fixture, refused_url};
use crate::support::{CANARY, Env, now};
use crate::tls_server::https_server;

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

/// Reads a schema file by name; also what resolves a `$ref` to a file beside it.
fn schema_file(name: &str) -> Value {
    let path = schema_dir().join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("schema {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("schema {name} is not JSON: {e}"))
}

/// `defs.schema.json#/$defs/record` and the like: the files of docs/schema/, by name.
struct Beside;

impl Retrieve for Beside {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().rsplit('/').next().unwrap_or_default();
        Ok(schema_file(name))
    }
}

fn validator(name: &str) -> Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .with_retriever(Beside)
        .build(&schema_file(name))
        .unwrap_or_else(|e| panic!("schema {name} does not compile: {e}"))
}

/// What `value` breaks of schema `name`, one line each.
pub fn errors(name: &str, value: &Value) -> Vec<String> {
    validator(name)
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Runs `args` with `--json`, expects `code`, and validates stdout against `schema`.
struct Checked<'a> {
    env: &'a Env,
    /// Every schema file some run was validated against.
    used: BTreeSet<&'static str>,
}

impl Checked<'_> {
    #[track_caller]
    fn run(&mut self, schema: &'static str, args: &[&str]) -> Value {
        self.run_code(schema, 0, args)
    }

    #[track_caller]
    fn run_code(&mut self, schema: &'static str, code: i32, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = self.env.run(&all);
        assert_eq!(run.code, code, "{all:?}: stderr:\n{}", run.stderr);
        let value = run.json();
        let broken = errors(schema, &value);
        assert!(
            broken.is_empty(),
            "{all:?} does not match {schema}:\n{}\n{value:#}",
            broken.join("\n")
        );
        self.used.insert(schema);
        value
    }
}

/// The fleet's server: a server-manager host (`/manager`, its instances answering as
/// garage-lefebvre, old-demo gone), a Dolibarr (`/martin`, upgraded to 19.0.4 once `upgraded`
/// is set) and a website (`/shop`).
fn fleet_server(upgraded: Arc<AtomicBool>) -> Server {
    Server::manager(Some(CANARY), move |hit| {
        let action = hit.query.get("action").map(String::as_str);
        let name = hit.query.get("instance_name").map(String::as_str);
        match (hit.path.as_str(), action, name) {
            ("/martin", _, _) => {
                let mut doc: Value =
                    serde_json::from_slice(&fixture("webobserver-instance.json")).expect("JSON");
                if upgraded.load(Ordering::SeqCst) {
                    doc["dolibarr"]["version"] = "19.0.4".into();
                    doc["module"]["modSubtotal"]["version"] = "3.25.0".into();
                }
                Reply::ok(doc.to_string())
            }
            ("/shop", _, _) => Reply::ok("<html>shop</html>"),
            ("/manager", None, _) => Reply::fixture("servermanager-server.json"),
            ("/manager", Some("get-all-instance"), _) => {
                Reply::fixture("servermanager-instances.json")
            }
            ("/manager", Some("get-info-instance"), Some("old-demo")) => {
                Reply::fixture("error-wrong-instance-path.txt")
            }
            ("/manager", Some("get-info-instance"), Some(_)) => {
                Reply::fixture("servermanager-instance-garage-lefebvre.json")
            }
            _ => Reply::Body(404, b"not found".to_vec()),
        }
    })
}

#[test]
fn every_json_output_matches_its_schema() {
    let upgraded = Arc::new(AtomicBool::new(false));
    let server = fleet_server(upgraded.clone());
    let tls = https_server(now() + 10 * 86_400 + 3600, b"hello");
    let env = Env::new();
    let mut c = Checked {
        env: &env,
        used: BTreeSet::new(),
    };

    // Adding, editing, switching monitoring: a result object each.
    let added = env.run_with_stdin(
        &[
            "--json",
            "host",
            "add",
            "srv1",
            "--api",
            "server-manager-v1",
            "--url",
            &server.url("/manager"),
            "--token-stdin",
            "--disk-warn",
            "50%",
        ],
        CANARY,
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
    let added = added.json();
    assert!(errors("result.schema.json", &added).is_empty(), "{added}");
    assert_eq!(
        added,
        serde_json::json!({"action": "added", "type": "host", "ref": "srv1"})
    );
    let says = r#"{"status":"online","message":"fine","response_ms":12,"disk":{"used_bytes":85000000000,"total_bytes":100000000000}}"#;
    c.run(
        "result.schema.json",
        &[
            "host",
            "add",
            "web",
            "--api",
            "custom",
            "--url",
            &server.url("/shop"),
            "--probe",
            "/bin/echo",
            says,
        ],
    );
    // old-demo was known before; its install is gone now.
    c.run(
        "result.schema.json",
        &[
            "instance",
            "add",
            "old-demo",
            "--api",
            "server-manager-v1",
            "--host",
            "srv1",
        ],
    );
    let martin = server.url("/martin");
    c.run(
        "result.schema.json",
        &[
            "instance",
            "add",
            "martin",
            "--api",
            "server-observer-v1",
            "--url",
            &martin,
        ],
    );
    c.run(
        "result.schema.json",
        &[
            "instance",
            "add",
            "shop",
            "--api",
            "ping",
            "--url",
            &server.url("/shop"),
        ],
    );
    c.run(
        "result.schema.json",
        &[
            "instance",
            "add",
            "down",
            "--api",
            "ping",
            "--url",
            &refused_url(),
        ],
    );
    c.run(
        "result.schema.json",
        &[
            "instance",
            "add",
            "tls",
            "--api",
            "ping",
            "--url",
            &tls,
            "--insecure-tls",
        ],
    );
    c.run(
        "result.schema.json",
        &[
            "instance",
            "add",
            "probe",
            "--api",
            "custom",
            "--probe",
            "/bin/echo",
            r#"{"status":"online","message":"fine","response_ms":12}"#,
        ],
    );
    c.run(
        "result.schema.json",
        &[
            "instance",
            "add",
            "spare",
            "--api",
            "ping",
            "--url",
            &server.url("/shop"),
        ],
    );
    let edited = c.run(
        "result.schema.json",
        &["instance", "edit", "shop", "--label", "The shop"],
    );
    assert_eq!(edited["action"], "edited");
    let off = c.run("result.schema.json", &["instance", "disable", "spare"]);
    assert_eq!(
        (&off["action"], &off["ref"]),
        (&"disabled".into(), &"spare".into())
    );
    c.run("result.schema.json", &["instance", "disable", "shop"]);
    c.run("result.schema.json", &["instance", "enable", "shop"]);
    let set = c.run(
        "result.schema.json",
        &["config", "set", "failure-threshold", "1"],
    );
    assert_eq!(
        set,
        serde_json::json!({"action": "set", "key": "failure-threshold"})
    );
    c.run("result.schema.json", &["config", "set", "hook-batch", "20"]);
    let unset = c.run("result.schema.json", &["config", "unset", "hook-batch"]);
    assert_eq!(unset["was_set"], true);
    let again = c.run("result.schema.json", &["config", "unset", "hook-batch"]);
    assert_eq!(again["was_set"], false);
    c.run(
        "config.schema.json",
        &["config", "get", "failure-threshold"],
    );
    c.run("config.schema.json", &["config", "list"]);

    // A dry run prints what a pass prints, for the records as they stand.
    let dry = c.run("update.schema.json", &["update-instances", "--dry-run"]);
    let items = dry.as_array().expect("an array");
    assert_eq!(items.len(), 6, "{dry:#}");
    assert!(
        items
            .iter()
            .all(|r| r["dry_run"] == true && r["type"] == "instance"),
        "{dry:#}"
    );

    let hosts = c.run("update.schema.json", &["update-hosts"]);
    let srv1 = hosts
        .as_array()
        .and_then(|a| a.iter().find(|r| r["ref"] == "srv1"))
        .expect("srv1 polled");
    // old-demo is known, so update-hosts leaves it to update-instances (one read per cycle):
    // what the host created is there, nothing is flagged by this pass.
    assert!(
        srv1["created"].as_array().is_some_and(|c| !c.is_empty()),
        "{hosts:#}"
    );
    assert_eq!(srv1.get("flagged_missing"), None, "{hosts:#}");
    c.run("update.schema.json", &["update-instances"]);
    upgraded.store(true, Ordering::SeqCst);
    let instances = c.run("update.schema.json", &["update-instances"]);
    assert!(
        instances
            .as_array()
            .is_some_and(|a| a.iter().all(|r| r["dry_run"] == false)),
        "{instances:#}"
    );
    c.run("update.schema.json", &["update-hosts", "--dry-run"]);

    // Reading.
    c.run("list.schema.json", &["host", "list"]);
    let list = c.run("list.schema.json", &["instance", "list", "--uptime"]);
    let martin_row = list
        .as_array()
        .and_then(|a| a.iter().find(|r| r["ref"] == "martin"))
        .expect("martin listed");
    assert_eq!(
        martin_row["instance"]["last_login_local"],
        "2026-11-23 17:42:08"
    );
    c.run("show.schema.json", &["host", "show", "srv1"]);
    let shown = c.run("show.schema.json", &["instance", "show", "martin"]);
    assert!(
        shown["modules"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["module"] == "modSubtotal")),
        "{shown:#}"
    );
    c.run("show.schema.json", &["instance", "show", "probe"]);
    let status = c.run("status.schema.json", &["status"]);
    let hosts_count = &status["counts"][0];
    assert_eq!(
        hosts_count["by_status"]["missing"], 0,
        "zeros are counted: {status:#}"
    );
    assert_eq!(hosts_count["by_health"]["critical"], 0, "{status:#}");
    assert!(
        !status["not_online"].as_array().is_some_and(Vec::is_empty),
        "{status:#}"
    );
    assert!(
        !status["disks"].as_array().is_some_and(Vec::is_empty),
        "{status:#}"
    );
    assert!(
        !status["certificates"].as_array().is_some_and(Vec::is_empty),
        "{status:#}"
    );
    assert_eq!(status["passes"][0]["pass"], "update-hosts", "{status:#}");

    let ok = c.run("check.schema.json", &["check", "martin"]);
    assert_eq!(
        (&ok["type"], &ok["ref"]),
        (&"instance".into(), &"martin".into())
    );
    c.run_code("check.schema.json", 2, &["check", "down"]);
    c.run_code("check.schema.json", 1, &["check", "tls"]);
    let nothing = c.run_code("check.schema.json", 3, &["check", "nosuch"]);
    assert_eq!(
        (&nothing["type"], &nothing["ref"]),
        (&Value::Null, &"nosuch".into())
    );
    let typed = c.run_code("check.schema.json", 3, &["check", "--host", "nosuch"]);
    assert_eq!(typed["type"], "host");
    c.run_code("check.schema.json", 3, &["check", "spare"]);

    let disks = c.run("disks.schema.json", &["disks"]);
    assert!(disks.as_array().is_some_and(|d| !d.is_empty()), "{disks:#}");
    c.run("history.schema.json", &["history", "martin"]);
    c.run("history.schema.json", &["history", "--host", "srv1"]);
    let changes = c.run("changes.schema.json", &["changes"]);
    assert!(
        !changes.as_array().is_some_and(Vec::is_empty),
        "{changes:#}"
    );
    c.run("modules.schema.json", &["modules"]);
    c.run("modules-flat.schema.json", &["modules", "--flat"]);
    let versions = c.run("versions.schema.json", &["versions"]);
    assert!(
        versions
            .as_array()
            .is_some_and(|v| v.iter().any(|v| v["dolibarr_version"] == "19.0.4")),
        "{versions:#}"
    );

    // The export file, and importing it back.
    let export = c.run("export.schema.json", &["export"]);
    let file = env.path().join("fleet.json");
    std::fs::write(&file, export.to_string()).expect("write the export");
    let file = file.to_str().expect("UTF-8 path");
    c.run("import.schema.json", &["import", "--dry-run", file]);
    c.run("import.schema.json", &["import", file]);

    // Known vulnerabilities: an advisory that affects martin at 19.0.4, and overrides.
    let osv = env.path().join("osv.json");
    let advisory = r#"{"id":"GHSA-test","aliases":["CVE-2099-1"],"summary":"test",
        "affected":[{"package":{"ecosystem":"Packagist","name":"dolibarr/dolibarr"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"19.0.0"},{"fixed":"19.0.5"}]}]}],
        "database_specific":{"severity":"HIGH"}}"#;
    std::fs::write(&osv, advisory).expect("write the advisory");
    let overrides = env.path().join("overrides.toml");
    std::fs::write(
        &overrides,
        "[[advisory]]\nid = \"LOCAL-1\"\nversions = [\"19.0.4\"]\n",
    )
    .expect("write the overrides");
    let osv = osv.to_str().expect("UTF-8 path");
    let overrides = overrides.to_str().expect("UTF-8 path");
    c.run(
        "advisories-import.schema.json",
        &["advisories", "import", osv, "--overrides", overrides],
    );
    c.run("advisories-list.schema.json", &["advisories", "list"]);
    let audit = c.run("audit.schema.json", &["audit"]);
    let martin_hits = audit["findings"]
        .as_array()
        .map_or(0, |f| f.iter().filter(|f| f["ref"] == "martin").count());
    assert_eq!(martin_hits, 2, "{audit:#}");

    let html = env.path().join("status.html");
    c.run(
        "report.schema.json",
        &["report", "--html", html.to_str().expect("UTF-8")],
    );
    // This month (UTC), whose checks the passes above stored.
    let month = jiff::Timestamp::from_second(now())
        .expect("now")
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m")
        .to_string();
    c.run("sla.schema.json", &["sla", "--month", &month]);
    // Ten minutes on, so that the checks just stored hold for a while (read in the second
    // they were made, they cover none of it).
    let sla = c
        .env
        .run_at(now() + 600, &["--json", "sla", "--month", &month])
        .ok()
        .json();
    let broken = errors("sla.schema.json", &sla);
    assert!(broken.is_empty(), "{broken:?}");
    assert!(
        sla["records"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["observed_seconds"].as_i64() > Some(0))),
        "{sla:#}"
    );
    let statement = env.path().join("sla.html");
    let written = c.run(
        "sla-html.schema.json",
        &[
            "sla",
            "--month",
            &month,
            "--html",
            statement.to_str().expect("UTF-8"),
            "--lang",
            "fr",
        ],
    );
    assert_eq!(written["lang"], "fr");
    let prom = env.path().join("webhost.prom");
    let written = c.run(
        "metrics.schema.json",
        &["metrics", "--output", prom.to_str().expect("UTF-8")],
    );
    assert_eq!(
        written["bytes"],
        std::fs::metadata(&prom).map(|m| m.len()).unwrap_or(0)
    );
    let pruned = c.run("prune.schema.json", &["prune", "--older-than", "90d"]);
    assert_eq!(pruned["action"], "pruned");

    // Removing.
    let gone = c.run("result.schema.json", &["instance", "remove", "shop"]);
    assert_eq!(gone["tombstone"], false);
    let stone = c.run(
        "result.schema.json",
        &["instance", "remove", "garage-lefebvre"],
    );
    assert_eq!(stone["tombstone"], true, "its server still lists it");
    let forgot = c.run(
        "result.schema.json",
        &["instance", "remove", "garage-lefebvre", "--forget"],
    );
    assert_eq!(forgot["action"], "forgotten");
    let cascade = c.run(
        "result.schema.json",
        &["host", "remove", "srv1", "--cascade"],
    );
    assert!(
        cascade["removed_instances"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "{cascade}"
    );
    drop(server);

    // No database at all: the plugin still names what was asked.
    // Maintenance windows: one-off over a record, recurring over everything.
    c.run(
        "maintenance-result.schema.json",
        &[
            "maintenance",
            "add",
            "--ref",
            "martin",
            "--for",
            "1h",
            "--reason",
            "upgrade",
        ],
    );
    c.run(
        "maintenance-result.schema.json",
        &[
            "maintenance",
            "add",
            "--all",
            "--every",
            "sun 02:00",
            "--for",
            "2h",
        ],
    );
    let windows = c.run("maintenance.schema.json", &["maintenance", "list"]);
    assert_eq!(windows.as_array().map(Vec::len), Some(2), "{windows}");
    let in_window = c.run_code("check.schema.json", 0, &["check", "martin"]);
    assert!(in_window["maintenance_until"].is_string(), "{in_window}");
    let shown = c.run("show.schema.json", &["instance", "show", "martin"]);
    assert_eq!(shown["maintenance"]["reason"], "upgrade");
    c.run("list.schema.json", &["instance", "list"]);
    c.run("status.schema.json", &["status"]);
    let id = windows[0]["id"].to_string();
    c.run(
        "maintenance-result.schema.json",
        &["maintenance", "remove", &id],
    );

    let empty = Env::new();
    let mut none = Checked {
        env: &empty,
        used: BTreeSet::new(),
    };
    let missing = none.run_code("check.schema.json", 3, &["check", "--instance", "shop"]);
    assert_eq!(
        (&missing["type"], &missing["ref"]),
        (&"instance".into(), &"shop".into())
    );

    // The demo, in a TMPDIR of the test's.
    let tmp = env.path().join("tmp");
    std::fs::create_dir(&tmp).expect("tmp");
    let demo = env
        .command(&["--json", "demo"])
        .env("TMPDIR", &tmp)
        .output()
        .expect("run the demo");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let demo: Value = serde_json::from_slice(&demo.stdout).expect("JSON");
    assert!(
        errors("demo.schema.json", &demo).is_empty(),
        "{:?}",
        errors("demo.schema.json", &demo)
    );
    c.used.insert("demo.schema.json");

    // A SQLite fleet copied into a fresh PostgreSQL database, when the suite has a server to
    // copy into (tests/cli/migrate.rs checks what the copy holds); without one, the schema is
    // only compiled.
    match crate::support::pg_server() {
        Some(server) => {
            let sqlite = Env::sqlite();
            sqlite.add_instance("shop", "ping", &["--url", &refused_url()]);
            let dest = crate::support::PgDatabase::create(&server);
            let mut m = Checked {
                env: &sqlite,
                used: BTreeSet::new(),
            };
            let from = format!("sqlite:{}", sqlite.db.display());
            let copied = m.run(
                "migrate.schema.json",
                &["migrate", "--from", &from, "--to", &dest.url()],
            );
            assert_eq!(copied["action"], "migrated");
        }
        None => drop(validator("migrate.schema.json")),
    }
    c.used.insert("migrate.schema.json");

    // Every schema file is used, and the README's table names each.
    let readme = std::fs::read_to_string(schema_dir().join("README.md")).expect("README");
    let files: BTreeSet<String> = std::fs::read_dir(schema_dir())
        .expect("docs/schema")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".schema.json") && n != "defs.schema.json")
        .collect();
    let used: BTreeSet<String> = c.used.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        files, used,
        "a schema no output was checked against, or the reverse"
    );
    for f in &files {
        assert!(
            readme.contains(&format!("({f})")),
            "docs/schema/README.md does not link {f}"
        );
    }
}

/// A real `instance list` output, then the same with one thing wrong at a time.
#[test]
fn the_schemas_reject_a_wrong_output() {
    let server = Server::start(None, |_| Reply::fixture("webobserver-instance.json"));
    let env = Env::new();
    env.add_instance("martin", "server-observer-v1", &["--url", &server.url("/")]);
    env.run(&["update-instances"]).ok();
    let list = env.run(&["--json", "instance", "list"]).ok().json();
    assert_eq!(errors("list.schema.json", &list), Vec::<String>::new());

    let wrong = |edit: &dyn Fn(&mut Value)| {
        let mut v = list.clone();
        edit(&mut v);
        errors("list.schema.json", &v)
    };
    // The old name of the server's wall-clock time.
    let old_name = wrong(&|v| {
        let login = v[0]["instance"]["last_login_local"].take();
        let fields = v[0]["instance"].as_object_mut().expect("instance fields");
        fields.remove("last_login_local");
        fields.insert("last_login".into(), login);
    });
    assert!(
        old_name.iter().any(|e| e.contains("last_login")),
        "{old_name:?}"
    );
    let extra = wrong(&|v| v[0]["surprise"] = 1.into());
    assert!(extra.iter().any(|e| e.contains("surprise")), "{extra:?}");
    let local = wrong(&|v| v[0]["last_check_at"] = "2026-11-25 09:43:00".into());
    assert!(!local.is_empty(), "a time without zone passed");
    let offset = wrong(&|v| v[0]["last_check_at"] = "2026-11-25T09:43:00+01:00".into());
    assert!(!offset.is_empty(), "a time not in UTC passed");
    let status = wrong(&|v| v[0]["status"] = "up".into());
    assert!(!status.is_empty(), "an unknown status passed");

    // `check` must name the record, and count zeros in `status`.
    let check = serde_json::json!({
        "state": "UNKNOWN", "exit_code": 3, "summary": "no host or instance named 'x'",
        "perfdata": "", "metrics": []
    });
    assert!(!errors("check.schema.json", &check).is_empty());
    let status = serde_json::json!({
        "counts": [{"type": "host", "total": 1, "by_status": {"online": 1},
                    "by_health": {"ok": 1, "warning": 0, "critical": 0, "unknown": 0}}],
        "not_online": [], "disks": [], "certificates": [], "passes": [],
        "stale_after_seconds": 1800, "connectivity_check": []
    });
    assert!(!errors("status.schema.json", &status).is_empty());
    // A pass's list of refs, as `--dry-run` printed it, is not a pass's output.
    assert!(!errors("update.schema.json", &serde_json::json!(["martin"])).is_empty());
}
