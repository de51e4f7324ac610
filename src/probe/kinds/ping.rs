//! `ping`: a plain GET of any site. Online on a final 2xx/3xx, offline otherwise.

use crate::domain::model::Reading;
use crate::domain::model::Status;
use crate::probe::Target;
use crate::probe::net::http::{self, Http, Options};

pub fn probe(http: &Http, target: &Target) -> Reading {
    let Some(url) = target.url.as_deref() else {
        return Reading::new(Status::Error, "no URL to check");
    };
    let a = &target.assertions;
    let headers = a.header_pairs();
    let options = Options {
        verify: target.verify(),
        signed: false,
        // Only read to time it, unless a pattern must be looked for in it.
        discard_body: !a.needs_body(),
        deadline: None,
        method: a.method.as_deref(),
        headers: &headers,
    };
    match http.get(url, options) {
        Ok(answer) => {
            let status_text = http::status_text(answer.status);
            // "Answered, but not as asserted" is offline too, for a ping.
            let failed = a
                .judge_status(answer.status)
                .or_else(|| a.judge_body(&answer.body));
            let (status, message) = match failed {
                None => (
                    Status::Online,
                    format!("{status_text} in {} ms", answer.elapsed_ms),
                ),
                // The plain "HTTP 503" when nothing was asserted, as before.
                Some(_) if a.is_empty() => (Status::Offline, status_text),
                Some(why) => (Status::Offline, format!("{status_text}: {why}")),
            };
            Reading::with_http(
                status,
                message,
                Some(answer.status),
                Some(answer.elapsed_ms),
            )
        }
        // A ping only knows reachable or not: "answered, but unusably" is offline too.
        Err(failure) => Reading {
            no_answer: failure.no_answer,
            ..Reading::with_http(
                Status::Offline,
                failure.message,
                failure.http_status,
                Some(failure.elapsed_ms),
            )
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ApiKind, RecordType};
    use crate::probe::{Prober, Settings};
    use std::thread;
    use tiny_http::{Response, Server};

    fn ping_target(url: &str) -> Target {
        Target {
            record_type: RecordType::Instance,
            reference: "site".into(),
            kind: ApiKind::Ping,
            url: Some(url.into()),
            token: None,
            remote_name: None,
            probe: Vec::new(),
            insecure_tls: false,
            ca_file: None,
            host: None,
            assertions: Default::default(),
        }
    }

    fn serve_statuses(statuses: &'static [u16]) -> (String, thread::JoinHandle<()>) {
        let server = Server::http("127.0.0.1:0").expect("bind");
        let port = server.server_addr().to_ip().expect("ip").port();
        let handle = thread::spawn(move || {
            // Statuses first: zip stops on them without waiting for one more request.
            for (status, request) in statuses.iter().zip(server.incoming_requests()) {
                let _ = request.respond(Response::from_string("body").with_status_code(*status));
            }
        });
        (format!("http://127.0.0.1:{port}/"), handle)
    }

    #[test]
    fn statuses_map_to_online_and_offline() {
        let (url, server) = serve_statuses(&[200, 304, 503, 404]);
        let prober = Prober::new(Settings::default());
        let target = ping_target(&url);

        let ok = prober.probe(&target);
        assert_eq!((ok.status, ok.http_status), (Status::Online, Some(200)));
        assert!(ok.message.starts_with("HTTP 200 OK in "), "{}", ok.message);
        assert!(ok.response_ms.is_some());

        let not_modified = prober.probe(&target);
        assert_eq!(not_modified.status, Status::Online);

        let unavailable = prober.probe(&target);
        assert_eq!(
            (
                unavailable.status,
                unavailable.message.as_str(),
                unavailable.http_status
            ),
            (Status::Offline, "HTTP 503 Service Unavailable", Some(503))
        );

        let not_found = prober.probe(&target);
        assert_eq!(
            (not_found.status, not_found.message.as_str()),
            (Status::Offline, "HTTP 404 Not Found")
        );
        server.join().expect("server thread");
    }

    #[test]
    fn unreachable_is_offline() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("bind")
            .port();
        let reading = Prober::new(Settings::default())
            .probe(&ping_target(&format!("http://127.0.0.1:{port}/")));
        assert_eq!(
            (
                reading.status,
                reading.message.as_str(),
                reading.http_status
            ),
            (Status::Offline, "connection refused", None)
        );
    }

    #[test]
    fn missing_url_is_an_error() {
        let mut target = ping_target("x");
        target.url = None;
        let reading = Prober::new(Settings::default()).probe(&target);
        assert_eq!(reading.status, Status::Error);
    }
}
