//! PEM texts (RFC 7468): every block, with its label.
//!
//! Tolerates CRLF line ends, white space around lines, and any text between blocks (OpenSSL writes
//! "Bag Attributes" there when exporting PKCS#12). Refuses blocks that do not close, that close
//! under another label, that carry RFC 1421 headers (legacy encrypted keys), or whose base64 is
//! malformed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::CertError;

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// Every PEM block of a text, in order: its label (such as `CERTIFICATE`, `PRIVATE KEY`,
/// `RSA PRIVATE KEY`, `EC PRIVATE KEY`) and its decoded bytes. A text without blocks gives none.
pub fn pem_blocks(text: &[u8]) -> Result<Vec<(String, Vec<u8>)>, CertError> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, Vec<u8>)> = None;
    for line in text.split(|b| *b == b'\n').map(<[u8]>::trim_ascii) {
        open = match (open, boundary(line, BEGIN), boundary(line, END)) {
            (None, Some(label), _) => Some((label?, Vec::new())),
            (None, None, Some(_)) => return Err(CertError::new("PEM END line without a BEGIN line")),
            (None, None, None) => None,
            (Some((label, base64)), _, Some(end)) => {
                if end? != label {
                    return Err(CertError::new(format!("PEM block {label} closes with another label")));
                }
                let der = STANDARD.decode(&base64).map_err(|e| CertError::new(format!("PEM block {label}: {e}")))?;
                blocks.push((label, der));
                None
            }
            (Some((label, _)), Some(_), None) => {
                return Err(CertError::new(format!("PEM block {label} does not close before the next one")));
            }
            (Some((label, _)), None, None) if line.contains(&b':') => {
                return Err(CertError::new(format!("PEM block {label} has headers (a legacy encrypted key?)")));
            }
            (Some((label, mut base64)), None, None) => {
                base64.extend_from_slice(line);
                Some((label, base64))
            }
        };
    }
    match open {
        Some((label, _)) => Err(CertError::new(format!("PEM block {label} does not close"))),
        None => Ok(blocks),
    }
}

/// The label of a `-----BEGIN label-----` (or END) line; `None` when the line is not one.
fn boundary(line: &[u8], kind: &[u8]) -> Option<Result<String, CertError>> {
    let label = line.strip_prefix(kind)?.strip_suffix(DASHES)?;
    Some(match std::str::from_utf8(label) {
        Ok(label) if label.bytes().all(|b| b.is_ascii_graphic() || b == b' ') => Ok(label.to_owned()),
        _ => Err(CertError::new("PEM boundary line with a malformed label")),
    })
}

#[cfg(test)]
mod tests {
    use super::pem_blocks;

    #[test]
    fn blocks_with_surrounding_text() {
        let text = b"Bag Attributes\r\n    localKeyID: 01\r\n-----BEGIN PRIVATE KEY-----\r\nAAEC\r\nAw==\r\n-----END PRIVATE KEY-----\r\ntrailer\n-----BEGIN CERTIFICATE-----\n/w==\n-----END CERTIFICATE-----";
        let blocks = pem_blocks(text).ok();
        let expected = vec![("PRIVATE KEY".to_owned(), vec![0, 1, 2, 3]), ("CERTIFICATE".to_owned(), vec![0xff])];
        assert_eq!(blocks, Some(expected));
        assert_eq!(pem_blocks(b"no blocks here").ok(), Some(vec![]));
    }

    #[test]
    fn malformed_blocks() {
        for text in [
            &b"-----BEGIN X-----\nAAE!\n-----END X-----"[..],
            b"-----BEGIN X-----\nAAE\n-----END X-----",
            b"-----BEGIN X-----\nAAEC\n-----END Y-----",
            b"-----BEGIN X-----\nAAEC\n",
            b"-----END X-----",
            b"-----BEGIN X-----\n-----BEGIN X-----\n-----END X-----",
            b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAEC\n-----END RSA PRIVATE KEY-----",
            b"-----BEGIN \xff-----\n-----END \xff-----",
        ] {
            assert!(pem_blocks(text).is_err(), "{}", String::from_utf8_lossy(text));
        }
    }
}
