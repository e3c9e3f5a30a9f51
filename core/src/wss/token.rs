//! Security tokens and the references to them: `wsse:BinarySecurityToken` with an X.509
//! certificate, a certificate path (X509PKIPathv1) or a PKCS7 set, and the
//! `wsse:SecurityTokenReference` forms of the X.509 Token Profile.

use std::borrow::Cow;

use crate::cert::Certificate;
use crate::dsig::DSIG_NS;
use crate::encoding::{decode_base64, push_attribute_value, push_base64, push_text};
use crate::error::{Error, ErrorCode};
use crate::shape::{ChildCursor, fragment_of, required_attribute, text_only};
use crate::soap::WSSE_NS;
use crate::xml::{Document, Element, ElementId};

use super::KeyReference;

/// The WS-Security 1.1 extension namespace.
pub const WSSE11_NS: &str = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
/// ValueType of an X.509 v3 certificate token.
pub const X509V3: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
/// ValueType of a certificate path token: a PkiPath, the end entity last.
pub const X509_PKI_PATH: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1";
/// ValueType of a PKCS #7 SignedData token carrying certificates.
pub const PKCS7: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7";
/// ValueType of a subjectKeyIdentifier key identifier.
pub const X509_SKI: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier";
/// ValueType of a SHA-1 thumbprint key identifier (WSS 1.1).
pub const THUMBPRINT_SHA1: &str = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1";
/// ValueType of a key identifier naming an EncryptedKey by SHA-1 of its octets (WSS 1.1).
pub const ENCRYPTED_KEY_SHA1: &str =
    "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKeySHA1";
/// TokenType/ValueType of an EncryptedKey token (WSS 1.1).
pub const ENCRYPTED_KEY_TOKEN: &str = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKey";
/// EncodingType of base64 content.
pub const BASE64_BINARY: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/// The largest certificate accepted in a token.
const MAX_CERTIFICATE_LEN: usize = 64 * 1024;
/// The largest certificate path (X509PKIPathv1 or PKCS7) accepted in a token.
const MAX_PATH_LEN: usize = 4 * MAX_CERTIFICATE_LEN;
/// The most certificates a message may carry besides its signer's, as candidate intermediates.
pub const MAX_CANDIDATE_CERTIFICATES: usize = 8;

/// What a `ds:KeyInfo` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenReference<'a> {
    /// A `wsse:Reference` to a token in this message, by Id.
    Local(Cow<'a, str>),
    /// A subjectKeyIdentifier.
    SubjectKeyIdentifier(Vec<u8>),
    /// A SHA-1 thumbprint of the certificate.
    Thumbprint(Vec<u8>),
    /// The certificate itself (a `KeyIdentifier` of type X509v3 or a `ds:X509Certificate`).
    Certificate(Vec<u8>),
    /// SHA-1 of an EncryptedKey's octets (WSS 1.1 `EncryptedKeySHA1`): a key of an earlier
    /// message of the exchange, never a certificate.
    EncryptedKeySha1(Vec<u8>),
    /// Issuer name and serial number.
    IssuerSerial {
        /// The X509IssuerName.
        issuer: Cow<'a, str>,
        /// The X509SerialNumber, in decimal.
        serial: Cow<'a, str>,
    },
}

impl TokenReference<'_> {
    /// True when this reference names `certificate` by a key identifier, issuer/serial or value.
    /// A local reference names a token, not a certificate: it never matches here.
    pub fn names(&self, certificate: &Certificate) -> bool {
        match self {
            Self::Local(_) | Self::EncryptedKeySha1(_) => false,
            Self::SubjectKeyIdentifier(ski) => certificate.subject_key_identifier() == Some(ski.as_slice()),
            Self::Thumbprint(thumbprint) => certificate.thumbprint_sha1().as_slice() == thumbprint.as_slice(),
            Self::Certificate(der) => certificate.der() == der.as_slice(),
            Self::IssuerSerial { issuer, serial } => {
                certificate.serial_matches(serial) && certificate.issuer_matches(issuer)
            }
        }
    }
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::SecurityHeaderMalformed, message)
}

/// Reads the reference inside a `ds:KeyInfo`: one `wsse:SecurityTokenReference`, or one
/// `ds:X509Data`. Anything else (KeyValue, KeyName, RetrievalMethod, ...) is refused.
pub fn read_key_info<'a>(doc: &Document<'a>, key_info: Element<'_, 'a>) -> Result<TokenReference<'a>, Error> {
    let mut children = ChildCursor::new(key_info, ErrorCode::SecurityHeaderMalformed);
    let reference = if let Some(str_) = children.optional(WSSE_NS, "SecurityTokenReference") {
        read_security_token_reference(doc, str_)?
    } else if let Some(x509) = children.optional(DSIG_NS, "X509Data") {
        read_x509_data(doc, x509)?
    } else {
        return Err(malformed("KeyInfo must hold one SecurityTokenReference or X509Data"));
    };
    children.finish()?;
    Ok(reference)
}

/// Reads a `wsse:SecurityTokenReference`.
pub fn read_security_token_reference<'a>(
    doc: &Document<'a>,
    str_: Element<'_, 'a>,
) -> Result<TokenReference<'a>, Error> {
    let mut children = ChildCursor::new(str_, ErrorCode::SecurityHeaderMalformed);
    let reference = if let Some(reference) = children.optional(WSSE_NS, "Reference") {
        let uri = required_attribute(&reference, "URI", ErrorCode::SecurityHeaderMalformed)?;
        TokenReference::Local(
            fragment_of(uri).ok_or_else(|| malformed("a wsse:Reference must be a same-document reference (#id)"))?,
        )
    } else if let Some(identifier) = children.optional(WSSE_NS, "KeyIdentifier") {
        read_key_identifier(doc, identifier)?
    } else if let Some(x509) = children.optional(DSIG_NS, "X509Data") {
        read_x509_data(doc, x509)?
    } else {
        return Err(malformed("SecurityTokenReference must hold Reference, KeyIdentifier or X509Data"));
    };
    children.finish()?;
    Ok(reference)
}

fn read_key_identifier<'a>(doc: &Document<'a>, identifier: Element<'_, 'a>) -> Result<TokenReference<'a>, Error> {
    let value_type = required_attribute(&identifier, "ValueType", ErrorCode::SecurityHeaderMalformed)?;
    if let Some(encoding) = identifier.attribute("", "EncodingType")
        && encoding.value() != BASE64_BINARY
    {
        return Err(malformed(format!("KeyIdentifier EncodingType {} is not Base64Binary", encoding.value())));
    }
    let value = decode_base64(&text_only(doc, &identifier, ErrorCode::SecurityHeaderMalformed)?, MAX_CERTIFICATE_LEN)
        .ok_or_else(|| malformed("KeyIdentifier is not base64"))?;
    Ok(match value_type.as_ref() {
        X509_SKI => TokenReference::SubjectKeyIdentifier(value),
        THUMBPRINT_SHA1 => TokenReference::Thumbprint(value),
        X509V3 => TokenReference::Certificate(value),
        ENCRYPTED_KEY_SHA1 => TokenReference::EncryptedKeySha1(value),
        other => return Err(malformed(format!("KeyIdentifier ValueType {other} is not supported"))),
    })
}

fn read_x509_data<'a>(doc: &Document<'a>, x509: Element<'_, 'a>) -> Result<TokenReference<'a>, Error> {
    let mut children = ChildCursor::new(x509, ErrorCode::SecurityHeaderMalformed);
    let reference = if let Some(issuer_serial) = children.optional(DSIG_NS, "X509IssuerSerial") {
        let mut parts = ChildCursor::new(issuer_serial, ErrorCode::SecurityHeaderMalformed);
        let issuer = text_only(doc, &parts.required(DSIG_NS, "X509IssuerName")?, ErrorCode::SecurityHeaderMalformed)?;
        let serial = text_only(doc, &parts.required(DSIG_NS, "X509SerialNumber")?, ErrorCode::SecurityHeaderMalformed)?;
        parts.finish()?;
        TokenReference::IssuerSerial { issuer, serial }
    } else if let Some(certificate) = children.optional(DSIG_NS, "X509Certificate") {
        let text = text_only(doc, &certificate, ErrorCode::SecurityHeaderMalformed)?;
        TokenReference::Certificate(
            decode_base64(&text, MAX_CERTIFICATE_LEN).ok_or_else(|| malformed("X509Certificate is not base64"))?,
        )
    } else if let Some(ski) = children.optional(DSIG_NS, "X509SKI") {
        let text = text_only(doc, &ski, ErrorCode::SecurityHeaderMalformed)?;
        TokenReference::SubjectKeyIdentifier(
            decode_base64(&text, 64).ok_or_else(|| malformed("X509SKI is not base64"))?,
        )
    } else {
        return Err(malformed("X509Data must hold X509IssuerSerial, X509Certificate or X509SKI"));
    };
    children.finish()?;
    Ok(reference)
}

/// The base64 text of an X.509 v3 `wsse:BinarySecurityToken`, after checking its types.
pub fn binary_security_token_text<'a>(doc: &Document<'a>, token: Element<'_, 'a>) -> Result<Cow<'a, str>, Error> {
    match token_value(doc, token)? {
        (X509V3, text) => Ok(text),
        (value_type, _) => Err(malformed(format!("BinarySecurityToken ValueType {value_type} is not supported here"))),
    }
}

/// The ValueType (one of [`X509V3`], [`X509_PKI_PATH`], [`PKCS7`]) and base64 text of a
/// `wsse:BinarySecurityToken`.
fn token_value<'a>(doc: &Document<'a>, token: Element<'_, 'a>) -> Result<(&'static str, Cow<'a, str>), Error> {
    let value_type = required_attribute(&token, "ValueType", ErrorCode::SecurityHeaderMalformed)?;
    let Some(known) = [X509V3, X509_PKI_PATH, PKCS7].into_iter().find(|known| value_type == *known) else {
        return Err(malformed(format!("BinarySecurityToken ValueType {value_type} is not supported")));
    };
    if let Some(encoding) = token.attribute("", "EncodingType")
        && encoding.value() != BASE64_BINARY
    {
        return Err(malformed("BinarySecurityToken EncodingType is not Base64Binary"));
    }
    Ok((known, text_only(doc, &token, ErrorCode::SecurityHeaderMalformed)?))
}

/// The certificates a message presents for a signature whose key is a BinarySecurityToken.
#[derive(Debug)]
pub enum PresentedCertificates<'a> {
    /// One X.509 v3 certificate (base64 text) and no other certificate in the header.
    One(Cow<'a, str>),
    /// The signing certificate (DER) and the other certificates the token and the header carry
    /// (DER), candidate intermediates of its path.
    Chain {
        /// The certificate whose key signs.
        signer: Vec<u8>,
        /// At most [`MAX_CANDIDATE_CERTIFICATES`] other certificates.
        candidates: Vec<Vec<u8>>,
    },
}

/// The certificates the signing token `token` presents: its own (an X509v3 certificate, an
/// X509PKIPathv1 whose last certificate signs, or a PKCS7 set whose one certificate that issued
/// none of the others signs), plus the certificates of the header's other X509v3 tokens
/// (`tokens` are all of the header's BinarySecurityTokens). More than
/// [`MAX_CANDIDATE_CERTIFICATES`] besides the signer's is `SECURITY_LIMIT_EXCEEDED`.
pub fn read_presented_certificates<'a>(
    doc: &Document<'a>,
    token: ElementId,
    tokens: &[ElementId],
) -> Result<PresentedCertificates<'a>, Error> {
    // The header's other X509v3 tokens; tokens of other types are not read, as before.
    let others: Vec<Cow<'a, str>> = tokens
        .iter()
        .map(|&other| doc.element(other))
        .filter(|other| other.id() != token && other.attribute("", "ValueType").is_some_and(|t| t.value() == X509V3))
        .map(|other| binary_security_token_text(doc, other))
        .collect::<Result<_, _>>()?;
    let (value_type, text) = token_value(doc, doc.element(token))?;
    let (signer, mut candidates) = match value_type {
        X509V3 if others.is_empty() => return Ok(PresentedCertificates::One(text)),
        X509V3 => (decode_certificate(&text)?, Vec::new()),
        X509_PKI_PATH => {
            let der = decode_path(&text)?;
            let mut path = crate::cert::pki_path_certificates(&der).map_err(|e| malformed(e.message()))?;
            let signer = path.pop().ok_or_else(|| malformed("the X509PKIPathv1 token holds no certificate"))?;
            (signer.to_vec(), path.into_iter().map(<[u8]>::to_vec).collect())
        }
        _ => {
            let der = decode_path(&text)?;
            let set = crate::cert::pkcs7_certificates(&der).map_err(|e| malformed(e.message()))?;
            // Counted before the certificates are parsed to find the signer.
            check_candidate_count(set.len().saturating_sub(1) + others.len())?;
            pkcs7_signer(set)?
        }
    };
    check_candidate_count(candidates.len() + others.len())?;
    for other in others {
        candidates.push(decode_certificate(&other)?);
    }
    Ok(PresentedCertificates::Chain { signer, candidates })
}

fn check_candidate_count(count: usize) -> Result<(), Error> {
    if count > MAX_CANDIDATE_CERTIFICATES {
        return Err(Error::new(
            ErrorCode::SecurityLimitExceeded,
            format!(
                "the message carries {count} certificates besides the signer's (limit {MAX_CANDIDATE_CERTIFICATES})"
            ),
        ));
    }
    Ok(())
}

fn decode_path(text: &str) -> Result<Vec<u8>, Error> {
    decode_base64(text, MAX_PATH_LEN)
        .filter(|der| !der.is_empty())
        .ok_or_else(|| malformed("BinarySecurityToken is not base64 of a certificate path (or is too large)"))
}

/// The signer of a PKCS7 set (the one certificate that issued none of the others) and the others.
fn pkcs7_signer(set: Vec<&[u8]>) -> Result<(Vec<u8>, Vec<Vec<u8>>), Error> {
    let parsed = set
        .iter()
        .map(|der| Certificate::from_der(der).map_err(|e| malformed(format!("a PKCS7 token certificate: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let issued_none = |c: &Certificate| !parsed.iter().any(|other| other != c && other.names_issuer(c));
    let mut ends = parsed.iter().enumerate().filter(|(_, c)| issued_none(c));
    let (Some((signer, _)), None) = (ends.next(), ends.next()) else {
        return Err(malformed(
            "a PKCS7 token must hold one chain: exactly one certificate that issued none of the others",
        ));
    };
    let others = set.iter().enumerate().filter(|(i, _)| *i != signer).map(|(_, der)| der.to_vec());
    Ok((set[signer].to_vec(), others.collect()))
}

/// Decodes the base64 of a certificate token.
pub fn decode_certificate(text: &str) -> Result<Vec<u8>, Error> {
    decode_base64(text, MAX_CERTIFICATE_LEN)
        .filter(|der| !der.is_empty())
        .ok_or_else(|| malformed("BinarySecurityToken is not base64 of a certificate"))
}

/// The DER certificate of an X.509 v3 `wsse:BinarySecurityToken`.
pub fn read_binary_security_token(doc: &Document<'_>, token: Element<'_, '_>) -> Result<Vec<u8>, Error> {
    decode_certificate(&binary_security_token_text(doc, token)?)
}

/// The Id of an element, over every Id attribute kind.
pub fn element_id<'a>(element: &Element<'_, 'a>) -> Option<Cow<'a, str>> {
    element
        .attribute(crate::xml::WSU_NS, "Id")
        .or_else(|| element.attribute("", "Id"))
        .or_else(|| element.attribute("", "ID"))
        .or_else(|| element.attribute(crate::xml::XML_NS, "id"))
        .map(|a| a.value())
}

/// The element a local reference names.
pub fn resolve_local(doc: &Document<'_>, id: &str) -> Result<ElementId, Error> {
    doc.element_by_id(id).ok_or_else(|| {
        Error::new(ErrorCode::SignatureKeyUnresolved, format!("no token with Id {id:?} in this message"))
    })
}

/// Writes a BinarySecurityToken (inside a Security header that declares `wsse` and `wsu`).
pub fn write_binary_security_token(out: &mut Vec<u8>, id: &str, certificate_base64: &str) {
    out.extend_from_slice(b"<wsse:BinarySecurityToken EncodingType=\"");
    out.extend_from_slice(BASE64_BINARY.as_bytes());
    out.extend_from_slice(b"\" ValueType=\"");
    out.extend_from_slice(X509V3.as_bytes());
    out.extend_from_slice(b"\" wsu:Id=\"");
    push_attribute_value(out, id);
    out.extend_from_slice(b"\">");
    out.extend_from_slice(certificate_base64.as_bytes());
    out.extend_from_slice(b"</wsse:BinarySecurityToken>");
}

/// Writes a self-contained `wsse:SecurityTokenReference` naming `certificate` in `style`;
/// `token_id` is the Id of the BinarySecurityToken for [`KeyReference::BinarySecurityToken`].
pub fn write_certificate_reference(
    out: &mut Vec<u8>,
    style: KeyReference,
    certificate: &Certificate,
    token_id: &str,
) -> Result<(), Error> {
    out.extend_from_slice(b"<wsse:SecurityTokenReference xmlns:wsse=\"");
    out.extend_from_slice(WSSE_NS.as_bytes());
    out.extend_from_slice(b"\">");
    match style {
        KeyReference::BinarySecurityToken => {
            out.extend_from_slice(b"<wsse:Reference URI=\"#");
            push_attribute_value(out, token_id);
            out.extend_from_slice(b"\" ValueType=\"");
            out.extend_from_slice(X509V3.as_bytes());
            out.extend_from_slice(b"\"/>");
        }
        KeyReference::SubjectKeyIdentifier => {
            let ski = certificate.subject_key_identifier().ok_or_else(|| {
                Error::new(
                    ErrorCode::ConfigInvalid,
                    format!("certificate {} has no subjectKeyIdentifier to reference", certificate.subject()),
                )
            })?;
            push_key_identifier(out, X509_SKI, ski);
        }
        KeyReference::Thumbprint => push_key_identifier(out, THUMBPRINT_SHA1, &certificate.thumbprint_sha1()),
        KeyReference::IssuerSerial => {
            out.extend_from_slice(b"<ds:X509Data xmlns:ds=\"");
            out.extend_from_slice(DSIG_NS.as_bytes());
            out.extend_from_slice(b"\"><ds:X509IssuerSerial><ds:X509IssuerName>");
            push_text(out, certificate.issuer());
            out.extend_from_slice(b"</ds:X509IssuerName><ds:X509SerialNumber>");
            out.extend_from_slice(certificate.serial_decimal().as_bytes());
            out.extend_from_slice(b"</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>");
        }
    }
    out.extend_from_slice(b"</wsse:SecurityTokenReference>");
    Ok(())
}

/// Writes a self-contained `wsse:SecurityTokenReference` to an EncryptedKey in this message.
pub fn write_encrypted_key_reference(out: &mut Vec<u8>, encrypted_key_id: &str) {
    out.extend_from_slice(b"<wsse:SecurityTokenReference xmlns:wsse=\"");
    out.extend_from_slice(WSSE_NS.as_bytes());
    out.extend_from_slice(b"\" xmlns:wsse11=\"");
    out.extend_from_slice(WSSE11_NS.as_bytes());
    out.extend_from_slice(b"\" wsse11:TokenType=\"");
    out.extend_from_slice(ENCRYPTED_KEY_TOKEN.as_bytes());
    out.extend_from_slice(b"\"><wsse:Reference URI=\"#");
    push_attribute_value(out, encrypted_key_id);
    out.extend_from_slice(b"\"/></wsse:SecurityTokenReference>");
}

fn push_key_identifier(out: &mut Vec<u8>, value_type: &str, value: &[u8]) {
    out.extend_from_slice(b"<wsse:KeyIdentifier EncodingType=\"");
    out.extend_from_slice(BASE64_BINARY.as_bytes());
    out.extend_from_slice(b"\" ValueType=\"");
    out.extend_from_slice(value_type.as_bytes());
    out.extend_from_slice(b"\">");
    push_base64(out, value);
    out.extend_from_slice(b"</wsse:KeyIdentifier>");
}
