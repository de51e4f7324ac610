//! `webhost demo`: the built binary, with HOME, XDG_DATA_HOME and TMPDIR in the test's own
//! folder, so that nothing of the real user is touched and the test sees every file the demo
//! makes. What it kept is then read back with the real commands and parsed as HTML.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use scraper::{Html, Selector};
use serde_json::Value;

use crate::support::{Env, Run};

/// The user's places, all empty and inside the test's folder.
struct Places {
    home: PathBuf,
    data: PathBuf,
    tmp: PathBuf,
    /// What WEBHOST_DB names.
    env_db: PathBuf,
}

impl Places {
    fn new(env: &Env) -> Places {
        let places = Places {
            home: env.path().join("home"),
            data: env.path().join("xdg-data"),
            tmp: env.path().join("tmp"),
            env_db: env.path().join("env").join("webhost.db"),
        };
        for dir in [&places.home, &places.data, &places.tmp] {
            std::fs::create_dir(dir).expect("create a folder");
        }
        places
    }

    /// `webhost --db ENV_DB ARGS...` with WEBHOST_DB, HOME, XDG_DATA_HOME and TMPDIR set here.
    fn demo(&self, env: &Env, args: &[&str]) -> Run {
        let mut command: Command = env.command(args);
        command
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", &self.data)
            .env("TMPDIR", &self.tmp)
            .env("WEBHOST_DB", &self.env_db)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let out = command.output().expect("run webhost demo");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Neither --db, WEBHOST_DB, HOME nor the data folder got anything.
    #[track_caller]
    fn untouched(&self, env: &Env) {
        assert!(!env.db.exists(), "the --db database was created");
        assert!(
            !env.db.parent().expect("a folder").exists(),
            "the --db folder was created"
        );
        assert!(!self.env_db.exists(), "the WEBHOST_DB database was created");
        for dir in [&self.home, &self.data] {
            assert_eq!(
                entries(dir),
                Vec::<String>::new(),
                "{} changed",
                dir.display()
            );
        }
    }
}

/// The names in `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read a folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"))
}

#[track_caller]
fn text(doc: &Html, css: &str) -> String {
    let element = doc
        .select(&sel(css))
        .next()
        .unwrap_or_else(|| panic!("nothing matches {css}"));
    element.text().collect::<String>().trim().to_string()
}

/// `ref → field` of every record in a `--json ... list`.
fn by_ref(list: &Value, field: impl Fn(&Value) -> Value) -> BTreeMap<String, Value> {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|r| (r["ref"].as_str().expect("a ref").to_string(), field(r)))
        .collect()
}

#[test]
fn demo_keeps_a_fleet_polled_for_a_day_and_touches_nothing_else() {
    let env = Env::new();
    let places = Places::new(&env);
    let run = places.demo(&env, &["demo", "--keep"]).ok();
    places.untouched(&env);

    // The one folder it made, named in what it printed, with the exact way to explore it.
    let made = entries(&places.tmp);
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(made[0].starts_with("webhost-demo-"), "{made:?}");
    let kept = places.tmp.join(&made[0]);
    let db = kept.join("webhost.db");
    let page = kept.join("status.html");
    for line in [
        format!("kept {}", kept.display()),
        format!("open file://{}", page.display()),
        format!("webhost --db {} instance list", db.display()),
        "webhost instance add shop --api ping --url https://shop.example.com/".to_string(),
    ] {
        assert!(
            run.stdout.contains(&line),
            "no {line:?} in:\n{}",
            run.stdout
        );
    }
    // `status`'s own output, before those lines.
    assert!(
        run.stdout
            .contains("instances: 7 (1 error, 1 offline, 5 online;"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("fromagerie-dupont goes down"),
        "{}",
        run.stderr
    );

    let kept_env = Env {
        dir: tempfile::tempdir().expect("temp dir"),
        db,
        pg: None,
    };
    // Statuses as the demo's fleet has them; the server's two Dolibarr folders discovered
    // (not the one without a Dolibarr), the others added.
    let instances = kept_env.run(&["--json", "instance", "list"]).ok().json();
    let status = by_ref(&instances, |r| r["status"].clone());
    let expected: BTreeMap<String, Value> = [
        ("atelier-moreau", "offline"),
        ("boulangerie-martin", "online"),
        ("cabinet-durand", "online"),
        ("fromagerie-dupont", "online"),
        ("garage-lefebvre", "online"),
        ("site-vitrine", "online"),
        ("traiteur-petit", "error"),
    ]
    .into_iter()
    .map(|(r, s)| (r.to_string(), Value::from(s)))
    .collect();
    assert_eq!(status, expected);
    let discovered = by_ref(&instances, |r| {
        Value::from(r["instance"]["discovered"] == true && r["instance"]["host"] == "srv1")
    });
    assert_eq!(discovered["cabinet-durand"], true);
    assert_eq!(discovered["garage-lefebvre"], true);
    assert_eq!(discovered["boulangerie-martin"], false);
    let version = by_ref(&instances, |r| r["instance"]["dolibarr_version"].clone());
    assert_eq!(version["boulangerie-martin"], "19.0.2");
    let hosts = kept_env.run(&["--json", "host", "list"]).ok().json();
    assert_eq!(
        by_ref(&hosts, |r| r["health"].clone()),
        BTreeMap::from([("srv1".to_string(), Value::from("warning"))]),
        "its disk passed 80 %"
    );

    // The day's history: the upgrade, the module turned on, the outage and its end.
    let changes = kept_env
        .run(&["--json", "changes", "--since", "30d"])
        .ok()
        .json();
    let mut seen: Vec<String> = changes
        .as_array()
        .expect("an array")
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}→{}",
                c["instance"].as_str().unwrap_or("?"),
                c["subject"].as_str().unwrap_or("?"),
                c["change"].as_str().unwrap_or("?"),
                c["old"].as_str().unwrap_or("-"),
                c["new"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            "boulangerie-martin dolibarr upgraded 18.0.4→19.0.2",
            "boulangerie-martin modSubtotal upgraded 3.24.1→3.25.0",
            "cabinet-durand modTicket added -→dolibarr",
        ]
    );
    let history = kept_env
        .run(&[
            "--json",
            "history",
            "fromagerie-dupont",
            "--since",
            "30d",
            "--limit",
            "1000",
        ])
        .ok()
        .json();
    let steps: Vec<String> = history["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            format!(
                "{}→{}",
                c["from"].as_str().unwrap_or("?"),
                c["to"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        steps,
        ["unknown→online", "online→offline", "offline→online"]
    );
    assert_eq!(
        history["changes"][2]["lasted_seconds"], 900,
        "down for three rounds, 5 minutes apart"
    );
    assert_eq!(
        history["checks"].as_array().map(Vec::len),
        Some(90),
        "a check every round"
    );

    // The page: every record, statuses as above, a full strip, the changes.
    let html = std::fs::read_to_string(&page).expect("the status page");
    let doc = Html::parse_document(&html);
    assert_eq!(text(&doc, "tr#h-srv1 .badge.s-online"), "online");
    assert_eq!(text(&doc, "tr#h-srv1 .badge.h-warning"), "warning");
    for (reference, status) in &expected {
        let status = status.as_str().expect("a status");
        assert_eq!(
            text(&doc, &format!("tr#i-{reference} .badge.s-{status}")),
            status,
            "{reference}"
        );
    }
    assert_eq!(text(&doc, "tr#i-boulangerie-martin td.hist .sub"), "all up");
    assert_eq!(text(&doc, "tr#i-fromagerie-dupont td.hist .sub"), "3 down");
    assert_eq!(text(&doc, "tr#i-atelier-moreau td.hist .sub"), "90 down");
    assert_eq!(text(&doc, "tr#i-traiteur-petit td.hist .sub"), "90 error");
    assert!(
        text(&doc, "tr#i-atelier-moreau .msg").contains("Fatal error"),
        "the PHP error is quoted"
    );
    assert_eq!(text(&doc, "tr#i-boulangerie-martin td.dol"), "19.0.2");
    assert_eq!(doc.select(&sel("#changes tbody tr")).count(), 3);
}

#[test]
fn demo_removes_its_folder_and_quiet_prints_only_the_closing_lines() {
    let env = Env::new();
    let places = Places::new(&env);
    let run = places.demo(&env, &["-q", "demo"]).ok();
    places.untouched(&env);
    assert_eq!(run.stderr, "");
    assert_eq!(
        entries(&places.tmp),
        Vec::<String>::new(),
        "the folder is gone"
    );

    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    let folder = lines[0]
        .strip_prefix("removed ")
        .and_then(|rest| rest.split_once(": "))
        .map(|(folder, _)| PathBuf::from(folder))
        .unwrap_or_else(|| panic!("no folder named in {:?}", lines[0]));
    assert!(folder.starts_with(&places.tmp), "{}", folder.display());
    assert!(!folder.exists(), "{} is still there", folder.display());
    assert_eq!(lines[3], "  webhost update-instances");
}

#[test]
fn demo_json_is_one_object_with_the_counts() {
    let env = Env::new();
    let places = Places::new(&env);
    let done = places.demo(&env, &["--json", "demo"]).ok().json();
    places.untouched(&env);
    assert_eq!(done["kept"], false);
    assert_eq!(done["rounds"], 90);
    assert_eq!(done["hosts"]["total"], 1);
    assert_eq!(done["hosts"]["by_status"]["online"], 1);
    let instances = &done["instances"];
    let by_status = &instances["by_status"];
    assert_eq!(
        (
            &instances["total"],
            &by_status["online"],
            &by_status["offline"],
            &by_status["error"]
        ),
        (&7.into(), &5.into(), &1.into(), &1.into()),
        "{instances}"
    );
    let folder = PathBuf::from(done["folder"].as_str().expect("the folder"));
    assert!(folder.starts_with(&places.tmp) && !folder.exists());
    assert_eq!(
        done["database"],
        folder.join("webhost.db").to_str().expect("utf-8")
    );
    assert_eq!(entries(&places.tmp), Vec::<String>::new());
}
