//! Writing `xenc:EncryptedData` and `xenc:EncryptedKey` elements; each declares the prefixes it
//! uses, so it can be placed anywhere (and encrypted elements decrypt to self-contained XML).

use super::{EncryptionType, TYPE_CONTENT, TYPE_ELEMENT, XENC_NS, XENC11_NS};
use crate::crypto::{DataEncryptionAlgorithm, KeyTransportAlgorithm};
use crate::dsig::DSIG_NS;
use crate::encoding::{push_attribute_value, push_base64};

/// Writes an EncryptedData. `key_info` is the inside of a `ds:KeyInfo`, if any.
pub fn write_encrypted_data(
    out: &mut Vec<u8>,
    id: &str,
    kind: EncryptionType,
    method: DataEncryptionAlgorithm,
    key_info: Option<&[u8]>,
    cipher: &[u8],
) {
    out.reserve(cipher.len() / 3 * 4 + 512);
    out.extend_from_slice(b"<xenc:EncryptedData xmlns:xenc=\"");
    out.extend_from_slice(XENC_NS.as_bytes());
    out.extend_from_slice(b"\" Id=\"");
    push_attribute_value(out, id);
    out.extend_from_slice(b"\" Type=\"");
    out.extend_from_slice(match kind {
        EncryptionType::Element => TYPE_ELEMENT.as_bytes(),
        EncryptionType::Content => TYPE_CONTENT.as_bytes(),
    });
    out.extend_from_slice(b"\"><xenc:EncryptionMethod Algorithm=\"");
    out.extend_from_slice(method.uri().as_bytes());
    out.extend_from_slice(b"\"/>");
    if let Some(key_info) = key_info {
        push_key_info(out, key_info);
    }
    push_cipher_data(out, cipher);
    out.extend_from_slice(b"</xenc:EncryptedData>");
}

/// Writes an EncryptedKey whose `ds:KeyInfo` holds `key_info` and whose ReferenceList (when
/// `data_references` is not empty) names those EncryptedData Ids.
pub fn write_encrypted_key(
    out: &mut Vec<u8>,
    id: &str,
    method: KeyTransportAlgorithm,
    key_info: &[u8],
    cipher: &[u8],
    data_references: &[String],
) {
    out.extend_from_slice(b"<xenc:EncryptedKey xmlns:xenc=\"");
    out.extend_from_slice(XENC_NS.as_bytes());
    out.extend_from_slice(b"\" Id=\"");
    push_attribute_value(out, id);
    out.extend_from_slice(b"\"><xenc:EncryptionMethod Algorithm=\"");
    out.extend_from_slice(method.uri().as_bytes());
    out.extend_from_slice(b"\">");
    if let Some(digest) = method.oaep_digest() {
        out.extend_from_slice(b"<ds:DigestMethod xmlns:ds=\"");
        out.extend_from_slice(DSIG_NS.as_bytes());
        out.extend_from_slice(b"\" Algorithm=\"");
        out.extend_from_slice(digest.uri().as_bytes());
        out.extend_from_slice(b"\"/>");
    }
    if let Some(mgf) = method.mgf_uri() {
        out.extend_from_slice(b"<xenc11:MGF xmlns:xenc11=\"");
        out.extend_from_slice(XENC11_NS.as_bytes());
        out.extend_from_slice(b"\" Algorithm=\"");
        out.extend_from_slice(mgf.as_bytes());
        out.extend_from_slice(b"\"/>");
    }
    out.extend_from_slice(b"</xenc:EncryptionMethod>");
    push_key_info(out, key_info);
    push_cipher_data(out, cipher);
    if !data_references.is_empty() {
        write_reference_list(out, data_references, false);
    }
    out.extend_from_slice(b"</xenc:EncryptedKey>");
}

/// Writes an `xenc:ReferenceList`; `declare` adds the `xenc` declaration for a standalone list.
pub fn write_reference_list(out: &mut Vec<u8>, data_references: &[String], declare: bool) {
    out.extend_from_slice(b"<xenc:ReferenceList");
    if declare {
        out.extend_from_slice(b" xmlns:xenc=\"");
        out.extend_from_slice(XENC_NS.as_bytes());
        out.push(b'"');
    }
    out.push(b'>');
    for id in data_references {
        out.extend_from_slice(b"<xenc:DataReference URI=\"#");
        push_attribute_value(out, id);
        out.extend_from_slice(b"\"/>");
    }
    out.extend_from_slice(b"</xenc:ReferenceList>");
}

fn push_key_info(out: &mut Vec<u8>, key_info: &[u8]) {
    out.extend_from_slice(b"<ds:KeyInfo xmlns:ds=\"");
    out.extend_from_slice(DSIG_NS.as_bytes());
    out.extend_from_slice(b"\">");
    out.extend_from_slice(key_info);
    out.extend_from_slice(b"</ds:KeyInfo>");
}

fn push_cipher_data(out: &mut Vec<u8>, cipher: &[u8]) {
    out.extend_from_slice(b"<xenc:CipherData><xenc:CipherValue>");
    push_base64(out, cipher);
    out.extend_from_slice(b"</xenc:CipherValue></xenc:CipherData>");
}
