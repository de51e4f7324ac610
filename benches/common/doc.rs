//! A WebObserver `get-data.php` answer (shared/protocols.md, `fixtures/webobserver-instance.json`)
//! made up for instance number `n`: about 20 KB and 80 modules, with the Dolibarr version,
//! sizes, users, the module set, module versions and active flags varying from one instance to
//! the next, and always the same for the same `n`.
//!
//! Shared by `examples/mock_fleet.rs`, `benches/pass.rs` and `benches/parse.rs` through
//! `#[path]`, so the fleet serves exactly what the parser benchmark measures.

use std::fmt::Write;

/// splitmix64: a tiny, good enough, deterministic generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Dolibarr core modules (class name without `mod`, and `numero`).
const CORE: &[(&str, u32)] = &[
    ("Societe", 1),
    ("Facture", 30),
    ("Commande", 25),
    ("Propale", 20),
    ("Stock", 52),
    ("Api", 2610),
    ("TakePos", 50150),
    ("Agenda", 2400),
    ("Banque", 85),
    ("Categorie", 1780),
    ("Comptabilite", 10),
    ("Contrat", 54),
    ("Cron", 2300),
    ("Expedition", 80),
    ("Export", 240),
    ("Import", 250),
    ("Fournisseur", 40),
    ("Ficheinter", 70),
    ("Projet", 400),
    ("Product", 50),
    ("Service", 53),
    ("User", 0),
    ("Adherent", 310),
    ("Ecm", 2500),
    ("Holiday", 20000),
    ("ExpenseReport", 770),
    ("Mailing", 22),
    ("Notification", 600),
    ("Paypal", 50200),
    ("Stripe", 50300),
    ("Salaries", 510),
    ("Tax", 500),
    ("Loan", 520),
    ("Don", 700),
    ("Accounting", 50400),
    ("Barcode", 55),
    ("BlockedLog", 3200),
    ("Bom", 650),
    ("Mrp", 660),
    ("Workstation", 690),
    ("Website", 10000),
    ("Ticket", 56000),
    ("Recruitment", 750),
    ("Hrm", 4000),
    ("EventOrganization", 2450),
    ("KnowledgeManagement", 57000),
    ("Partnership", 58000),
    ("Reception", 55300),
    ("SupplierProposal", 1120),
    ("Variants", 610),
    ("Resource", 63000),
    ("Syslog", 42),
    ("Fckeditor", 2000),
    ("GeoIPMaxmind", 2900),
    ("Gravatar", 2700),
    ("Ldap", 200),
    ("MultiCurrency", 40010),
    ("Opensurvey", 55),
    ("Printing", 64000),
    ("ModuleBuilder", 3300),
    ("DebugBar", 43),
    ("DataPolicy", 4100),
    ("EmailCollector", 50320),
    ("Incoterm", 62000),
    ("Oauth", 66000),
];

/// External modules: name, `numero`, editor.
const EXTERNAL: &[(&str, u32, &str)] = &[
    ("WebObserver", 104718, "ATM-Consulting"),
    ("Subtotal", 104777, "ATM Consulting"),
    ("ReleveCompte", 104790, "ATM Consulting"),
    ("Dispatch", 104070, "ATM Consulting"),
    ("Agefodd", 103000, "ATM Consulting"),
    ("UltimatePdf", 300100, "Inovea Conseil"),
    ("DocEdit", 450050, "Open-DSI"),
    ("Mailjet", 310100, "Mailjet"),
    ("ExtraFieldsPlus", 150200, "Patas-Monkey"),
    ("CustomLink", 160050, "Patas-Monkey"),
    ("Factory", 160060, "Patas-Monkey"),
    ("Management", 160070, "Patas-Monkey"),
    ("Equipement", 160080, "Patas-Monkey"),
    ("Sellyoursaas", 101050, "DoliCloud"),
    ("Quicklist", 104700, "ATM Consulting"),
    ("Nomenclature", 104380, "ATM Consulting"),
    ("Workflow", 6000, "Dolibarr"),
    ("Of", 104161, "ATM Consulting"),
    ("Lead", 103111, "Florian Henry"),
    ("Volvo", 103200, "Florian Henry"),
    ("ExperimentalThing", 500000, ""),
    ("AbricotLib", 104000, "ATM Consulting"),
    ("Kanban", 470100, "Ksar"),
    ("Scanner", 490100, "Inovea Conseil"),
    ("ChequeRemise", 104880, "ATM Consulting"),
    ("Ventilation", 104890, "ATM Consulting"),
    ("BankImport", 520100, "Easya Solutions"),
    ("Report", 104920, "ATM Consulting"),
];

/// The document of instance `n`.
pub fn document(n: u64) -> String {
    let mut rng = Rng::new(n.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x00c0_ffee);
    let mut out = String::with_capacity(24 * 1024);
    let client = format!("/home/client/i{n:05}");
    let major = 14 + rng.below(7);
    let patch = rng.below(8);
    let version = format!("{major}.0.{patch}");
    let last_install = if rng.chance(80) {
        version.clone()
    } else {
        format!(
            "{}.0.{}",
            major.saturating_sub(1 + rng.below(2)),
            rng.below(6)
        )
    };
    let size = |rng: &mut Rng, base: u64| base + rng.below(base * 4);
    let users_all = 1 + rng.below(60);
    let users_active = 1 + rng.below(users_all);
    let _ = write!(
        out,
        "{{\"apiname\":\"serverobserver\",\"apiversion\":\"1.0\",\"dolibarr\":{{\
\"version\":\"{version}\",\"version1\":\"{last_install}\",\"theme\":\"{theme}\",\
\"path\":{{\"http\":\"https://erp-{n}.example-hosting.fr/\"}},\
\"data\":{{\"path\":\"{client}/documents\",\"size\":{data}}},\
\"htdocs\":{{\"path\":\"{client}/dolibarr/htdocs\",\"size\":{htdocs}}},\
\"repertoire_client\":{{\"path\":\"{client}/dolibarr\",\"size\":{repertoire}}}}},\
\"db\":{{\"host\":\"localhost\",\"name\":\"dolibarr_i{n}\",\"user\":\"dolibarr_i{n}\",\"type\":\"mysqli\"}},\
\"user\":{{\"all\":{users_all},\"active\":{users_active},\
\"date_last_login\":\"2026-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}\"}},\
\"security\":{{\"database_pwd_encrypted\":\"{encrypted}\",\"main_features_level\":\"0\",\
\"install_lock\":{lock}}},\"module\":{{",
        theme = if rng.chance(90) { "eldy" } else { "md" },
        data = size(&mut rng, 200 << 20),
        htdocs = size(&mut rng, 300 << 20),
        repertoire = size(&mut rng, 350 << 20),
        month = 1 + rng.below(12),
        day = 1 + rng.below(28),
        hour = rng.below(24),
        minute = rng.below(60),
        second = rng.below(60),
        encrypted = rng.below(2),
        lock = rng.chance(90),
    );
    let mut first = true;
    for (i, (name, numero)) in CORE.iter().enumerate() {
        // The first ten are in every install; the rest are there most of the time.
        if i < 10 || rng.chance(88) {
            let active = match rng.below(20) {
                0..=11 => "1",
                12..=16 => "",
                _ => "0",
            };
            let dir = format!("{client}/dolibarr/htdocs/core/modules/");
            module(
                &mut out,
                &mut first,
                name,
                &dir,
                *numero,
                "dolibarr",
                "core",
                "Dolibarr",
                "https://www.dolibarr.org",
                active,
                false,
            );
        }
    }
    for (name, numero, editor) in EXTERNAL {
        if rng.chance(70) {
            let version = match rng.below(16) {
                0 => "experimental".to_string(),
                1 => "development".to_string(),
                _ => format!("{}.{}.{}", 1 + rng.below(4), rng.below(30), rng.below(12)),
            };
            let active = if rng.chance(80) { "1" } else { "" };
            let dir = format!(
                "{client}/dolibarr/htdocs/custom/{}/core/modules/",
                name.to_ascii_lowercase()
            );
            let url = if editor.is_empty() {
                String::new()
            } else {
                format!(
                    "https://www.{}.fr",
                    editor.to_ascii_lowercase().replace(' ', "-")
                )
            };
            // PHP habit: some numbers arrive as strings.
            let numero_as_text = rng.chance(30);
            module(
                &mut out,
                &mut first,
                name,
                &dir,
                *numero,
                &version,
                "external",
                editor,
                &url,
                active,
                numero_as_text,
            );
        }
    }
    out.push_str("}}");
    out
}

#[allow(clippy::too_many_arguments)]
fn module(
    out: &mut String,
    first: &mut bool,
    name: &str,
    dir: &str,
    numero: u32,
    version: &str,
    source: &str,
    editor: &str,
    editor_url: &str,
    active: &str,
    numero_as_text: bool,
) {
    if !*first {
        out.push(',');
    }
    *first = false;
    let quote = if numero_as_text { "\"" } else { "" };
    let _ = write!(
        out,
        "\"mod{name}\":{{\"dir\":\"{dir}\",\"name\":\"{name}\",\"numero\":{quote}{numero}{quote},\
\"version\":\"{version}\",\"source\":\"{source}\",\"gitinfos\":false,\
\"editor_name\":\"{editor}\",\"editor_url\":\"{editor_url}\",\"active\":\"{active}\"}}"
    );
}
