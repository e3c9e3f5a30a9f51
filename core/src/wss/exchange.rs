//! The state one side of a request/response exchange keeps between its two messages, and its
//! byte encoding, so that a C host or the sidecar (which seals it) can carry it.

use std::sync::Arc;

use crate::cert::Certificate;
use crate::crypto::SymmetricKey;
use crate::error::{Error, ErrorCode};

use super::Profile;
use super::trust::TrustedCertificate;

/// The state one side of a request/response exchange keeps between its two messages. A client
/// gets it from [`super::Engine::secure`] of a request and passes it to
/// [`super::Engine::open`] of the response; a service gets it from `open` of the request and
/// passes it to `secure` of the response.
#[derive(Clone, Debug, Default)]
pub struct Exchange {
    /// The other side's certificate: the request's signer, for a service's response.
    pub peer: Option<Arc<TrustedCertificate>>,
    /// The request's WS-Addressing MessageID, to which a response must relate.
    pub message_id: Option<String>,
    /// The signature values the request carried (the WCF profile confirms them in the response).
    pub signature_values: Vec<Vec<u8>>,
    /// The profile that made the state; the other message must be handled by the same one.
    pub profile: Profile,
    /// The request's symmetric key (WCF profile): the response's keys derive from it. Zeroized
    /// on drop.
    pub key: Option<SymmetricKey>,
    /// SHA-1 of the request's wrapped key octets (WCF profile): the response names the key by it.
    pub encrypted_key_sha1: Option<Vec<u8>>,
}

/// The first byte of an encoded exchange: the encoding's version.
const VERSION: u8 = 1;
/// The largest encoded exchange accepted (certificates and signature values are small).
const MAX_ENCODED: usize = 256 * 1024;

/// The field tags of the encoding.
mod tag {
    pub const PEER_CERTIFICATE: u8 = 1;
    pub const MESSAGE_ID: u8 = 2;
    pub const SIGNATURE_VALUE: u8 = 3;
    pub const PROFILE: u8 = 4;
    pub const KEY: u8 = 5;
    pub const ENCRYPTED_KEY_SHA1: u8 = 6;
}

/// The byte of a profile in the encoding.
fn profile_byte(profile: Profile) -> u8 {
    match profile {
        Profile::Wss10 => 0,
        Profile::WcfMutualCertificate => 1,
    }
}

impl Exchange {
    /// Encodes the exchange: a version byte, then fields as tag (1 byte), length (4 bytes,
    /// big-endian) and value. The encoding is an opaque token for the caller to hold; it may carry
    /// key material in later profiles, so keep it in memory or sealed, never in logs.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        if let Some(peer) = &self.peer {
            push_field(&mut out, tag::PEER_CERTIFICATE, peer.certificate.der());
        }
        if let Some(id) = &self.message_id {
            push_field(&mut out, tag::MESSAGE_ID, id.as_bytes());
        }
        for value in &self.signature_values {
            push_field(&mut out, tag::SIGNATURE_VALUE, value);
        }
        if self.profile != Profile::default() {
            push_field(&mut out, tag::PROFILE, &[profile_byte(self.profile)]);
        }
        if let Some(key) = &self.key {
            push_field(&mut out, tag::KEY, key.as_bytes());
        }
        if let Some(hash) = &self.encrypted_key_sha1 {
            push_field(&mut out, tag::ENCRYPTED_KEY_SHA1, hash);
        }
        out
    }

    /// Decodes what [`Exchange::to_bytes`] wrote. Any other input — another version, an unknown
    /// or repeated field, a truncated one — is [`ErrorCode::ExchangeInvalid`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_ENCODED {
            return Err(invalid(format!("the exchange state is {} bytes, above {MAX_ENCODED}", bytes.len())));
        }
        let (&version, mut rest) = bytes.split_first().ok_or_else(|| invalid("the exchange state is empty"))?;
        if version != VERSION {
            return Err(invalid(format!("the exchange state has version {version}, not {VERSION}")));
        }
        let mut exchange = Exchange::default();
        let mut seen_profile = false;
        while !rest.is_empty() {
            let (field, value, after) = split_field(rest)?;
            rest = after;
            match field {
                tag::PEER_CERTIFICATE if exchange.peer.is_none() => {
                    let certificate = Certificate::from_der(value)
                        .map_err(|e| invalid(format!("the exchange's peer certificate cannot be read: {e}")))?;
                    exchange.peer = Some(Arc::new(TrustedCertificate::new(certificate)?));
                }
                tag::MESSAGE_ID if exchange.message_id.is_none() => {
                    let id =
                        std::str::from_utf8(value).map_err(|_| invalid("the exchange's message id is not UTF-8"))?;
                    exchange.message_id = Some(id.to_owned());
                }
                tag::SIGNATURE_VALUE => exchange.signature_values.push(value.to_vec()),
                tag::PROFILE if !seen_profile => {
                    seen_profile = true;
                    exchange.profile = match value {
                        [1] => Profile::WcfMutualCertificate,
                        _ => return Err(invalid("the exchange names an unknown profile")),
                    };
                }
                tag::KEY if exchange.key.is_none() && matches!(value.len(), 16 | 24 | 32) => {
                    exchange.key = Some(SymmetricKey::from_slice(value));
                }
                tag::ENCRYPTED_KEY_SHA1 if exchange.encrypted_key_sha1.is_none() && value.len() == 20 => {
                    exchange.encrypted_key_sha1 = Some(value.to_vec());
                }
                _ => {
                    return Err(invalid(format!(
                        "the exchange state has an unknown, repeated or malformed field {field}"
                    )));
                }
            }
        }
        Ok(exchange)
    }
}

fn push_field(out: &mut Vec<u8>, field: u8, value: &[u8]) {
    out.push(field);
    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
    out.extend_from_slice(value);
}

/// Splits the first field off `bytes`: its tag, its value, and what follows it.
fn split_field(bytes: &[u8]) -> Result<(u8, &[u8], &[u8]), Error> {
    let truncated = || invalid("the exchange state is truncated");
    let (&field, rest) = bytes.split_first().ok_or_else(truncated)?;
    let (length, rest) = rest.split_first_chunk::<4>().ok_or_else(truncated)?;
    let length = u32::from_be_bytes(*length) as usize;
    if rest.len() < length {
        return Err(truncated());
    }
    let (value, rest) = rest.split_at(length);
    Ok((field, value, rest))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ExchangeInvalid, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_exchange_round_trips() {
        let decoded = Exchange::from_bytes(&Exchange::default().to_bytes()).unwrap();
        assert!(decoded.peer.is_none() && decoded.message_id.is_none() && decoded.signature_values.is_empty());
    }

    #[test]
    fn fields_round_trip() {
        let exchange = Exchange {
            message_id: Some("urn:uuid:1".into()),
            signature_values: vec![vec![1, 2, 3], vec![]],
            ..Default::default()
        };
        let decoded = Exchange::from_bytes(&exchange.to_bytes()).unwrap();
        assert_eq!(decoded.message_id.as_deref(), Some("urn:uuid:1"));
        assert_eq!(decoded.signature_values, exchange.signature_values);
        assert_eq!(decoded.profile, Profile::Wss10);
        assert!(decoded.key.is_none() && decoded.encrypted_key_sha1.is_none());
    }

    #[test]
    fn wcf_fields_round_trip() {
        let exchange = Exchange {
            profile: Profile::WcfMutualCertificate,
            key: Some(SymmetricKey::from_slice(&[7; 32])),
            encrypted_key_sha1: Some(vec![9; 20]),
            signature_values: vec![vec![1; 20], vec![2; 256]],
            ..Default::default()
        };
        let decoded = Exchange::from_bytes(&exchange.to_bytes()).unwrap();
        assert_eq!(decoded.profile, Profile::WcfMutualCertificate);
        assert_eq!(decoded.key.as_ref().map(|k| k.as_bytes().to_vec()), Some(vec![7; 32]));
        assert_eq!(decoded.encrypted_key_sha1, Some(vec![9; 20]));
        assert_eq!(decoded.signature_values, exchange.signature_values);
    }

    #[test]
    fn malformed_wcf_fields_are_refused() {
        for (field, value) in [
            (tag::PROFILE, &[7u8][..]),
            (tag::PROFILE, &[][..]),
            (tag::KEY, &[1; 5][..]),
            (tag::ENCRYPTED_KEY_SHA1, &[1; 19][..]),
        ] {
            let mut bytes = vec![VERSION];
            push_field(&mut bytes, field, value);
            assert_eq!(Exchange::from_bytes(&bytes).unwrap_err().code(), ErrorCode::ExchangeInvalid, "{field}");
        }
        let twice = Exchange { profile: Profile::WcfMutualCertificate, ..Default::default() }.to_bytes();
        let twice = [&twice[..], &twice[1..]].concat();
        assert_eq!(Exchange::from_bytes(&twice).unwrap_err().code(), ErrorCode::ExchangeInvalid);
    }

    #[test]
    fn damaged_encodings_are_refused() {
        let good = Exchange { message_id: Some("m".into()), ..Default::default() }.to_bytes();
        let mut repeated = good.clone();
        repeated.extend_from_slice(&good[1..]);
        let mut unknown = good.clone();
        unknown[1] = 99;
        let wrong_version = [&[2u8][..], &good[1..]].concat();
        for bad in [&[][..], &good[..good.len() - 1], &good[..3], &repeated, &unknown, &wrong_version] {
            assert_eq!(Exchange::from_bytes(bad).unwrap_err().code(), ErrorCode::ExchangeInvalid, "{bad:?}");
        }
    }

    #[test]
    fn a_bad_peer_certificate_is_refused() {
        let mut bytes = vec![VERSION];
        push_field(&mut bytes, tag::PEER_CERTIFICATE, b"not DER");
        assert_eq!(Exchange::from_bytes(&bytes).unwrap_err().code(), ErrorCode::ExchangeInvalid);
    }
}
