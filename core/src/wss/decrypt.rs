//! Inbound decryption. Only EncryptedData at the positions a profile allows is decrypted (the
//! Body content, `wsse11:EncryptedHeader` blocks, an encrypted signature in the Security
//! header), only with keys wrapped for our certificate. Plaintext is spliced in place of the
//! ciphertext, and the result indexed by grafting the plaintext's records into the received
//! index (`xml::graft`); every failure after the key transport's structure
//! was accepted — unwrapping, padding, tag, plaintext that is not well-formed or not of the
//! expected shape — is the same [`ErrorCode::DecryptionFailed`] with the same message.

use std::ops::Range;

use smallvec::SmallVec;

use super::Engine;
use super::header::SecurityHeader;
use super::token::{self, TokenReference, WSSE11_NS};
use crate::crypto::SymmetricKey;
use crate::dsig::DSIG_NS;
use crate::encoding::decode_base64;
use crate::error::{Error, ErrorCode};
use crate::soap::Envelope;
use crate::splice::{self, Edit, Spliced};
use crate::xenc::reader::{read_encrypted_data, read_encrypted_key, read_reference_list};
use crate::xenc::{EncryptionType, XENC_NS};
use crate::xml::{Document, Element, ElementId, Limits};

/// The one error every decryption failure turns into.
pub(crate) fn decryption_failed() -> Error {
    Error::new(ErrorCode::DecryptionFailed, "decryption failed")
}

/// Where a decrypted part sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    /// The content of the Body.
    Body(EncryptionType),
    /// A header block (from a `wsse11:EncryptedHeader`).
    Header,
    /// A signature in the Security header.
    Signature,
}

/// A decrypted part and where its plaintext landed.
#[derive(Clone, Debug)]
pub(crate) struct Part {
    pub position: Position,
    pub placed: Range<usize>,
}

/// The envelope with every expected EncryptedData replaced by its plaintext.
#[derive(Debug)]
pub(crate) struct Decrypted {
    pub spliced: Spliced,
    /// The decrypted parts (the usual few held inline).
    pub parts: SmallVec<[Part; 4]>,
}

/// The EncryptedData to decrypt, each with where its key comes from (the usual few held inline).
type Targets = SmallVec<[(ElementId, KeySource); 4]>;

/// Where the key of an EncryptedData comes from.
#[derive(Clone, Copy, Debug)]
enum KeySource {
    /// An EncryptedKey in the Security header, by index.
    Header(usize),
    /// An EncryptedKey inside the EncryptedData's own KeyInfo.
    Embedded(ElementId),
}

/// Decrypts what the policy allows. `None` when the message has nothing encrypted.
pub(crate) fn decrypt(
    engine: &Engine,
    doc: &Document<'_>,
    envelope: &Envelope,
    header: &SecurityHeader,
) -> Result<Option<Decrypted>, Error> {
    let policy = &engine.policy;
    let limit = policy.limits.max_encrypted_data;
    let suite = &policy.suite;
    let encrypted_keys = header
        .encrypted_keys
        .iter()
        .map(|&k| read_encrypted_key(doc, doc.element(k), suite.key_transport, limit))
        .collect::<Result<SmallVec<[_; 2]>, _>>()?;

    // Which EncryptedData, with which key.
    let mut targets = Targets::new();
    let add = |element: ElementId, source: KeySource, targets: &mut Targets| {
        if targets.iter().any(|(e, _)| *e == element) {
            return Err(Error::new(ErrorCode::EncryptionMalformed, "an EncryptedData is referenced twice"));
        }
        if targets.len() == limit {
            return Err(Error::new(ErrorCode::SecurityLimitExceeded, format!("more than {limit} EncryptedData")));
        }
        targets.push((element, source));
        Ok(())
    };
    for (index, key) in encrypted_keys.iter().enumerate() {
        for id in &key.data_references {
            add(encrypted_data_by_id(doc, id)?, KeySource::Header(index), &mut targets)?;
        }
    }
    for &list in &header.reference_lists {
        for id in read_reference_list(doc.element(list), limit)? {
            let data = encrypted_data_by_id(doc, &id)?;
            add(data, key_of(doc, data, header)?, &mut targets)?;
        }
    }
    for data in expected_positions(doc, envelope, header) {
        if !targets.iter().any(|(e, _)| *e == data) {
            add(data, key_of(doc, data, header)?, &mut targets)?;
        }
    }
    if targets.is_empty() {
        return Ok(None);
    }
    // Every key is an RSA private-key operation before any signature is checked: embedded keys
    // count with the header's against the token limit.
    let embedded = targets.iter().filter(|(_, source)| matches!(source, KeySource::Embedded(_))).count();
    let max_keys = policy.limits.max_tokens;
    if encrypted_keys.len() + embedded > max_keys {
        return Err(Error::new(ErrorCode::SecurityLimitExceeded, format!("more than {max_keys} EncryptedKeys")));
    }

    let mut keys: SmallVec<[Option<SymmetricKey>; 2]> = encrypted_keys.iter().map(|_| None).collect();
    let mut edits: SmallVec<[Edit; 4]> = SmallVec::with_capacity(targets.len());
    let mut positions: SmallVec<[Position; 4]> = SmallVec::with_capacity(targets.len());
    for (data, source) in targets {
        let read = read_encrypted_data(doc, doc.element(data), suite.encryption)?;
        let (position, replaced) = position_of(doc, envelope, header, doc.element(data), read.kind)?;
        let embedded;
        let key = match source {
            KeySource::Header(index) => {
                if keys[index].is_none() {
                    keys[index] = Some(unwrap(engine, doc, &encrypted_keys[index])?);
                }
                keys[index].as_ref().ok_or_else(decryption_failed)?
            }
            KeySource::Embedded(key) => {
                let key = read_encrypted_key(doc, doc.element(key), suite.key_transport, limit)?;
                embedded = unwrap(engine, doc, &key)?;
                &embedded
            }
        };
        let mut cipher = decode_base64(&read.cipher_value, policy.limits.xml.max_size)
            .ok_or_else(|| Error::new(ErrorCode::EncryptionMalformed, "CipherValue is not base64"))?;
        let plaintext = crate::crypto::decrypt_data(read.method, key, &mut cipher).map_err(|_| decryption_failed())?;
        edits.push(Edit::replace_with_part(replaced, cipher, plaintext));
        positions.push(position);
    }
    let spliced = splice::apply(doc.input(), edits);
    let parts = positions
        .into_iter()
        .zip(spliced.placed.iter().cloned())
        .map(|(position, placed)| Part { position, placed })
        .collect();
    Ok(Some(Decrypted { spliced, parts }))
}

fn encrypted_data_by_id(doc: &Document<'_>, id: &str) -> Result<ElementId, Error> {
    doc.element_by_id(id).filter(|&e| doc.element(e).is(XENC_NS, "EncryptedData")).ok_or_else(|| {
        Error::new(ErrorCode::EncryptionMalformed, format!("DataReference #{id} does not name an EncryptedData"))
    })
}

/// The EncryptedData elements at the positions a profile allows, in document order.
fn expected_positions<'d, 'a>(
    doc: &'d Document<'a>,
    envelope: &Envelope,
    header: &'d SecurityHeader,
) -> impl Iterator<Item = ElementId> + 'd {
    let encrypted_data = |parent: Element<'d, 'a>| parent.children().filter(|c| c.is(XENC_NS, "EncryptedData"));
    let body = encrypted_data(doc.element(envelope.body));
    let headers = envelope.blocks(doc).filter(|b| b.is(WSSE11_NS, "EncryptedHeader")).flat_map(encrypted_data);
    header.encrypted_data.iter().copied().chain(headers.chain(body).map(|c| c.id()))
}

/// The key of an EncryptedData that no EncryptedKey's ReferenceList names: an EncryptedKey in
/// its KeyInfo, or a reference from its KeyInfo to one in the Security header.
fn key_of(doc: &Document<'_>, data: ElementId, header: &SecurityHeader) -> Result<KeySource, Error> {
    let unresolved = || Error::new(ErrorCode::EncryptionKeyUnresolved, "an EncryptedData names no usable EncryptedKey");
    let key_info = doc.element(data).children().find(|c| c.is(DSIG_NS, "KeyInfo")).ok_or_else(unresolved)?;
    if let Some(embedded) = key_info.children().find(|c| c.is(XENC_NS, "EncryptedKey")) {
        return Ok(KeySource::Embedded(embedded.id()));
    }
    match token::read_key_info(doc, key_info)? {
        TokenReference::Local(id) => {
            let target = doc.element_by_id(&id).ok_or_else(unresolved)?;
            header.encrypted_keys.iter().position(|&k| k == target).map(KeySource::Header).ok_or_else(unresolved)
        }
        _ => Err(unresolved()),
    }
}

/// Where an EncryptedData sits, and the range its plaintext replaces; anything else is refused.
fn position_of(
    doc: &Document<'_>,
    envelope: &Envelope,
    header: &SecurityHeader,
    data: Element<'_, '_>,
    kind: EncryptionType,
) -> Result<(Position, Range<usize>), Error> {
    let unexpected =
        || Error::new(ErrorCode::EncryptionUnexpected, "an EncryptedData is at a position the policy does not allow");
    let parent = data.parent().ok_or_else(unexpected)?;
    if parent.id() == envelope.body {
        let content = parent.content_span();
        let input = doc.input();
        let span = data.span();
        let clear = |range: Range<usize>| input[range].iter().all(u8::is_ascii_whitespace);
        if !clear(content.start..span.start) || !clear(span.end..content.end) {
            return Err(Error::new(
                ErrorCode::EncryptionUnexpected,
                "the Body holds clear content beside its EncryptedData",
            ));
        }
        return Ok((Position::Body(kind), span));
    }
    if parent.id() == header.element && kind == EncryptionType::Element {
        return Ok((Position::Signature, data.span()));
    }
    if parent.is(WSSE11_NS, "EncryptedHeader")
        && parent.parent().map(|h| Some(h.id()) == envelope.header) == Some(true)
        && kind == EncryptionType::Element
        && parent.children().count() == 1
    {
        return Ok((Position::Header, parent.span()));
    }
    Err(unexpected())
}

/// Unwraps a content key, after checking the EncryptedKey is addressed to our certificate.
fn unwrap(engine: &Engine, doc: &Document<'_>, key: &crate::xenc::EncryptedKey<'_>) -> Result<SymmetricKey, Error> {
    let ours = engine.credentials.certificate();
    if let Some(key_info) = key.key_info {
        let reference = token::read_key_info(doc, doc.element(key_info))?;
        let addressed_to_us = match &reference {
            TokenReference::Local(id) => {
                let token = token::resolve_local(doc, id)?;
                token::read_binary_security_token(doc, doc.element(token))? == ours.der()
            }
            other => other.names(ours),
        };
        if !addressed_to_us {
            return Err(Error::new(
                ErrorCode::EncryptionKeyUnresolved,
                format!("an EncryptedKey is not addressed to our certificate {}", ours.subject()),
            ));
        }
    }
    let length = engine.policy.suite.encryption.key_len();
    engine.credentials.key().decrypt_key(key.method, &key.cipher, length).map_err(|_| decryption_failed())
}

/// The decrypted envelope, indexed: the received index grafted with the plaintexts
/// (`xml::graft`), its Envelope and its Security header.
pub(crate) struct Clear<'b> {
    pub doc: Document<'b>,
    pub envelope: Envelope,
    pub security: ElementId,
    spliced: &'b Spliced,
}

impl<'b> Clear<'b> {
    /// Indexes `spliced`, made from `received`, whose Security header is `security`. The received
    /// index is consumed: offsets a caller still needs from it are read before. Any failure is
    /// [`decryption_failed`].
    pub(crate) fn index(
        received: Document<'_>,
        security: ElementId,
        spliced: &'b Spliced,
        limits: &Limits,
    ) -> Result<Self, Error> {
        let security_at = received.element(security).span().start;
        let doc = received.graft(&spliced.bytes, spliced.replacements(), limits).map_err(|_| decryption_failed())?;
        let envelope = Envelope::locate(&doc).map_err(|_| decryption_failed())?;
        let mut clear = Self { doc, envelope, security, spliced };
        clear.security = clear.moved(security_at).ok_or_else(decryption_failed)?;
        Ok(clear)
    }

    /// The element that starts where the element at `received_offset` of the received envelope
    /// started, if it was not replaced.
    pub(crate) fn moved(&self, received_offset: usize) -> Option<ElementId> {
        self.spliced.map(received_offset).and_then(|offset| self.doc.element_at(offset))
    }
}

impl Decrypted {
    /// Checks, on the re-indexed envelope, that every plaintext has the shape its position
    /// requires: one element for an element, balanced content inside the Body, a `ds:Signature`
    /// in the Security header, a header block directly in the Header.
    pub(crate) fn check_shapes(
        &self,
        doc: &Document<'_>,
        envelope: &Envelope,
        security: ElementId,
    ) -> Result<(), Error> {
        for part in &self.parts {
            let single =
                || doc.element_at(part.placed.start).map(|e| doc.element(e)).filter(|e| e.span() == part.placed);
            let ok = match part.position {
                Position::Body(kind) => {
                    let body = doc.element(envelope.body);
                    let content = body.content_span();
                    let inside = content.start <= part.placed.start && part.placed.end <= content.end;
                    let balanced =
                        doc.elements_starting_in(part.placed.clone()).all(|e| e.span().end <= part.placed.end);
                    inside
                        && balanced
                        && (kind == EncryptionType::Content
                            || single().is_some_and(|e| e.parent().map(|p| p.id()) == Some(body.id())))
                }
                Position::Header => single().is_some_and(|e| e.parent().map(|p| p.id()) == envelope.header),
                Position::Signature => {
                    single().is_some_and(|e| e.is(DSIG_NS, "Signature") && e.parent().map(|p| p.id()) == Some(security))
                }
            };
            if !ok {
                return Err(decryption_failed());
            }
        }
        Ok(())
    }
}
