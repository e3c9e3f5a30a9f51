//! Inbound, WCF's layout: unwrap the request's key (or take the response's from the exchange),
//! derive the keys its DerivedKeyTokens name, decrypt only what a ReferenceList names and only
//! at the Body or in the Security header, verify the primary HMAC signature and the endorsing
//! signatures, then enforce the policy on positions, SignatureConfirmation and freshness.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use time::OffsetDateTime;

use super::confirmation;
use super::derived::{self, DerivedFrom};
use super::header::{Header, Kind};
use super::wrong_profile_state;
use crate::crypto::{self, DigestAlgorithm, PSha1, SignatureAlgorithm, SymmetricKey};
use crate::dsig::{self, AcceptedAlgorithms, DSIG_NS, VerificationKey};
use crate::encoding::decode_base64;
use crate::error::{Error, ErrorCode};
use crate::soap::Envelope;
use crate::splice::{self, Edit, Spliced};
use crate::wss::decrypt::{Clear, decryption_failed};
use crate::wss::open::{Concluded, check_signed_parts, conclude, not_signed};
use crate::wss::token::{self, TokenReference, WSSE11_NS};
use crate::wss::{Engine, Exchange, Opened, Profile, ProtectionOrder, Report, TrustedCertificate};
use crate::xenc::XENC_NS;
use crate::xenc::reader::{read_encrypted_data, read_encrypted_key, read_reference_list};
use crate::xml::{Document, Element, ElementId};

/// The key of the exchange: unwrapped from the request, or kept from it for the response.
struct ExchangeKey {
    secret: SymmetricKey,
    /// SHA-1 of the wrapped key octets.
    hash: Vec<u8>,
    /// The request's EncryptedKey: its Id and position in the header.
    wrapped: Option<(String, usize)>,
}

/// A derived key, with the Id and header position of its token.
struct Derived<'a> {
    id: Cow<'a, str>,
    position: usize,
    key: SymmetricKey,
}

/// A decrypted part and where its plaintext landed.
struct Part {
    in_body: bool,
    placed: Range<usize>,
}

/// The envelope with every listed EncryptedData replaced by its plaintext.
struct Decrypted {
    spliced: Spliced,
    parts: Vec<Part>,
}

/// What the signatures proved.
struct Verified {
    primary: ElementId,
    covered: Vec<ElementId>,
    /// The primary signature value, then the endorsing ones.
    values: Vec<Vec<u8>>,
    /// The endorsing certificate (requests).
    signer: Option<Arc<TrustedCertificate>>,
}

fn layout(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::LayoutViolation, message)
}

/// Opens a request (no exchange) or the response to the request `exchange` came from.
pub(crate) fn open(
    engine: &Engine,
    input: &[u8],
    exchange: Option<&Exchange>,
    now: OffsetDateTime,
) -> Result<Opened, Error> {
    let policy = &engine.policy;
    let doc = Document::parse(input, &policy.limits.xml)?;
    let envelope = Envelope::locate(&doc)?;
    let security = envelope
        .security_header(&doc, policy.actor.as_deref())?
        .ok_or_else(|| Error::new(ErrorCode::SecurityHeaderMissing, "no wsse:Security header for our role"))?;
    let header = Header::scan(&doc, security, policy.wcf.namespaces, &policy.limits)?;
    if policy.wcf.strict_layout {
        header.check_strict_order()?;
    }
    let key = exchange_key(engine, &doc, &header, exchange)?;
    let derived = derive_keys(engine, &doc, &header, &key)?;
    let request = exchange.is_none();
    let early = if policy.protection_order == ProtectionOrder::EncryptBeforeSign {
        Some(verify(engine, &doc, &header, &derived, request)?)
    } else {
        None
    };
    let Some(decrypted) = decrypt(engine, &doc, &envelope, &header, &derived)? else {
        let verified = match early {
            Some(verified) => verified,
            None => verify(engine, &doc, &header, &derived, request)?,
        };
        let concluded = finish(engine, &doc, &envelope, &header, verified, None, exchange, key, now)?;
        drop(doc);
        return Ok(concluded.copying(input));
    };

    // The received index is grafted into the decrypted one: what it says is read before.
    let early_at = early.as_ref().map(|verified| {
        let at = |e: ElementId| doc.element(e).span().start;
        (at(verified.primary), verified.covered.iter().map(|&e| at(e)).collect::<Vec<_>>())
    });
    let clear = Clear::index(doc, security, &decrypted.spliced, &policy.limits.xml)?;
    decrypted.check_shapes(&clear.doc, &clear.envelope, clear.security)?;
    let clear_header = Header::scan(&clear.doc, clear.security, policy.wcf.namespaces, &policy.limits)?;
    if policy.wcf.strict_layout {
        clear_header.check_strict_order()?;
    }
    let verified = match (early, early_at) {
        (Some(verified), Some((primary_at, covered_at))) => Verified {
            primary: clear.moved(primary_at).ok_or_else(decryption_failed)?,
            covered: covered_at.into_iter().filter_map(|at| clear.moved(at)).collect(),
            ..verified
        },
        _ => verify(engine, &clear.doc, &clear_header, &derived, request)?,
    };
    let concluded =
        finish(engine, &clear.doc, &clear.envelope, &clear_header, verified, Some(&decrypted), exchange, key, now)?;
    drop(clear);
    Ok(concluded.in_place(decrypted.spliced.bytes))
}

/// The request's key, unwrapped with our private key, or the exchange's for a response.
fn exchange_key(
    engine: &Engine,
    doc: &Document<'_>,
    header: &Header,
    exchange: Option<&Exchange>,
) -> Result<ExchangeKey, Error> {
    let suite = &engine.policy.suite;
    let keys: Vec<ElementId> = header.of(Kind::EncryptedKey).collect();
    let Some(exchange) = exchange else {
        let [element] = keys[..] else {
            return Err(Error::new(
                ErrorCode::SecurityHeaderMalformed,
                format!("a request carries exactly one EncryptedKey, this one {}", keys.len()),
            ));
        };
        let key = read_encrypted_key(doc, doc.element(element), suite.key_transport, 0)?;
        let id = key.id.as_deref().ok_or_else(|| {
            Error::new(ErrorCode::EncryptionMalformed, "the EncryptedKey has no Id for its DerivedKeyTokens to name")
        })?;
        let ours = engine.credentials.certificate();
        let addressed_to_us = match key.key_info {
            Some(key_info) => match token::read_key_info(doc, doc.element(key_info))? {
                TokenReference::Local(_) => false,
                other => other.names(ours),
            },
            None => false,
        };
        if !addressed_to_us {
            return Err(Error::new(
                ErrorCode::EncryptionKeyUnresolved,
                format!("the EncryptedKey does not name our certificate {}", ours.subject()),
            ));
        }
        let secret = engine
            .credentials
            .key()
            .decrypt_key(key.method, &key.cipher, suite.encryption.key_len())
            .map_err(|_| decryption_failed())?;
        let position = header.position(element).unwrap_or_default();
        return Ok(ExchangeKey {
            secret,
            hash: crypto::digest(DigestAlgorithm::Sha1, &key.cipher),
            wrapped: Some((id.to_owned(), position)),
        });
    };
    if !keys.is_empty() {
        return Err(Error::new(ErrorCode::SecurityHeaderMalformed, "a response carries no EncryptedKey"));
    }
    match (&exchange.key, &exchange.encrypted_key_sha1) {
        (Some(secret), Some(hash)) => Ok(ExchangeKey { secret: secret.clone(), hash: hash.clone(), wrapped: None }),
        _ => Err(wrong_profile_state()),
    }
}

/// Every DerivedKeyToken of the header, derived from the exchange's key, which each must name.
fn derive_keys<'a>(
    engine: &Engine,
    doc: &Document<'a>,
    header: &Header,
    key: &ExchangeKey,
) -> Result<Vec<Derived<'a>>, Error> {
    let wcf = engine.policy.wcf;
    let mut keyed = PSha1::new(key.secret.as_bytes());
    let mut out = Vec::with_capacity(header.of(Kind::DerivedKey).count());
    for element in header.of(Kind::DerivedKey) {
        let token = derived::read(doc, doc.element(element), wcf.namespaces)?;
        let position = header.position(element).unwrap_or_default();
        match (&token.source, &key.wrapped) {
            (DerivedFrom::EncryptedKey(id), Some((key_id, key_position))) if id == key_id => {
                if wcf.strict_layout && position < *key_position {
                    return Err(layout(format!("DerivedKeyToken {} comes before the EncryptedKey it uses", token.id)));
                }
            }
            (DerivedFrom::EncryptedKeySha1(hash), None) => {
                if !crypto::constant_time_eq(hash, &key.hash) {
                    return Err(Error::new(
                        ErrorCode::ResponseMismatch,
                        "the response's keys derive from the key of another request",
                    ));
                }
            }
            _ => {
                return Err(Error::new(
                    ErrorCode::DerivedKeyInvalid,
                    format!("DerivedKeyToken {} names no key of this exchange", token.id),
                ));
            }
        }
        let key = token.derive(&mut keyed);
        out.push(Derived { id: token.id, position, key });
    }
    Ok(out)
}

/// The derived key a `ds:KeyInfo` names by a reference to its token.
fn derived_key<'k, 'a>(
    doc: &Document<'_>,
    derived: &'k [Derived<'a>],
    key_info: ElementId,
) -> Result<&'k Derived<'a>, Error> {
    match token::read_key_info(doc, doc.element(key_info))? {
        TokenReference::Local(id) => derived.iter().find(|d| d.id == id).ok_or_else(|| {
            Error::new(ErrorCode::DerivedKeyInvalid, format!("#{id} names no DerivedKeyToken of this Security header"))
        }),
        _ => Err(Error::new(ErrorCode::DerivedKeyInvalid, "a key must be named by a reference to a DerivedKeyToken")),
    }
}

/// Decrypts every EncryptedData a ReferenceList names, with the derived key its KeyInfo names.
/// `None` when the message has nothing encrypted.
fn decrypt(
    engine: &Engine,
    doc: &Document<'_>,
    envelope: &Envelope,
    header: &Header,
    derived: &[Derived<'_>],
) -> Result<Option<Decrypted>, Error> {
    let policy = &engine.policy;
    let strict = policy.wcf.strict_layout;
    let limit = policy.limits.max_encrypted_data;
    let mut targets: Vec<ElementId> = Vec::with_capacity(header.of(Kind::EncryptedData).count() + 1);
    for list in header.of(Kind::ReferenceList) {
        for id in read_reference_list(doc.element(list), limit)? {
            let data =
                doc.element_by_id(&id).filter(|&e| doc.element(e).is(XENC_NS, "EncryptedData")).ok_or_else(|| {
                    Error::new(
                        ErrorCode::EncryptionMalformed,
                        format!("DataReference #{id} does not name an EncryptedData"),
                    )
                })?;
            if targets.contains(&data) {
                return Err(Error::new(ErrorCode::EncryptionMalformed, "an EncryptedData is referenced twice"));
            }
            if targets.len() == limit {
                return Err(Error::new(ErrorCode::SecurityLimitExceeded, format!("more than {limit} EncryptedData")));
            }
            if strict && matches!((header.position(data), header.position(list)), (Some(d), Some(l)) if d < l) {
                return Err(layout(format!("EncryptedData #{id} comes before its ReferenceList")));
            }
            targets.push(data);
        }
    }
    // An EncryptedData no list names would never be decrypted: refused rather than passed on.
    let body = doc.element(envelope.body);
    let unlisted = header
        .of(Kind::EncryptedData)
        .chain(body.children().filter(|c| c.is(XENC_NS, "EncryptedData")).map(|c| c.id()))
        .any(|data| !targets.contains(&data));
    if unlisted {
        return Err(Error::new(ErrorCode::EncryptionMalformed, "an EncryptedData is named by no ReferenceList"));
    }
    if targets.is_empty() {
        return Ok(None);
    }

    let algorithm = policy.suite.encryption;
    let mut edits = Vec::with_capacity(targets.len());
    let mut in_body = Vec::with_capacity(targets.len());
    for data in targets {
        let element = doc.element(data);
        let read = read_encrypted_data(doc, element, algorithm)?;
        let key_info = read.key_info.ok_or_else(|| {
            Error::new(ErrorCode::EncryptionKeyUnresolved, "an EncryptedData does not name its derived key")
        })?;
        let key = derived_key(doc, derived, key_info)?;
        if strict && header.position(data).is_some_and(|p| p < key.position) {
            return Err(layout(format!("an EncryptedData comes before DerivedKeyToken {}", key.id)));
        }
        if key.key.len() != algorithm.key_len() {
            return Err(Error::new(
                ErrorCode::DerivedKeyInvalid,
                format!(
                    "DerivedKeyToken {} derives {} bytes, {} needs {}",
                    key.id,
                    key.key.len(),
                    algorithm.uri(),
                    algorithm.key_len()
                ),
            ));
        }
        let parent = element.parent().map(|p| p.id());
        let body_part = if parent == Some(envelope.body) {
            let content = body.content_span();
            let span = element.span();
            let clear = |range: Range<usize>| doc.input()[range].iter().all(u8::is_ascii_whitespace);
            if !clear(content.start..span.start) || !clear(span.end..content.end) {
                return Err(Error::new(
                    ErrorCode::EncryptionUnexpected,
                    "the Body holds clear content beside its EncryptedData",
                ));
            }
            true
        } else if parent == Some(header.element) && read.kind == crate::xenc::EncryptionType::Element {
            false
        } else {
            return Err(Error::new(
                ErrorCode::EncryptionUnexpected,
                "an EncryptedData is at a position the WCF profile does not allow",
            ));
        };
        let mut cipher = decode_base64(&read.cipher_value, policy.limits.xml.max_size)
            .ok_or_else(|| Error::new(ErrorCode::EncryptionMalformed, "CipherValue is not base64"))?;
        let plaintext = crypto::decrypt_data(read.method, &key.key, &mut cipher).map_err(|_| decryption_failed())?;
        edits.push(Edit::replace_with_part(element.span(), cipher, plaintext));
        in_body.push(body_part);
    }
    let spliced = splice::apply(doc.input(), edits);
    let parts = in_body
        .into_iter()
        .zip(spliced.placed.iter().cloned())
        .map(|(in_body, placed)| Part { in_body, placed })
        .collect();
    Ok(Some(Decrypted { spliced, parts }))
}

impl Decrypted {
    /// Checks on the decrypted envelope that each plaintext has the shape of its position:
    /// balanced content inside the Body; one `ds:Signature` or `SignatureConfirmation` directly
    /// in the Security header. Anything else is the one decryption failure.
    fn check_shapes(&self, doc: &Document<'_>, envelope: &Envelope, security: ElementId) -> Result<(), Error> {
        for part in &self.parts {
            let ok = if part.in_body {
                let content = doc.element(envelope.body).content_span();
                content.start <= part.placed.start
                    && part.placed.end <= content.end
                    && doc.elements_starting_in(part.placed.clone()).all(|e| e.span().end <= part.placed.end)
            } else {
                doc.element_at(part.placed.start).map(|e| doc.element(e)).is_some_and(|e| {
                    e.span() == part.placed
                        && e.parent().map(|p| p.id()) == Some(security)
                        && (e.is(DSIG_NS, "Signature") || e.is(WSSE11_NS, "SignatureConfirmation"))
                })
            };
            if !ok {
                return Err(decryption_failed());
            }
        }
        Ok(())
    }

    /// Whether the header element `element` arrived encrypted.
    fn holds(&self, element: &Element<'_, '_>) -> bool {
        self.parts.iter().any(|p| !p.in_body && p.placed == element.span())
    }
}

/// Whether a `ds:Signature` names a symmetric (HMAC) SignatureMethod.
fn is_symmetric(element: Element<'_, '_>) -> bool {
    element
        .children()
        .find(|c| c.is(DSIG_NS, "SignedInfo"))
        .and_then(|info| info.children().find(|c| c.is(DSIG_NS, "SignatureMethod")))
        .and_then(|method| method.attribute("", "Algorithm"))
        .and_then(|uri| SignatureAlgorithm::from_uri(&uri.value()))
        .is_some_and(SignatureAlgorithm::is_symmetric)
}

/// Verifies the primary signature with its derived key and every endorsing signature with a
/// trusted certificate. A request must be endorsed; a response must not carry endorsements.
fn verify(
    engine: &Engine,
    doc: &Document<'_>,
    header: &Header,
    derived: &[Derived<'_>],
    request: bool,
) -> Result<Verified, Error> {
    let policy = &engine.policy;
    let suite = &policy.suite;
    let strict = policy.wcf.strict_layout;
    let signatures: Vec<ElementId> = header.of(Kind::Signature).collect();
    let primary_element = if strict {
        signatures.first().copied()
    } else {
        signatures.iter().copied().find(|&s| is_symmetric(doc.element(s)))
    }
    .ok_or_else(|| not_signed("the message"))?;
    let hmac = AcceptedAlgorithms { signature: &[suite.symmetric_signature], digest: &[suite.digest] };
    let primary = dsig::reader::read(doc, doc.element(primary_element), &hmac, &policy.limits.dsig)?;
    let key_info = primary
        .key_info
        .ok_or_else(|| Error::new(ErrorCode::SignatureKeyUnresolved, "the signature has no KeyInfo"))?;
    let key = derived_key(doc, derived, key_info)?;
    let primary_position = header.position(primary_element).unwrap_or_default();
    if strict && primary_position < key.position {
        return Err(layout(format!("the signature comes before DerivedKeyToken {}", key.id)));
    }
    if ![suite.signature_key_length, suite.encryption.key_len()].contains(&key.key.len()) {
        return Err(Error::new(
            ErrorCode::DerivedKeyInvalid,
            format!(
                "DerivedKeyToken {} derives {} bytes, not a signature key of {}",
                key.id,
                key.key.len(),
                suite.name
            ),
        ));
    }
    dsig::verify(doc, &primary, VerificationKey::Shared(&key.key))?;
    let covered: Vec<ElementId> = primary.references.iter().map(|r| r.target).collect();
    if strict && covered.iter().any(|&e| header.position(e).is_some_and(|p| p > primary_position)) {
        return Err(layout("a header element the signature covers comes after it"));
    }
    let mut verified = Verified { primary: primary_element, covered, values: vec![primary.value], signer: None };

    let rsa = AcceptedAlgorithms { signature: &[suite.asymmetric_signature], digest: &[suite.digest] };
    for element in signatures.into_iter().filter(|&s| s != primary_element) {
        let position = header.position(element).unwrap_or_default();
        if strict && position < primary_position {
            return Err(layout("the primary signature must come before the endorsing ones"));
        }
        let signature = dsig::reader::read(doc, doc.element(element), &rsa, &policy.limits.dsig)?;
        if !matches!(&signature.references[..], [only] if only.target == primary_element) {
            return Err(Error::new(
                ErrorCode::SignatureMalformed,
                "an endorsing signature must sign the primary signature and nothing else",
            ));
        }
        let key_info = signature
            .key_info
            .ok_or_else(|| Error::new(ErrorCode::SignatureKeyUnresolved, "the signature has no KeyInfo"))?;
        let signer = match token::read_key_info(doc, doc.element(key_info))? {
            TokenReference::Local(id) => {
                let token = token::resolve_local(doc, &id)?;
                let token_position = header.position(token).filter(|&p| header.children[p].0 == Kind::Token);
                let Some(token_position) = token_position else {
                    return Err(Error::new(
                        ErrorCode::SignatureKeyUnresolved,
                        format!("#{id} is not a BinarySecurityToken of this Security header"),
                    ));
                };
                if strict && position < token_position {
                    return Err(layout("the endorsing signature comes before its BinarySecurityToken"));
                }
                // Other tokens of the header may carry the signer's intermediates.
                let tokens: Vec<ElementId> =
                    header.children.iter().filter(|(kind, _)| *kind == Kind::Token).map(|&(_, e)| e).collect();
                crate::wss::trust::validate_token(&*engine.validator, doc, token, &tokens)?
            }
            other => engine.validator.find(&other)?,
        };
        dsig::verify(doc, &signature, VerificationKey::Public(&signer.public_key))?;
        if let Some(first) = &verified.signer
            && first.certificate.der() != signer.certificate.der()
        {
            return Err(Error::new(
                ErrorCode::SignerUntrusted,
                "the message is endorsed by two different certificates",
            ));
        }
        verified.signer = Some(signer);
        verified.values.push(signature.value);
    }
    match (request, &verified.signer) {
        (true, None) => Err(not_signed("the primary signature (no endorsing client certificate)")),
        (false, Some(_)) => {
            Err(Error::new(ErrorCode::SecurityHeaderMalformed, "a response carries no endorsing signature"))
        }
        _ => Ok(verified),
    }
}

/// Enforces the policy on the envelope the application will read, and builds the result.
#[allow(clippy::too_many_arguments)]
fn finish(
    engine: &Engine,
    doc: &Document<'_>,
    envelope: &Envelope,
    header: &Header,
    verified: Verified,
    decrypted: Option<&Decrypted>,
    exchange: Option<&Exchange>,
    key: ExchangeKey,
    now: OffsetDateTime,
) -> Result<Concluded, Error> {
    let policy = &engine.policy;
    let covered = |e: ElementId| verified.covered.contains(&e);
    let signer = match exchange {
        None => verified.signer.clone(),
        Some(exchange) => exchange.peer.clone(),
    };
    let mut report = Report { signer: signer.as_ref().map(|s| s.signer()), ..Report::default() };

    check_signed_parts(policy, doc, envelope, header.of(Kind::Timestamp).next(), covered, now, &mut report)?;
    if request_is(exchange) {
        report.signed.push("Signature".to_owned());
    }

    let parts = decrypted.map_or(&[][..], |d| d.parts.as_slice());
    let body = doc.element(envelope.body);
    let body_is_empty = doc.input()[body.content_span()].iter().all(u8::is_ascii_whitespace);
    let body_encrypted = parts.iter().any(|p| p.in_body);
    if policy.encrypt_body && !body_is_empty && !body_encrypted {
        return Err(Error::new(ErrorCode::NotEncrypted, "the Body content arrived in clear"));
    }
    if body_encrypted {
        report.encrypted.push("Body".to_owned());
    }
    let protected = |kind: Kind| header.of(kind).map(|e| doc.element(e));
    if policy.protection_order == ProtectionOrder::SignBeforeEncryptAndEncryptSignature {
        let in_clear = protected(Kind::Signature)
            .chain(protected(Kind::Confirmation))
            .any(|e| !decrypted.is_some_and(|d| d.holds(&e)));
        if in_clear {
            return Err(Error::new(ErrorCode::NotEncrypted, "a signature or SignatureConfirmation arrived in clear"));
        }
        report.encrypted.push("Signature".to_owned());
    }

    // SignatureConfirmation: none in a request; in a response, exactly our request's values.
    let mut confirmed = Vec::new();
    for element in header.of(Kind::Confirmation) {
        if !covered(element) {
            return Err(not_signed("a SignatureConfirmation"));
        }
        confirmed.push(confirmation::read(doc, doc.element(element))?);
    }
    match exchange {
        None if !confirmed.is_empty() => {
            return Err(Error::new(ErrorCode::SecurityHeaderMalformed, "a request carries no SignatureConfirmation"));
        }
        None => {}
        Some(exchange) => {
            let mut expected = exchange.signature_values.clone();
            expected.sort();
            confirmed.sort();
            if confirmed != expected {
                return Err(Error::new(
                    ErrorCode::SignatureConfirmationMismatch,
                    "the response does not confirm exactly the signature values of our request",
                ));
            }
            report.signed.push("SignatureConfirmation".to_owned());
        }
    }

    let (message_id, removed) = conclude(
        engine,
        doc,
        envelope,
        header.element,
        &verified.covered,
        verified.values.first(),
        exchange,
        &mut report,
    )?;
    let exchange = match exchange {
        None => Exchange {
            peer: verified.signer,
            message_id,
            signature_values: verified.values,
            profile: Profile::WcfMutualCertificate,
            key: Some(key.secret),
            encrypted_key_sha1: Some(key.hash),
        },
        Some(exchange) => {
            Exchange { peer: exchange.peer.clone(), profile: Profile::WcfMutualCertificate, ..Exchange::default() }
        }
    };
    Ok(Concluded { report, exchange, removed })
}

fn request_is(exchange: Option<&Exchange>) -> bool {
    exchange.is_none()
}
