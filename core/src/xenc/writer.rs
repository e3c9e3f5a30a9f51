//! Writing `xenc:EncryptedData`, `xenc:EncryptedKey` and `xenc:ReferenceList` elements; each
//! declares the prefixes it uses, so it can be placed anywhere (and encrypted elements decrypt to
//! self-contained XML). Two dialects: the WS-Security 1.0 profile's `xenc:`/`ds:` prefixes, and
//! WCF's, which writes `e:` after the element's attributes and the dsig and XML-Enc 1.1
//! namespaces as default ones.

use super::{EncryptionType, TYPE_CONTENT, TYPE_ELEMENT, XENC_NS, XENC11_NS};
use crate::crypto::{DataEncryptionAlgorithm, KeyTransportAlgorithm};
use crate::dsig::DSIG_NS;
use crate::encoding::{push_attribute_value, push_base64};

/// How the XML-Enc elements are spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `<xenc:X xmlns:xenc="…" Id="…">`, `ds:KeyInfo`, `ds:DigestMethod`, `xenc11:MGF`.
    Prefixed,
    /// WCF: `<e:X Id="…" xmlns:e="…">`, `<KeyInfo xmlns="…xmldsig#">`, `<DigestMethod … xmlns>`.
    Wcf,
}

impl Dialect {
    fn prefix(self) -> &'static str {
        match self {
            Dialect::Prefixed => "xenc:",
            Dialect::Wcf => "e:",
        }
    }

    fn declaration(self) -> &'static str {
        match self {
            Dialect::Prefixed => " xmlns:xenc=\"",
            Dialect::Wcf => " xmlns:e=\"",
        }
    }

    /// `<prefix:name` with its `attributes` (name, value) and the XML-Enc declaration where the
    /// dialect puts it (`declare` false leaves it to an ancestor).
    fn open(self, out: &mut Vec<u8>, name: &str, attributes: &[(&str, &str)], declare: bool) {
        out.push(b'<');
        out.extend_from_slice(self.prefix().as_bytes());
        out.extend_from_slice(name.as_bytes());
        let declaration = |out: &mut Vec<u8>| {
            if declare {
                out.extend_from_slice(self.declaration().as_bytes());
                out.extend_from_slice(XENC_NS.as_bytes());
                out.push(b'"');
            }
        };
        if self == Dialect::Prefixed {
            declaration(out);
        }
        for (attribute, value) in attributes {
            out.push(b' ');
            out.extend_from_slice(attribute.as_bytes());
            out.extend_from_slice(b"=\"");
            push_attribute_value(out, value);
            out.push(b'"');
        }
        if self == Dialect::Wcf {
            declaration(out);
        }
    }

    /// `</prefix:name>`.
    fn close(self, out: &mut Vec<u8>, name: &str) {
        out.extend_from_slice(b"</");
        out.extend_from_slice(self.prefix().as_bytes());
        out.extend_from_slice(name.as_bytes());
        out.push(b'>');
    }

    /// An empty element of another namespace carrying `Algorithm` (DigestMethod, MGF).
    fn foreign_algorithm(self, out: &mut Vec<u8>, prefix: &str, name: &str, namespace: &str, uri: &str) {
        let declaration = |out: &mut Vec<u8>| {
            out.extend_from_slice(if self == Dialect::Wcf { b" xmlns=\"".as_slice() } else { b" xmlns:".as_slice() });
            if self == Dialect::Prefixed {
                out.extend_from_slice(prefix.as_bytes());
                out.extend_from_slice(b"=\"");
            }
            out.extend_from_slice(namespace.as_bytes());
            out.push(b'"');
        };
        out.push(b'<');
        if self == Dialect::Prefixed {
            out.extend_from_slice(prefix.as_bytes());
            out.push(b':');
            out.extend_from_slice(name.as_bytes());
            declaration(out);
        } else {
            out.extend_from_slice(name.as_bytes());
        }
        out.extend_from_slice(b" Algorithm=\"");
        out.extend_from_slice(uri.as_bytes());
        out.push(b'"');
        if self == Dialect::Wcf {
            declaration(out);
        }
        out.extend_from_slice(b"/>");
    }

    /// `KeyInfo` in the dsig namespace around `key_info`.
    fn key_info(self, out: &mut Vec<u8>, key_info: &[u8]) {
        let (open, close): (&[u8], &[u8]) = match self {
            Dialect::Prefixed => (b"<ds:KeyInfo xmlns:ds=\"", b"</ds:KeyInfo>"),
            Dialect::Wcf => (b"<KeyInfo xmlns=\"", b"</KeyInfo>"),
        };
        out.extend_from_slice(open);
        out.extend_from_slice(DSIG_NS.as_bytes());
        out.extend_from_slice(b"\">");
        out.extend_from_slice(key_info);
        out.extend_from_slice(close);
    }

    /// `EncryptionMethod` with `Algorithm` and, for key transport, its children.
    fn method(self, out: &mut Vec<u8>, uri: &str, transport: Option<KeyTransportAlgorithm>) {
        self.open(out, "EncryptionMethod", &[("Algorithm", uri)], false);
        let Some(transport) = transport else {
            out.extend_from_slice(b"/>");
            return;
        };
        out.push(b'>');
        if let Some(digest) = transport.oaep_digest() {
            self.foreign_algorithm(out, "ds", "DigestMethod", DSIG_NS, digest.uri());
        }
        if let Some(mgf) = transport.mgf_uri() {
            self.foreign_algorithm(out, "xenc11", "MGF", XENC11_NS, mgf);
        }
        self.close(out, "EncryptionMethod");
    }

    /// `CipherData/CipherValue` with `cipher` in base64.
    fn cipher_data(self, out: &mut Vec<u8>, cipher: &[u8]) {
        self.open(out, "CipherData", &[], false);
        out.push(b'>');
        self.open(out, "CipherValue", &[], false);
        out.push(b'>');
        push_base64(out, cipher);
        self.close(out, "CipherValue");
        self.close(out, "CipherData");
    }
}

/// Writes an EncryptedData. `key_info` is the inside of a `KeyInfo`, if any.
pub fn write_encrypted_data(
    out: &mut Vec<u8>,
    dialect: Dialect,
    id: &str,
    kind: EncryptionType,
    method: DataEncryptionAlgorithm,
    key_info: Option<&[u8]>,
    cipher: &[u8],
) {
    out.reserve(cipher.len() / 3 * 4 + 640);
    let kind = match kind {
        EncryptionType::Element => TYPE_ELEMENT,
        EncryptionType::Content => TYPE_CONTENT,
    };
    dialect.open(out, "EncryptedData", &[("Id", id), ("Type", kind)], true);
    out.push(b'>');
    dialect.method(out, method.uri(), None);
    if let Some(key_info) = key_info {
        dialect.key_info(out, key_info);
    }
    dialect.cipher_data(out, cipher);
    dialect.close(out, "EncryptedData");
}

/// Writes an EncryptedKey whose `KeyInfo` holds `key_info` and whose ReferenceList (when
/// `data_references` is not empty) names those EncryptedData Ids.
pub fn write_encrypted_key(
    out: &mut Vec<u8>,
    dialect: Dialect,
    id: &str,
    method: KeyTransportAlgorithm,
    key_info: &[u8],
    cipher: &[u8],
    data_references: &[String],
) {
    dialect.open(out, "EncryptedKey", &[("Id", id)], true);
    out.push(b'>');
    dialect.method(out, method.uri(), Some(method));
    dialect.key_info(out, key_info);
    dialect.cipher_data(out, cipher);
    if !data_references.is_empty() {
        write_reference_list(out, dialect, data_references, false);
    }
    dialect.close(out, "EncryptedKey");
}

/// Writes a ReferenceList; `declare` adds the XML-Enc declaration for a standalone list.
pub fn write_reference_list(out: &mut Vec<u8>, dialect: Dialect, data_references: &[String], declare: bool) {
    dialect.open(out, "ReferenceList", &[], declare);
    out.push(b'>');
    for id in data_references {
        let uri = format!("#{id}");
        dialect.open(out, "DataReference", &[("URI", &uri)], false);
        out.extend_from_slice(b"/>");
    }
    dialect.close(out, "ReferenceList");
}
