//! `wcf::import`: the seed's client and service configurations (Message security with mutual
//! certificates) become wsseal TOML, checked textually and by parsing; bindings wsseal does not
//! speak are refused with a reason.

use wsseal_core::ErrorCode;
use wsseal_core::wcf::import::{ImportOptions, import};

const CLIENT: &str = include_str!("wcf_data/client.config");
const SERVICE: &str = include_str!("wcf_data/service.config");

fn table<'t>(value: &'t toml::Value, key: &str) -> &'t toml::Table {
    value.get(key).and_then(toml::Value::as_table).unwrap_or_else(|| panic!("no [{key}] in {value:?}"))
}

fn text<'t>(table: &'t toml::Table, key: &str) -> &'t str {
    table.get(key).and_then(toml::Value::as_str).unwrap_or_else(|| panic!("no {key} in {table:?}"))
}

#[test]
fn the_seed_client_configuration_imports() {
    let options = ImportOptions { store_root: Some("/etc/wsseal/store".into()), ..Default::default() };
    let toml_text = import(CLIENT, &options).unwrap();
    for line in [
        "[credentials]\nstore = { location = \"CurrentUser\", name = \"My\", find_type = \"FindBySubjectName\", find_value = \"Cohowinery.com\" }",
        "[peer]\nstore = { location = \"CurrentUser\", name = \"TrustedPeople\", find_type = \"FindBySubjectName\", find_value = \"Contoso.com\" }",
        "[store]\nroot = \"/etc/wsseal/store\"",
        "[trust]\nmode = \"ChainTrust\"\nrevocation = \"Online\"",
        "[identity]\ncertificate = \"Encoded_Value_Not_Shown\"",
        "profile = \"wcf\"",
        "suite = \"Basic256\"",
        "wcf_namespaces = \"wsHttpBinding\"",
        "protection_order = \"SignBeforeEncryptAndEncryptSignature\"",
        "[endpoint]\naddress = \"http://machineName/Calculator\"",
    ] {
        assert!(toml_text.contains(line), "{line}\nnot in\n{toml_text}");
    }
    let value: toml::Value = toml::from_str(&toml_text).unwrap();
    let credentials = table(&value, "credentials");
    let store = credentials["store"].as_table().unwrap();
    assert_eq!(text(store, "find_value"), "Cohowinery.com");
    assert_eq!(text(table(&value, "policy"), "profile"), "wcf");
    assert_eq!(text(table(&value, "endpoint"), "address"), "http://machineName/Calculator");

    // The whole text is a configuration wsseal_core::config reads, with WCF's policy.
    let config = wsseal_core::config::Config::from_toml(&toml_text, ".").unwrap();
    assert_eq!(config.policy().unwrap(), wsseal_core::wss::Policy::wcf());
}

#[test]
fn the_seed_service_configuration_imports() {
    let toml_text = import(SERVICE, &ImportOptions::default()).unwrap();
    assert!(toml_text.contains(
        "[credentials]\nstore = { location = \"LocalMachine\", name = \"My\", find_type = \"FindBySubjectName\", find_value = \"Contoso.com\" }"
    ), "{toml_text}");
    let value: toml::Value = toml::from_str(&toml_text).unwrap();
    assert!(value.get("peer").is_none(), "a service trusts clients by chain, it has no pinned peer");
    assert!(value.get("store").is_none());
    assert_eq!(text(table(&value, "trust"), "mode"), "ChainTrust");
    assert_eq!(text(table(&value, "endpoint"), "address"), "http://localhost/Calculator");
    wsseal_core::config::Config::from_toml(&toml_text, ".").unwrap().policy().unwrap();
}

#[test]
fn identity_defaults_to_the_endpoint_address_and_validation_modes_are_read() {
    let client = CLIENT
        .replace(
            "<identity>\n          <certificate encodedValue=\"Encoded_Value_Not_Shown\" />\n        </identity>",
            "",
        )
        .replace(
            "<serviceCertificate>",
            "<serviceCertificate><authentication certificateValidationMode=\"PeerTrust\" revocationMode=\"NoCheck\"/>",
        );
    let value: toml::Value = toml::from_str(&import(&client, &ImportOptions::default()).unwrap()).unwrap();
    assert!(value.get("identity").is_none(), "the endpoint address is the default identity");
    assert_eq!(text(table(&value, "endpoint"), "address"), "http://machineName/Calculator");
    assert_eq!(text(table(&value, "trust"), "mode"), "PeerTrust");
    assert_eq!(text(table(&value, "trust"), "revocation"), "NoCheck");

    let dns = client.replace("</endpoint>", "<identity><dns value=\"contoso.com\"/></identity></endpoint>");
    let imported = import(&dns, &ImportOptions::default()).unwrap();
    assert_eq!(text(table(&toml::from_str(&imported).unwrap(), "identity"), "dns"), "contoso.com");
    wsseal_core::config::Config::from_toml(&imported, ".").unwrap();
}

#[test]
fn the_2007_binding_and_its_suite_are_kept() {
    let client = CLIENT.replace("wsHttpBinding", "ws2007HttpBinding").replace(
        "establishSecurityContext=\"false\"",
        "establishSecurityContext=\"false\" algorithmSuite=\"Basic256Sha256\"",
    );
    let value: toml::Value = toml::from_str(&import(&client, &ImportOptions::default()).unwrap()).unwrap();
    assert_eq!(text(table(&value, "policy"), "wcf_namespaces"), "ws2007HttpBinding");
    assert_eq!(text(table(&value, "policy"), "suite"), "Basic256Sha256");
}

#[test]
fn other_bindings_are_refused_with_a_reason() {
    for (from, to) in [
        ("establishSecurityContext=\"false\"", "establishSecurityContext=\"true\""),
        ("negotiateServiceCredential=\"false\"", ""),
        ("clientCredentialType=\"Certificate\"", "clientCredentialType=\"UserName\""),
        ("<security mode=\"Message\">", "<security mode=\"Transport\">"),
        ("binding=\"wsHttpBinding\"", "binding=\"basicHttpBinding\""),
        ("bindingConfiguration=\"WSHttpBinding_ICalculator\"", "bindingConfiguration=\"Other\""),
        ("behaviorConfiguration=\"ClientCredentialsBehavior\"", "behaviorConfiguration=\"Missing\""),
        ("<system.serviceModel>", "<system.other>"),
    ] {
        let changed = CLIENT.replacen(from, to, 1).replace("</system.serviceModel>", "</system.other>");
        let changed = if from == "<system.serviceModel>" {
            changed
        } else {
            changed
                .replace("<system.other>", "<system.serviceModel>")
                .replace("</system.other>", "</system.serviceModel>")
        };
        assert_ne!(changed, CLIENT, "{from}");
        let error = import(&changed, &ImportOptions::default()).unwrap_err();
        assert_eq!(error.code(), ErrorCode::ConfigInvalid, "{from}");
    }
    let named = ImportOptions { endpoint: Some("Nope".into()), ..Default::default() };
    assert_eq!(import(CLIENT, &named).unwrap_err().code(), ErrorCode::ConfigInvalid);
    let named = ImportOptions { endpoint: Some("WSHttpBinding_ICalculator".into()), ..Default::default() };
    assert!(import(CLIENT, &named).is_ok());
}
