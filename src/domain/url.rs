//! Internationalised URLs: what the user wrote is stored and shown (in Unicode), what goes on
//! the wire is its ASCII form (IDNA/UTS 46 for the host, as curl and browsers send it: DNS,
//! SNI and the Host header; percent-encoded UTF-8 for the path and query).

use std::borrow::Cow;
use std::fmt::Write as _;

use idna::AsciiDenyList;

/// The parts of `scheme://[userinfo@]host[:port]rest`, as slices of the URL; None when it has
/// no `://` (the caller's parser says what is wrong with it).
struct Parts<'a> {
    /// Up to and including `://`, and the userinfo with its `@`.
    head: &'a str,
    host: &'a str,
    /// `:port` and everything after the authority.
    tail: &'a str,
}

fn split(url: &str) -> Option<Parts<'_>> {
    let start = url.find("://")? + 3;
    let authority_len = url[start..]
        .find(['/', '?', '#'])
        .unwrap_or(url.len() - start);
    let authority = &url[start..start + authority_len];
    let host_at = start + authority.rfind('@').map_or(0, |at| at + 1);
    let host_and_port = &url[host_at..start + authority_len];
    let host_len = if host_and_port.starts_with('[') {
        host_and_port
            .find(']')
            .map_or(host_and_port.len(), |at| at + 1)
    } else {
        host_and_port.rfind(':').unwrap_or(host_and_port.len())
    };
    Some(Parts {
        head: &url[..host_at],
        host: &url[host_at..host_at + host_len],
        tail: &url[host_at + host_len..],
    })
}

/// The URL as sent: its host in IDNA's ASCII form, non-ASCII bytes elsewhere percent-encoded.
/// Borrowed (unchanged) when it is ASCII already. The error says why IDNA refuses the name.
pub fn to_ascii(url: &str) -> Result<Cow<'_, str>, String> {
    if url.is_ascii() {
        return Ok(Cow::Borrowed(url));
    }
    let Some(parts) = split(url) else {
        return Ok(Cow::Owned(percent_encode_non_ascii(url)));
    };
    let host = if parts.host.is_ascii() {
        Cow::Borrowed(parts.host)
    } else {
        idna::domain_to_ascii_cow(parts.host.as_bytes(), AsciiDenyList::URL).map_err(|_| {
            format!(
                "'{}' is not a valid internationalised domain name (IDNA refuses it)",
                parts.host
            )
        })?
    };
    Ok(Cow::Owned(format!(
        "{}{host}{}",
        percent_encode_non_ascii(parts.head),
        percent_encode_non_ascii(parts.tail)
    )))
}

/// The URL for people: a host written in IDNA's ASCII form (`xn--…`) shown in Unicode, when
/// IDNA decodes it cleanly; anything else unchanged.
pub fn to_unicode(url: &str) -> Cow<'_, str> {
    let Some(parts) = split(url) else {
        return Cow::Borrowed(url);
    };
    match host_to_unicode(parts.host) {
        Cow::Borrowed(_) => Cow::Borrowed(url),
        Cow::Owned(host) => Cow::Owned(format!("{}{host}{}", parts.head, parts.tail)),
    }
}

/// A host name for people: see `to_unicode`.
pub fn host_to_unicode(host: &str) -> Cow<'_, str> {
    let encoded = host
        .split('.')
        .any(|label| label.len() > 4 && label[..4].eq_ignore_ascii_case("xn--"));
    if !encoded {
        return Cow::Borrowed(host);
    }
    match idna::domain_to_unicode(host) {
        (unicode, Ok(())) => Cow::Owned(unicode),
        (_, Err(_)) => Cow::Borrowed(host),
    }
}

fn percent_encode_non_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accented_host_goes_out_in_its_ascii_form() {
        assert_eq!(
            to_ascii("https://boulangerie-crème.fr/").expect("valid"),
            "https://xn--boulangerie-crme-6pb.fr/"
        );
        assert_eq!(
            to_ascii("https://u:p@BOULANGERIE-CRÈME.fr:8443/get-data.php?x=1").expect("valid"),
            "https://u:p@xn--boulangerie-crme-6pb.fr:8443/get-data.php?x=1",
            "credentials and port kept, the name lower-cased as IDNA maps it"
        );
        assert_eq!(
            to_ascii("https://café.example/menu/crème?q=é#à").expect("valid"),
            "https://xn--caf-dma.example/menu/cr%C3%A8me?q=%C3%A9#%C3%A0"
        );
        assert_eq!(
            to_ascii("http://[::1]:8080/é").expect("valid"),
            "http://[::1]:8080/%C3%A9"
        );
    }

    #[test]
    fn an_ascii_url_is_left_as_it_is() {
        let url = "https://Erp.Example.com:443/a_b?token=x";
        assert!(matches!(to_ascii(url), Ok(Cow::Borrowed(u)) if u == url));
    }

    #[test]
    fn a_name_idna_rejects_is_refused_with_the_reason() {
        // A label may not start with a combining mark.
        let why = to_ascii("https://\u{0301}bad.fr/").expect_err("invalid");
        assert!(
            why.contains("not a valid internationalised domain name"),
            "{why}"
        );
    }

    #[test]
    fn the_ascii_form_is_shown_in_unicode() {
        assert_eq!(
            to_unicode("https://xn--boulangerie-crme-6pb.fr/get-data.php"),
            "https://boulangerie-crème.fr/get-data.php"
        );
        assert_eq!(to_unicode("https://erp.example/"), "https://erp.example/");
        // Not valid punycode: shown as written, not as replacement characters.
        assert_eq!(to_unicode("https://xn--zz-!!.fr/"), "https://xn--zz-!!.fr/");
    }
}
