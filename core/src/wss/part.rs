//! A part to sign in an outgoing message: an element of the input and its `wsu:Id`, with the
//! attribute we insert when the input gave it none. The part is digested from the input's index
//! as it will be with that attribute (see [`crate::c14n`]'s planned attribute), so signing needs
//! no second parse of the spliced envelope.

use std::borrow::Cow;

use crate::c14n::PlannedAttribute;
use crate::dsig::writer::SignedInfoBuilder;
use crate::encoding::push_attribute_value;
use crate::error::Error;
use crate::splice::Edit;
use crate::xml::{Document, Element, ElementId, WSU_NS};

/// An element to sign and its Id.
#[derive(Debug)]
pub(crate) struct SignedPart {
    pub element: ElementId,
    pub id: String,
    inserted: Option<Insertion>,
}

/// The `wsu:Id` attribute we insert: its prefix, where it goes, and its bytes (with the
/// declaration of the prefix when the element's scope lacks one).
#[derive(Debug)]
struct Insertion {
    prefix: String,
    offset: usize,
    bytes: Vec<u8>,
}

impl SignedPart {
    /// `element` with the `wsu:Id` it carries, if it has one.
    pub(crate) fn existing(element: &Element<'_, '_>) -> Option<Self> {
        let id = element.attribute(WSU_NS, "Id")?.value().into_owned();
        Some(Self { element: element.id(), id, inserted: None })
    }

    /// `element` given the Id `id` as `prefix:Id`, written at `offset` (in its start tag), with a
    /// declaration of `prefix` when `declare`.
    pub(crate) fn inserted(
        element: &Element<'_, '_>,
        id: String,
        prefix: String,
        offset: usize,
        declare: bool,
    ) -> Self {
        let mut bytes = format!(" {prefix}:Id=\"").into_bytes();
        push_attribute_value(&mut bytes, &id);
        bytes.push(b'"');
        if declare {
            bytes.extend_from_slice(format!(" xmlns:{prefix}=\"{WSU_NS}\"").as_bytes());
        }
        Self { element: element.id(), id, inserted: Some(Insertion { prefix, offset, bytes }) }
    }

    /// The WS-Security 1.0 profile's part: `element`'s Id, or a fresh one from `fresh` right after
    /// its name, as `wsu` (declared there unless its scope binds it already).
    pub(crate) fn of(element: Element<'_, '_>, fresh: impl FnOnce() -> String) -> Self {
        Self::existing(&element).unwrap_or_else(|| {
            let prefix = free_prefix(&element, "wsu");
            let declare = element.lookup_namespace(&prefix) != Some(WSU_NS);
            let offset = element.span().start + 1 + element.qname().len();
            Self::inserted(&element, fresh(), prefix, offset, declare)
        })
    }

    /// The edit inserting the Id, if the input had none.
    pub(crate) fn edit(&self) -> Option<Edit> {
        self.inserted.as_ref().map(|inserted| Edit::insert(inserted.offset, inserted.bytes.clone()))
    }

    /// Adds the reference to this part, as it will be with its Id, to `builder`.
    pub(crate) fn digest(&self, builder: &mut SignedInfoBuilder, doc: &Document<'_>) -> Result<(), Error> {
        let planned = self.inserted.as_ref().map(|inserted| PlannedAttribute {
            prefix: &inserted.prefix,
            namespace: WSU_NS,
            local_name: "Id",
            value: &self.id,
        });
        builder.planned_reference(doc, self.element, &self.id, planned)
    }

    /// The element's bytes with its Id (to encrypt a signed header block whole).
    pub(crate) fn bytes<'a>(&self, doc: &Document<'a>) -> Cow<'a, [u8]> {
        let span = doc.element(self.element).span();
        match &self.inserted {
            None => Cow::Borrowed(&doc.input()[span]),
            Some(inserted) => {
                let mut bytes = doc.input()[span.start..inserted.offset].to_vec();
                bytes.extend_from_slice(&inserted.bytes);
                bytes.extend_from_slice(&doc.input()[inserted.offset..span.end]);
                Cow::Owned(bytes)
            }
        }
    }
}

/// The first of `base`, `base1`, `base2`… that `element`'s scope leaves unbound or binds to the
/// utility namespace.
pub(crate) fn free_prefix(element: &Element<'_, '_>, base: &str) -> String {
    (0..)
        .map(|n| if n == 0 { base.to_owned() } else { format!("{base}{n}") })
        .find(|p| element.lookup_namespace(p).is_none_or(|ns| ns == WSU_NS))
        .unwrap_or_default()
}
