//! `custom`: the user's own probe command, run without a shell, speaking JSON on stdin/stdout
//! (shared/protocols.md, "Custom probes").
//!
//! A host's `instances` become `Discovered` entries whose reading has status `unknown` ("listed
//! by custom probe"): the probe vouches that they exist, not for their state, which their own
//! checks tell.

use serde_json::{Value, json};

use crate::domain::model::{Discovered, Module, Reading};
use crate::domain::model::{RecordType, Status};
use crate::domain::units::{human_duration, shorten};
use crate::exec;
use crate::probe::answer::{self, MAX_LINE, flag, integer, size, text};
use crate::probe::{Settings, Target};

pub fn probe(settings: &Settings, target: &Target) -> Reading {
    let Some((program, args)) = target.probe.split_first() else {
        return Reading::new(Status::Error, "no probe command configured");
    };
    // The token travels only here: never in the arguments or the environment.
    let input = json!({
        "kind": target.record_type.as_str(),
        "ref": target.reference,
        "url": target.url,
        "token": target.token,
        "host": target.host,
    })
    .to_string();

    let run = match exec::run(
        "probe",
        program,
        args,
        &[],
        input.as_bytes(),
        settings.timeout,
        settings.max_body,
    ) {
        Ok(run) => run,
        Err(message) => return Reading::new(Status::Error, message),
    };
    let stderr_line = answer::first_line(&run.stderr);
    let with_stderr = |message: String| match &stderr_line {
        Some(line) => format!("{message}: {line}"),
        None => message,
    };

    if run.interrupted {
        return Reading::new(Status::Error, "probe stopped: webhost was interrupted");
    }
    let Some(exit) = run.exit else {
        let message = format!("probe timed out after {}", human_duration(settings.timeout));
        return Reading::new(Status::Error, with_stderr(message));
    };
    if !exit.success() {
        let how = match exit.code() {
            Some(code) => format!("exit code {code}"),
            None => "killed by a signal".to_string(),
        };
        return Reading::new(Status::Error, with_stderr(format!("probe failed ({how})")));
    }
    let Some(stdout) = run.stdout else {
        return Reading::new(
            Status::Error,
            "probe exited but its output stayed open (a background process holds it?)",
        );
    };
    match parse_output(&stdout, target.record_type) {
        Ok(reading) => reading,
        Err(reason) => Reading::new(
            Status::Error,
            format!(
                "probe gave no usable output: {}",
                stderr_line.unwrap_or(reason)
            ),
        ),
    }
}

/// The reading a probe's stdout describes; Err with the reason when it is unusable.
pub fn parse_output(stdout: &[u8], record_type: RecordType) -> Result<Reading, String> {
    let output = answer::parse_json(stdout).map_err(|error| error.message())?;
    let Value::Object(fields) = &output else {
        return Err("the output is JSON but not an object".into());
    };
    let status = match fields.get("status").and_then(Value::as_str) {
        Some("online") => Status::Online,
        Some("offline") => Status::Offline,
        Some("error") => Status::Error,
        Some(other) => {
            return Err(format!(
                "unknown status \"{}\" (expected online, offline or error)",
                shorten(other, 40)
            ));
        }
        None => return Err("the output has no \"status\"".into()),
    };
    let message = text(fields.get("message"))
        .map(|message| shorten(&message, MAX_LINE))
        .unwrap_or_else(|| format!("probe says {status}"));

    let modules = match fields.get("modules") {
        Some(Value::Array(items)) => Some(items.iter().filter_map(module).collect()),
        _ => None,
    };
    let mut reading = Reading {
        response_ms: fields
            .get("response_ms")
            .and_then(integer)
            .and_then(|ms| u64::try_from(ms).ok()),
        disk_used: size(answer::at(&output, &["disk", "used_bytes"])),
        disk_total: size(answer::at(&output, &["disk", "total_bytes"])),
        dolibarr_version: text(fields.get("version")),
        modules,
        ..Reading::new(status, message)
    };

    if record_type == RecordType::Host
        && let Some(Value::Array(items)) = fields.get("instances")
    {
        let listed: Vec<Discovered> = items.iter().filter_map(discovered).collect();
        if listed.is_empty() {
            // As for server-manager: an empty list proves nothing, so no discovery.
            if reading.status == Status::Online {
                reading.status = Status::Error;
                reading.message = format!("probe lists no instances; {}", reading.message);
            }
        } else {
            reading.discovered = Some(listed);
        }
    }
    Ok(reading)
}

fn module(item: &Value) -> Option<Module> {
    let name = text(item.get("name"))?;
    Some(Module {
        name,
        version: text(item.get("version")),
        // A listed module is there; only an explicit false-ish `active` says otherwise.
        active: item.get("active").is_none() || flag(item.get("active")),
        source: text(item.get("source")),
        editor: text(item.get("editor")),
    })
}

fn discovered(item: &Value) -> Option<Discovered> {
    let (name, url) = match item {
        Value::String(_) => (text(Some(item))?, None),
        Value::Object(_) => (text(item.get("name"))?, text(item.get("url"))),
        _ => return None,
    };
    Some(Discovered {
        name,
        url,
        reading: Some(Reading::new(Status::Unknown, "listed by custom probe")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::ApiKind;
    use crate::probe::{HostLink, Prober};
    use std::time::{Duration, Instant};

    const FIXTURE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/custom-probe-output.json"
    ));

    fn target(record_type: RecordType, command: &[&str]) -> Target {
        Target {
            record_type,
            reference: "cloud".into(),
            kind: ApiKind::Custom,
            url: Some("https://cloud.example/".into()),
            token: Some("probe-s3cret".into()),
            remote_name: None,
            probe: command.iter().map(|s| s.to_string()).collect(),
            insecure_tls: false,
            ca_file: None,
            host: None,
            assertions: Default::default(),
        }
    }

    fn settings(timeout_ms: u64) -> Settings {
        Settings {
            timeout: Duration::from_millis(timeout_ms),
            ..Settings::default()
        }
    }

    #[test]
    fn fixture_output() {
        let reading = parse_output(FIXTURE, RecordType::Instance).expect("usable");
        assert_eq!(reading.status, Status::Online);
        assert_eq!(reading.message, "nextcloud 29.0.4, maintenance off");
        assert_eq!(reading.response_ms, Some(184));
        assert_eq!(reading.disk_used, Some(96_636_764_160));
        assert_eq!(reading.disk_total, Some(214_748_364_800));
        assert_eq!(reading.dolibarr_version.as_deref(), Some("29.0.4"));
        assert_eq!(
            reading.modules,
            Some(vec![
                Module {
                    name: "files_external".into(),
                    version: Some("1.21.0".into()),
                    active: true,
                    source: None,
                    editor: None,
                },
                Module {
                    name: "calendar".into(),
                    version: Some("4.7.16".into()),
                    active: false,
                    source: None,
                    editor: None,
                },
            ])
        );
        assert_eq!(reading.discovered, None);
    }

    #[test]
    fn minimal_and_invalid_outputs() {
        let reading = parse_output(br#"{"status":"offline"}"#, RecordType::Host).expect("usable");
        assert_eq!(
            (reading.status, reading.message.as_str()),
            (Status::Offline, "probe says offline")
        );
        assert_eq!(reading.modules, None);
        assert!(parse_output(br#"{"status":"great"}"#, RecordType::Host).is_err());
        assert!(parse_output(br#"{"message":"hi"}"#, RecordType::Host).is_err());
        assert!(parse_output(b"hello", RecordType::Host).is_err());
        assert!(parse_output(b"", RecordType::Host).is_err());
    }

    #[test]
    fn host_instances_are_discovered() {
        let output = br#"{"status":"online","instances":[{"name":"a","url":"https://a.example/"},"b",{"url":"x"}]}"#;
        let reading = parse_output(output, RecordType::Host).expect("usable");
        let discovered = reading.discovered.expect("discovered");
        assert_eq!(discovered.len(), 2);
        assert_eq!(discovered[0].name, "a");
        assert_eq!(discovered[0].url.as_deref(), Some("https://a.example/"));
        assert_eq!(discovered[1].name, "b");
        assert_eq!(
            discovered[1].reading.as_ref().map(|r| r.status),
            Some(Status::Unknown)
        );

        let empty = parse_output(br#"{"status":"online","instances":[]}"#, RecordType::Host)
            .expect("usable");
        assert_eq!(empty.status, Status::Error);
        assert!(empty.message.starts_with("probe lists no instances"));
        assert_eq!(empty.discovered, None);

        // Instances are for hosts only.
        let instance = parse_output(output, RecordType::Instance).expect("usable");
        assert_eq!(instance.discovered, None);
    }

    #[test]
    fn runs_without_shell_and_hands_the_token_on_stdin_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stdin_copy = dir.path().join("stdin.json");
        let fixture = dir.path().join("out.json");
        std::fs::write(&fixture, FIXTURE).expect("write fixture");
        let stdin_path = stdin_copy.to_str().expect("utf-8 path");
        let fixture_path = fixture.to_str().expect("utf-8 path");
        let mut target = target(
            RecordType::Instance,
            &[
                "sh",
                "-c",
                r#"cat > "$1"; cat "$2""#,
                "sh",
                stdin_path,
                fixture_path,
            ],
        );
        target.host = Some(HostLink {
            reference: "srv1".into(),
            url: Some("https://srv1.example/".into()),
        });
        let reading = Prober::new(settings(10_000)).probe(&target);
        assert_eq!(reading.status, Status::Online, "{}", reading.message);
        assert_eq!(reading.disk_used, Some(96_636_764_160));

        let sent: Value =
            serde_json::from_slice(&std::fs::read(&stdin_copy).expect("stdin copy")).expect("json");
        assert_eq!(
            sent,
            json!({
                "kind": "instance",
                "ref": "cloud",
                "url": "https://cloud.example/",
                "token": "probe-s3cret",
                "host": {"ref": "srv1", "url": "https://srv1.example/"}
            })
        );
        assert!(!target.probe.iter().any(|arg| arg.contains("probe-s3cret")));
    }

    #[test]
    fn failing_probe_reports_its_first_stderr_line_without_the_token() {
        let target = target(
            RecordType::Host,
            &[
                "sh",
                "-c",
                "echo; echo 'cannot log in with probe-s3cret' >&2; echo second >&2; exit 3",
            ],
        );
        let reading = Prober::new(settings(10_000)).probe(&target);
        assert_eq!(
            (reading.status, reading.message.as_str()),
            (
                Status::Error,
                "probe failed (exit code 3): cannot log in with ***"
            )
        );
    }

    #[test]
    fn unparsable_output_is_an_error() {
        let quiet = target(RecordType::Host, &["sh", "-c", "echo hello"]);
        let reading = Prober::new(settings(10_000)).probe(&quiet);
        assert_eq!(
            (reading.status, reading.message.as_str()),
            (
                Status::Error,
                "probe gave no usable output: answer is not JSON: hello"
            )
        );
        let noisy = target(
            RecordType::Host,
            &["sh", "-c", "echo hello; echo 'bad config' >&2"],
        );
        let reading = Prober::new(settings(10_000)).probe(&noisy);
        assert_eq!(reading.message, "probe gave no usable output: bad config");
    }

    #[test]
    fn slow_probe_is_killed_at_the_timeout() {
        let started = Instant::now();
        let slow = target(
            RecordType::Host,
            &["sh", "-c", "echo waiting >&2; exec sleep 5"],
        );
        let reading = Prober::new(settings(300)).probe(&slow);
        assert_eq!(reading.status, Status::Error);
        assert_eq!(reading.message, "probe timed out after 300 ms: waiting");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn background_process_holding_the_pipes_does_not_stall() {
        let started = Instant::now();
        let sneaky = target(RecordType::Host, &["sh", "-c", "sleep 3 & wait"]);
        let reading = Prober::new(settings(300)).probe(&sneaky);
        assert_eq!(reading.status, Status::Error);
        assert_eq!(reading.message, "probe timed out after 300 ms");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn missing_program_or_command() {
        let reading = Prober::new(settings(10_000))
            .probe(&target(RecordType::Host, &["/nonexistent/webhost-probe"]));
        assert_eq!(reading.status, Status::Error);
        assert!(
            reading
                .message
                .starts_with("could not run probe /nonexistent/webhost-probe:"),
            "{}",
            reading.message
        );
        let reading = Prober::new(settings(10_000)).probe(&target(RecordType::Host, &[]));
        assert_eq!(
            (reading.status, reading.message.as_str()),
            (Status::Error, "no probe command configured")
        );
    }
}
