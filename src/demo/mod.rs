//! The made-up fleet of `webhost demo`, and only of the demo: monitoring never uses it.
//!
//! A small hosting provider: a server running the server-manager script with two Dolibarr
//! instances in its folders (and a leftover folder without one), four Dolibarr instances with
//! their own WebObserver script, and a plain website. `fleet` serves them on 127.0.0.1 in the
//! real protocols of shared/protocols.md, signatures checked as the real scripts check them;
//! the answers are the fixtures of `tests/fixtures/`, renamed and varied per instance.
//!
//! The story is a working day in rounds of passes, 5 minutes apart: one instance upgrades
//! Dolibarr and a module, one goes down for a quarter of an hour, one turns a module on, the
//! server's disk fills past 80 %. One instance fails all day (HTTP 500, a PHP fatal error) and
//! one is refused (its token was changed on its server, not in webhost).

mod documents;
pub mod fleet;

use anyhow::Result;
use serde_json::Value;

use crate::domain::model::{ApiKind, RecordType, Settings};

/// Rounds of passes: one check in each bar of the status page's 90-bar uptime strip.
pub const ROUNDS: usize = 90;
/// Seconds from one round to the next, as a cron line every 5 minutes.
pub const INTERVAL: i64 = 300;

/// The rounds in which the story's changes happen.
const UPGRADE: usize = 38;
const OUTAGE: usize = 66;
const RECOVERY: usize = 69;
const NEW_MODULE: usize = 78;

/// The server's disk grows by this much each round (200 MiB), from the fixture's 78 %.
const DISK_GROWTH: u64 = 200 << 20;

/// What a script answers.
#[derive(Debug, Clone)]
enum Answer {
    /// A Dolibarr's document; its last login is set to `login_lag` seconds before each round.
    Dolibarr { doc: Value, login_lag: i64 },
    /// A status and a body, as a broken script or a plain site sends them.
    Plain(u16, String),
}

impl Answer {
    fn dolibarr(doc: Value, login_lag: i64) -> Answer {
        Answer::Dolibarr { doc, login_lag }
    }
}

/// An answer from the first round, and the answers that replace it from later rounds on.
#[derive(Debug, Clone)]
struct Timeline {
    first: Answer,
    /// `(round, answer)`, by round.
    later: Vec<(usize, Answer)>,
}

impl Timeline {
    fn always(answer: Answer) -> Timeline {
        Timeline {
            first: answer,
            later: Vec::new(),
        }
    }

    fn from(mut self, round: usize, answer: Answer) -> Timeline {
        self.later.push((round, answer));
        self
    }

    fn at(&self, round: usize) -> &Answer {
        self.later
            .iter()
            .rev()
            .find(|(from, _)| *from <= round)
            .map_or(&self.first, |(_, answer)| answer)
    }
}

/// An instance with a URL of its own: a WebObserver script, or a plain site.
#[derive(Debug)]
struct Site {
    /// Its ref, and the first folder of its URLs' path.
    name: &'static str,
    label: &'static str,
    /// The token its WebObserver script checks; None for a plain site (`ping`).
    script_token: Option<String>,
    /// The token its record is added with.
    record_token: Option<String>,
    answers: Timeline,
}

/// The server running the server-manager script.
#[derive(Debug)]
struct Manager {
    name: &'static str,
    label: &'static str,
    token: String,
    server: Value,
    /// Its instance folders, as `get-all-instance` lists them, and what each answers.
    folders: Vec<(&'static str, Timeline)>,
}

/// The demo's fleet and story.
#[derive(Debug)]
pub struct Story {
    sites: Vec<Site>,
    manager: Manager,
    /// What changes, told as it happens: `(round, text)`.
    events: Vec<(usize, String)>,
}

/// A record the demo adds, as `webhost host add` or `webhost instance add` would.
#[derive(Debug, Clone)]
pub struct Addition {
    pub record_type: RecordType,
    pub settings: Settings,
}

impl Story {
    /// The fleet, with fresh tokens.
    pub fn new() -> Result<Story> {
        let martin = documents::webobserver("boulangerie-martin")?;
        let mut martin_upgraded = martin.clone();
        documents::set(&mut martin_upgraded, "/dolibarr/version", "19.0.2")?;
        documents::set(&mut martin_upgraded, "/dolibarr/htdocs/size", 431_013_888)?;
        documents::set(
            &mut martin_upgraded,
            "/module/modSubtotal/version",
            "3.25.0",
        )?;

        let mut dupont = documents::webobserver("fromagerie-dupont")?;
        for (pointer, value) in [
            ("/dolibarr/version", Value::from("17.0.3")),
            ("/dolibarr/version1", "16.0.5".into()),
            ("/dolibarr/data/size", 2_147_483_648_u64.into()),
            ("/dolibarr/htdocs/size", 398_458_880.into()),
            ("/dolibarr/repertoire_client/size", 441_450_496.into()),
            ("/user/all", 6.into()),
            ("/user/active", 4.into()),
            ("/module/modSubtotal/version", "3.21.0".into()),
        ] {
            documents::set(&mut dupont, pointer, value)?;
        }
        documents::remove_module(&mut dupont, "modTakePos")?;
        documents::remove_module(&mut dupont, "modExperimentalThing")?;

        let mut petit = documents::webobserver("traiteur-petit")?;
        documents::set(&mut petit, "/dolibarr/version", "20.0.2")?;
        documents::set(&mut petit, "/dolibarr/version1", "20.0.2")?;

        let garage = documents::manager_instance("garage-lefebvre")?;
        let mut durand = documents::manager_instance("cabinet-durand")?;
        for (pointer, value) in [
            ("/dolibarr/version", Value::from("20.0.1")),
            ("/dolibarr/version1", "18.0.2".into()),
            ("/dolibarr/data/size", 1_288_490_188_u64.into()),
            ("/dolibarr/htdocs/size", 419_430_400.into()),
            ("/dolibarr/repertoire_client/size", 1_811_939_328_u64.into()),
            ("/user/all", 9.into()),
            ("/user/active", 7.into()),
            ("/module/modSubtotal/version", "3.24.1".into()),
            ("/module/modSubtotal/active", true.into()),
        ] {
            documents::set(&mut durand, pointer, value)?;
        }
        let mut durand_ticket = durand.clone();
        documents::add_core_module(&mut durand_ticket, "modTicket", 56000)?;

        let webobserver = |name, label, answers| -> Result<Site> {
            let token = token()?;
            Ok(Site {
                name,
                label,
                record_token: Some(token.clone()),
                script_token: Some(token),
                answers,
            })
        };
        let mut petit_site = webobserver(
            "traiteur-petit",
            "Traiteur Petit",
            Timeline::always(Answer::dolibarr(petit, 3 * 3600)),
        )?;
        // Changed on its server and not in webhost: every check is refused.
        petit_site.script_token = Some(token()?);
        let sites = vec![
            webobserver(
                "boulangerie-martin",
                "Boulangerie Martin",
                Timeline::always(Answer::dolibarr(martin, 17 * 60))
                    .from(UPGRADE, Answer::dolibarr(martin_upgraded, 17 * 60)),
            )?,
            webobserver(
                "fromagerie-dupont",
                "Fromagerie Dupont",
                Timeline::always(Answer::dolibarr(dupont.clone(), 42 * 60))
                    .from(OUTAGE, Answer::Plain(503, SERVICE_UNAVAILABLE.into()))
                    .from(RECOVERY, Answer::dolibarr(dupont, 42 * 60)),
            )?,
            webobserver(
                "atelier-moreau",
                "Atelier Moreau",
                Timeline::always(Answer::Plain(500, fatal_error("atelier-moreau"))),
            )?,
            petit_site,
            Site {
                name: "site-vitrine",
                label: "Our own website",
                script_token: None,
                record_token: None,
                answers: Timeline::always(Answer::Plain(200, SHOWCASE.into())),
            },
        ];
        let manager = Manager {
            name: "srv1",
            label: "Main server",
            token: token()?,
            server: documents::manager_server()?,
            folders: vec![
                (
                    "cabinet-durand",
                    Timeline::always(Answer::dolibarr(durand, 9 * 60))
                        .from(NEW_MODULE, Answer::dolibarr(durand_ticket, 9 * 60)),
                ),
                (
                    "garage-lefebvre",
                    Timeline::always(Answer::dolibarr(garage, 26 * 60)),
                ),
                // Listed, as every folder is, but its Dolibarr is gone: no record for it.
                (
                    "old-demo",
                    Timeline::always(Answer::Plain(200, documents::OLD_DEMO_GONE.into())),
                ),
            ],
        };
        let mut events = vec![
            (
                UPGRADE,
                "boulangerie-martin upgrades Dolibarr 18.0.4 → 19.0.2 and Subtotal 3.24.1 → 3.25.0"
                    .to_string(),
            ),
            (OUTAGE, "fromagerie-dupont goes down (HTTP 503)".to_string()),
            (RECOVERY, "fromagerie-dupont is back".to_string()),
            (
                NEW_MODULE,
                "cabinet-durand turns the Ticket module on".to_string(),
            ),
        ];
        let mut story = Story {
            sites,
            manager,
            events: Vec::new(),
        };
        if let Some(round) = (0..ROUNDS).find(|&r| story.disk_percent(r) >= 80.0) {
            events.push((round, "srv1's disk passes 80 % (a warning)".to_string()));
        }
        events.sort_by_key(|(round, _)| *round);
        story.events = events;
        Ok(story)
    }

    /// The records to add, their URLs on the fleet at `base` (`http://127.0.0.1:PORT`). The
    /// server's instances are not among them: `update-hosts` discovers them.
    pub fn additions(&self, base: &str) -> Vec<Addition> {
        let mut host = Settings::new(self.manager.name, ApiKind::ServerManagerV1);
        host.label = Some(self.manager.label.to_string());
        host.url = Some(format!("{base}{}", manager_path(self.manager.name)));
        host.token = Some(self.manager.token.clone());
        let mut additions = vec![Addition {
            record_type: RecordType::Host,
            settings: host,
        }];
        for site in &self.sites {
            let (kind, path) = match site.script_token {
                Some(_) => (ApiKind::ServerObserverV1, observer_path(site.name)),
                None => (ApiKind::Ping, site_path(site.name)),
            };
            let mut settings = Settings::new(site.name, kind);
            settings.label = Some(site.label.to_string());
            settings.url = Some(format!("{base}{path}"));
            settings.token = site.record_token.clone();
            additions.push(Addition {
                record_type: RecordType::Instance,
                settings,
            });
        }
        additions
    }

    /// What changes when round `round` starts.
    pub fn events_at(&self, round: usize) -> impl Iterator<Item = &str> {
        self.events
            .iter()
            .filter(move |(r, _)| *r == round)
            .map(|(_, text)| text.as_str())
    }

    /// How many instances the fleet has records for once its server's are discovered.
    pub fn instances(&self) -> usize {
        let discovered = self
            .manager
            .folders
            .iter()
            .filter(|(_, answers)| matches!(answers.at(0), Answer::Dolibarr { .. }))
            .count();
        self.sites.len() + discovered
    }

    /// The server's disk use in round `round`, in percent.
    fn disk_percent(&self, round: usize) -> f64 {
        let (used, total) = self.disk(round);
        used as f64 * 100.0 / total.max(1) as f64
    }

    /// The server's disk in round `round`: bytes used and bytes in all.
    fn disk(&self, round: usize) -> (u64, u64) {
        let get = |key: &str| {
            self.manager
                .server
                .pointer(&format!("/space/{key}"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        let total = get("bytes_total");
        let used = get("bytes_used") + DISK_GROWTH * round as u64;
        (used.min(total), total)
    }
}

/// The path of a WebObserver script, as the module installs it.
fn observer_path(name: &str) -> String {
    format!("/{name}/custom/webobserver/public/get-data.php")
}

/// The path of the server-manager script.
fn manager_path(name: &str) -> String {
    format!("/{name}/manager/index.php")
}

/// The path of a plain site's home page.
fn site_path(name: &str) -> String {
    format!("/{name}/")
}

/// A new token: 32 hex digits from the system's random source.
fn token() -> Result<String> {
    let mut random = [0u8; 16];
    let mut filled = 0;
    while filled < random.len() {
        filled +=
            rustix::rand::getrandom(&mut random[filled..], rustix::rand::GetRandomFlags::empty())?;
    }
    Ok(random.iter().map(|b| format!("{b:02x}")).collect())
}

/// What PHP prints when a module's code calls a function that is not there.
fn fatal_error(name: &str) -> String {
    format!(
        "<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function dol_now() in \
         /home/client/{name}/dolibarr/htdocs/custom/webobserver/public/get-data.php:58\n\
         Stack trace:\n#0 {{main}}\n  thrown in <b>/home/client/{name}/dolibarr/htdocs/custom/\
         webobserver/public/get-data.php</b> on line <b>58</b><br />\n"
    )
}

/// Apache's answer while a site is in maintenance.
const SERVICE_UNAVAILABLE: &str = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n\
<html><head>\n<title>503 Service Unavailable</title>\n</head><body>\n<h1>Service Unavailable</h1>\n\
<p>The server is temporarily unable to service your request due to maintenance downtime or \
capacity problems. Please try again later.</p>\n</body></html>\n";

/// The plain site's home page.
const SHOWCASE: &str = "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">\
<title>Example Hosting</title></head>\n<body><h1>Example Hosting</h1><p>Hébergement Dolibarr \
pour les artisans et commerçants.</p></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_story_changes_what_the_fleet_answers() {
        let story = Story::new().expect("story");
        let site = |name: &str| story.sites.iter().find(|s| s.name == name).expect(name);
        let version = |answer: &Answer| match answer {
            Answer::Dolibarr { doc, .. } => doc["dolibarr"]["version"].to_string(),
            Answer::Plain(status, _) => status.to_string(),
        };
        let martin = &site("boulangerie-martin").answers;
        assert_eq!(version(martin.at(UPGRADE - 1)), "\"18.0.4\"");
        assert_eq!(version(martin.at(UPGRADE)), "\"19.0.2\"");
        let dupont = &site("fromagerie-dupont").answers;
        assert_eq!(version(dupont.at(OUTAGE)), "503");
        assert_eq!(version(dupont.at(RECOVERY)), "\"17.0.3\"");
        assert_eq!(version(dupont.at(ROUNDS)), "\"17.0.3\"");

        let disk_event = story
            .events
            .iter()
            .find(|(_, text)| text.contains("disk"))
            .expect("the disk passes 80 % during the day");
        assert!(story.disk_percent(disk_event.0 - 1) < 80.0);
        assert!(story.disk_percent(disk_event.0) >= 80.0);
        assert_eq!(story.instances(), 7);
    }

    #[test]
    fn one_record_has_a_token_its_script_refuses() {
        let story = Story::new().expect("story");
        let refused: Vec<&str> = story
            .sites
            .iter()
            .filter(|s| s.script_token != s.record_token)
            .map(|s| s.name)
            .collect();
        assert_eq!(refused, ["traiteur-petit"]);
        let additions = story.additions("http://127.0.0.1:1");
        assert_eq!(additions.len(), 6);
        assert_eq!(
            additions[0].settings.url.as_deref(),
            Some("http://127.0.0.1:1/srv1/manager/index.php")
        );
    }
}
