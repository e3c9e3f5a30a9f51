//! Outbound, WCF's layout: the Security header children in the order `SendSecurityHeader`
//! writes them, with its `_N` Id counter (`uuid-…-N` for the Timestamp, EncryptedKey and
//! BinarySecurityToken).
//!
//! Request: Timestamp, EncryptedKey (a fresh key wrapped for the service, named by thumbprint),
//! the signature and encryption DerivedKeyTokens, ReferenceList, the client's
//! BinarySecurityToken, then the primary HMAC signature and the endorsing RSA signature (each
//! encrypted by default). Response: the same without EncryptedKey and BinarySecurityToken, its
//! keys derived from the request's key (named by EncryptedKeySHA1), and a SignatureConfirmation
//! per request signature.

use std::fmt::Write as _;
use std::sync::Arc;

use time::OffsetDateTime;

use super::derived::{self, DerivedFrom, LABEL, NONCE_LEN};
use super::signature;
use super::wire::{self, UtilityScope};
use super::{confirmation, wrong_profile_state};
use crate::crypto::{self, DigestAlgorithm, PSha1, SymmetricKey};
use crate::dsig::writer::SignedInfoBuilder;
use crate::error::{Error, ErrorCode};
use crate::splice::{self, Edit};
use crate::wss::part::SignedPart;
use crate::wss::secure::{crypto_failure, insert_security_header, prepare};
use crate::wss::timestamp::write_timestamp_as;
use crate::wss::{Engine, Exchange, Profile, ProtectionOrder, Secured, TrustedCertificate};
use crate::xenc::EncryptionType;
use crate::xenc::writer::{Dialect, write_encrypted_data, write_encrypted_key, write_reference_list};
use crate::xml::Document;

/// WCF's `_N` Ids, skipping any the document already uses.
#[derive(Debug, Default)]
struct Ids {
    next: usize,
}

impl Ids {
    fn next(&mut self, doc: &Document<'_>) -> String {
        loop {
            let id = format!("_{}", self.next);
            self.next += 1;
            if doc.element_by_id(&id).is_none() {
                return id;
            }
        }
    }
}

/// `uuid-<GUID>-`, the prefix of WCF's `SecurityUniqueId`s, from 16 random bytes.
fn unique_id_prefix(random: &[u8]) -> String {
    let mut out = String::with_capacity(48);
    out.push_str("uuid-");
    for (i, byte) in random.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = write!(out, "{byte:02x}");
    }
    out.push('-');
    out
}

/// The request's key and how the message names it.
enum KeySource<'e> {
    /// A request: the fresh key wrapped for the recipient.
    Wrapped { recipient: &'e Arc<TrustedCertificate>, wrapped: Vec<u8> },
    /// A response: the request's key, by SHA-1 of its wrapped octets, and the values to confirm.
    Confirmed { confirmations: &'e [Vec<u8>] },
}

/// Secures a request (no exchange) or the response to the request `exchange` came from.
pub(crate) fn secure(
    engine: &Engine,
    input: &[u8],
    exchange: Option<&Exchange>,
    now: OffsetDateTime,
) -> Result<Secured, Error> {
    let policy = &engine.policy;
    let suite = &policy.suite;
    let wcf = policy.wcf;
    let (doc, envelope, message_id) = prepare(input, policy)?;

    // The key: fresh and wrapped for a request, the request's for a response.
    let (secret, key_hash, source) = match exchange {
        None => {
            let recipient = engine
                .recipient
                .as_ref()
                .ok_or_else(|| Error::new(ErrorCode::ConfigInvalid, "no service certificate to encrypt for"))?;
            let secret =
                SymmetricKey::generate(suite.encryption.key_len()).map_err(|e| crypto_failure("request key", e))?;
            let wrapped = recipient.public_key.encrypt_key(suite.key_transport, secret.as_bytes()).map_err(|e| {
                Error::new(ErrorCode::ConfigInvalid, format!("cannot wrap the key for the service: {e}"))
            })?;
            let hash = crypto::digest(DigestAlgorithm::Sha1, &wrapped);
            (secret, hash, KeySource::Wrapped { recipient, wrapped })
        }
        Some(exchange) => {
            let (Some(secret), Some(hash)) = (&exchange.key, &exchange.encrypted_key_sha1) else {
                return Err(wrong_profile_state());
            };
            (secret.clone(), hash.clone(), KeySource::Confirmed { confirmations: &exchange.signature_values })
        }
    };
    // One draw for both nonces and the GUID of the unique Ids.
    let random = SymmetricKey::generate(2 * NONCE_LEN + 16).map_err(|e| crypto_failure("nonce", e))?;
    let (sign_nonce, rest) = random.as_bytes().split_at(NONCE_LEN);
    let (encrypt_nonce, guid) = rest.split_at(NONCE_LEN);
    let mut keyed = PSha1::new(secret.as_bytes());
    let sign_key = keyed.derive([LABEL, sign_nonce], 0, suite.signature_key_length);
    let encrypt_key = keyed.derive([LABEL, encrypt_nonce], 0, suite.encryption.key_len());

    // Ids in the order WCF's counter hands them out.
    let mut ids = Ids::default();
    let sign_key_id = ids.next(&doc);
    let confirmations: &[Vec<u8>] = match &source {
        KeySource::Wrapped { .. } => &[],
        KeySource::Confirmed { confirmations } => confirmations,
    };
    let signature_id = matches!(source, KeySource::Wrapped { .. }).then(|| ids.next(&doc));
    let confirmation_ids: Vec<String> = confirmations.iter().map(|_| ids.next(&doc)).collect();
    let encrypt_key_id = ids.next(&doc);
    let utility = UtilityScope::of(&doc, &envelope);
    let mut edits: Vec<Edit> = utility.envelope_edit.into_iter().collect();
    let mut signed = vec![wire::signed_part(&doc, doc.element(envelope.body), || ids.next(&doc))];
    let body_has_content = !doc.element(envelope.body).content_span().is_empty();
    let encrypt_body = policy.encrypt_body && body_has_content;
    let body_data_id = encrypt_body.then(|| ids.next(&doc));
    for block in envelope.blocks(&doc) {
        if policy.signed_headers.iter().any(|q| q.matches(&block)) {
            signed.push(wire::signed_part(&doc, block, || ids.next(&doc)));
        }
    }
    edits.extend(signed.iter().filter_map(SignedPart::edit));
    let unique = unique_id_prefix(guid);
    let timestamp_id = format!("{unique}1");
    let key_id = format!("{unique}2");
    let token_id = format!("{unique}3");

    // The Security header: up to the ReferenceList (`head`), then the token or the
    // confirmations (`middle`); the ReferenceList and the signatures come between and after.
    let mut head = wire::open_security(&doc, &envelope, policy.actor.as_deref(), utility.declare_in_header);
    write_timestamp_as(&mut head, "u", false, &timestamp_id, now, policy.timestamp_ttl);
    let mut canonical_timestamp = Vec::with_capacity(256);
    write_timestamp_as(&mut canonical_timestamp, "u", true, &timestamp_id, now, policy.timestamp_ttl);
    let derived_from = match &source {
        KeySource::Wrapped { recipient, wrapped } => {
            let mut key_info = Vec::with_capacity(256);
            wire::thumbprint_reference(&mut key_info, wcf.bsp, &recipient.certificate);
            write_encrypted_key(&mut head, Dialect::Wcf, &key_id, suite.key_transport, &key_info, wrapped, &[]);
            DerivedFrom::EncryptedKey(key_id.as_str().into())
        }
        KeySource::Confirmed { .. } => DerivedFrom::EncryptedKeySha1(key_hash.clone()),
    };
    derived::write(&mut head, wcf.namespaces, wcf.bsp, &sign_key_id, &derived_from, sign_key.len(), sign_nonce);
    derived::write(
        &mut head,
        wcf.namespaces,
        wcf.bsp,
        &encrypt_key_id,
        &derived_from,
        encrypt_key.len(),
        encrypt_nonce,
    );
    let mut middle = Vec::new();
    let mut confirmed = Vec::with_capacity(confirmations.len());
    match &source {
        KeySource::Wrapped { .. } => {
            wire::binary_security_token(&mut middle, &token_id, engine.credentials.certificate_base64())
        }
        KeySource::Confirmed { confirmations } => {
            for (id, value) in confirmation_ids.iter().zip(confirmations.iter()) {
                let start = middle.len();
                confirmation::write(&mut middle, id, value);
                confirmed.push(start..middle.len());
            }
        }
    }

    let signature_data_id =
        (policy.protection_order == ProtectionOrder::SignBeforeEncryptAndEncryptSignature).then(|| ids.next(&doc));
    let endorsing_data_id = signature_id.as_ref().and(signature_data_id.as_ref()).map(|_| ids.next(&doc));
    let confirmation_data_ids: Vec<String> = if signature_data_id.is_some() {
        confirmation_ids.iter().map(|_| ids.next(&doc)).collect()
    } else {
        Vec::new()
    };
    let writer = Writer {
        engine,
        sign_key: &sign_key,
        sign_key_id: &sign_key_id,
        encrypt_key: &encrypt_key,
        encrypt_key_info: {
            let mut key_info = Vec::with_capacity(256);
            derived::write_reference(&mut key_info, wcf.namespaces, wcf.bsp, &encrypt_key_id);
            key_info
        },
    };

    let mut data_ids: Vec<String> = body_data_id.iter().cloned().collect();
    let mut values = Vec::with_capacity(2);
    // The Body content, encrypted (in either protection order).
    if let Some(id) = &body_data_id {
        let content = doc.element(envelope.body).content_span();
        let data = writer.encrypted_data(id, EncryptionType::Content, &doc.input()[content.clone()])?;
        edits.push(Edit::replace(content, data));
    }
    let close = |mut security: Vec<u8>, list: &[u8], middle: &[u8], tail: &[u8]| {
        security.extend_from_slice(list);
        security.extend_from_slice(middle);
        let mark = security.len();
        security.extend_from_slice(tail);
        security.extend_from_slice(wire::CLOSE_SECURITY);
        (security, mark)
    };
    let output = if policy.protection_order == ProtectionOrder::EncryptBeforeSign {
        // The signatures cover the ciphertext and stay in clear: sign the encrypted envelope,
        // parsed again.
        let mut list = Vec::new();
        if !data_ids.is_empty() {
            write_reference_list(&mut list, Dialect::Wcf, &data_ids, true);
        }
        let (security, mark) = close(head, &list, &middle, &[]);
        let header_edit = edits.len();
        let (edit, offset) = insert_security_header(&doc, &envelope, security);
        edits.push(edit);
        let encrypted = splice::apply(input, edits);
        let mark = encrypted.placed[header_edit].start + offset + mark;
        let doc = Document::parse(&encrypted.bytes, &policy.limits.xml)?;
        let covered = signed.iter().map(|part| &part.id).chain([&timestamp_id]).chain(&confirmation_ids);
        let mut tail = Vec::with_capacity(4096);
        writer.signatures(
            |builder| {
                covered.into_iter().try_for_each(|id| {
                    let element = doc.element_by_id(id).ok_or_else(|| {
                        Error::new(ErrorCode::SoapStructure, format!("Id {id:?} did not survive the splice"))
                    })?;
                    builder.reference(&doc, element, id)
                })
            },
            signature_id.as_deref(),
            &token_id,
            &mut values,
            |signature| {
                tail.extend_from_slice(&signature);
                Ok(())
            },
        )?;
        splice::apply(&encrypted.bytes, vec![Edit::insert(mark, tail)]).bytes
    } else {
        // The parts as the input holds them, with the Ids still to be inserted, and our own
        // elements on their own (`u` is bound to the utility namespace in the Security header):
        // no second parse.
        let bindings = [("u", crate::xml::WSU_NS)];
        let mut tail = Vec::with_capacity(4096);
        let mut signature_data_ids = signature_data_id.iter().chain(endorsing_data_id.iter());
        writer.signatures(
            |builder| {
                for part in &signed {
                    part.digest(builder, &doc)?;
                }
                builder.canonical_reference(&canonical_timestamp, &timestamp_id);
                for (span, id) in confirmed.iter().zip(&confirmation_ids) {
                    builder.fragment_reference(&middle[span.clone()], &bindings, id)?;
                }
                Ok(())
            },
            signature_id.as_deref(),
            &token_id,
            &mut values,
            |signature| {
                match signature_data_ids.next() {
                    Some(id) => {
                        tail.extend_from_slice(&writer.encrypted_data(id, EncryptionType::Element, &signature)?);
                        data_ids.push(id.clone());
                    }
                    None => tail.extend_from_slice(&signature),
                }
                Ok(())
            },
        )?;
        // Signatures (encrypted with the signature's order), then confirmations, as WCF numbers them.
        if !confirmation_data_ids.is_empty() {
            let mut encrypted = Vec::with_capacity(middle.len() * 2);
            for (span, data_id) in confirmed.iter().zip(&confirmation_data_ids) {
                encrypted.extend_from_slice(&writer.encrypted_data(
                    data_id,
                    EncryptionType::Element,
                    &middle[span.clone()],
                )?);
                data_ids.push(data_id.clone());
            }
            middle = encrypted;
        }
        let mut list = Vec::new();
        if !data_ids.is_empty() {
            write_reference_list(&mut list, Dialect::Wcf, &data_ids, true);
        }
        let (security, _) = close(head, &list, &middle, &tail);
        edits.push(insert_security_header(&doc, &envelope, security).0);
        splice::apply(input, edits).bytes
    };

    let exchange = match source {
        KeySource::Wrapped { recipient, .. } => Exchange {
            peer: Some(recipient.clone()),
            message_id,
            signature_values: values,
            profile: Profile::WcfMutualCertificate,
            key: Some(secret),
            encrypted_key_sha1: Some(key_hash),
        },
        KeySource::Confirmed { .. } => Exchange {
            peer: exchange.and_then(|e| e.peer.clone()),
            profile: Profile::WcfMutualCertificate,
            ..Exchange::default()
        },
    };
    Ok(Secured { envelope: output, exchange })
}

/// Signs and encrypts with the message's derived keys.
struct Writer<'e> {
    engine: &'e Engine,
    sign_key: &'e SymmetricKey,
    sign_key_id: &'e str,
    encrypt_key: &'e SymmetricKey,
    /// The inside of every EncryptedData's KeyInfo: a reference to the encryption key's token.
    encrypt_key_info: Vec<u8>,
}

impl Writer<'_> {
    /// An EncryptedData of `plaintext` under the encryption key, naming its DerivedKeyToken.
    fn encrypted_data(&self, id: &str, kind: EncryptionType, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let policy = &self.engine.policy;
        let algorithm = policy.suite.encryption;
        let cipher = crypto::encrypt_data(algorithm, self.encrypt_key, plaintext).map_err(|e| {
            Error::new(ErrorCode::ConfigInvalid, format!("cannot encrypt with {}: {e}", algorithm.uri()))
        })?;
        let mut out = Vec::with_capacity(cipher.len() * 4 / 3 + 768);
        write_encrypted_data(&mut out, Dialect::Wcf, id, kind, algorithm, Some(&self.encrypt_key_info), &cipher);
        Ok(out)
    }

    /// The primary HMAC signature over what `references` adds to its SignedInfo, then, for a
    /// request (which has `signature_id`), the endorsing signature over it with our
    /// certificate's key. Each is handed to `place` in that order; their values are pushed to
    /// `values`.
    fn signatures(
        &self,
        references: impl FnOnce(&mut SignedInfoBuilder) -> Result<(), Error>,
        signature_id: Option<&str>,
        token_id: &str,
        values: &mut Vec<Vec<u8>>,
        mut place: impl FnMut(Vec<u8>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let policy = &self.engine.policy;
        let suite = &policy.suite;
        let mut builder = SignedInfoBuilder::unprefixed(suite.symmetric_signature, suite.digest);
        references(&mut builder)?;
        let signed_info = builder.finish();
        let value = crypto::hmac_sign(suite.symmetric_signature, self.sign_key, &signed_info)
            .map_err(|e| crypto_failure("HMAC signature", e))?;
        let mut key_info = Vec::with_capacity(256);
        derived::write_reference(&mut key_info, policy.wcf.namespaces, policy.wcf.bsp, self.sign_key_id);
        let mut primary = Vec::with_capacity(signed_info.len() + 512);
        signature::write(&mut primary, signature_id, &signed_info, &value, &key_info);
        values.push(value);
        let Some(signature_id) = signature_id else {
            return place(primary);
        };

        // The endorsing signature covers the primary one, which declares every prefix it uses,
        // so its exclusive canonical form is the same alone as in the header.
        let method = suite.asymmetric_signature;
        let mut builder = SignedInfoBuilder::unprefixed(method, suite.digest);
        builder.fragment_reference(&primary, &[], signature_id)?;
        let signed_info = builder.finish();
        let credentials = &self.engine.credentials;
        let value = credentials.key().sign(method, &signed_info).map_err(|e| {
            Error::new(ErrorCode::ConfigInvalid, format!("our key cannot make {} signatures: {e}", method.uri()))
        })?;
        let mut key_info = Vec::with_capacity(256);
        wire::token_reference(&mut key_info, policy.wcf.bsp, token_id);
        let mut endorsing = Vec::with_capacity(signed_info.len() + 1024);
        signature::write(&mut endorsing, None, &signed_info, &value, &key_info);
        values.push(value);
        place(primary)?;
        place(endorsing)
    }
}
