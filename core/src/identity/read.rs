//! Reading an expected identity from a WCF `<identity>` element (or one of its children) and from
//! a WSDL `<Identity>` of the addressing-identity namespace, with the project's XML index.

use super::{Identity, serialized};
use crate::cert::Certificate;
use crate::dsig::DSIG_NS;
use crate::error::{Error, ErrorCode};
use crate::trust::{FindType, StoreQuery};
use crate::xml::{Document, Element, Limits};

/// The addressing-identity namespace of WSDL `<Identity>` elements.
pub const ADDRESSING_IDENTITY_NS: &str = "http://schemas.xmlsoap.org/ws/2006/02/addressingidentity";

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::IdentityInvalid, message)
}

fn parse(text: &str) -> Result<Document<'_>, Error> {
    Document::parse(text.as_bytes(), &Limits::default()).map_err(|e| invalid(format!("the identity XML: {e}")))
}

/// A WCF `<identity>` element with one identity child, or the child itself.
pub(crate) fn from_config_xml(text: &str) -> Result<Identity, Error> {
    let doc = parse(text)?;
    let root = doc.root();
    if root.local_name() != "identity" {
        return config_child(root);
    }
    let mut children = root.children();
    let child = children.next().ok_or_else(|| invalid("the <identity> element is empty"))?;
    if children.next().is_some() {
        return Err(invalid("the <identity> element has more than one identity"));
    }
    config_child(child)
}

fn attribute(element: &Element<'_, '_>, name: &str) -> Result<String, Error> {
    element
        .attribute("", name)
        .map(|a| a.value().into_owned())
        .ok_or_else(|| invalid(format!("<{}> has no {name} attribute", element.local_name())))
}

fn config_child(element: Element<'_, '_>) -> Result<Identity, Error> {
    let value = || attribute(&element, "value");
    Ok(match element.local_name() {
        "dns" => Identity::Dns(value()?),
        "certificate" => Identity::Certificate(serialized::certificate(&attribute(&element, "encodedValue")?)?),
        "certificateReference" => {
            let optional = |name: &str, default: &str| {
                element.attribute("", name).map_or_else(|| default.to_owned(), |a| a.value().into_owned())
            };
            let find_type = optional("x509FindType", "FindBySubjectDistinguishedName");
            Identity::CertificateReference(StoreQuery {
                location: optional("storeLocation", "LocalMachine"),
                name: optional("storeName", "My"),
                find_type: FindType::from_name(&find_type)
                    .ok_or_else(|| invalid(format!("x509FindType {find_type} is not supported")))?,
                find_value: attribute(&element, "findValue")?,
            })
        }
        "rsa" => rsa_key_value(&value()?)?,
        "userPrincipalName" => Identity::UserPrincipalName(value()?),
        "servicePrincipalName" => Identity::ServicePrincipalName(value()?),
        other => return Err(invalid(format!("<{other}> is not an identity kind"))),
    })
}

/// An `<RSAKeyValue>` text (the `rsa` identity's value).
fn rsa_key_value(text: &str) -> Result<Identity, Error> {
    let doc = parse(text)?;
    rsa_from_element(doc.root())
}

fn rsa_from_element(element: Element<'_, '_>) -> Result<Identity, Error> {
    if element.local_name() != "RSAKeyValue" {
        return Err(invalid("an rsa identity must be an <RSAKeyValue>"));
    }
    let part = |name: &str| {
        let child = element
            .children()
            .find(|c| c.local_name() == name)
            .ok_or_else(|| invalid(format!("<RSAKeyValue> has no <{name}>")))?;
        crate::encoding::decode_base64(child.text().trim(), 2048)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid(format!("<{name}> is not base64")))
    };
    Ok(Identity::Rsa { modulus: part("Modulus")?, exponent: part("Exponent")? })
}

/// The identity of a WSDL: its `<Identity>` elements of the addressing-identity namespace. Several
/// endpoints may each carry one; they must agree.
pub(crate) fn from_wsdl(text: &str) -> Result<Identity, Error> {
    let doc = parse(text)?;
    let all = doc.elements_starting_in(0..doc.input().len());
    let mut found: Option<Identity> = None;
    for element in all.filter(|e| e.local_name() == "Identity" && is_identity_namespace(e.namespace())) {
        let identity = wsdl_identity(element)?;
        match &found {
            Some(first) if *first != identity => {
                return Err(invalid("the WSDL names different identities; pass the one to expect"));
            }
            Some(_) => {}
            None => found = Some(identity),
        }
    }
    found.ok_or_else(|| invalid("the WSDL has no <Identity> of the addressing-identity namespace"))
}

/// The namespace of WSDL identities; the seed document's `https` spelling is read as well.
fn is_identity_namespace(namespace: &str) -> bool {
    namespace == ADDRESSING_IDENTITY_NS
        || namespace.strip_prefix("https").is_some_and(|rest| ADDRESSING_IDENTITY_NS.strip_prefix("http") == Some(rest))
}

fn wsdl_identity(identity: Element<'_, '_>) -> Result<Identity, Error> {
    let doc_elements = identity.children().collect::<Vec<_>>();
    let child = match doc_elements.as_slice() {
        [one] => *one,
        _ => return Err(invalid("a WSDL <Identity> must hold exactly one identity")),
    };
    let text = || child.text().trim().to_owned();
    match child.local_name() {
        "Dns" => Ok(Identity::Dns(text())),
        "Upn" => Ok(Identity::UserPrincipalName(text())),
        "Spn" => Ok(Identity::ServicePrincipalName(text())),
        "KeyInfo" if child.namespace() == DSIG_NS => key_info(child),
        "Rsa" => child.children().find(|c| c.local_name() == "KeyInfo").map_or_else(|| rsa_under(child), key_info),
        other => Err(invalid(format!("<{other}> is not a WSDL identity kind"))),
    }
}

/// A `ds:KeyInfo` with `X509Data/X509Certificate` or `KeyValue/RSAKeyValue`.
fn key_info(key_info: Element<'_, '_>) -> Result<Identity, Error> {
    for data in key_info.children().filter(|c| c.namespace() == DSIG_NS) {
        match data.local_name() {
            "X509Data" => {
                let certificate = data
                    .children()
                    .find(|c| c.is(DSIG_NS, "X509Certificate"))
                    .ok_or_else(|| invalid("<X509Data> has no <X509Certificate>"))?;
                let der = crate::encoding::decode_base64(certificate.text().trim(), serialized::MAX_ENCODED)
                    .ok_or_else(|| invalid("<X509Certificate> is not base64"))?;
                let certificate = Certificate::from_der(&der)
                    .map_err(|e| invalid(format!("the identity certificate cannot be read: {e}")))?;
                return Ok(Identity::Certificate(certificate));
            }
            "KeyValue" => return rsa_under(data),
            _ => {}
        }
    }
    Err(invalid("the identity <KeyInfo> has neither X509Data nor an RSA KeyValue"))
}

fn rsa_under(element: Element<'_, '_>) -> Result<Identity, Error> {
    let value = element
        .children()
        .find(|c| c.local_name() == "RSAKeyValue")
        .ok_or_else(|| invalid(format!("<{}> has no <RSAKeyValue>", element.local_name())))?;
    rsa_from_element(value)
}
