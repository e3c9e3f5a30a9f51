//! Outgoing signatures: the canonical `ds:SignedInfo` is written once and used both as the bytes
//! that are signed and as the bytes placed in the message, so nothing is canonicalized twice.

use super::{DSIG_NS, EXC_C14N};
use crate::c14n::{self, C14nOptions, PlannedAttribute, Subset};
use crate::crypto::{DigestAlgorithm, SignatureAlgorithm};
use crate::encoding::{push_attribute_value, push_base64};
use crate::error::Error;
use crate::xml::{Document, ElementId, Limits};

/// Builds the canonical form (exclusive C14N) of a `ds:SignedInfo` whose references each carry
/// one exclusive C14N transform.
#[derive(Debug)]
pub struct SignedInfoBuilder {
    digest: DigestAlgorithm,
    /// `ds:`, or nothing when the dsig namespace is the default one (as WCF writes it).
    prefix: &'static str,
    out: Vec<u8>,
}

impl SignedInfoBuilder {
    /// Starts a `ds:SignedInfo` for `method`, digesting references with `digest`.
    pub fn new(method: SignatureAlgorithm, digest: DigestAlgorithm) -> Self {
        Self::start(method, digest, "ds:")
    }

    /// Starts a `SignedInfo` in the default namespace (`<SignedInfo xmlns="…xmldsig#">`).
    pub fn unprefixed(method: SignatureAlgorithm, digest: DigestAlgorithm) -> Self {
        Self::start(method, digest, "")
    }

    fn start(method: SignatureAlgorithm, digest: DigestAlgorithm, prefix: &'static str) -> Self {
        let mut builder = Self { digest, prefix, out: Vec::with_capacity(1024) };
        builder.open("SignedInfo");
        let declaration = if prefix.is_empty() { " xmlns=\"" } else { " xmlns:ds=\"" };
        builder.out.extend_from_slice(declaration.as_bytes());
        builder.out.extend_from_slice(DSIG_NS.as_bytes());
        builder.out.extend_from_slice(b"\">");
        builder.algorithm("CanonicalizationMethod", EXC_C14N);
        builder.algorithm("SignatureMethod", method.uri());
        builder
    }

    /// `<name` with our prefix.
    fn open(&mut self, name: &str) {
        self.out.push(b'<');
        self.out.extend_from_slice(self.prefix.as_bytes());
        self.out.extend_from_slice(name.as_bytes());
    }

    /// `</name>` with our prefix.
    fn close(&mut self, name: &str) {
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(self.prefix.as_bytes());
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }

    /// `<name Algorithm="uri"></name>`, canonical.
    fn algorithm(&mut self, name: &str, uri: &str) {
        self.open(name);
        self.out.extend_from_slice(b" Algorithm=\"");
        self.out.extend_from_slice(uri.as_bytes());
        self.out.extend_from_slice(b"\">");
        self.close(name);
    }

    /// Adds a reference to the element `target`, whose Id is `id`, digesting its exclusive
    /// canonical form straight from the document.
    pub fn reference(&mut self, doc: &Document<'_>, target: ElementId, id: &str) -> Result<(), Error> {
        self.planned_reference(doc, target, id, None)
    }

    /// Adds a reference to `target` as it will be once `planned` (the attribute carrying `id`, if
    /// `target` has none yet) is inserted into its start tag.
    pub(crate) fn planned_reference(
        &mut self,
        doc: &Document<'_>,
        target: ElementId,
        id: &str,
        planned: Option<PlannedAttribute<'_>>,
    ) -> Result<(), Error> {
        let mut context = self.digest.context();
        match planned {
            Some(planned) => c14n::canonicalize_with_planned(doc, target, planned, &mut context)?,
            None => c14n::canonicalize(doc, Subset::Element(target), &C14nOptions::default(), &mut context)?,
        }
        self.digest_reference(id, context.finish().as_ref());
        Ok(())
    }

    /// Adds a reference to an element whose exclusive canonical form is `canonical` (one we
    /// write canonically, such as our Timestamp declaring its prefix).
    pub(crate) fn canonical_reference(&mut self, canonical: &[u8], id: &str) {
        let digest = crate::crypto::digest(self.digest, canonical);
        self.digest_reference(id, &digest);
    }

    /// Adds a reference to an element we wrote (`fragment`, a SignatureConfirmation for instance), whose
    /// prefixes declared outside it are `bindings`: its exclusive canonical form depends on
    /// nothing else, so it is digested without the message it goes into.
    pub(crate) fn fragment_reference(
        &mut self,
        fragment: &[u8],
        bindings: &[(&str, &str)],
        id: &str,
    ) -> Result<(), Error> {
        let mut wrapped = Vec::with_capacity(fragment.len() + 256);
        wrapped.extend_from_slice(b"<w");
        for (prefix, namespace) in bindings {
            wrapped.extend_from_slice(b" xmlns:");
            wrapped.extend_from_slice(prefix.as_bytes());
            wrapped.extend_from_slice(b"=\"");
            push_attribute_value(&mut wrapped, namespace);
            wrapped.push(b'"');
        }
        wrapped.push(b'>');
        wrapped.extend_from_slice(fragment);
        wrapped.extend_from_slice(b"</w>");
        let doc = Document::parse(&wrapped, &Limits::default())?;
        let element = doc
            .root()
            .children()
            .next()
            .ok_or_else(|| Error::new(crate::ErrorCode::XmlMalformed, "a fragment to sign holds no element"))?;
        self.reference(&doc, element.id(), id)
    }

    /// Adds a reference to the element with Id `id` whose digest is already known.
    pub fn digest_reference(&mut self, id: &str, digest: &[u8]) {
        self.open("Reference");
        self.out.extend_from_slice(b" URI=\"#");
        push_attribute_value(&mut self.out, id);
        self.out.extend_from_slice(b"\">");
        self.open("Transforms");
        self.out.push(b'>');
        self.algorithm("Transform", EXC_C14N);
        self.close("Transforms");
        self.algorithm("DigestMethod", self.digest.uri());
        self.open("DigestValue");
        self.out.push(b'>');
        push_base64(&mut self.out, digest);
        self.close("DigestValue");
        self.close("Reference");
    }

    /// The canonical SignedInfo: sign these bytes and place them in the message unchanged.
    pub fn finish(mut self) -> Vec<u8> {
        self.close("SignedInfo");
        self.out
    }
}

/// Writes a complete `ds:Signature` (declaring the `ds` prefix) with the SignedInfo from
/// [`SignedInfoBuilder::finish`], the signature value and the inside of `ds:KeyInfo`.
pub fn write_signature(out: &mut Vec<u8>, id: Option<&str>, signed_info: &[u8], value: &[u8], key_info: &[u8]) {
    out.extend_from_slice(b"<ds:Signature xmlns:ds=\"");
    out.extend_from_slice(DSIG_NS.as_bytes());
    if let Some(id) = id {
        out.extend_from_slice(b"\" Id=\"");
        push_attribute_value(out, id);
    }
    out.extend_from_slice(b"\">");
    out.extend_from_slice(signed_info);
    out.extend_from_slice(b"<ds:SignatureValue>");
    push_base64(out, value);
    out.extend_from_slice(b"</ds:SignatureValue><ds:KeyInfo>");
    out.extend_from_slice(key_info);
    out.extend_from_slice(b"</ds:KeyInfo></ds:Signature>");
}
