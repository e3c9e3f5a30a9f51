//! Trust and identity through the engine built from TOML: ChainTrust both ways, the client's
//! identity check before securing and on responses, refused signers, start-up refusals, our key
//! from PKCS#12 files (legacy and modern, made with the openssl CLI) and from a directory store.

#[path = "trust_data/pki.rs"]
mod pki;

use pki::{Purpose, issue, leaf_params, now, openssl, root, rsa_key};
use time::Duration;
use wsseal_core::config::Config;
use wsseal_core::{Engine, ErrorCode};

const REQUEST: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action>urn:add</a:Action><a:MessageID>urn:uuid:1</a:MessageID></s:Header><s:Body><Add xmlns="urn:calc"><n1>1</n1></Add></s:Body></s:Envelope>"#;
const RESPONSE: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action>urn:addResponse</a:Action><a:RelatesTo>urn:uuid:1</a:RelatesTo></s:Header><s:Body><AddResponse xmlns="urn:calc"/></s:Body></s:Envelope>"#;

/// A directory with ca.der, and for each party NAME: NAME.der and NAME.key.pem.
struct Setup {
    dir: tempfile::TempDir,
    ca: pki::Ca,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ca = root("Engine Test CA", None);
        std::fs::write(dir.path().join("ca.der"), ca.der()).unwrap();
        Self { dir, ca }
    }

    fn party(&self, name: &str, cn: &str, purpose: Purpose, edit: impl FnOnce(&mut rcgen::CertificateParams)) {
        let key = rsa_key();
        let mut params = leaf_params(cn, purpose);
        edit(&mut params);
        let certificate = issue(params, &key, &self.ca);
        std::fs::write(self.path(&format!("{name}.der")), certificate.der()).unwrap();
        std::fs::write(self.path(&format!("{name}.key.pem")), key.serialize_pem()).unwrap();
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    fn config(&self, toml: &str) -> Result<Engine, wsseal_core::Error> {
        Config::from_toml(toml, self.dir.path())?.engine()
    }

    fn engine(&self, toml: &str) -> Engine {
        self.config(toml).unwrap_or_else(|e| panic!("{e}\n{toml}"))
    }
}

fn client_toml(me: &str, peer: &str, identity: &str) -> String {
    format!(
        "[credentials]\ncertificate = \"{me}.der\"\nprivate_key = \"{me}.key.pem\"\n[peer]\ncertificate = \"{peer}.der\"\n\
         [trust]\nanchors = [\"ca.der\"]\n[identity]\n{identity}\n"
    )
}

fn service_toml(me: &str) -> String {
    format!(
        "[credentials]\ncertificate = \"{me}.der\"\nprivate_key = \"{me}.key.pem\"\n[trust]\nanchors = [\"ca.der\"]\n"
    )
}

#[test]
fn chain_trust_both_ways_with_the_identity_checked() {
    let setup = Setup::new();
    setup.party("service", "service.example", Purpose::Server, |_| {});
    setup.party("client", "client.example", Purpose::Client, |_| {});
    let client = setup.engine(&client_toml("client", "service", "dns = \"SERVICE.example\""));
    let service = setup.engine(&service_toml("service"));

    let request = client.secure(REQUEST.as_bytes(), None).unwrap();
    let opened = service.open(&request.envelope, None).unwrap();
    let response = service.secure(RESPONSE.as_bytes(), Some(&opened.exchange)).unwrap();
    client.open(&response.envelope, Some(&request.exchange)).unwrap();
    // The service validated the client's certificate once; the client the service's twice (as
    // the recipient, then as the response's signer).
    assert_eq!(service.certificate_cache_stats().misses, 1);
    let stats = client.certificate_cache_stats();
    assert_eq!((stats.misses, stats.hits), (1, 1));

    // The client refuses to secure for a service that does not prove the identity.
    let wrong =
        setup.engine(&client_toml("client", "service", "xml = '<identity><dns value=\"contoso.com\"/></identity>'"));
    let error = wrong.secure(REQUEST.as_bytes(), None).unwrap_err();
    assert_eq!(error.code(), ErrorCode::IdentityMismatch);
    assert!(error.message().contains("contoso.com") && error.message().contains("service.example"), "{error}");
    // The default identity is the endpoint's host.
    let by_endpoint = setup.engine(&client_toml("client", "service", "endpoint = \"https://service.example/calc\""));
    by_endpoint.secure(REQUEST.as_bytes(), None).unwrap();
    let spn = setup.engine(&client_toml("client", "service", "xml = '<servicePrincipalName value=\"host/x\"/>'"));
    assert_eq!(spn.secure(REQUEST.as_bytes(), None).unwrap_err().code(), ErrorCode::IdentityUnsatisfiable);
}

#[test]
fn responses_are_checked_against_the_identity() {
    let setup = Setup::new();
    setup.party("service", "service.example", Purpose::Server, |_| {});
    setup.party("impostor", "impostor.example", Purpose::Server, |_| {});
    setup.party("client", "client.example", Purpose::Client, |_| {});
    let sign_only = "[policy]\nencrypt_body = false\n";
    let client = setup.engine(&format!("{}{sign_only}", client_toml("client", "service", "dns = \"service.example\"")));
    let impostor = setup.engine(&format!("{}{sign_only}", service_toml("impostor")));
    let request = client.secure(REQUEST.as_bytes(), None).unwrap();
    let opened = impostor.open(&request.envelope, None).unwrap();
    let response = impostor.secure(RESPONSE.as_bytes(), Some(&opened.exchange)).unwrap();
    let error = client.open(&response.envelope, Some(&request.exchange)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::IdentityMismatch, "{error}");
    assert!(error.message().contains("impostor.example"), "{error}");
}

#[test]
fn signers_that_fail_validation_are_refused() {
    let setup = Setup::new();
    setup.party("service", "service.example", Purpose::Server, |_| {});
    setup.party("expired", "client.example", Purpose::Client, |p| {
        p.not_before = now() - Duration::days(30);
        p.not_after = now() - Duration::days(1);
    });
    setup.party("server_only", "client.example", Purpose::Server, |_| {});
    let service = setup.engine(&service_toml("service"));
    for (client, code) in
        [("expired", ErrorCode::CertificateExpired), ("server_only", ErrorCode::CertificateExtendedKeyUsageInvalid)]
    {
        // The client trusts itself to be valid; the service must not.
        let toml = client_toml(client, "service", "dns = \"service.example\"")
            .replace("[trust]\n", "[trust]\nmode = \"None\"\n");
        let request = setup.engine(&toml).secure(REQUEST.as_bytes(), None).unwrap();
        assert_eq!(service.open(&request.envelope, None).unwrap_err().code(), code, "{client}");
    }
}

#[test]
fn configurations_that_cannot_validate_are_refused_at_start_up() {
    let setup = Setup::new();
    setup.party("service", "service.example", Purpose::Server, |_| {});
    let credentials = "[credentials]\ncertificate = \"service.der\"\nprivate_key = \"service.key.pem\"\n";
    for trust in [
        "",
        "[trust]\nmode = \"ChainTrust\"\n",
        "[trust]\nmode = \"PeerTrust\"\n",
        "[trust]\nmode = \"Custom\"\n",
        "[trust]\nanchors = [\"ca.der\"]\nrevocation = \"Online\"\n",
        "[trust]\nanchors = [\"ca.der\"]\nrevocation = \"Offline\"\n",
        "[trust]\nanchors = [\"missing.pem\"]\n",
        "[trust]\nanchors = [\"ca.der\"]\nsignature_algorithms = [\"md5WithRSA\"]\n",
        "[trust]\nanchors = [\"ca.der\"]\n[identity]\ndns = \"a\"\nxml = '<dns value=\"b\"/>'\n",
    ] {
        let error = setup.config(&format!("{credentials}{trust}")).unwrap_err();
        assert_eq!(error.code(), ErrorCode::ConfigInvalid, "{trust}: {error}");
    }
    // Mode None is allowed, explicitly.
    setup.engine(&format!("{credentials}[trust]\nmode = \"None\"\n"));
    // A [peer] certificate alone still pins it.
    setup.engine(&format!("{credentials}[peer]\ncertificate = \"service.der\"\n"));
}

#[test]
fn our_key_from_pkcs12_files_and_a_directory_store() {
    let setup = Setup::new();
    setup.party("service", "service.example", Purpose::Server, |_| {});
    setup.party("client", "client.example", Purpose::Client, |_| {});
    let dir = setup.dir.path();
    openssl(dir, &["x509", "-inform", "DER", "-in", "client.der", "-out", "client.pem"]);
    let export = ["pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key.pem", "-passout", "pass:s3cret"];
    openssl(dir, &[&export[..], &["-out", "modern.pfx"]].concat());
    openssl(dir, &[&export[..], &["-legacy", "-out", "legacy.pfx"]].concat());
    let service = setup.engine(&service_toml("service"));
    let peer = "[peer]\ncertificate = \"service.der\"\n[trust]\nanchors = [\"ca.der\"]\n";
    // SAFETY: no other thread of this test binary reads this variable.
    unsafe { std::env::set_var("WSSEAL_TEST_PFX_PASSWORD", "s3cret") };
    for credentials in [
        "pkcs12 = \"modern.pfx\"\npassword = \"s3cret\"",
        "pkcs12 = \"legacy.pfx\"\npassword_env = \"WSSEAL_TEST_PFX_PASSWORD\"",
    ] {
        let client = setup.engine(&format!("[credentials]\n{credentials}\n{peer}"));
        let request = client.secure(REQUEST.as_bytes(), None).unwrap();
        service.open(&request.envelope, None).unwrap_or_else(|e| panic!("{credentials}: {e}"));
    }
    let wrong =
        setup.config(&format!("[credentials]\npkcs12 = \"modern.pfx\"\npassword = \"nope\"\n{peer}")).unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::CredentialInvalid);

    // The same key in a directory store, found as a WCF configuration names it.
    let my = dir.join("stores").join("CurrentUser").join("My");
    std::fs::create_dir_all(&my).unwrap();
    std::fs::copy(dir.join("legacy.pfx"), my.join("client.pfx")).unwrap();
    let people = dir.join("stores").join("CurrentUser").join("TrustedPeople");
    std::fs::create_dir_all(&people).unwrap();
    std::fs::copy(dir.join("service.der"), people.join("service.cer")).unwrap();
    let store = "[store]\nroot = \"stores\"\n[credentials]\npassword = \"s3cret\"\n\
        store = { location = \"CurrentUser\", name = \"My\", find_type = \"FindBySubjectName\", find_value = \"client.example\" }\n\
        [peer]\nstore = { location = \"CurrentUser\", name = \"TrustedPeople\", find_type = \"FindBySubjectName\", find_value = \"service\" }\n";
    let client = setup.engine(&format!("{store}[trust]\nmode = \"PeerTrust\"\n"));
    let request = client.secure(REQUEST.as_bytes(), None).unwrap();
    service.open(&request.envelope, None).unwrap();
    let missing = store.replace("find_value = \"client.example\"", "find_value = \"nobody\"");
    assert_eq!(
        setup.config(&format!("{missing}[trust]\nmode = \"PeerTrust\"\n")).unwrap_err().code(),
        ErrorCode::CertificateNotFound
    );
}

#[test]
fn the_wcf_importer_shape_of_identity_and_endpoint() {
    let setup = Setup::new();
    setup.party("service", "service.example", Purpose::Server, |_| {});
    setup.party("client", "client.example", Purpose::Client, |_| {});
    let client = |identity: &str, address: &str| {
        client_toml("client", "service", identity) + &format!("[endpoint]\naddress = \"{address}\"\n")
    };
    setup.engine(&client("", "https://service.example/calc")).secure(REQUEST.as_bytes(), None).unwrap();
    let other_host = setup.engine(&client("", "https://other.example/calc"));
    assert_eq!(other_host.secure(REQUEST.as_bytes(), None).unwrap_err().code(), ErrorCode::IdentityMismatch);
    // An explicit identity wins over the address.
    setup
        .engine(&client("dns = \"service.example\"", "https://other.example/"))
        .secure(REQUEST.as_bytes(), None)
        .unwrap();
    // certificate = the WCF encodedValue (the seed's blob names the seed, not our service).
    let encoded = format!("certificate = \"{}\"", pki::SEED_ENCODED_VALUE);
    let config = Config::from_toml(&client(&encoded, "https://service.example/"), setup.dir.path()).unwrap();
    assert_eq!(config.identity().unwrap(), Some(wsseal_core::identity::Identity::Certificate(pki::seed())));
    let pinned_elsewhere = setup.engine(&client(&encoded, "https://service.example/"));
    assert_eq!(pinned_elsewhere.secure(REQUEST.as_bytes(), None).unwrap_err().code(), ErrorCode::IdentityMismatch);
    let spn = setup.engine(&client("spn = \"host/service\"", "https://service.example/"));
    assert_eq!(spn.secure(REQUEST.as_bytes(), None).unwrap_err().code(), ErrorCode::IdentityUnsatisfiable);
    // A service ignores its own address.
    setup.engine(&(service_toml("service") + "[endpoint]\naddress = \"https://service.example/calc\"\n"));
}
