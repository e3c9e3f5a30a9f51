//! Converts a WCF `<system.serviceModel>` configuration (app.config / web.config) of a
//! `wsHttpBinding` or `ws2007HttpBinding` endpoint with Message security and certificates into a
//! wsseal TOML configuration: certificate store references, certificate validation, the
//! expected service identity, the profile and its algorithm suite, and the endpoint address.
//!
//! Only the binding wsseal implements is accepted: `security mode="Message"`,
//! `clientCredentialType="Certificate"`, `negotiateServiceCredential="false"` and
//! `establishSecurityContext="false"` (WCF's defaults for the last two are `true`, and for the
//! credential type `Windows`, so they must be written). Anything else is refused with a reason.

use crate::error::{Error, ErrorCode};
use crate::trust::FindType;
use crate::xml::{Document, Element, Limits};

/// What to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The endpoint, by its `name` (client) or its service's `name`; needed only when the file
    /// has more than one usable endpoint.
    pub endpoint: Option<String>,
    /// The directory store the store references resolve against (`[store] root`).
    pub store_root: Option<String>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ConfigInvalid, message)
}

/// Which side the endpoint is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Client,
    Service,
}

/// An endpoint with the names of what it refers to.
struct Endpoint<'d, 'a> {
    side: Side,
    element: Element<'d, 'a>,
    name: String,
    behavior: Option<String>,
}

/// Converts the WCF configuration `text` into wsseal TOML.
pub fn import(text: &str, options: &ImportOptions) -> Result<String, Error> {
    let doc = Document::parse(text.as_bytes(), &Limits::default())
        .map_err(|e| invalid(format!("the WCF configuration is not XML: {e}")))?;
    let model = find(doc.root(), "system.serviceModel")
        .ok_or_else(|| invalid("the file has no <system.serviceModel> section"))?;
    let endpoint = choose_endpoint(model, options)?;
    let binding_kind = attribute(&endpoint.element, "binding").unwrap_or_default();
    let namespaces = match binding_kind.as_str() {
        "wsHttpBinding" => "wsHttpBinding",
        "ws2007HttpBinding" => "ws2007HttpBinding",
        other => {
            return Err(invalid(format!(
                "endpoint {} uses binding {other:?}; only wsHttpBinding and ws2007HttpBinding are imported",
                endpoint.name
            )));
        }
    };
    let binding_name = attribute(&endpoint.element, "bindingConfiguration").unwrap_or_default();
    let binding = child(model, "bindings")
        .and_then(|b| child(b, &binding_kind))
        .and_then(|kind| named(kind, "binding", &binding_name))
        .ok_or_else(|| invalid(format!("no <{binding_kind}> binding named {binding_name:?}")))?;
    let suite = check_binding(binding)?;

    let mut out = format!(
        "# Imported from a WCF configuration: {} endpoint {:?} ({binding_kind}).\n",
        match endpoint.side {
            Side::Client => "client",
            Side::Service => "service",
        },
        endpoint.name
    );
    let address = attribute(&endpoint.element, "address").unwrap_or_default();
    let (credential, peer, authentication) = match endpoint.side {
        Side::Client => {
            let credentials = behavior(model, "endpointBehaviors", endpoint.behavior.as_deref())?
                .and_then(|b| child(b, "clientCredentials"));
            let service = credentials.and_then(|c| child(c, "serviceCertificate"));
            (
                credentials
                    .and_then(|c| child(c, "clientCertificate"))
                    .map(|c| store_reference(c, "CurrentUser"))
                    .transpose()?,
                service
                    .and_then(|s| child(s, "defaultCertificate"))
                    .map(|c| store_reference(c, "CurrentUser"))
                    .transpose()?,
                service.and_then(|s| child(s, "authentication")),
            )
        }
        Side::Service => {
            let credentials = behavior(model, "serviceBehaviors", endpoint.behavior.as_deref())?
                .and_then(|b| child(b, "serviceCredentials"));
            (
                credentials
                    .and_then(|c| child(c, "serviceCertificate"))
                    .map(|c| store_reference(c, "LocalMachine"))
                    .transpose()?,
                None,
                credentials.and_then(|c| child(c, "clientCertificate")).and_then(|c| child(c, "authentication")),
            )
        }
    };
    let credential = credential.ok_or_else(|| {
        invalid(format!(
            "endpoint {} has no certificate of its own (clientCertificate / serviceCertificate)",
            endpoint.name
        ))
    })?;
    out.push_str(&format!("\n[credentials]\nstore = {credential}\n"));

    // The identity: the endpoint's <identity>; without one, `[endpoint] address` is the
    // identity (its host is the expected DNS name).
    let identity = child(endpoint.element, "identity").and_then(|i| i.children().next());
    let mut identity_lines = Vec::new();
    let mut peer = peer;
    if let Some(claim) = identity {
        let value = attribute(&claim, "value");
        match claim.local_name() {
            "dns" => identity_lines.push(format!("dns = {}", quoted(&value.unwrap_or_default()))),
            "userPrincipalName" => identity_lines.push(format!("upn = {}", quoted(&value.unwrap_or_default()))),
            "servicePrincipalName" => identity_lines.push(format!("spn = {}", quoted(&value.unwrap_or_default()))),
            "rsa" => identity_lines.push(format!("rsa = {}", quoted(&value.unwrap_or_default()))),
            "certificate" => {
                let encoded = attribute(&claim, "encodedValue").unwrap_or_default();
                identity_lines.push(format!("certificate = {}", quoted(&encoded)));
            }
            "certificateReference" => {
                let reference = store_reference(claim, "LocalMachine")?;
                identity_lines.push(format!("certificate_reference = {reference}"));
                peer = peer.or(Some(reference));
            }
            other => return Err(invalid(format!("identity <{other}> is not supported"))),
        }
    }
    if let Some(peer) = peer {
        out.push_str(&format!("\n[peer]\nstore = {peer}\n"));
    }
    if let Some(root) = &options.store_root {
        out.push_str(&format!("\n[store]\nroot = {}\n", quoted(root)));
    }
    let mode =
        authentication.and_then(|a| attribute(&a, "certificateValidationMode")).unwrap_or_else(|| "ChainTrust".into());
    if !["ChainTrust", "PeerTrust", "PeerOrChainTrust", "None", "Custom"].contains(&mode.as_str()) || mode == "Custom" {
        return Err(invalid(format!("certificateValidationMode {mode:?} cannot be imported")));
    }
    let revocation = authentication.and_then(|a| attribute(&a, "revocationMode")).unwrap_or_else(|| "Online".into());
    if !["NoCheck", "Offline", "Online"].contains(&revocation.as_str()) {
        return Err(invalid(format!("revocationMode {revocation:?} is not a WCF revocation mode")));
    }
    out.push_str(&format!("\n[trust]\nmode = {}\nrevocation = {}\n", quoted(&mode), quoted(&revocation)));
    if !identity_lines.is_empty() {
        out.push_str(&format!("\n[identity]\n{}\n", identity_lines.join("\n")));
    }
    out.push_str(&format!(
        "\n[policy]\nprofile = \"wcf\"\nwcf_namespaces = {}\nsuite = {}\nprotection_order = \"SignBeforeEncryptAndEncryptSignature\"\n",
        quoted(namespaces),
        quoted(&suite)
    ));
    out.push_str(&format!("\n[endpoint]\naddress = {}\n", quoted(&address)));
    Ok(out)
}

/// The first descendant-or-self named `local_name` (configuration elements have no namespace).
fn find<'d, 'a>(element: Element<'d, 'a>, local_name: &str) -> Option<Element<'d, 'a>> {
    if element.local_name() == local_name {
        return Some(element);
    }
    element.children().find_map(|c| find(c, local_name))
}

fn child<'d, 'a>(element: Element<'d, 'a>, local_name: &str) -> Option<Element<'d, 'a>> {
    element.children().find(|c| c.local_name() == local_name)
}

/// The child `local_name` whose `name` attribute is `name` (an empty name matches a nameless one).
fn named<'d, 'a>(element: Element<'d, 'a>, local_name: &str, name: &str) -> Option<Element<'d, 'a>> {
    element.children().find(|c| c.local_name() == local_name && attribute(c, "name").unwrap_or_default() == name)
}

fn attribute(element: &Element<'_, '_>, name: &str) -> Option<String> {
    element.attribute("", name).map(|a| a.value().into_owned())
}

/// The endpoint to import: named by the options, or the only one with a WS-* HTTP binding.
fn choose_endpoint<'d, 'a>(model: Element<'d, 'a>, options: &ImportOptions) -> Result<Endpoint<'d, 'a>, Error> {
    let mut endpoints = Vec::new();
    if let Some(client) = child(model, "client") {
        for element in client.children().filter(|c| c.local_name() == "endpoint") {
            endpoints.push(Endpoint {
                side: Side::Client,
                name: attribute(&element, "name").unwrap_or_default(),
                behavior: attribute(&element, "behaviorConfiguration"),
                element,
            });
        }
    }
    if let Some(services) = child(model, "services") {
        for service in services.children().filter(|c| c.local_name() == "service") {
            for element in service.children().filter(|c| c.local_name() == "endpoint") {
                endpoints.push(Endpoint {
                    side: Side::Service,
                    name: attribute(&element, "name").or_else(|| attribute(&service, "name")).unwrap_or_default(),
                    behavior: attribute(&service, "behaviorConfiguration"),
                    element,
                });
            }
        }
    }
    let usable = |e: &Endpoint<'_, '_>| {
        matches!(attribute(&e.element, "binding").as_deref(), Some("wsHttpBinding" | "ws2007HttpBinding"))
    };
    let mut matching: Vec<Endpoint<'d, 'a>> = match &options.endpoint {
        Some(name) => endpoints.into_iter().filter(|e| &e.name == name).collect(),
        None => endpoints.into_iter().filter(usable).collect(),
    };
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => Err(invalid(match &options.endpoint {
            Some(name) => format!("no endpoint is named {name:?}"),
            None => "no client or service endpoint uses wsHttpBinding or ws2007HttpBinding".to_owned(),
        })),
        n => Err(invalid(format!("{n} endpoints could be imported; choose one by name"))),
    }
}

/// Checks the binding is Message security with certificates and no negotiation or secure
/// conversation; returns its algorithm suite.
fn check_binding(binding: Element<'_, '_>) -> Result<String, Error> {
    let name = attribute(&binding, "name").unwrap_or_default();
    let security = child(binding, "security");
    let mode = security.and_then(|s| attribute(&s, "mode")).unwrap_or_else(|| "Message".into());
    if mode != "Message" {
        return Err(invalid(format!("binding {name:?} uses security mode {mode:?}; only Message is imported")));
    }
    let message = security.and_then(|s| child(s, "message"));
    let setting = |key: &str, default: &str| message.and_then(|m| attribute(&m, key)).unwrap_or_else(|| default.into());
    let credential = setting("clientCredentialType", "Windows");
    if credential != "Certificate" {
        return Err(invalid(format!("binding {name:?} uses clientCredentialType {credential:?}, not Certificate")));
    }
    for key in ["negotiateServiceCredential", "establishSecurityContext"] {
        if !setting(key, "true").eq_ignore_ascii_case("false") {
            return Err(invalid(format!(
                "binding {name:?} needs {key}=\"false\": wsseal speaks mutual certificates without negotiation or secure conversation"
            )));
        }
    }
    let suite = setting("algorithmSuite", "Basic256");
    if crate::wss::AlgorithmSuite::by_name(&suite).is_none() {
        return Err(invalid(format!("binding {name:?} uses algorithm suite {suite:?}, which wsseal does not know")));
    }
    Ok(suite)
}

/// The behavior named `name` of the `kind` behaviors (`None`: the nameless default behavior).
fn behavior<'d, 'a>(model: Element<'d, 'a>, kind: &str, name: Option<&str>) -> Result<Option<Element<'d, 'a>>, Error> {
    let found =
        child(model, "behaviors").and_then(|b| child(b, kind)).and_then(|b| named(b, "behavior", name.unwrap_or("")));
    match (found, name) {
        (None, Some(name)) => Err(invalid(format!("no {kind} behavior named {name:?}"))),
        (found, _) => Ok(found),
    }
}

/// A certificate store reference as a TOML inline table, with WCF's defaults. An `x509FindType`
/// wsseal cannot look up is refused here, not in the configuration it would be written to.
fn store_reference(element: Element<'_, '_>, default_location: &str) -> Result<String, Error> {
    let get = |key: &str, default: &str| attribute(&element, key).unwrap_or_else(|| default.into());
    let find_type = get("x509FindType", "FindBySubjectDistinguishedName");
    if FindType::from_name(&find_type).is_none() {
        return Err(invalid(format!("x509FindType {find_type:?} is not one wsseal can look up")));
    }
    Ok(format!(
        "{{ location = {}, name = {}, find_type = {}, find_value = {} }}",
        quoted(&get("storeLocation", default_location)),
        quoted(&get("storeName", "My")),
        quoted(find_type.trim()),
        quoted(&get("findValue", "")),
    ))
}

/// A TOML basic string.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_for_toml() {
        assert_eq!(quoted("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000A\"");
    }
}
