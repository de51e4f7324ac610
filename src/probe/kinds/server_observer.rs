//! `server-observer-v1`: a Dolibarr instance's own observer script (WebObserver `get-data.php`,
//! legacy ServerObserver `check.php` in its 2018 and 2020 shapes, Easya's fork), and the
//! instance document of the server-manager script, which has the same shape.

use serde_json::Value;

use super::{DocError, fetch_document};
use crate::domain::model::Status;
use crate::domain::model::{Module, Reading, Security};
use crate::domain::units::human_bytes;
use crate::probe::Target;
use crate::probe::answer::{self, AnswerError, at, entries, flag, human_size, percent, size, text};
use crate::probe::net::http::Http;
use crate::probe::sign::Signer;

/// Which script wrote a document, as far as its keys tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Server-manager `get-info-instance` (`apiversion` 2.0).
    ServerManager,
    /// WebObserver or its Easya fork (has `apiname`).
    WebObserver,
    /// Legacy `check.php` (has `dolibarr.path.relative`/`absolute`).
    Legacy,
    /// 2020 prototypes: `apiversion` 1.0 and nothing else telling.
    Prototype,
    /// Nothing tells; sizes cannot be read.
    Unknown,
}

/// What a document's sizes count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    Bytes,
    /// Whole MiB from `du -sm`, where 0 means the folder was not found.
    Mib,
    Unknown,
}

impl Units {
    fn bytes(self, value: Option<u64>) -> Option<u64> {
        match (self, value?) {
            (Units::Bytes, n) => Some(n),
            (Units::Mib, 0) => None,
            // A size the store cannot keep as an integer is no size.
            (Units::Mib, n) => n
                .checked_mul(1024 * 1024)
                .filter(|bytes| i64::try_from(*bytes).is_ok()),
            (Units::Unknown, _) => None,
        }
    }
}

/// The partition an instance lives on, from a legacy `server_info` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Partition {
    pub total: Option<u64>,
    pub free: Option<u64>,
    pub used: Option<u64>,
    pub percent_used: Option<f64>,
}

impl Partition {
    /// Used bytes: as sent, or total minus free.
    pub fn used_bytes(&self) -> Option<u64> {
        self.used
            .or_else(|| Some(self.total?.saturating_sub(self.free?)))
    }
}

/// What an instance document says, in webhost's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceDoc {
    pub variant: Variant,
    pub units: Units,
    /// `dolibarr.version`, first line.
    pub version: Option<String>,
    /// `dolibarr.version1`: the version first installed (Dolibarr sets it once, at install).
    pub last_install: Option<String>,
    /// WebObserver's `security` block, when the document has one.
    pub security: Option<Security>,
    /// `dolibarr.path.http`: the instance's public URL.
    pub url: Option<String>,
    pub users_all: Option<i64>,
    pub users_active: Option<i64>,
    pub last_login: Option<String>,
    /// None when the document has no `module` key.
    pub modules: Option<Vec<Module>>,
    /// Bytes of the instance's folder(s), when any part is known.
    pub disk_used: Option<u64>,
    /// `disk_used` counts only the parts that were known.
    pub disk_partial: bool,
    pub partition: Option<Partition>,
}

/// Reads an instance document from a raw answer (noise and refusals handled).
pub fn parse_instance(body: &[u8]) -> Result<InstanceDoc, AnswerError> {
    instance_doc(&answer::parse_json(body)?)
}

/// Reads an instance document from parsed JSON.
pub fn instance_doc(doc: &Value) -> Result<InstanceDoc, AnswerError> {
    let dolibarr = match doc.get("dolibarr") {
        Some(dolibarr @ Value::Object(_)) => dolibarr,
        _ => {
            return Err(AnswerError::Shape(
                "the answer is JSON but not a Dolibarr observer document (no \"dolibarr\" block)"
                    .into(),
            ));
        }
    };
    let (variant, units) = variant_and_units(doc);

    let part = |name: &str| Part {
        path: text(at(dolibarr, &[name, "path"])),
        bytes: units.bytes(size(at(dolibarr, &[name, "size"]))),
    };
    let (disk_used, disk_partial) = disk_used(
        variant,
        &part("repertoire_client"),
        &part("data"),
        &part("htdocs"),
    );

    let last_login = text(at(doc, &["user", "date_last_login"]))
        .filter(|login| !login.starts_with("0000-00-00"));

    Ok(InstanceDoc {
        variant,
        units,
        version: text(dolibarr.get("version")),
        last_install: text(dolibarr.get("version1")),
        security: security(doc.get("security")),
        url: text(at(dolibarr, &["path", "http"])),
        users_all: at(doc, &["user", "all"]).and_then(answer::count),
        users_active: at(doc, &["user", "active"]).and_then(answer::count),
        last_login,
        modules: modules(doc.get("module")),
        disk_used,
        disk_partial,
        partition: partition(doc.get("server_info")),
    })
}

/// Units decided per document, in the order shared/protocols.md gives.
fn variant_and_units(doc: &Value) -> (Variant, Units) {
    let apiversion = doc.get("apiversion").and_then(answer::float);
    let has_apiname = text(doc.get("apiname")).is_some();
    let has_legacy_paths = ["relative", "absolute"]
        .iter()
        .any(|key| at(doc, &["dolibarr", "path", key]).is_some());
    if apiversion == Some(2.0) {
        (Variant::ServerManager, Units::Bytes)
    } else if has_apiname {
        (Variant::WebObserver, Units::Bytes)
    } else if has_legacy_paths {
        (Variant::Legacy, Units::Mib)
    } else if apiversion == Some(1.0) {
        (Variant::Prototype, Units::Bytes)
    } else {
        (Variant::Unknown, Units::Unknown)
    }
}

/// One of the folders a document sizes.
struct Part {
    path: Option<String>,
    bytes: Option<u64>,
}

/// Whether `child` is `parent` or lies under it.
fn inside(child: &Option<String>, parent: &Option<String>) -> bool {
    let (Some(child), Some(parent)) = (child, parent) else {
        return false;
    };
    let child = child.trim_end_matches('/');
    let parent = parent.trim_end_matches('/');
    child == parent
        || child
            .strip_prefix(parent)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The instance's disk use and whether it is partial.
///
/// `repertoire_client` is the client's whole folder in legacy and server-manager answers, but
/// only the parent of `htdocs` in WebObserver's, where `data` (documents) usually lies outside
/// it and must be added. When the client folder's size is unknown, the known parts are summed
/// and marked partial; when nothing is known, the disk is unknown (never 0 or -1).
fn disk_used(variant: Variant, client: &Part, data: &Part, htdocs: &Part) -> (Option<u64>, bool) {
    if let Some(client_bytes) = client.bytes {
        let data_outside = variant == Variant::WebObserver && !inside(&data.path, &client.path);
        return match (data_outside, data.bytes) {
            (false, _) => (Some(client_bytes), false),
            (true, Some(data_bytes)) => (Some(client_bytes.saturating_add(data_bytes)), false),
            (true, None) => (Some(client_bytes), true),
        };
    }
    let mut known = htdocs.bytes;
    if let Some(data_bytes) = data.bytes
        && !inside(&data.path, &htdocs.path)
    {
        known = Some(known.unwrap_or(0).saturating_add(data_bytes));
    }
    match known {
        Some(bytes) => (Some(bytes), true),
        None => (None, false),
    }
}

/// The module list: a map keyed by class name, `[]` when empty, or (2018 `check.php`) an
/// array of the active modules' names.
fn modules(value: Option<&Value>) -> Option<Vec<Module>> {
    if let Some(map) = entries(value) {
        let list = map
            .iter()
            .map(|(key, module)| {
                let field = |name: &str| module.as_object().and_then(|m| m.get(name));
                let active = match module {
                    Value::Object(_) => flag(field("active")),
                    other => flag(Some(other)),
                };
                Module {
                    name: key.clone(),
                    version: text(field("version")),
                    active,
                    source: text(field("source")),
                    editor: text(field("editor_name")),
                }
            })
            .collect();
        return Some(list);
    }
    let Some(Value::Array(names)) = value else {
        return None;
    };
    let list = names
        .iter()
        .filter_map(|name| text(Some(name)))
        .map(|name| Module {
            // `MAIN_MODULE_FACTURE` is listed as `Facture`; its class, the key every other
            // variant uses, is `modFacture`.
            name: if name.starts_with("mod") {
                name
            } else {
                format!("mod{name}")
            },
            version: None,
            active: true,
            source: None,
            editor: None,
        })
        .collect();
    Some(list)
}

/// The `security` block: flags as `"1"`/`"0"`/booleans, the level as a number or its text.
/// A key that is absent (or null) stays unknown rather than reading as "off".
fn security(value: Option<&Value>) -> Option<Security> {
    let block = value?.as_object()?;
    let known = |key: &str| block.get(key).filter(|v| !v.is_null());
    let security = Security {
        install_lock: known("install_lock").map(|v| flag(Some(v))),
        main_features_level: known("main_features_level").and_then(answer::integer),
        database_pwd_encrypted: known("database_pwd_encrypted").map(|v| flag(Some(v))),
    };
    (security != Security::default()).then_some(security)
}

fn partition(value: Option<&Value>) -> Option<Partition> {
    let info = value?.as_object()?;
    let human = |key: &str| info.get(key).and_then(Value::as_str).and_then(human_size);
    let partition = Partition {
        total: human("espace_total"),
        free: human("espace_restant"),
        used: human("espace_used"),
        percent_used: percent(info.get("percent_used")),
    };
    let known = partition.total.is_some()
        || partition.free.is_some()
        || partition.used.is_some()
        || partition.percent_used.is_some();
    known.then_some(partition)
}

impl InstanceDoc {
    /// `Dolibarr 18.0.4, 10 modules (6 active)`.
    pub fn summary(&self) -> String {
        let version = match &self.version {
            Some(version) => format!("Dolibarr {version}"),
            None => "Dolibarr (version unknown)".to_string(),
        };
        match &self.modules {
            Some(modules) => {
                let active = modules.iter().filter(|m| m.active).count();
                format!("{version}, {} modules ({active} active)", modules.len())
            }
            None => version,
        }
    }

    /// The reading of the instance this document describes.
    pub fn instance_reading(&self) -> Reading {
        Reading {
            disk_used: self.disk_used,
            disk_total: self.partition.as_ref().and_then(|p| p.total),
            disk_partial: self.disk_partial,
            dolibarr_version: self.version.clone(),
            users_all: self.users_all,
            users_active: self.users_active,
            last_login: self.last_login.clone(),
            modules: self.modules.clone(),
            security: self.security,
            first_version: self.last_install.clone(),
            ..Reading::new(Status::Online, self.summary())
        }
    }

    /// The reading of a host whose URL targets this instance's observer: online, with the
    /// partition's disk when the document has a legacy `server_info` block.
    pub fn host_reading(&self) -> Reading {
        let version = match &self.version {
            Some(version) => format!("Dolibarr {version}"),
            None => "Dolibarr".to_string(),
        };
        let partition = self.partition.as_ref();
        let used = partition.and_then(Partition::used_bytes);
        let total = partition.and_then(|p| p.total);
        let disk = match (used, total) {
            (Some(used), Some(total)) => {
                let percent = partition
                    .and_then(|p| p.percent_used)
                    .map(|p| format!(" ({p:.2} %)"))
                    .unwrap_or_default();
                format!(
                    "disk {} of {} used{percent}",
                    human_bytes(used),
                    human_bytes(total)
                )
            }
            (Some(used), None) => format!("disk {} used", human_bytes(used)),
            _ if self.variant == Variant::WebObserver => {
                "disk unknown (WebObserver reports no partition)".to_string()
            }
            _ => "disk unknown (the answer reports no partition)".to_string(),
        };
        Reading {
            disk_used: used,
            disk_total: total,
            ..Reading::new(Status::Online, format!("{version} answering; {disk}"))
        }
    }
}

/// Fetches and reads the document, then makes the reading with `on_document`.
fn check(
    http: &Http,
    target: &Target,
    signer: &mut Signer,
    on_document: fn(&InstanceDoc) -> Reading,
) -> Reading {
    let Some(url) = target.url.as_deref() else {
        return Reading::new(Status::Error, "no URL to check");
    };
    let url = signer.sign(url);
    let fetched = fetch_document(
        http,
        &url,
        target.verify(),
        signer.signs(),
        None,
        &target.assertions,
    );
    let parsed = fetched
        .document
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|doc| instance_doc(doc).map_err(DocError::Answer));
    match parsed {
        Ok(doc) => Reading {
            http_status: fetched.http_status,
            response_ms: fetched.response_ms,
            ..on_document(&doc)
        },
        Err(error) => fetched.failed(&error),
    }
}

/// Checks an instance through its own observer script, signing with `signer`.
pub fn probe_instance(http: &Http, target: &Target, signer: &mut Signer) -> Reading {
    check(http, target, signer, InstanceDoc::instance_reading)
}

/// Checks a host through the observer script of one of its instances.
pub fn probe_host(http: &Http, target: &Target, signer: &mut Signer) -> Reading {
    let mut reading = check(http, target, signer, InstanceDoc::host_reading);
    // `Missing` is for instances; for a host it is an unusable answer.
    if reading.status == Status::Missing {
        reading.status = Status::Error;
    }
    reading
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ApiKind, RecordType};
    use crate::probe::{Prober, Settings};
    use serde_json::json;
    use std::thread;
    use tiny_http::{Response, Server};

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/",
                $name
            ))
        };
    }

    const MIB: u64 = 1024 * 1024;
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

    fn active(doc: &InstanceDoc) -> usize {
        doc.modules
            .as_ref()
            .map_or(0, |m| m.iter().filter(|m| m.active).count())
    }

    fn names(doc: &InstanceDoc) -> Vec<&str> {
        doc.modules
            .as_ref()
            .map(|m| m.iter().map(|m| m.name.as_str()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn webobserver_instance() {
        let doc = parse_instance(fixture!("webobserver-instance.json")).expect("parses");
        assert_eq!(
            (doc.variant, doc.units),
            (Variant::WebObserver, Units::Bytes)
        );
        assert_eq!(doc.version.as_deref(), Some("18.0.4"));
        // repertoire_client 455081984 + data 734003200: documents lie outside the parent of htdocs.
        assert_eq!(doc.disk_used, Some(1_189_085_184));
        assert!(!doc.disk_partial);
        assert_eq!(doc.modules.as_ref().map(Vec::len), Some(10));
        assert_eq!(active(&doc), 6);
        assert_eq!((doc.users_all, doc.users_active), (Some(14), Some(9)));
        assert_eq!(doc.last_login.as_deref(), Some("2026-11-23 17:42:08"));
        assert_eq!(doc.partition, None);

        let modules = doc.modules.as_ref().expect("modules");
        let subtotal = modules
            .iter()
            .find(|m| m.name == "modSubtotal")
            .expect("modSubtotal");
        assert_eq!(
            subtotal,
            &Module {
                name: "modSubtotal".into(),
                version: Some("3.24.1".into()),
                active: true,
                source: Some("external".into()),
                editor: Some("ATM Consulting".into()),
            }
        );
        let inactive: Vec<&str> = modules
            .iter()
            .filter(|m| !m.active)
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(
            inactive,
            ["modApi", "modExperimentalThing", "modPropale", "modTakePos"]
        );

        let reading = doc.instance_reading();
        assert_eq!(reading.status, Status::Online);
        assert_eq!(reading.message, "Dolibarr 18.0.4, 10 modules (6 active)");
        assert_eq!(reading.disk_used, Some(1_189_085_184));
        assert_eq!(reading.disk_total, None);
        assert_eq!(reading.dolibarr_version.as_deref(), Some("18.0.4"));
        assert_eq!(reading.last_login.as_deref(), Some("2026-11-23 17:42:08"));

        let host = doc.host_reading();
        assert_eq!(host.status, Status::Online);
        assert_eq!((host.disk_used, host.disk_total), (None, None));
        assert_eq!(
            host.message,
            "Dolibarr 18.0.4 answering; disk unknown (WebObserver reports no partition)"
        );
    }

    #[test]
    fn legacy_check_with_php_noise() {
        let doc = parse_instance(fixture!("serverobserver-legacy-check.txt")).expect("parses");
        assert_eq!((doc.variant, doc.units), (Variant::Legacy, Units::Mib));
        assert_eq!(doc.version.as_deref(), Some("12.0.5"));
        assert_eq!(doc.disk_used, Some(2764 * MIB));
        assert_eq!(doc.disk_used, Some(2_898_264_064));
        assert!(!doc.disk_partial);
        assert_eq!(doc.modules.as_ref().map(Vec::len), Some(4));
        assert_eq!(active(&doc), 3);
        assert_eq!(doc.last_login, None);
        let old = doc
            .modules
            .as_ref()
            .and_then(|m| m.iter().find(|m| m.name == "modOldModule"))
            .expect("modOldModule");
        assert_eq!(old.version.as_deref(), Some("1.0.3"));

        let partition = doc.partition.as_ref().expect("server_info");
        assert_eq!(partition.total, Some((49.09 * GIB).round() as u64));
        assert_eq!(partition.free, Some((12.30 * GIB).round() as u64));
        assert_eq!(partition.percent_used, Some(74.94));

        let reading = doc.instance_reading();
        assert_eq!(reading.status, Status::Online);
        assert_eq!(reading.disk_used, Some(2_898_264_064));
        assert_eq!(reading.disk_total, Some((49.09 * GIB).round() as u64));

        let host = doc.host_reading();
        assert_eq!(host.status, Status::Online);
        assert_eq!(host.disk_total, Some((49.09 * GIB).round() as u64));
        assert_eq!(host.disk_used, Some((36.79 * GIB).round() as u64));
        assert_eq!(
            host.message,
            "Dolibarr 12.0.5 answering; disk 36.79 GiB of 49.09 GiB used (74.94 %)"
        );
        assert_eq!(host.dolibarr_version, None);
    }

    #[test]
    fn legacy_2018_check() {
        let doc =
            parse_instance(fixture!("serverobserver-legacy-2018-check.json")).expect("parses");
        assert_eq!((doc.variant, doc.units), (Variant::Legacy, Units::Mib));
        assert_eq!(doc.version.as_deref(), Some("7.0.3"));
        assert_eq!(doc.disk_used, Some(1061 * MIB));
        assert_eq!(doc.disk_used, Some(1_112_539_136));
        assert_eq!(doc.modules.as_ref().map(Vec::len), Some(7));
        assert_eq!(active(&doc), 7);
        assert!(
            doc.modules
                .as_ref()
                .is_some_and(|m| m.iter().all(|m| m.version.is_none()))
        );
        assert_eq!(
            names(&doc),
            [
                "modAgenda",
                "modBanque",
                "modCommande",
                "modFacture",
                "modPropale",
                "modSociete",
                "modUser"
            ]
        );
        assert_eq!((doc.users_all, doc.users_active), (Some(3), Some(2)));
        let partition = doc.partition.as_ref().expect("server_info");
        assert_eq!(partition.total, Some((492.12 * GIB).round() as u64));
        assert_eq!(partition.percent_used, Some(38.74));
        assert_eq!(
            doc.instance_reading().message,
            "Dolibarr 7.0.3, 7 modules (7 active)"
        );
    }

    #[test]
    fn fresh_install_with_empty_modules_and_unknown_data() {
        let doc = parse_instance(fixture!("instance-empty-modules.json")).expect("parses");
        assert_eq!(doc.version.as_deref(), Some("20.0.0"));
        assert_eq!(doc.modules, Some(Vec::new()));
        // data.size is -1: only repertoire_client is known.
        assert_eq!(doc.disk_used, Some(402_653_184));
        assert!(doc.disk_partial);
        assert_eq!(doc.last_login, None);
        let reading = doc.instance_reading();
        assert_eq!(
            (reading.disk_used, reading.disk_partial),
            (Some(402_653_184), true)
        );
        assert_eq!(reading.modules, Some(Vec::new()));
        assert_eq!(reading.message, "Dolibarr 20.0.0, 0 modules (0 active)");
    }

    #[test]
    fn easya_fork_without_sizes() {
        let doc = parse_instance(fixture!("easya-instance-no-sizes.json")).expect("parses");
        assert_eq!(doc.variant, Variant::WebObserver);
        assert_eq!(doc.version.as_deref(), Some("2022.5.3"));
        assert_eq!(doc.last_install, None);
        assert_eq!(doc.disk_used, None);
        assert!(!doc.disk_partial);
        assert_eq!(names(&doc), ["modFacture", "modProjet", "modSociete"]);
        assert_eq!(active(&doc), 2);
        let reading = doc.instance_reading();
        assert_eq!((reading.disk_used, reading.disk_total), (None, None));
    }

    #[test]
    fn server_manager_instance() {
        let doc = parse_instance(fixture!("servermanager-instance-garage-lefebvre.json"))
            .expect("parses");
        assert_eq!(
            (doc.variant, doc.units),
            (Variant::ServerManager, Units::Bytes)
        );
        assert_eq!(doc.version.as_deref(), Some("19.0.3"));
        assert_eq!(doc.last_install.as_deref(), Some("17.0.1"));
        assert_eq!(doc.disk_used, Some(5_905_580_032));
        assert!(!doc.disk_partial);
        assert_eq!(doc.modules.as_ref().map(Vec::len), Some(4));
        assert_eq!(active(&doc), 3);
        assert_eq!(
            doc.url.as_deref(),
            Some("https://garage-lefebvre.example-hosting.fr/")
        );
    }

    #[test]
    fn security_block() {
        let doc = parse_instance(fixture!("webobserver-instance.json")).expect("parses");
        let fine = Security {
            install_lock: Some(true),
            main_features_level: Some(0),
            database_pwd_encrypted: Some(true),
        };
        assert_eq!(doc.security, Some(fine));
        assert_eq!(doc.instance_reading().security, Some(fine));
        assert_eq!(
            doc.instance_reading().first_version.as_deref(),
            Some("18.0.4")
        );
        let risky = json!({"apiname": "x", "dolibarr": {"version": "20.0.0"},
            "security": {"install_lock": false, "main_features_level": "2",
                "database_pwd_encrypted": "0"}});
        let doc = instance_doc(&risky).expect("parses");
        assert_eq!(
            doc.security,
            Some(Security {
                install_lock: Some(false),
                main_features_level: Some(2),
                database_pwd_encrypted: Some(false),
            })
        );
        // Absent or null keys stay unknown; no block at all is no security reading.
        let partial =
            json!({"dolibarr": {}, "security": {"install_lock": null, "main_features_level": 1}});
        assert_eq!(
            instance_doc(&partial).expect("parses").security,
            Some(Security {
                main_features_level: Some(1),
                ..Security::default()
            })
        );
        assert_eq!(
            instance_doc(&json!({"dolibarr": {}}))
                .expect("parses")
                .security,
            None
        );
    }

    #[test]
    fn refusals_are_errors() {
        assert_eq!(
            parse_instance(fixture!("error-empty-body.txt")),
            Err(AnswerError::Empty)
        );
        assert_eq!(
            parse_instance(fixture!("error-invalid-hash.txt")),
            Err(AnswerError::AuthRejected("Invalid hash".into()))
        );
        assert!(matches!(
            parse_instance(b"{\"space\":{}}"),
            Err(AnswerError::Shape(_))
        ));
        assert!(matches!(
            parse_instance(b"[1,2]"),
            Err(AnswerError::Shape(_))
        ));
    }

    #[test]
    fn lenient_fields() {
        let doc = instance_doc(&json!({
            "apiname": "serverobserver",
            "dolibarr": {
                "version": "16.0.1\nsome banner",
                "repertoire_client": {"path": "/c", "size": "1000"},
                "data": {"path": "/c/documents", "size": 500}
            },
            "user": {"all": "5", "active": "2", "date_last_login": "0000-00-00 00:00:00"},
            "module": {
                "modA": {"active": null, "numero": "1"},
                "modB": {"active": "0"},
                "modC": {"active": "1", "version": ""},
                "modD": {"active": "yes"},
                "modE": true
            }
        }))
        .expect("parses");
        assert_eq!(doc.version.as_deref(), Some("16.0.1"));
        // data lies inside repertoire_client: not added twice.
        assert_eq!((doc.disk_used, doc.disk_partial), (Some(1000), false));
        assert_eq!((doc.users_all, doc.users_active), (Some(5), Some(2)));
        assert_eq!(doc.last_login, None);
        let states: Vec<(&str, bool)> = doc
            .modules
            .as_ref()
            .expect("modules")
            .iter()
            .map(|m| (m.name.as_str(), m.active))
            .collect();
        assert_eq!(
            states,
            [
                ("modA", false),
                ("modB", false),
                ("modC", true),
                ("modD", true),
                ("modE", true)
            ]
        );
        assert_eq!(
            doc.modules.as_ref().and_then(|m| m[2].version.clone()),
            None
        );
    }

    #[test]
    fn units_follow_the_documented_order() {
        let units = |doc: Value| variant_and_units(&doc);
        assert_eq!(
            units(json!({"apiversion": "2.0", "apiname": "x"})),
            (Variant::ServerManager, Units::Bytes)
        );
        assert_eq!(
            units(json!({"apiname": "x", "dolibarr": {"path": {"relative": "/"}}})),
            (Variant::WebObserver, Units::Bytes)
        );
        assert_eq!(
            units(json!({"apiversion": "1.0", "dolibarr": {"path": {"absolute": "/"}}})),
            (Variant::Legacy, Units::Mib)
        );
        assert_eq!(
            units(json!({"apiversion": 1.0, "dolibarr": {"path": {"http": "x"}}})),
            (Variant::Prototype, Units::Bytes)
        );
        assert_eq!(
            units(json!({"dolibarr": {}})),
            (Variant::Unknown, Units::Unknown)
        );
    }

    #[test]
    fn legacy_sizes_of_zero_or_minus_one_are_unknown() {
        let doc = instance_doc(&json!({
            "dolibarr": {
                "path": {"relative": "/", "absolute": "/"},
                "repertoire_client": {"path": "/c", "size": 0},
                "htdocs": {"path": "/c/htdocs", "size": 200},
                "data": {"path": "/c/documents", "size": -1}
            },
            "module": []
        }))
        .expect("parses");
        assert_eq!((doc.disk_used, doc.disk_partial), (Some(200 * MIB), true));

        let oldest = instance_doc(&json!({
            "dolibarr": {"version": "5.0.1", "path": {"relative": "/", "absolute": "/"},
                         "data": {"path": "/c/documents", "size": 12}}
        }))
        .expect("parses");
        assert_eq!(
            (oldest.disk_used, oldest.disk_partial),
            (Some(12 * MIB), true)
        );
        assert_eq!(oldest.modules, None);
        assert_eq!(oldest.instance_reading().modules, None);

        let nothing = instance_doc(&json!({"dolibarr": {"data": {"size": 5}}})).expect("parses");
        assert_eq!((nothing.disk_used, nothing.disk_partial), (None, false));
    }

    /// One-request server answering `status` and `body`; returns the URL it was asked for.
    fn serve_once(status: u16, body: &'static [u8]) -> (String, thread::JoinHandle<String>) {
        let server = Server::http("127.0.0.1:0").expect("bind");
        let port = server.server_addr().to_ip().expect("ip").port();
        let handle = thread::spawn(move || {
            let request = server.recv().expect("request");
            let url = request.url().to_string();
            let _ = request.respond(Response::from_data(body).with_status_code(status));
            url
        });
        (format!("http://127.0.0.1:{port}/get-data.php"), handle)
    }

    fn target(record_type: RecordType, url: &str, token: Option<&str>) -> Target {
        Target {
            record_type,
            reference: "martin".into(),
            kind: ApiKind::ServerObserverV1,
            url: Some(url.into()),
            token: token.map(str::to_string),
            remote_name: None,
            probe: Vec::new(),
            insecure_tls: false,
            ca_file: None,
            host: None,
            assertions: Default::default(),
        }
    }

    #[test]
    fn signed_instance_check_end_to_end() {
        let (url, server) = serve_once(200, fixture!("webobserver-instance.json"));
        let prober = Prober::new(Settings::default());
        let reading = prober.probe(&target(RecordType::Instance, &url, Some("s3cr3t-T0ken")));
        let asked = server.join().expect("server thread");

        let query = asked.strip_prefix("/get-data.php?hash=").expect("signed");
        let (hash, time) = query.split_once("&time=").expect("time");
        let time: u64 = time.parse().expect("decimal time");
        assert_eq!(hash, crate::probe::sign::signature("s3cr3t-T0ken", time));

        assert_eq!(reading.status, Status::Online);
        assert_eq!(reading.http_status, Some(200));
        assert!(reading.response_ms.is_some());
        assert_eq!(reading.disk_used, Some(1_189_085_184));
        assert_eq!(reading.users_all, Some(14));
        assert_eq!(reading.modules.as_ref().map(Vec::len), Some(10));
    }

    #[test]
    fn unsigned_check_sends_no_hash() {
        let (url, server) = serve_once(200, fixture!("serverobserver-legacy-check.txt"));
        let reading = Prober::new(Settings::default()).probe(&target(RecordType::Host, &url, None));
        assert_eq!(server.join().expect("server thread"), "/get-data.php");
        assert_eq!(reading.status, Status::Online);
        assert_eq!(reading.disk_total, Some((49.09 * GIB).round() as u64));
    }

    #[test]
    fn server_error_is_offline() {
        let (url, server) = serve_once(
            500,
            b"<br />\n<b>Fatal error</b>: Allowed memory size exhausted in get-data.php?hash=0a1b2c",
        );
        let reading =
            Prober::new(Settings::default()).probe(&target(RecordType::Instance, &url, None));
        server.join().expect("server thread");
        assert_eq!(reading.status, Status::Offline);
        assert_eq!(reading.http_status, Some(500));
        assert_eq!(
            reading.message,
            "HTTP 500 Internal Server Error: Fatal error: Allowed memory size exhausted in get-data.php?hash=***"
        );
    }

    #[test]
    fn forbidden_names_the_allow_list() {
        let (url, server) = serve_once(403, b"<html><body><h1>Forbidden</h1></body></html>");
        let reading =
            Prober::new(Settings::default()).probe(&target(RecordType::Instance, &url, None));
        server.join().expect("server thread");
        assert_eq!(reading.status, Status::Error);
        assert_eq!(
            reading.message,
            "HTTP 403 Forbidden: reachable, but this poller's address is not allowed (IP allow-list?)"
        );
    }

    #[test]
    fn rejected_token_and_empty_answer_are_errors() {
        let (url, server) = serve_once(200, fixture!("error-invalid-hash.txt"));
        let reading = Prober::new(Settings::default()).probe(&target(
            RecordType::Instance,
            &url,
            Some("t0k"),
        ));
        server.join().expect("server thread");
        assert_eq!(reading.status, Status::Error);
        assert_eq!(
            reading.message,
            "the site answered but rejected the request: the token is wrong, or this machine's \
             clock is more than 3 minutes off the server's (Invalid hash)"
        );

        let (url, server) = serve_once(200, fixture!("error-empty-body.txt"));
        let reading = Prober::new(Settings::default()).probe(&target(RecordType::Host, &url, None));
        server.join().expect("server thread");
        assert_eq!(
            (reading.status, reading.message.as_str()),
            (
                Status::Error,
                "empty answer (the script could not encode its answer)"
            )
        );
    }

    #[test]
    fn webobserver_without_client_size_counts_known_parts() {
        let doc = instance_doc(&json!({
            "apiname": "serverobserver",
            "dolibarr": {
                "htdocs": {"path": "/c/dolibarr/htdocs", "size": 100},
                "repertoire_client": {"path": "/c/dolibarr", "size": -1},
                "data": {"path": "/c/documents", "size": 50}
            }
        }))
        .expect("parses");
        assert_eq!((doc.disk_used, doc.disk_partial), (Some(150), true));
    }
}
