//! Strict reading of a `ds:Signature`: exactly one SignedInfo, allowed algorithms only, same-
//! document references resolved through the document's Id index, text-only values.

use std::borrow::Cow;

use smallvec::SmallVec;

use super::{AcceptedAlgorithms, C14nMethod, DSIG_NS, DsigLimits};
use crate::crypto::{DigestAlgorithm, DigestValue, SignatureAlgorithm};
use crate::encoding::decode_base64;
use crate::error::{Error, ErrorCode};
use crate::shape::{ChildCursor, fragment, required_attribute, text_only};
use crate::xml::{Document, Element, ElementId};

/// The largest SignatureValue accepted: an RSA-16384 signature.
const MAX_SIGNATURE_LEN: usize = 2048;

/// A `ds:Signature` read from a document, not yet verified.
#[derive(Clone, Debug)]
pub struct SignatureElement<'a> {
    /// The `ds:Signature` element.
    pub element: ElementId,
    /// Its `ds:SignedInfo`.
    pub signed_info: ElementId,
    /// How SignedInfo is canonicalized.
    pub c14n: C14nMethod<'a>,
    /// The signature method.
    pub method: SignatureAlgorithm,
    /// The references, in order (a few held inline).
    pub references: SmallVec<[SignedReference<'a>; 4]>,
    /// The decoded SignatureValue.
    pub value: Vec<u8>,
    /// The `ds:KeyInfo`, when present.
    pub key_info: Option<ElementId>,
}

/// One `ds:Reference`, resolved to the element it names.
#[derive(Clone, Debug)]
pub struct SignedReference<'a> {
    /// The URI as written (`#id`).
    pub uri: Cow<'a, str>,
    /// The element the URI names.
    pub target: ElementId,
    /// The canonicalization transform; `None` means inclusive C14N, the XML-DSig default.
    pub transform: Option<C14nMethod<'a>>,
    /// The digest method.
    pub digest: DigestAlgorithm,
    /// The decoded DigestValue.
    pub digest_value: DigestValue,
}

/// Reads `element` as a `ds:Signature`, refusing any structure, algorithm, transform or
/// reference outside what `accepted` and `limits` allow.
pub fn read<'a>(
    doc: &Document<'a>,
    element: Element<'_, 'a>,
    accepted: &AcceptedAlgorithms<'_>,
    limits: &DsigLimits,
) -> Result<SignatureElement<'a>, Error> {
    if !element.is(DSIG_NS, "Signature") {
        return Err(Error::new(ErrorCode::SignatureMalformed, format!("<{}> is not a ds:Signature", element.qname())));
    }
    let mut children = ChildCursor::new(element, ErrorCode::SignatureMalformed);
    let signed_info = children.required(DSIG_NS, "SignedInfo")?;
    let value_element = children.required(DSIG_NS, "SignatureValue")?;
    let key_info = children.optional(DSIG_NS, "KeyInfo").map(|k| k.id());
    children.finish().map_err(|_| {
        Error::new(ErrorCode::SignatureMalformed, "a ds:Signature may hold only SignedInfo, SignatureValue and KeyInfo")
    })?;

    let mut info = ChildCursor::new(signed_info, ErrorCode::SignatureMalformed);
    let c14n =
        C14nMethod::read(&info.required(DSIG_NS, "CanonicalizationMethod")?, ErrorCode::SignatureAlgorithmRefused)?;
    let method = signature_method(&info.required(DSIG_NS, "SignatureMethod")?, accepted)?;
    let reference_elements = info.repeated(DSIG_NS, "Reference", limits.max_references)?;
    info.finish()?;
    if reference_elements.is_empty() {
        return Err(Error::new(ErrorCode::SignatureMalformed, "SignedInfo has no Reference"));
    }
    let references = reference_elements
        .into_iter()
        .map(|r| reference(doc, r, accepted, limits))
        .collect::<Result<SmallVec<_>, _>>()?;

    let value = decode_base64(&text_only(doc, &value_element, ErrorCode::SignatureMalformed)?, MAX_SIGNATURE_LEN)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::new(ErrorCode::SignatureMalformed, "SignatureValue is not base64 of a signature"))?;
    Ok(SignatureElement {
        element: element.id(),
        signed_info: signed_info.id(),
        c14n,
        method,
        references,
        value,
        key_info,
    })
}

fn signature_method(element: &Element<'_, '_>, accepted: &AcceptedAlgorithms<'_>) -> Result<SignatureAlgorithm, Error> {
    let uri = required_attribute(element, "Algorithm", ErrorCode::SignatureMalformed)?;
    if element.children().next().is_some() {
        // HMACOutputLength (CVE-2009-0217) and anything else: the Basic Security Profile forbids it.
        return Err(Error::new(ErrorCode::SignatureMalformed, "SignatureMethod must be empty (no HMACOutputLength)"));
    }
    SignatureAlgorithm::from_uri(&uri).filter(|m| accepted.signature.contains(m)).ok_or_else(|| {
        Error::new(ErrorCode::SignatureAlgorithmRefused, format!("signature method {uri} is not accepted"))
    })
}

fn reference<'a>(
    doc: &Document<'a>,
    element: Element<'_, 'a>,
    accepted: &AcceptedAlgorithms<'_>,
    limits: &DsigLimits,
) -> Result<SignedReference<'a>, Error> {
    let uri = required_attribute(&element, "URI", ErrorCode::SignatureMalformed)?;
    let target = fragment(&uri).and_then(|id| doc.element_by_id(id)).ok_or_else(|| {
        Error::new(
            ErrorCode::SignatureReferenceUnresolved,
            format!("reference {uri:?} does not name an element of this envelope by Id"),
        )
    })?;
    let mut children = ChildCursor::new(element, ErrorCode::SignatureMalformed);
    let transform = match children.optional(DSIG_NS, "Transforms") {
        Some(transforms) => single_transform(transforms, limits)?,
        None => None,
    };
    let digest_method = children.required(DSIG_NS, "DigestMethod")?;
    let digest_value = children.required(DSIG_NS, "DigestValue")?;
    children.finish()?;

    let digest_uri = required_attribute(&digest_method, "Algorithm", ErrorCode::SignatureMalformed)?;
    let digest = DigestAlgorithm::from_uri(&digest_uri)
        .filter(|d| accepted.digest.contains(d) && digest_method.children().next().is_none())
        .ok_or_else(|| {
            Error::new(ErrorCode::SignatureAlgorithmRefused, format!("digest method {digest_uri} is not accepted"))
        })?;
    let digest_value = DigestValue::from_base64(&text_only(doc, &digest_value, ErrorCode::SignatureMalformed)?, digest)
        .ok_or_else(|| {
            Error::new(ErrorCode::SignatureMalformed, format!("the DigestValue of {uri} is not a base64 digest"))
        })?;
    Ok(SignedReference { uri, target, transform, digest, digest_value })
}

/// The one canonicalization transform a WS-Security reference may carry; everything else
/// (XPath, XSLT, enveloped signature, a second transform) is refused.
fn single_transform<'a>(transforms: Element<'_, 'a>, limits: &DsigLimits) -> Result<Option<C14nMethod<'a>>, Error> {
    let mut children = ChildCursor::new(transforms, ErrorCode::SignatureMalformed);
    let list = children.repeated(DSIG_NS, "Transform", limits.max_transforms)?;
    children.finish()?;
    match list.as_slice() {
        [] => Err(Error::new(ErrorCode::SignatureMalformed, "Transforms has no Transform")),
        [one] => C14nMethod::read(one, ErrorCode::SignatureTransformRefused).map(Some),
        _ => Err(Error::new(ErrorCode::SignatureTransformRefused, "only one canonicalization transform is allowed")),
    }
}
