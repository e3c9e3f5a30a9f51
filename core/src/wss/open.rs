//! Inbound: decrypt what the policy expects, verify every signature with a trusted key, then
//! enforce the policy on positions — the Body, the Timestamp and each configured header must be
//! the very elements whose digests were verified.

use std::ops::Range;
use std::sync::Arc;

use smallvec::SmallVec;
use time::OffsetDateTime;

use super::decrypt::{self, Clear, Decrypted, Position};
use super::engine::{Engine, Opened};
use super::exchange::Exchange;
use super::header::SecurityHeader;
use super::policy::{WSA10_NS, WSA200408_NS};
use super::report::{Report, TimestampReport};
use super::timestamp::{check_freshness, format_time, read_timestamp};
use super::token::{self, TokenReference};
use super::trust::TrustedCertificate;
use super::{Policy, ProtectionOrder};
use crate::dsig::{self, AcceptedAlgorithms, VerificationKey};
use crate::error::{Error, ErrorCode};
use crate::soap::Envelope;
use crate::splice;
use crate::xml::{Document, Element, ElementId};

/// What the signatures of a message proved.
#[derive(Debug, Default)]
struct Verified {
    signer: Option<Arc<TrustedCertificate>>,
    /// Every element a verified reference covers (the usual few held inline).
    covered: SmallVec<[ElementId; 8]>,
    values: Vec<Vec<u8>>,
}

/// Opens `input`; `exchange` is the state of our request when `input` is its response.
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
    let header = SecurityHeader::scan(&doc, security, &policy.limits)?;
    let encrypt_before_sign = policy.protection_order == ProtectionOrder::EncryptBeforeSign;
    let early = if encrypt_before_sign { Some(verify_signatures(engine, &doc, &header)?) } else { None };
    let Some(decrypted) = decrypt::decrypt(engine, &doc, &envelope, &header)? else {
        let verified = match early {
            Some(verified) => verified,
            None => verify_signatures(engine, &doc, &header)?,
        };
        let concluded = finish(engine, &doc, &envelope, &header, verified, None, exchange, now)?;
        drop(doc);
        return Ok(concluded.copying(input));
    };

    // The received index is grafted into the decrypted one: what it says is read before.
    let covered_at: SmallVec<[usize; 8]> =
        early.iter().flat_map(|v| v.covered.iter().map(|&e| doc.element(e).span().start)).collect();
    let clear = Clear::index(doc, security, &decrypted.spliced, &policy.limits.xml)?;
    decrypted.check_shapes(&clear.doc, &clear.envelope, clear.security)?;
    let clear_header = SecurityHeader::scan(&clear.doc, clear.security, &policy.limits)?;
    let verified = match early {
        Some(verified) => {
            Verified { covered: covered_at.iter().filter_map(|&at| clear.moved(at)).collect(), ..verified }
        }
        None => verify_signatures(engine, &clear.doc, &clear_header)?,
    };
    let concluded =
        finish(engine, &clear.doc, &clear.envelope, &clear_header, verified, Some(&decrypted), exchange, now)?;
    drop(clear);
    Ok(concluded.in_place(decrypted.spliced.bytes))
}

/// Verifies every signature in the header: each must verify, with a trusted certificate, and
/// all with the same one. "No signature" is not an error here; the policy check refuses it.
fn verify_signatures(engine: &Engine, doc: &Document<'_>, header: &SecurityHeader) -> Result<Verified, Error> {
    let suite = &engine.policy.suite;
    let accepted = AcceptedAlgorithms { signature: &[suite.asymmetric_signature], digest: &[suite.digest] };
    let mut verified = Verified::default();
    for &element in &header.signatures {
        let signature = dsig::reader::read(doc, doc.element(element), &accepted, &engine.policy.limits.dsig)?;
        let key_info = signature
            .key_info
            .ok_or_else(|| Error::new(ErrorCode::SignatureKeyUnresolved, "the signature has no KeyInfo"))?;
        let reference = token::read_key_info(doc, doc.element(key_info))?;
        let signer = resolve_signer(engine, doc, header, &reference)?;
        dsig::verify(doc, &signature, VerificationKey::Public(&signer.public_key))?;
        if let Some(first) = &verified.signer
            && first.certificate.der() != signer.certificate.der()
        {
            return Err(Error::new(ErrorCode::SignerUntrusted, "the message is signed by two different certificates"));
        }
        verified.signer = Some(signer);
        verified.covered.extend(signature.references.iter().map(|r| r.target));
        verified.values.push(signature.value);
    }
    Ok(verified)
}

/// The trusted certificate a signature's KeyInfo names. A local reference must name a
/// BinarySecurityToken of this Security header.
fn resolve_signer(
    engine: &Engine,
    doc: &Document<'_>,
    header: &SecurityHeader,
    reference: &TokenReference<'_>,
) -> Result<Arc<TrustedCertificate>, Error> {
    match reference {
        TokenReference::Local(id) => {
            let token = token::resolve_local(doc, id)?;
            if !header.tokens.contains(&token) {
                return Err(Error::new(
                    ErrorCode::SignatureKeyUnresolved,
                    format!("#{id} is not a BinarySecurityToken of this Security header"),
                ));
            }
            super::trust::validate_token(&*engine.validator, doc, token, &header.tokens)
        }
        TokenReference::Certificate(der) => engine.validator.validate_der(der),
        other => engine.validator.find(other),
    }
}

pub(crate) fn not_signed(what: &str) -> Error {
    Error::new(ErrorCode::NotSigned, format!("{what} is not covered by a verified signature"))
}

pub(crate) fn clark(element: &Element<'_, '_>) -> String {
    format!("{{{}}}{}", element.namespace(), element.local_name())
}

/// Enforces the signature policy on positions, for both profiles: the Body, the Timestamp (which
/// must also be fresh) and each configured header block must be covered by a verified signature
/// where the application reads them. Records them in `report`.
pub(crate) fn check_signed_parts(
    policy: &Policy,
    doc: &Document<'_>,
    envelope: &Envelope,
    timestamp: Option<ElementId>,
    covered: impl Fn(ElementId) -> bool,
    now: OffsetDateTime,
    report: &mut Report,
) -> Result<(), Error> {
    if !covered(envelope.body) {
        return Err(not_signed("the Body"));
    }
    report.signed.push("Body".to_owned());
    match timestamp {
        Some(timestamp) if covered(timestamp) => {
            let lifetime = read_timestamp(doc, doc.element(timestamp))?;
            check_freshness(&lifetime, now, policy.clock_skew, policy.replay_window)?;
            report.signed.push("Timestamp".to_owned());
            report.timestamp = Some(TimestampReport {
                created: format_time(lifetime.created),
                expires: lifetime.expires.map(format_time),
            });
        }
        Some(_) if policy.require_timestamp => return Err(not_signed("the Timestamp")),
        None if policy.require_timestamp => {
            return Err(Error::new(ErrorCode::TimestampMissing, "the message has no Timestamp"));
        }
        _ => {}
    }
    for block in envelope.blocks(doc) {
        if policy.signed_headers.iter().any(|q| q.matches(&block)) {
            if !covered(block.id()) {
                return Err(not_signed(&format!("header {}", clark(&block))));
            }
            report.signed.push(clark(&block));
        }
    }
    Ok(())
}

/// Enforces the policy on the envelope the application will read, and builds the result.
#[allow(clippy::too_many_arguments)]
fn finish(
    engine: &Engine,
    doc: &Document<'_>,
    envelope: &Envelope,
    header: &SecurityHeader,
    verified: Verified,
    decrypted: Option<&Decrypted>,
    exchange: Option<&Exchange>,
    now: OffsetDateTime,
) -> Result<Concluded, Error> {
    let policy = &engine.policy;
    let signer = verified.signer.clone().ok_or_else(|| not_signed("the message"))?;
    let covered = |e: ElementId| verified.covered.contains(&e);
    let mut report = Report { signer: Some(signer.signer()), ..Report::default() };

    check_signed_parts(policy, doc, envelope, header.timestamps.first().copied(), covered, now, &mut report)?;

    let parts = decrypted.map_or(&[][..], |d| d.parts.as_slice());
    let body = doc.element(envelope.body);
    let body_is_empty = doc.input()[body.content_span()].iter().all(u8::is_ascii_whitespace);
    let body_encrypted = parts.iter().any(|p| matches!(p.position, Position::Body(_)));
    if policy.encrypt_body && !body_is_empty && !body_encrypted {
        return Err(Error::new(ErrorCode::NotEncrypted, "the Body content arrived in clear"));
    }
    if body_encrypted {
        report.encrypted.push("Body".to_owned());
    }
    let decrypted_header =
        |block: &Element<'_, '_>| parts.iter().any(|p| p.position == Position::Header && p.placed == block.span());
    for block in envelope.blocks(doc) {
        let expected = policy.encrypted_headers.iter().any(|q| q.matches(&block));
        match (expected, decrypted_header(&block)) {
            (true, false) => {
                return Err(Error::new(ErrorCode::NotEncrypted, format!("header {} arrived in clear", clark(&block))));
            }
            (false, true) => {
                return Err(Error::new(
                    ErrorCode::EncryptionUnexpected,
                    format!("header {} was encrypted, which the policy does not expect", clark(&block)),
                ));
            }
            (true, true) => report.encrypted.push(clark(&block)),
            (false, false) => {}
        }
    }
    let signature_encrypted = parts.iter().any(|p| p.position == Position::Signature);
    if policy.protection_order == ProtectionOrder::SignBeforeEncryptAndEncryptSignature && !signature_encrypted {
        return Err(Error::new(ErrorCode::NotEncrypted, "the signature arrived in clear"));
    }
    if signature_encrypted {
        report.encrypted.push("Signature".to_owned());
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
    Ok(Concluded {
        report,
        exchange: Exchange { peer: Some(signer), message_id, signature_values: verified.values, ..Exchange::default() },
        removed,
    })
}

/// An opened message whose envelope is still to be built: from the verified bytes, without the
/// Security header unless the policy keeps it. It is built once the indexes are dropped, so
/// that a large envelope's index and its copy are never held together.
#[must_use]
pub(crate) struct Concluded {
    pub report: Report,
    pub exchange: Exchange,
    /// The span of the Security header to leave out, if any.
    pub removed: Option<Range<usize>>,
}

impl Concluded {
    /// The opened message, its envelope a copy of `verified` (the received bytes).
    pub(crate) fn copying(self, verified: &[u8]) -> Opened {
        let envelope = match &self.removed {
            Some(range) => splice::remove(verified, range.clone()),
            None => verified.to_vec(),
        };
        Opened { envelope, report: self.report, exchange: self.exchange }
    }

    /// The opened message, its envelope `verified` itself (the decrypted bytes), edited in place.
    pub(crate) fn in_place(self, mut verified: Vec<u8>) -> Opened {
        if let Some(range) = self.removed {
            verified.drain(range);
        }
        Opened { envelope: verified, report: self.report, exchange: self.exchange }
    }
}

/// The text of a signed WS-Addressing header.
fn signed_text(doc: &Document<'_>, envelope: &Envelope, covered: &[ElementId], local_name: &str) -> Option<String> {
    envelope
        .blocks(doc)
        .find(|b| covered.contains(&b.id()) && (b.is(WSA10_NS, local_name) || b.is(WSA200408_NS, local_name)))
        .map(|b| b.text().trim().to_owned())
}

/// The end of opening, for both profiles: the signed MessageID (recorded in `report`), the check
/// that a response's signed RelatesTo names our request, replay detection on the first signature
/// value, and the span of the Security header to leave out of the envelope handed on (none when
/// configured to keep it).
#[allow(clippy::too_many_arguments)]
pub(crate) fn conclude(
    engine: &Engine,
    doc: &Document<'_>,
    envelope: &Envelope,
    security: ElementId,
    covered: &[ElementId],
    first_value: Option<&Vec<u8>>,
    exchange: Option<&Exchange>,
    report: &mut Report,
) -> Result<(Option<String>, Option<Range<usize>>), Error> {
    let message_id = signed_text(doc, envelope, covered, "MessageID");
    // RelatesTo is looked for only when a request's MessageID is expected back.
    if let Some(expected) = exchange.and_then(|e| e.message_id.as_deref())
        && let Some(relates_to) = signed_text(doc, envelope, covered, "RelatesTo")
        && relates_to != expected
    {
        return Err(Error::new(
            ErrorCode::ResponseMismatch,
            format!("the response relates to {relates_to}, not to our request {expected}"),
        ));
    }
    if let (Some(replay), Some(value)) = (&engine.replay, first_value) {
        replay.check(value)?;
    }
    report.message_id = message_id.clone();
    let removed = (!engine.policy.keep_security_header).then(|| doc.element(security).span());
    Ok((message_id, removed))
}
