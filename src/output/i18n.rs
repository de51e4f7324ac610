//! The pages customers read (the public status page, the SLA statement) in English or French:
//! every string in one table per language, and numbers, dates and durations the way each
//! language writes them (`99.95 %` / `99,95 %`, `Dec 2, 2026` / `2 déc. 2026`). The few
//! rules are written out here; no ICU. The operator's CLI stays English.

/// A page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language of the locale POSIX would pick for messages: LC_ALL, else LC_MESSAGES,
    /// else LANG (the first one set and not empty); French when it is `fr` or `fr_*`, else
    /// English.
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        let locale = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .unwrap_or("");
        let language = locale
            .split(['_', '.', '@', '-'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match language.as_str() {
            "fr" => Lang::Fr,
            _ => Lang::En,
        }
    }

    fn table(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::En => EN,
            Lang::Fr => FR,
        }
    }

    /// The text of `key`; the key itself if a table lacks it (a test makes sure none does).
    pub fn t(self, key: &'static str) -> &'static str {
        self.table()
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key, |(_, v)| v)
    }

    /// A status or health word as the page shows it (`online` → `en ligne`).
    pub fn word(self, word: &str) -> &'static str {
        match word {
            "online" => self.t("status.online"),
            "offline" => self.t("status.offline"),
            "error" => self.t("status.error"),
            "missing" => self.t("status.missing"),
            "unreachable" => self.t("status.unreachable"),
            "ok" => self.t("health.ok"),
            "warning" => self.t("health.warning"),
            "critical" => self.t("health.critical"),
            _ => self.t("status.unknown"),
        }
    }

    /// An inventory change as the page shows it (`upgraded` → `mis à jour`).
    pub fn change(self, change: &str) -> &'static str {
        match change {
            "upgraded" => self.t("change.upgraded"),
            "downgraded" => self.t("change.downgraded"),
            "added" => self.t("change.added"),
            "removed" => self.t("change.removed"),
            "activated" => self.t("change.activated"),
            "deactivated" => self.t("change.deactivated"),
            _ => self.t("change.changed"),
        }
    }

    /// `1,234` / `1 234` (a narrow no-break space, as French typesets it).
    pub fn integer(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let sep = match self {
            Lang::En => ",",
            Lang::Fr => "\u{202f}",
        };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    }

    /// A number with `decimals` decimals: `99.95` / `99,95`.
    pub fn decimal(self, x: f64, decimals: usize) -> String {
        let text = format!("{x:.decimals$}");
        match self {
            Lang::En => text,
            Lang::Fr => text.replace('.', ","),
        }
    }

    /// A number written in English (`1.5`) as this language writes it (`1,5`).
    pub fn decimal_text(self, text: &str) -> String {
        match self {
            Lang::En => text.to_string(),
            Lang::Fr => text.replace('.', ","),
        }
    }

    /// A percentage as the pages show uptime, to two decimals rounded down
    /// (`uptime::shown_percent`): `99.95 %` / `99,95 %` (a no-break space).
    pub fn percent(self, p: f64) -> String {
        let shown = crate::domain::uptime::shown_percent(p);
        match self {
            Lang::En => format!("{} %", self.decimal(shown, 2)),
            Lang::Fr => format!("{}\u{a0}%", self.decimal(shown, 2)),
        }
    }

    /// A share to the unit, as disks show it: `85 %` / `85 %`.
    pub fn whole_percent(self, p: f64) -> String {
        match self {
            Lang::En => format!("{p:.0} %"),
            Lang::Fr => format!("{p:.0}\u{a0}%"),
        }
    }

    /// A target, with as many decimals as it needs: `99.9 %` / `99,9 %`.
    pub fn target(self, p: f64) -> String {
        let text = format!("{p}");
        let text = match self {
            Lang::En => text,
            Lang::Fr => text.replace('.', ","),
        };
        match self {
            Lang::En => format!("{text} %"),
            Lang::Fr => format!("{text}\u{a0}%"),
        }
    }

    fn month_name(self, month: i8, short: bool) -> &'static str {
        const EN_LONG: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const EN_SHORT: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        const FR_LONG: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        // The abbreviations of the Imprimerie nationale, as CLDR has them.
        const FR_SHORT: [&str; 12] = [
            "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc.",
        ];
        let i = usize::try_from(month - 1).unwrap_or(0).min(11);
        match (self, short) {
            (Lang::En, false) => EN_LONG[i],
            (Lang::En, true) => EN_SHORT[i],
            (Lang::Fr, false) => FR_LONG[i],
            (Lang::Fr, true) => FR_SHORT[i],
        }
    }

    /// `Dec 2, 2026` / `2 déc. 2026`.
    pub fn date(self, d: jiff::civil::Date) -> String {
        let month = self.month_name(d.month(), true);
        match self {
            Lang::En => format!("{month} {}, {}", d.day(), d.year()),
            Lang::Fr => format!("{} {month} {}", d.day(), d.year()),
        }
    }

    /// `Dec 2, 2026, 14:05` / `2 déc. 2026 à 14:05`.
    pub fn date_time(self, t: jiff::civil::DateTime) -> String {
        let time = format!("{:02}:{:02}", t.hour(), t.minute());
        match self {
            Lang::En => format!("{}, {time}", self.date(t.date())),
            Lang::Fr => format!("{} à {time}", self.date(t.date())),
        }
    }

    /// `November 2026` / `novembre 2026`.
    pub fn month(self, d: jiff::civil::Date) -> String {
        format!("{} {}", self.month_name(d.month(), false), d.year())
    }

    /// How long, to the minute (a part minute counts whole): `0 min`, `45 min`, `2 h 05 min`,
    /// `3 d 4 h` / `3 j 4 h`.
    pub fn minutes(self, secs: i64) -> String {
        let m = (secs.max(0) + 59) / 60;
        let day = self.t("unit.day");
        match m {
            m if m < 60 => format!("{m} min"),
            m if m < 1440 => format!("{} h {:02} min", m / 60, m % 60),
            m => format!("{} {day} {} h", m / 1440, (m % 1440) / 60),
        }
    }

    /// `7 days`, `24 hours`, `30 minutes` / `7 jours`, `24 heures`, `30 minutes`.
    pub fn span(self, secs: i64) -> String {
        let plural = |n: i64, one: &'static str, many: &'static str| {
            // French takes the singular for 0 and 1, English for 1 only.
            let single = n == 1 || (self == Lang::Fr && n == 0);
            format!("{n} {}", self.t(if single { one } else { many }))
        };
        match secs {
            s if s >= 2 * 86_400 && s % 86_400 == 0 => plural(s / 86_400, "unit.day1", "unit.days"),
            s if s >= 3600 && s % 3600 == 0 => plural(s / 3600, "unit.hour1", "unit.hours"),
            s if s >= 60 && s % 60 == 0 => plural(s / 60, "unit.minute1", "unit.minutes"),
            s => plural(s, "unit.second1", "unit.seconds"),
        }
    }

    /// `1 day`, `12 days` / `1 jour`, `12 jours`: days left, any number of them.
    pub fn days(self, n: i64) -> String {
        let single = n == 1 || (self == Lang::Fr && n == 0);
        format!(
            "{n} {}",
            self.t(if single { "unit.day1" } else { "unit.days" })
        )
    }

    /// `5m ago` (as the CLI says it) / `il y a 5 min`.
    pub fn age(self, secs: i64, now: i64) -> String {
        if self == Lang::En {
            return crate::domain::units::age(secs, now);
        }
        let d = now - secs;
        let amount = match d {
            d if d < 0 => return self.t("age.now").to_string(),
            d if d < 60 => format!("{d} s"),
            d if d < 3600 => format!("{} min", d / 60),
            d if d < 86_400 => format!("{} h", d / 3600),
            d => format!("{} {}", d / 86_400, self.t("unit.day")),
        };
        format!("il y a {amount}")
    }
}

/// English. Keys are grouped by page: `sla.` the statement, `report.` the status page.
const EN: &[(&str, &str)] = &[
    ("status.online", "online"),
    ("status.offline", "offline"),
    ("status.error", "error"),
    ("status.missing", "missing"),
    ("status.unknown", "unknown"),
    ("health.ok", "ok"),
    ("health.warning", "warning"),
    ("health.critical", "critical"),
    ("unit.day", "d"),
    ("unit.day1", "day"),
    ("unit.days", "days"),
    ("unit.hour1", "hour"),
    ("unit.hours", "hours"),
    ("unit.minute1", "minute"),
    ("unit.minutes", "minutes"),
    ("unit.second1", "second"),
    ("unit.seconds", "seconds"),
    ("age.now", "just now"),
    ("punct.colon", ": "),
    ("type.host", "host"),
    ("type.instance", "instance"),
    ("sla.title", "Availability statement"),
    ("sla.period", "Period"),
    ("sla.utc", "times in UTC"),
    ("sla.target", "Target"),
    ("sla.generated", "Generated"),
    ("sla.summary", "Summary"),
    ("sla.record", "Service"),
    ("sla.availability", "Availability"),
    ("sla.downtime", "Downtime"),
    ("sla.incidents", "Incidents"),
    ("sla.longest", "Longest incident"),
    ("sla.result", "Target"),
    ("sla.met", "met"),
    ("sla.missed", "missed"),
    ("sla.no_data", "no data"),
    ("sla.incident_list", "Incidents"),
    ("sla.no_incident", "No incident this month."),
    ("sla.began", "Began"),
    ("sla.ended", "Ended"),
    ("sla.duration", "Duration"),
    ("sla.cause", "Cause"),
    ("sla.cause.record", "service unavailable"),
    ("sla.cause.host", "server unavailable"),
    ("sla.approximate", "approximate"),
    ("sla.whole_day", "whole day, from the daily summary"),
    ("sla.maintenance", "Maintenance (not counted)"),
    ("sla.poller_offline", "Monitoring interrupted (not counted)"),
    (
        "sla.rolled_up",
        "Days counted from daily summaries (incident counts approximate)",
    ),
    (
        "sla.how",
        "Availability is the share of the time the service was watched and answering, outside maintenance windows and periods when the monitoring itself was interrupted. A check's result holds until the next check, for two hours at most; longer silences are not counted.",
    ),
    (
        "sla.footer",
        "webhost availability statement · one file, no external resources",
    ),
    ("report.title", "Fleet status"),
    ("report.title_some", "Status"),
    ("report.public_view", "public view"),
    ("report.generated", "Generated"),
    ("report.over", "figures over the last"),
    ("report.since", "since"),
    ("report.times_in", "times in"),
    ("report.stale", "Stale data:"),
    ("report.summary", "Summary"),
    ("report.hosts", "Hosts"),
    ("report.instances", "Instances"),
    ("report.health", "health"),
    ("report.last_passes", "Last passes"),
    ("report.never_run", "never run"),
    ("report.needs_attention", "Needs attention"),
    ("report.records", "Hosts and instances"),
    ("report.bars", "Bars: one per"),
    ("report.over_last", "over the last"),
    ("report.worst", "worst check in it:"),
    ("report.up", "up"),
    ("report.error_dotted", "error (dotted)"),
    ("report.down_hatched", "down (hatched)"),
    ("report.no_data_low", "no data (low)"),
    ("report.col.record", "Record"),
    ("report.col.status", "Status"),
    ("report.col.uptime", "Uptime"),
    ("report.col.response", "Response"),
    ("report.col.last", "Last"),
    ("report.col.disk", "Disk"),
    ("report.col.certificate", "Certificate"),
    ("report.checked", "checked"),
    ("report.never_checked", "never checked"),
    ("report.monitoring_off", "monitoring off"),
    ("report.host_suffix", "(host)"),
    ("report.instances_without_host", "Instances without a host"),
    ("report.no_instances", "no instances"),
    ("report.instance1", "instance"),
    ("report.instances_n", "instances"),
    ("report.strip.all_up", "all up"),
    ("report.strip.no_data", "no data"),
    ("report.strip.down", "down"),
    ("report.strip.error", "error"),
    ("report.strip.none", "no data"),
    ("report.changes", "What changed"),
    (
        "report.no_changes",
        "No Dolibarr or module change in the last",
    ),
    ("report.footer", "webhost report"),
    ("report.footer_public", "public view: no"),
    ("report.footer_one_file", "one file, no external resources"),
    ("report.footer_generated", "generated"),
    ("report.left_out", "URLs, folders, server messages"),
    ("report.left.versions", "versions"),
    ("report.left.modules", "modules"),
    ("report.left.disks", "disks"),
    ("report.poller", "poller"),
    (
        "report.poller.stopped",
        "has not run for over an hour (last ran {ago} ago): has it stopped? It no longer counts in the quorum.",
    ),
    ("report.stale.never", "has never run"),
    ("report.stale.last_ran", "last ran"),
    ("report.stale.longer_than", ", longer than"),
    (
        "report.stale.cron",
        " ago: is cron running? The figures below may be out of date.",
    ),
    ("report.cert.expired", "expired"),
    ("report.cert.expires", "expires"),
    ("report.cert.unreadable", "unreadable"),
    ("report.reason.status", "status"),
    ("report.reason.cert_expired", "TLS certificate expired"),
    ("report.reason.cert_expires", "TLS certificate expires in"),
    ("report.reason.disk", "disk used:"),
    ("report.reason.threshold", " (threshold"),
    ("report.reason.percent", "%"),
    ("report.ch.when", "When"),
    ("report.ch.instance", "Instance"),
    ("report.ch.what", "What"),
    ("report.ch.change", "Change"),
    ("report.ch.from", "From"),
    ("report.ch.to", "To"),
    ("change.upgraded", "upgraded"),
    ("change.downgraded", "downgraded"),
    ("change.added", "added"),
    ("change.removed", "removed"),
    ("change.activated", "activated"),
    ("change.deactivated", "deactivated"),
    ("change.changed", "changed"),
    ("report.inv.title", "Dolibarr and modules"),
    (
        "report.inv.none",
        "No inventory yet: Dolibarr instances report their version and modules on each",
    ),
    ("report.inv.which", "which"),
    ("report.inv.own", "Modules with versions of their own"),
    ("report.inv.active", "active"),
    ("report.inv.core", "Core modules"),
    (
        "report.inv.core_note",
        "(at their instance's Dolibarr version)",
    ),
    ("report.inv.on", "on"),
    ("report.inv.active_on", "active on"),
    ("report.disk.of", "of"),
    ("report.filling.title", "Disks filling soonest"),
    ("report.maintenance", "maintenance"),
    ("report.maintenance.until", "until"),
    (
        "report.maintenance_band",
        "maintenance window (band on top)",
    ),
    ("report.strip.maintenance", "in maintenance"),
    ("status.unreachable", "unreachable"),
    ("report.filling.record", "Record"),
    ("report.filling.reaches", "Reaches"),
    ("report.filling.on", "On"),
    ("report.filling.growth", "Growth"),
    ("report.filling.full", "full"),
    ("report.filling.per_day", "/day"),
    (
        "report.filling.note",
        "From the trend of each disk's readings over the last 30 days.",
    ),
    ("report.slot.of", "of"),
    ("report.slot.checks_down", "checks down"),
    ("report.slot.worst", "worst"),
    ("report.slot.api_unusable", "monitoring API unusable"),
    ("report.slot.rolled_up", "daily roll-up"),
    ("report.disk.or_more", "or more"),
];

/// Français.
const FR: &[(&str, &str)] = &[
    ("status.online", "en ligne"),
    ("status.offline", "hors ligne"),
    ("status.error", "erreur"),
    ("status.missing", "disparu"),
    ("status.unknown", "inconnu"),
    ("health.ok", "ok"),
    ("health.warning", "avertissement"),
    ("health.critical", "critique"),
    ("unit.day", "j"),
    ("unit.day1", "jour"),
    ("unit.days", "jours"),
    ("unit.hour1", "heure"),
    ("unit.hours", "heures"),
    ("unit.minute1", "minute"),
    ("unit.minutes", "minutes"),
    ("unit.second1", "seconde"),
    ("unit.seconds", "secondes"),
    ("age.now", "à l’instant"),
    ("punct.colon", "\u{a0}: "),
    ("type.host", "serveur"),
    ("type.instance", "instance"),
    ("sla.title", "Relevé de disponibilité"),
    ("sla.period", "Période"),
    ("sla.utc", "heures en UTC"),
    ("sla.target", "Objectif"),
    ("sla.generated", "Établi le"),
    ("sla.summary", "Synthèse"),
    ("sla.record", "Service"),
    ("sla.availability", "Disponibilité"),
    ("sla.downtime", "Indisponibilité"),
    ("sla.incidents", "Incidents"),
    ("sla.longest", "Incident le plus long"),
    ("sla.result", "Objectif"),
    ("sla.met", "atteint"),
    ("sla.missed", "non atteint"),
    ("sla.no_data", "aucune donnée"),
    ("sla.incident_list", "Incidents"),
    ("sla.no_incident", "Aucun incident ce mois-ci."),
    ("sla.began", "Début"),
    ("sla.ended", "Fin"),
    ("sla.duration", "Durée"),
    ("sla.cause", "Cause"),
    ("sla.cause.record", "service indisponible"),
    ("sla.cause.host", "serveur indisponible"),
    ("sla.approximate", "approximatif"),
    (
        "sla.whole_day",
        "journée entière, d’après le résumé quotidien",
    ),
    ("sla.maintenance", "Maintenance (non comptée)"),
    (
        "sla.poller_offline",
        "Surveillance interrompue (non comptée)",
    ),
    (
        "sla.rolled_up",
        "Jours comptés d’après les résumés quotidiens (nombre d’incidents approximatif)",
    ),
    (
        "sla.how",
        "La disponibilité est la part du temps où le service était surveillé et répondait, hors fenêtres de maintenance et périodes où la surveillance elle-même était interrompue. Le résultat d’une vérification vaut jusqu’à la suivante, deux heures au plus ; les silences plus longs ne sont pas comptés.",
    ),
    (
        "sla.footer",
        "Relevé de disponibilité webhost · un seul fichier, aucune ressource externe",
    ),
    ("report.title", "État du parc"),
    ("report.title_some", "État"),
    ("report.public_view", "vue publique"),
    ("report.generated", "Établi le"),
    ("report.over", "chiffres sur les"),
    ("report.since", "depuis le"),
    ("report.times_in", "heures en"),
    ("report.stale", "Données anciennes :"),
    ("report.summary", "Synthèse"),
    ("report.hosts", "Serveurs"),
    ("report.instances", "Instances"),
    ("report.health", "santé"),
    ("report.last_passes", "Dernières vérifications"),
    ("report.never_run", "jamais lancée"),
    ("report.needs_attention", "À surveiller"),
    ("report.records", "Serveurs et instances"),
    ("report.bars", "Barres : une par"),
    ("report.over_last", "sur les"),
    ("report.worst", "pire vérification de la période :"),
    ("report.up", "disponible"),
    ("report.error_dotted", "erreur (pointillés)"),
    ("report.down_hatched", "indisponible (hachures)"),
    ("report.no_data_low", "aucune donnée (bas)"),
    ("report.col.record", "Élément"),
    ("report.col.status", "État"),
    ("report.col.uptime", "Disponibilité"),
    ("report.col.response", "Réponse"),
    ("report.col.last", "Derniers"),
    ("report.col.disk", "Disque"),
    ("report.col.certificate", "Certificat"),
    ("report.checked", "vérifié"),
    ("report.never_checked", "jamais vérifié"),
    ("report.monitoring_off", "surveillance désactivée"),
    ("report.host_suffix", "(serveur)"),
    ("report.instances_without_host", "Instances sans serveur"),
    ("report.no_instances", "aucune instance"),
    ("report.instance1", "instance"),
    ("report.instances_n", "instances"),
    ("report.strip.all_up", "toujours disponible"),
    ("report.strip.no_data", "aucune donnée"),
    ("report.strip.down", "indisponible"),
    ("report.strip.error", "en erreur"),
    ("report.strip.none", "sans donnée"),
    ("report.changes", "Ce qui a changé"),
    (
        "report.no_changes",
        "Aucun changement de Dolibarr ni de module sur les",
    ),
    ("report.footer", "Rapport webhost"),
    ("report.footer_public", "vue publique : sans"),
    (
        "report.footer_one_file",
        "un seul fichier, aucune ressource externe",
    ),
    ("report.footer_generated", "établi le"),
    ("report.left_out", "URL, dossiers, messages des serveurs"),
    ("report.left.versions", "versions"),
    ("report.left.modules", "modules"),
    ("report.left.disks", "disques"),
    ("report.poller", "le sondeur"),
    (
        "report.poller.stopped",
        "n’a pas tourné depuis plus d’une heure (dernière fois il y a {ago}) : s’est-il arrêté ? Il ne compte plus dans le quorum.",
    ),
    ("report.stale.never", "n’a jamais été lancée"),
    ("report.stale.last_ran", "lancée pour la dernière fois"),
    ("report.stale.longer_than", " (plus de"),
    (
        "report.stale.cron",
        ") : le cron tourne-t-il ? Les chiffres ci-dessous peuvent ne pas être à jour.",
    ),
    ("report.cert.expired", "expiré"),
    ("report.cert.expires", "expire le"),
    ("report.cert.unreadable", "illisible"),
    ("report.reason.status", "état"),
    ("report.reason.cert_expired", "certificat TLS expiré"),
    (
        "report.reason.cert_expires",
        "le certificat TLS expire dans",
    ),
    ("report.reason.disk", "disque occupé à"),
    ("report.reason.threshold", " (seuil"),
    ("report.reason.percent", "\u{a0}%"),
    ("report.ch.when", "Quand"),
    ("report.ch.instance", "Instance"),
    ("report.ch.what", "Quoi"),
    ("report.ch.change", "Changement"),
    ("report.ch.from", "Avant"),
    ("report.ch.to", "Après"),
    ("change.upgraded", "mis à jour"),
    ("change.downgraded", "rétrogradé"),
    ("change.added", "ajouté"),
    ("change.removed", "retiré"),
    ("change.activated", "activé"),
    ("change.deactivated", "désactivé"),
    ("change.changed", "modifié"),
    ("report.inv.title", "Dolibarr et modules"),
    (
        "report.inv.none",
        "Pas encore d’inventaire : les instances Dolibarr donnent leur version et leurs modules à chaque",
    ),
    ("report.inv.which", "lesquelles"),
    ("report.inv.own", "Modules avec leurs propres versions"),
    ("report.inv.active", "actif"),
    ("report.inv.core", "Modules du cœur"),
    (
        "report.inv.core_note",
        "(à la version de Dolibarr de leur instance)",
    ),
    ("report.inv.on", "sur"),
    ("report.inv.active_on", "actif sur"),
    ("report.disk.of", "sur"),
    ("report.filling.title", "Disques bientôt pleins"),
    ("report.maintenance", "maintenance"),
    ("report.maintenance.until", "jusqu'au"),
    (
        "report.maintenance_band",
        "fenêtre de maintenance (bande en haut)",
    ),
    ("report.strip.maintenance", "en maintenance"),
    ("status.unreachable", "injoignable"),
    ("report.filling.record", "Élément"),
    ("report.filling.reaches", "Atteint"),
    ("report.filling.on", "Le"),
    ("report.filling.growth", "Croissance"),
    ("report.filling.full", "plein"),
    ("report.filling.per_day", "/jour"),
    (
        "report.filling.note",
        "D'après la tendance des relevés de chaque disque sur les 30 derniers jours.",
    ),
    ("report.slot.of", "vérifications sur"),
    ("report.slot.checks_down", "en échec"),
    ("report.slot.worst", "pire"),
    (
        "report.slot.api_unusable",
        "API de surveillance inutilisable",
    ),
    ("report.slot.rolled_up", "résumé quotidien"),
    ("report.disk.or_more", "ou plus"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(table: &[(&'static str, &'static str)]) -> Vec<&'static str> {
        let mut k: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
        k.sort_unstable();
        k
    }

    #[test]
    fn every_key_has_every_language() {
        let en = keys(EN);
        for lang in Lang::ALL {
            let table = lang.table();
            let mut k = keys(table);
            let before = k.len();
            k.dedup();
            assert_eq!(k.len(), before, "{}: a key twice", lang.as_str());
            assert_eq!(k, en, "{}: not the same keys as English", lang.as_str());
            assert!(
                table.iter().all(|(_, v)| !v.trim().is_empty()),
                "{}: an empty text",
                lang.as_str()
            );
        }
    }

    #[test]
    fn every_key_the_pages_use_exists() {
        // `t("key")` in a template or in the code that builds its pages: each must be in the
        // tables (else the key itself would show), and the `if` keys of `t(if … )` too.
        for source in [
            include_str!("../../templates/sla.html"),
            include_str!("../../templates/report.html"),
            include_str!("sla.rs"),
            include_str!("report.rs"),
            include_str!("i18n.rs"),
        ] {
            for part in source.split("t(\"").skip(1) {
                let key = part.split('"').next().unwrap_or("");
                // Every key is `page.name`; the doc comments' `t("key")` is none.
                if key.contains('.') {
                    assert!(keys(EN).contains(&key), "unknown key {key:?}");
                }
            }
        }
        for key in [
            "report.title",
            "report.title_some",
            "report.instance1",
            "report.instances_n",
            "unit.day1",
            "unit.days",
            "unit.hour1",
            "unit.hours",
            "unit.minute1",
            "unit.minutes",
            "unit.second1",
            "unit.seconds",
        ] {
            assert!(keys(EN).contains(&key), "{key}");
        }
    }

    #[test]
    fn numbers_and_dates_in_each_language() {
        assert_eq!(Lang::Fr.percent(99.951), "99,95\u{a0}%");
        assert_eq!(Lang::En.percent(99.951), "99.95 %");
        assert_eq!(Lang::Fr.percent(100.0), "100,00\u{a0}%");
        assert_eq!(Lang::Fr.target(99.9), "99,9\u{a0}%");
        assert_eq!(Lang::En.target(99.0), "99 %");
        assert_eq!(Lang::En.integer(43_200), "43,200");
        assert_eq!(Lang::Fr.integer(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(Lang::Fr.integer(-999), "-999");
        let d = jiff::civil::date(2026, 12, 2);
        assert_eq!(Lang::Fr.date(d), "2 déc. 2026");
        assert_eq!(Lang::En.date(d), "Dec 2, 2026");
        assert_eq!(Lang::Fr.month(d), "décembre 2026");
        assert_eq!(Lang::Fr.date_time(d.at(9, 5, 0, 0)), "2 déc. 2026 à 09:05");
        assert_eq!(Lang::Fr.minutes(0), "0 min");
        assert_eq!(Lang::Fr.minutes(61), "2 min");
        assert_eq!(Lang::Fr.minutes(2 * 3600 + 300), "2 h 05 min");
        assert_eq!(Lang::Fr.minutes(3 * 86_400 + 4 * 3600), "3 j 4 h");
        assert_eq!(Lang::Fr.span(7 * 86_400), "7 jours");
        assert_eq!(Lang::En.span(3600), "1 hour");
        assert_eq!(Lang::Fr.days(12), "12 jours");
        assert_eq!(Lang::Fr.whole_percent(85.2), "85\u{a0}%");
        assert_eq!(Lang::Fr.change("upgraded"), "mis à jour");
        assert_eq!(Lang::En.change("removed"), "removed");
        assert_eq!(Lang::Fr.word("missing"), "disparu");
        assert_eq!(Lang::En.days(1), "1 day");
        assert_eq!(Lang::Fr.age(0, 300), "il y a 5 min");
        assert_eq!(Lang::En.age(0, 300), "5m ago");
    }

    #[test]
    fn the_locale_decides_the_default() {
        assert_eq!(Lang::from_locale(None, None, Some("fr_FR.UTF-8")), Lang::Fr);
        assert_eq!(
            Lang::from_locale(Some("C"), None, Some("fr_FR.UTF-8")),
            Lang::En
        );
        assert_eq!(
            Lang::from_locale(Some(""), Some("fr_BE"), Some("en_US")),
            Lang::Fr
        );
        assert_eq!(Lang::from_locale(None, None, Some("fr")), Lang::Fr);
        assert_eq!(Lang::from_locale(None, None, Some("french")), Lang::En);
        assert_eq!(Lang::from_locale(None, None, None), Lang::En);
    }
}
