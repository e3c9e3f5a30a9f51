//! Outbound: the Security header (Timestamp, BinarySecurityToken, EncryptedKey, Signature) is
//! spliced into the envelope, signed parts get a `wsu:Id`, encrypted parts are replaced by their
//! EncryptedData. The input is parsed once: the signed parts are digested from it as they will be
//! with the Ids we insert, and our Timestamp on its own. Only encrypt-before-sign, which signs
//! the ciphertext, parses the encrypted envelope again.

use std::borrow::Cow;

use time::OffsetDateTime;

use super::part::SignedPart;

use super::engine::{Engine, Secured};
use super::exchange::Exchange;
use super::timestamp::{write_timestamp, write_timestamp_as};
use super::token::{self, WSSE11_NS};
use super::trust::TrustedCertificate;
use super::{KeyReference, Policy, ProtectionOrder, ReferenceListPlacement, WSA10_NS, WSA200408_NS};
use crate::crypto::{self, SymmetricKey};
use crate::dsig::writer::{SignedInfoBuilder, write_signature};
use crate::encoding::push_attribute_value;
use crate::error::{Error, ErrorCode};
use crate::soap::{Envelope, SoapVersion, WSSE_NS};
use crate::splice::{self, Edit};
use crate::xenc::EncryptionType;
use crate::xenc::writer::{Dialect, write_encrypted_data, write_encrypted_key, write_reference_list};
use crate::xml::{Document, Element, ElementId, WSU_NS};

/// Fresh Ids that collide with none of the document's.
struct Ids<'d, 'a> {
    doc: &'d Document<'a>,
    next: usize,
}

impl Ids<'_, '_> {
    fn next(&mut self, prefix: &str) -> String {
        loop {
            self.next += 1;
            let id = format!("{prefix}-{}", self.next);
            if self.doc.element_by_id(&id).is_none() {
                return id;
            }
        }
    }
}

/// A failure of the crypto layer while securing, naming what was being made.
pub(crate) fn crypto_failure(what: &str, error: crypto::CryptoError) -> Error {
    Error::new(ErrorCode::CryptoFailure, format!("{what}: {error}"))
}

/// Secures `input` for the exchange's peer (a response) or the configured recipient (a request).
pub(crate) fn secure(
    engine: &Engine,
    input: &[u8],
    exchange: Option<&Exchange>,
    now: OffsetDateTime,
) -> Result<Secured, Error> {
    let policy = &engine.policy;
    let recipient = exchange.and_then(|e| e.peer.as_ref()).or(engine.recipient.as_ref());
    let (doc, envelope, message_id) = prepare(input, policy)?;
    let mut ids = Ids { doc: &doc, next: 0 };

    // Ids on the signed parts, and the encrypted header blocks.
    let mut signed = vec![SignedPart::of(doc.element(envelope.body), || ids.next("id"))];
    let mut encrypted_headers = Vec::new();
    for block in envelope.blocks(&doc) {
        if policy.encrypted_headers.iter().any(|q| q.matches(&block)) {
            encrypted_headers.push(block.id());
        }
        if policy.signed_headers.iter().any(|q| q.matches(&block)) {
            signed.push(SignedPart::of(block, || ids.next("id")));
        }
    }
    let body_has_content = !doc.element(envelope.body).content_span().is_empty();
    // Under encrypt-signature the signature is encrypted even when nothing else is.
    let encrypting = (policy.encrypt_body && body_has_content)
        || !encrypted_headers.is_empty()
        || policy.protection_order == ProtectionOrder::SignBeforeEncryptAndEncryptSignature;
    let recipient = match (encrypting, recipient) {
        (false, _) => None,
        (true, Some(r)) => Some(r),
        (true, None) => {
            return Err(Error::new(ErrorCode::ConfigInvalid, "no recipient certificate to encrypt for"));
        }
    };

    // The Security header with Timestamp and tokens; what follows depends on the order.
    let timestamp_id = ids.next("TS");
    let token_id = ids.next("X509");
    let recipient_token_id = ids.next("X509");
    let mut security = open_security_header(&doc, &envelope, policy.actor.as_deref());
    write_timestamp(&mut security, &timestamp_id, now, policy.timestamp_ttl);
    let mut canonical_timestamp = Vec::with_capacity(256);
    write_timestamp_as(&mut canonical_timestamp, "wsu", true, &timestamp_id, now, policy.timestamp_ttl);
    if policy.signer_reference == KeyReference::BinarySecurityToken {
        token::write_binary_security_token(&mut security, &token_id, engine.credentials.certificate_base64());
        for issuer in engine.credentials.chain_base64() {
            token::write_binary_security_token(&mut security, &ids.next("X509"), issuer);
        }
    }
    if let Some(recipient) = recipient.filter(|_| policy.recipient_reference == KeyReference::BinarySecurityToken) {
        let encoded = crate::encoding::encode_base64(recipient.certificate.der());
        token::write_binary_security_token(&mut security, &recipient_token_id, &encoded);
    }
    let signer = Signing { engine, token_id: &token_id };
    // The parts as the input holds them, with the Ids still to be inserted, and our Timestamp in
    // its canonical form: signing needs no second parse.
    let sign_input = |ids: &mut Ids<'_, '_>| {
        signer.signature(
            |builder| {
                for part in &signed {
                    part.digest(builder, &doc)?;
                }
                builder.canonical_reference(&canonical_timestamp, &timestamp_id);
                Ok(())
            },
            ids,
        )
    };
    // An encrypted header's Id goes inside its EncryptedHeader, not into the envelope.
    let id_edits = |encrypted: &[ElementId]| {
        signed.iter().filter(|part| !encrypted.contains(&part.element)).filter_map(SignedPart::edit).collect::<Vec<_>>()
    };

    let secured = |envelope: Vec<u8>| Secured {
        envelope,
        exchange: Exchange { peer: recipient.cloned(), message_id: message_id.clone(), ..Exchange::default() },
    };
    let edits = match (recipient, policy.protection_order) {
        (None, _) => {
            let signature = sign_input(&mut ids)?;
            security.extend_from_slice(&signature);
            let mut edits = id_edits(&[]);
            edits.push(close_security_header(&doc, &envelope, security).0);
            edits
        }
        (Some(recipient), ProtectionOrder::EncryptBeforeSign) => {
            // The signature covers the ciphertext: sign the encrypted envelope, parsed again.
            let mut encryption = Encryption::new(engine, recipient, &recipient_token_id)?;
            let mut edits = id_edits(&encrypted_headers);
            edits.extend(encryption.parts(&doc, &envelope, &encrypted_headers, &signed, &mut ids)?);
            let mark = security.len();
            security.extend_from_slice(&encryption.header_elements(&mut ids)?);
            let header_edit = edits.len();
            let (edit, offset) = close_security_header(&doc, &envelope, security);
            edits.push(edit);
            let encrypted = splice::apply(input, edits);
            let mark = encrypted.placed[header_edit].start + offset + mark;
            let doc = Document::parse(&encrypted.bytes, &policy.limits.xml)?;
            let covered = signed.iter().map(|part| &part.id).chain([&timestamp_id]).chain(&encryption.signed_wrappers);
            let references: Vec<(ElementId, &String)> =
                covered.filter_map(|id| doc.element_by_id(id).map(|element| (element, id))).collect();
            let signature = signer.signature(
                |builder| references.iter().try_for_each(|(element, id)| builder.reference(&doc, *element, id)),
                &mut ids,
            )?;
            drop(doc);
            return Ok(secured(splice::apply(&encrypted.bytes, vec![Edit::insert(mark, signature)]).bytes));
        }
        (Some(recipient), order) => {
            let signature = sign_input(&mut ids)?;
            let mut encryption = Encryption::new(engine, recipient, &recipient_token_id)?;
            let mut edits = id_edits(&encrypted_headers);
            edits.extend(encryption.parts(&doc, &envelope, &encrypted_headers, &signed, &mut ids)?);
            let signature = if order == ProtectionOrder::SignBeforeEncryptAndEncryptSignature {
                encryption.element(&signature, &mut ids)?
            } else {
                signature
            };
            security.extend_from_slice(&encryption.header_elements(&mut ids)?);
            security.extend_from_slice(&signature);
            edits.push(close_security_header(&doc, &envelope, security).0);
            edits
        }
    };
    // The index goes before the output is made: a large envelope's index and its secured copy
    // are never held together.
    drop(doc);
    Ok(secured(splice::apply(input, edits).bytes))
}

/// Ends our Security header and places it (see [`insert_security_header`]).
fn close_security_header(doc: &Document<'_>, envelope: &Envelope, mut security: Vec<u8>) -> (Edit, usize) {
    security.extend_from_slice(b"</wsse:Security>");
    insert_security_header(doc, envelope, security)
}

/// The start tag of our Security header, declaring what it uses.
pub(crate) fn open_security_header(doc: &Document<'_>, envelope: &Envelope, actor: Option<&str>) -> Vec<u8> {
    let soap = envelope.version.namespace();
    let scope = doc.element(envelope.header.unwrap_or(envelope.envelope));
    let prefix = doc.element(envelope.envelope).prefix();
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"<wsse:Security xmlns:wsse=\"");
    out.extend_from_slice(WSSE_NS.as_bytes());
    out.extend_from_slice(b"\" xmlns:wsu=\"");
    out.extend_from_slice(WSU_NS.as_bytes());
    out.push(b'"');
    let prefix = if !prefix.is_empty() && scope.lookup_namespace(prefix) == Some(soap) {
        prefix
    } else {
        out.extend_from_slice(format!(" xmlns:soap=\"{soap}\"").as_bytes());
        "soap"
    };
    let must_understand = match envelope.version {
        SoapVersion::Soap11 => "1",
        SoapVersion::Soap12 => "true",
    };
    out.extend_from_slice(format!(" {prefix}:mustUnderstand=\"{must_understand}\"").as_bytes());
    if let Some(actor) = actor {
        out.extend_from_slice(format!(" {prefix}:{}=\"", envelope.version.actor_attribute()).as_bytes());
        push_attribute_value(&mut out, actor);
        out.push(b'"');
    }
    out.push(b'>');
    out
}

/// The edit that places `security` first in the Header (creating the Header if needed), and
/// where `security` starts inside the edit's bytes.
pub(crate) fn insert_security_header(doc: &Document<'_>, envelope: &Envelope, security: Vec<u8>) -> (Edit, usize) {
    match envelope.header.map(|h| doc.element(h)) {
        Some(header) if header.content_span().start < header.span().end => {
            (Edit::insert(header.content_span().start, security), 0)
        }
        Some(header) => {
            // `<S:Header .../>`: reopen it around the Security header.
            let span = header.span();
            let start_tag = doc.as_str()[span.start..span.end - 2].trim_end();
            let open = format!("{start_tag}>");
            let mut bytes = open.clone().into_bytes();
            bytes.extend_from_slice(&security);
            bytes.extend_from_slice(format!("</{}>", header.qname()).as_bytes());
            (Edit::replace(span, bytes), open.len())
        }
        None => {
            let prefix = doc.element(envelope.envelope).prefix();
            let name = if prefix.is_empty() { "Header".to_owned() } else { format!("{prefix}:Header") };
            let open = format!("<{name}>");
            let mut bytes = open.clone().into_bytes();
            bytes.extend_from_slice(&security);
            bytes.extend_from_slice(format!("</{name}>").as_bytes());
            (Edit::insert(doc.element(envelope.body).span().start, bytes), open.len())
        }
    }
}

/// Signs with our key.
struct Signing<'e> {
    engine: &'e Engine,
    token_id: &'e str,
}

impl Signing<'_> {
    /// A `ds:Signature` over the references `references` adds to the SignedInfo.
    fn signature(
        &self,
        references: impl FnOnce(&mut SignedInfoBuilder) -> Result<(), Error>,
        ids: &mut Ids<'_, '_>,
    ) -> Result<Vec<u8>, Error> {
        let policy = &self.engine.policy;
        let method = policy.suite.asymmetric_signature;
        let mut builder = SignedInfoBuilder::new(method, policy.suite.digest);
        references(&mut builder)?;
        let signed_info = builder.finish();
        let value = self.engine.credentials.key().sign(method, &signed_info).map_err(|e| {
            Error::new(ErrorCode::ConfigInvalid, format!("our key cannot make {} signatures: {e}", method.uri()))
        })?;
        let mut key_info = Vec::with_capacity(512);
        token::write_certificate_reference(
            &mut key_info,
            policy.signer_reference,
            self.engine.credentials.certificate(),
            self.token_id,
        )?;
        let mut out = Vec::with_capacity(signed_info.len() + value.len() * 2 + key_info.len() + 256);
        write_signature(&mut out, Some(&ids.next("SIG")), &signed_info, &value, &key_info);
        Ok(out)
    }
}

/// Encrypts parts with one fresh content key, wrapped for the recipient.
struct Encryption<'e> {
    engine: &'e Engine,
    recipient: &'e TrustedCertificate,
    recipient_token_id: &'e str,
    key: SymmetricKey,
    key_id: String,
    data_ids: Vec<String>,
    /// Ids of the EncryptedHeader wrappers, which an encrypt-before-sign signature covers.
    signed_wrappers: Vec<String>,
}

impl<'e> Encryption<'e> {
    fn new(engine: &'e Engine, recipient: &'e TrustedCertificate, recipient_token_id: &'e str) -> Result<Self, Error> {
        let algorithm = engine.policy.suite.encryption;
        let key = SymmetricKey::generate(algorithm.key_len()).map_err(|e| crypto_failure("content key", e))?;
        Ok(Self {
            engine,
            recipient,
            recipient_token_id,
            key,
            key_id: String::new(),
            data_ids: Vec::new(),
            signed_wrappers: Vec::new(),
        })
    }

    /// The EncryptedData of `plaintext`, recording its Id.
    fn encrypted_data(
        &mut self,
        plaintext: &[u8],
        kind: EncryptionType,
        ids: &mut Ids<'_, '_>,
    ) -> Result<Vec<u8>, Error> {
        let algorithm = self.engine.policy.suite.encryption;
        let cipher = crypto::encrypt_data(algorithm, &self.key, plaintext).map_err(|e| {
            Error::new(ErrorCode::ConfigInvalid, format!("cannot encrypt with {}: {e}", algorithm.uri()))
        })?;
        if self.key_id.is_empty() {
            self.key_id = ids.next("EK");
        }
        let id = ids.next("ED");
        let key_info = (self.engine.policy.reference_list == ReferenceListPlacement::Standalone).then(|| {
            let mut key_info = Vec::new();
            token::write_encrypted_key_reference(&mut key_info, &self.key_id);
            key_info
        });
        let mut out = Vec::new();
        write_encrypted_data(&mut out, Dialect::Prefixed, &id, kind, algorithm, key_info.as_deref(), &cipher);
        self.data_ids.push(id);
        Ok(out)
    }

    /// Edits that replace the Body content and the encrypted header blocks of `doc`; a header
    /// that is also `signed` is encrypted with its Id.
    fn parts(
        &mut self,
        doc: &Document<'_>,
        envelope: &Envelope,
        headers: &[ElementId],
        signed: &[SignedPart],
        ids: &mut Ids<'_, '_>,
    ) -> Result<Vec<Edit>, Error> {
        let mut edits = Vec::new();
        for &header in headers {
            let span = doc.element(header).span();
            let plaintext = match signed.iter().find(|part| part.element == header) {
                Some(part) => part.bytes(doc),
                None => Cow::Borrowed(&doc.input()[span.clone()]),
            };
            let data = self.encrypted_data(&plaintext, EncryptionType::Element, ids)?;
            let wrapper_id = ids.next("EH");
            let mut wrapped = format!(
                "<wsse11:EncryptedHeader xmlns:wsse11=\"{WSSE11_NS}\" xmlns:wsu=\"{WSU_NS}\" wsu:Id=\"{wrapper_id}\""
            )
            .into_bytes();
            push_soap_attributes(&mut wrapped, &doc.element(header), envelope.version.namespace());
            wrapped.push(b'>');
            wrapped.extend_from_slice(&data);
            wrapped.extend_from_slice(b"</wsse11:EncryptedHeader>");
            self.signed_wrappers.push(wrapper_id);
            edits.push(Edit::replace(span, wrapped));
        }
        let body = doc.element(envelope.body).content_span();
        if self.engine.policy.encrypt_body && !body.is_empty() {
            let data = self.encrypted_data(&doc.input()[body.clone()], EncryptionType::Content, ids)?;
            edits.push(Edit::replace(body, data));
        }
        Ok(edits)
    }

    /// `element` (self-contained XML, such as our signature) as an EncryptedData.
    fn element(&mut self, element: &[u8], ids: &mut Ids<'_, '_>) -> Result<Vec<u8>, Error> {
        self.encrypted_data(element, EncryptionType::Element, ids)
    }

    /// The EncryptedKey (and a standalone ReferenceList) for the header.
    fn header_elements(&mut self, ids: &mut Ids<'_, '_>) -> Result<Vec<u8>, Error> {
        let policy = &self.engine.policy;
        if self.key_id.is_empty() {
            self.key_id = ids.next("EK");
        }
        let wrapped =
            self.recipient.public_key.encrypt_key(policy.suite.key_transport, self.key.as_bytes()).map_err(|e| {
                Error::new(ErrorCode::ConfigInvalid, format!("cannot wrap the key for the recipient: {e}"))
            })?;
        let mut key_info = Vec::with_capacity(512);
        token::write_certificate_reference(
            &mut key_info,
            policy.recipient_reference,
            &self.recipient.certificate,
            self.recipient_token_id,
        )?;
        let standalone = policy.reference_list == ReferenceListPlacement::Standalone;
        let inside: &[String] = if standalone { &[] } else { &self.data_ids };
        let mut out = Vec::with_capacity(2048);
        write_encrypted_key(
            &mut out,
            Dialect::Prefixed,
            &self.key_id,
            policy.suite.key_transport,
            &key_info,
            &wrapped,
            inside,
        );
        if standalone {
            write_reference_list(&mut out, Dialect::Prefixed, &self.data_ids, true);
        }
        Ok(out)
    }
}

/// The SOAP attributes WS-Security 1.1 (9.3) copies from a header block to its
/// `wsse11:EncryptedHeader`: mustUnderstand, actor (SOAP 1.1), role and relay (SOAP 1.2), under
/// their own declaration of the SOAP namespace.
fn push_soap_attributes(out: &mut Vec<u8>, block: &Element<'_, '_>, soap_ns: &str) {
    let mut declared = false;
    for attribute in block.attributes() {
        let name = attribute.local_name();
        if attribute.namespace() != soap_ns || !matches!(name, "mustUnderstand" | "actor" | "role" | "relay") {
            continue;
        }
        if !declared {
            out.extend_from_slice(format!(" xmlns:soapenv=\"{soap_ns}\"").as_bytes());
            declared = true;
        }
        out.extend_from_slice(format!(" soapenv:{name}=\"").as_bytes());
        push_attribute_value(out, &attribute.value());
        out.push(b'"');
    }
}

/// The start of securing, in both profiles: parses the envelope, refuses one that already has a
/// Security header for our role, and finds its WS-Addressing MessageID.
pub(crate) fn prepare<'a>(input: &'a [u8], policy: &Policy) -> Result<(Document<'a>, Envelope, Option<String>), Error> {
    let doc = Document::parse(input, &policy.limits.xml)?;
    let envelope = Envelope::locate(&doc)?;
    if envelope.security_header(&doc, policy.actor.as_deref())?.is_some() {
        return Err(Error::new(
            ErrorCode::SecurityHeaderPresent,
            "the envelope already has a Security header for our role",
        ));
    }
    let message_id = envelope
        .blocks(&doc)
        .find(|b| b.is(WSA10_NS, "MessageID") || b.is(WSA200408_NS, "MessageID"))
        .map(|b| b.text().trim().to_owned());
    Ok((doc, envelope, message_id))
}
