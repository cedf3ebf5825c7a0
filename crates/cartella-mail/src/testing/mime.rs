//! Just enough MIME (RFC 2045–2047) to read back what lettre writes: folded headers, nested
//! multiparts, base64 and quoted-printable bodies, encoded words in headers. UTF-8 only.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Splits an entity into its unfolded headers and its body.
pub(super) fn split_entity(entity: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = match entity.find("\r\n\r\n") {
        Some(i) => (&entity[..i], &entity[i + 4..]),
        None => match entity.find("\n\n") {
            Some(i) => (&entity[..i], &entity[i + 2..]),
            None => (entity, ""),
        },
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

pub(super) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Decodes the first part of type `wanted` (e.g. `text/plain`) found depth-first in a message.
pub(super) fn find_part(message: &str, wanted: &str) -> Option<String> {
    // A single-part message ends with the line break lettre writes after every part body (in a
    // multipart that break belongs to the next delimiter, so it is dropped there too).
    let message = message.strip_suffix("\r\n").unwrap_or(message);
    find_in_entity(message, wanted)
}

fn find_in_entity(entity: &str, wanted: &str) -> Option<String> {
    let (headers, body) = split_entity(entity);
    let content_type = header(&headers, "Content-Type").unwrap_or("text/plain");
    let (kind, params) = parse_content_type(content_type);
    if kind.starts_with("multipart/") {
        let boundary = params
            .iter()
            .find(|(k, _)| k == "boundary")
            .map(|(_, v)| v.as_str())?;
        return split_multipart(body, boundary)
            .into_iter()
            .find_map(|part| find_in_entity(part, wanted));
    }
    if kind != wanted {
        return None;
    }
    let encoding = header(&headers, "Content-Transfer-Encoding").unwrap_or("7bit");
    let bytes = decode_body(body, &encoding.to_ascii_lowercase());
    Some(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
}

/// `text/plain; charset=utf-8` → (`text/plain`, [(`charset`, `utf-8`)]); names lowercased.
fn parse_content_type(value: &str) -> (String, Vec<(String, String)>) {
    let mut pieces = value.split(';');
    let kind = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
    let params = pieces
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            let v = v.trim().trim_matches('"');
            (k.trim().to_ascii_lowercase(), v.to_owned())
        })
        .collect();
    (kind, params)
}

/// The body parts between `--boundary` lines, each without the line break before the next
/// delimiter (which belongs to the delimiter).
fn split_multipart<'a>(body: &'a str, boundary: &str) -> Vec<&'a str> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    // Skip the preamble.
    let Some(start) = rest.find(&delimiter) else {
        return parts;
    };
    rest = &rest[start + delimiter.len()..];
    loop {
        if rest.starts_with("--") {
            break; // closing delimiter
        }
        let after_line = rest.find('\n').map_or("", |i| &rest[i + 1..]);
        let Some(end) = after_line.find(&delimiter) else {
            break;
        };
        let part = &after_line[..end];
        let part = part.strip_suffix('\n').unwrap_or(part);
        parts.push(part.strip_suffix('\r').unwrap_or(part));
        rest = &after_line[end + delimiter.len()..];
    }
    parts
}

fn decode_body(body: &str, encoding: &str) -> Vec<u8> {
    match encoding {
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            STANDARD.decode(compact).unwrap_or_default()
        }
        "quoted-printable" => {
            quoted_printable::decode(body, quoted_printable::ParseMode::Robust).unwrap_or_default()
        }
        _ => body.as_bytes().to_vec(),
    }
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); whitespace between two
/// adjacent encoded words is dropped, as the RFC says.
pub(super) fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut pending_space = String::new();
    let mut after_word = false;
    while !rest.is_empty() {
        if let Some((decoded, len)) = encoded_word(rest) {
            if !after_word {
                out.push_str(&pending_space);
            }
            pending_space.clear();
            out.push_str(&decoded);
            rest = &rest[len..];
            after_word = true;
            continue;
        }
        let ch = rest.chars().next().unwrap_or(' ');
        rest = &rest[ch.len_utf8()..];
        if ch.is_whitespace() {
            pending_space.push(ch);
        } else {
            out.push_str(&pending_space);
            pending_space.clear();
            out.push(ch);
            after_word = false;
        }
    }
    out.push_str(&pending_space);
    out
}

/// Decodes one encoded word at the start of `text`, returning it and its length in `text`.
fn encoded_word(text: &str) -> Option<(String, usize)> {
    let inner = text.strip_prefix("=?")?;
    let (_charset, inner) = inner.split_once('?')?;
    let (encoding, inner) = inner.split_once('?')?;
    let end = inner.find("?=")?;
    let payload = &inner[..end];
    if payload.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding {
        "b" | "B" => STANDARD.decode(payload).ok()?,
        "q" | "Q" => quoted_printable::decode(
            payload.replace('_', " "),
            quoted_printable::ParseMode::Robust,
        )
        .ok()?,
        _ => return None,
    };
    let consumed = text.len() - inner.len() + end + 2;
    Some((String::from_utf8_lossy(&bytes).into_owned(), consumed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_adjacent_encoded_words() {
        assert_eq!(
            decode_words("=?utf-8?b?R3LDtsOfZQ==?=\r\n =?utf-8?q?_f=C3=BCr?= dich"),
            "Größe für dich"
        );
        assert_eq!(decode_words("plain  subject"), "plain  subject");
    }

    #[test]
    fn finds_nested_parts() {
        let mail = "Subject: x\r\nContent-Type: multipart/mixed; boundary=\"out\"\r\n\r\n\
            preamble\r\n--out\r\nContent-Type: multipart/alternative; boundary=in\r\n\r\n\
            --in\r\nContent-Type: text/plain; charset=utf-8\r\n\
            Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=B6=C3=9Fe\r\nzwei\r\n\
            --in\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n\
            PHA+aGk8L3A+\r\n--in--\r\n\r\n--out--\r\n";
        assert_eq!(find_part(mail, "text/plain").unwrap(), "Größe\nzwei");
        assert_eq!(find_part(mail, "text/html").unwrap(), "<p>hi</p>");
        assert_eq!(find_part(mail, "image/png"), None);
    }

    #[test]
    fn single_part_without_content_type_is_plain_text() {
        assert_eq!(
            find_part("Subject: x\r\n\r\nhello\r\n", "text/plain").unwrap(),
            "hello"
        );
    }
}
