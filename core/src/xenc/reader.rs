//! Strict reading of `xenc:EncryptedKey`, `xenc:EncryptedData` and `xenc:ReferenceList`.

use std::borrow::Cow;

use super::{TYPE_CONTENT, TYPE_ELEMENT, XENC_NS, XENC11_NS};
use crate::crypto::{DataEncryptionAlgorithm, KeyTransportAlgorithm};
use crate::dsig::DSIG_NS;
use crate::encoding::decode_base64;
use crate::error::{Error, ErrorCode};
use crate::shape::{ChildCursor, fragment_of, required_attribute, text_only};
use crate::xml::{Document, Element, ElementId};

/// The largest wrapped key accepted: an RSA-16384 ciphertext.
const MAX_WRAPPED_KEY_LEN: usize = 2048;

/// What an EncryptedData replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncryptionType {
    /// A whole element.
    Element,
    /// The content of an element.
    Content,
}

/// An `xenc:EncryptedKey`, read but not yet unwrapped.
#[derive(Clone, Debug)]
pub struct EncryptedKey<'a> {
    /// The element.
    pub element: ElementId,
    /// Its `Id`, if any.
    pub id: Option<Cow<'a, str>>,
    /// The key transport algorithm.
    pub method: KeyTransportAlgorithm,
    /// The `ds:KeyInfo` naming the recipient's key, if any.
    pub key_info: Option<ElementId>,
    /// The wrapped key.
    pub cipher: Vec<u8>,
    /// The Ids its ReferenceList names.
    pub data_references: Vec<Cow<'a, str>>,
}

/// An `xenc:EncryptedData`, read but not yet decrypted.
#[derive(Clone, Debug)]
pub struct EncryptedData<'a> {
    /// The element.
    pub element: ElementId,
    /// What the plaintext replaces.
    pub kind: EncryptionType,
    /// The data encryption algorithm.
    pub method: DataEncryptionAlgorithm,
    /// The `ds:KeyInfo`, if any (an embedded EncryptedKey or a reference to one).
    pub key_info: Option<ElementId>,
    /// The base64 CipherValue text (decoded only when the data is decrypted).
    pub cipher_value: Cow<'a, str>,
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::EncryptionMalformed, message)
}

/// Reads an `xenc:EncryptedKey`; `accepted` is the one key transport the configuration allows.
pub fn read_encrypted_key<'a>(
    doc: &Document<'a>,
    element: Element<'_, 'a>,
    accepted: KeyTransportAlgorithm,
    max_references: usize,
) -> Result<EncryptedKey<'a>, Error> {
    let mut children = ChildCursor::new(element, ErrorCode::EncryptionMalformed);
    let method = key_transport(&children.required(XENC_NS, "EncryptionMethod")?, accepted)?;
    let key_info = children.optional(DSIG_NS, "KeyInfo").map(|k| k.id());
    let cipher_text = cipher_value(doc, children.required(XENC_NS, "CipherData")?)?;
    let data_references = match children.optional(XENC_NS, "ReferenceList") {
        Some(list) => read_reference_list(list, max_references)?,
        None => Vec::new(),
    };
    children.optional(XENC_NS, "CarriedKeyName");
    children.finish()?;
    let cipher = decode_base64(&cipher_text, MAX_WRAPPED_KEY_LEN)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| malformed("the EncryptedKey CipherValue is not base64 of a wrapped key"))?;
    Ok(EncryptedKey {
        element: element.id(),
        id: element.attribute("", "Id").map(|a| a.value()),
        method,
        key_info,
        cipher,
        data_references,
    })
}

/// Reads an `xenc:EncryptedData`; `accepted` is the one data algorithm the configuration allows.
pub fn read_encrypted_data<'a>(
    doc: &Document<'a>,
    element: Element<'_, 'a>,
    accepted: DataEncryptionAlgorithm,
) -> Result<EncryptedData<'a>, Error> {
    let kind = match required_attribute(&element, "Type", ErrorCode::EncryptionMalformed)?.as_ref() {
        TYPE_ELEMENT => EncryptionType::Element,
        TYPE_CONTENT => EncryptionType::Content,
        other => return Err(malformed(format!("EncryptedData Type {other} is neither Element nor Content"))),
    };
    let mut children = ChildCursor::new(element, ErrorCode::EncryptionMalformed);
    let method_element = children.required(XENC_NS, "EncryptionMethod")?;
    let uri = required_attribute(&method_element, "Algorithm", ErrorCode::EncryptionMalformed)?;
    let method = DataEncryptionAlgorithm::from_uri(&uri)
        .filter(|m| *m == accepted && method_element.children().next().is_none())
        .ok_or_else(|| refused(&uri))?;
    let key_info = children.optional(DSIG_NS, "KeyInfo").map(|k| k.id());
    let cipher_value = cipher_value(doc, children.required(XENC_NS, "CipherData")?)?;
    children.finish()?;
    Ok(EncryptedData { element: element.id(), kind, method, key_info, cipher_value })
}

/// Reads the Ids of an `xenc:ReferenceList` (DataReference only).
pub fn read_reference_list<'a>(list: Element<'_, 'a>, limit: usize) -> Result<Vec<Cow<'a, str>>, Error> {
    let mut children = ChildCursor::new(list, ErrorCode::EncryptionMalformed);
    let references = children.repeated(XENC_NS, "DataReference", limit)?;
    children.finish()?;
    references
        .iter()
        .map(|r| {
            let uri = required_attribute(r, "URI", ErrorCode::EncryptionMalformed)?;
            fragment_of(uri.clone())
                .ok_or_else(|| malformed(format!("DataReference {uri:?} is not a same-document reference")))
        })
        .collect()
}

fn refused(uri: &str) -> Error {
    Error::new(ErrorCode::EncryptionAlgorithmRefused, format!("encryption method {uri} is not accepted"))
}

fn key_transport(method: &Element<'_, '_>, accepted: KeyTransportAlgorithm) -> Result<KeyTransportAlgorithm, Error> {
    let uri = required_attribute(method, "Algorithm", ErrorCode::EncryptionMalformed)?;
    let algorithm = KeyTransportAlgorithm::from_uri(&uri).filter(|m| *m == accepted).ok_or_else(|| refused(&uri))?;
    let mut children = ChildCursor::new(*method, ErrorCode::EncryptionMalformed);
    if let Some(digest) = children.optional(DSIG_NS, "DigestMethod") {
        let digest_uri = required_attribute(&digest, "Algorithm", ErrorCode::EncryptionMalformed)?;
        if algorithm.oaep_digest().map(|d| d.uri()) != Some(digest_uri.as_ref()) {
            return Err(refused(&digest_uri));
        }
    } else if algorithm.oaep_digest().is_some_and(|d| d.uri() != crate::crypto::DigestAlgorithm::Sha1.uri()) {
        // Only SHA-1 is implied when DigestMethod is absent.
        return Err(refused(&uri));
    }
    match (children.optional(XENC11_NS, "MGF"), algorithm.mgf_uri()) {
        (Some(mgf), Some(expected)) => {
            let mgf_uri = required_attribute(&mgf, "Algorithm", ErrorCode::EncryptionMalformed)?;
            if mgf_uri != expected {
                return Err(refused(&mgf_uri));
            }
        }
        (None, Some(_)) => return Err(refused("rsa-oaep with the default MGF1-SHA1")),
        (Some(_), None) => return Err(malformed("an MGF is only allowed with xmlenc11#rsa-oaep")),
        (None, None) => {}
    }
    children.finish()?;
    Ok(algorithm)
}

fn cipher_value<'a>(doc: &Document<'a>, cipher_data: Element<'_, 'a>) -> Result<Cow<'a, str>, Error> {
    let mut children = ChildCursor::new(cipher_data, ErrorCode::EncryptionMalformed);
    let value = children.required(XENC_NS, "CipherValue")?;
    children.finish()?;
    text_only(doc, &value, ErrorCode::EncryptionMalformed)
}
