//! Intermediates carried in the message: a chain leaf ← intermediate ← root where only the root is
//! a trust anchor and the intermediate travels as a second BinarySecurityToken, inside an
//! X509PKIPathv1 or a PKCS7 token. Message certificates complete paths but never anchor them,
//! are bounded in number, and the verdict cache keeps verdicts per set of certificates.

#[path = "trust_data/pki.rs"]
mod pki;

use pki::{Purpose, ec_key, intermediate, issue, leaf_params, pkcs7, pki_path, root, rsa_key};
use wsseal_core::cert::Certificate;
use wsseal_core::config::Config;
use wsseal_core::trust::{Role, TrustMaterial, TrustMode, TrustValidator, ValidationSettings};
use wsseal_core::wss::CertificateValidator;
use wsseal_core::{Engine, ErrorCode};

const REQUEST: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action>urn:add</a:Action><a:MessageID>urn:uuid:1</a:MessageID></s:Header><s:Body><Add xmlns="urn:calc"><n1>1</n1></Add></s:Body></s:Envelope>"#;
const X509V3: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
const PKI_PATH: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1";
const PKCS7: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7";
fn encode_base64(der: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(der)
}

const BST_END: &str = "</wsse:BinarySecurityToken>";

fn token(value_type: &str, der: &[u8]) -> String {
    format!(
        "<wsse:BinarySecurityToken ValueType=\"{value_type}\" EncodingType=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary\">{}{BST_END}",
        encode_base64(der)
    )
}

/// Root → intermediate → client leaf; the service's certificate issued by the root.
struct Setup {
    dir: tempfile::TempDir,
    root: pki::Ca,
    intermediate: pki::Ca,
    client: Certificate,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = root("Message Chain Root", None);
        let intermediate = intermediate("Message Chain Intermediate", &root);
        std::fs::write(dir.path().join("root.der"), root.der()).unwrap();
        let party = |name: &str, cn: &str, purpose: Purpose, issuer: &pki::Ca| {
            let key = rsa_key();
            let certificate = issue(leaf_params(cn, purpose), &key, issuer);
            std::fs::write(dir.path().join(format!("{name}.der")), certificate.der()).unwrap();
            std::fs::write(dir.path().join(format!("{name}.key.pem")), key.serialize_pem()).unwrap();
            certificate
        };
        party("service", "service.example", Purpose::Server, &root);
        let client = party("client", "client.example", Purpose::Client, &intermediate);
        Self { dir, root, intermediate, client }
    }

    fn engine(&self, toml: &str) -> Engine {
        Config::from_toml(toml, self.dir.path()).and_then(|c| c.engine()).unwrap_or_else(|e| panic!("{e}\n{toml}"))
    }

    fn client(&self) -> Engine {
        self.client_with("")
    }

    /// The client, with more configuration (a `[policy]` table).
    fn client_with(&self, more: &str) -> Engine {
        self.engine(&format!(
            "[credentials]\ncertificate = \"client.der\"\nprivate_key = \"client.key.pem\"\n\
             [peer]\ncertificate = \"service.der\"\n[trust]\nanchors = [\"root.der\"]\n[identity]\ndns = \"service.example\"\n{more}",
        ))
    }

    /// Only the root is trusted: no intermediate is configured.
    fn service(&self) -> Engine {
        self.service_with("")
    }

    /// The service, with more configuration (a `[policy]` table).
    fn service_with(&self, more: &str) -> Engine {
        self.engine(&format!(
            "[credentials]\ncertificate = \"service.der\"\nprivate_key = \"service.key.pem\"\n\
             [trust]\nanchors = [\"root.der\"]\n{more}",
        ))
    }

    fn intermediate(&self) -> Certificate {
        pki::certificate(&self.intermediate)
    }

    /// A request of the client, signed with its certificate in one X509v3 token.
    fn request(&self) -> String {
        String::from_utf8(self.client().secure(REQUEST.as_bytes(), None).unwrap().envelope).unwrap()
    }
}

/// `request` with `tokens` added after its signing token.
fn with_tokens(request: &str, tokens: &[String]) -> String {
    let at = request.find(BST_END).expect("a BinarySecurityToken") + BST_END.len();
    format!("{}{}{}", &request[..at], tokens.concat(), &request[at..])
}

/// `request` with its signing token's ValueType and content replaced.
fn with_signing_token(request: &str, value_type: &str, der: &[u8]) -> String {
    let end = request.find(BST_END).expect("a BinarySecurityToken");
    let value_start = request[..end].rfind('>').unwrap() + 1;
    let replaced = format!("{}{}{}", &request[..value_start], encode_base64(der), &request[end..]);
    replaced.replacen(X509V3, value_type, 1)
}

#[test]
fn an_intermediate_in_a_second_token_completes_the_path() {
    let setup = Setup::new();
    let request = setup.request();
    let service = setup.service();
    let error = service.open(request.as_bytes(), None).unwrap_err();
    assert_eq!(error.code(), ErrorCode::CertificateChainBroken, "{error}");

    let carried = with_tokens(&request, &[token(X509V3, setup.intermediate().der())]);
    let opened = setup.service().open(carried.as_bytes(), None).unwrap();
    assert_eq!(opened.report.signer.expect("signer").subject, setup.client.subject());
}

#[test]
fn an_x509_pki_path_token_signs_with_its_last_certificate() {
    let setup = Setup::new();
    let request = setup.request();
    let root = pki::certificate(&setup.root);
    for path in [vec![&root, &setup.intermediate(), &setup.client], vec![&setup.intermediate(), &setup.client]] {
        let carried = with_signing_token(&request, PKI_PATH, &pki_path(&path));
        setup.service().open(carried.as_bytes(), None).unwrap_or_else(|e| panic!("{} certificates: {e}", path.len()));
    }
    // Without the intermediate, the path is broken; the leaf first is not a path that signs.
    let alone = with_signing_token(&request, PKI_PATH, &pki_path(&[&setup.client]));
    assert_eq!(setup.service().open(alone.as_bytes(), None).unwrap_err().code(), ErrorCode::CertificateChainBroken);
    let reversed = with_signing_token(&request, PKI_PATH, &pki_path(&[&setup.client, &setup.intermediate()]));
    assert!(setup.service().open(reversed.as_bytes(), None).is_err());
    let garbage = with_signing_token(&request, PKI_PATH, &[0x30, 0x03, 0x02, 0x01, 0x00]);
    let error = setup.service().open(garbage.as_bytes(), None).unwrap_err();
    assert_eq!(error.code(), ErrorCode::SecurityHeaderMalformed, "{error}");
}

#[test]
fn a_pkcs7_token_signs_with_the_certificate_that_issued_no_other() {
    let setup = Setup::new();
    let request = setup.request();
    let root = pki::certificate(&setup.root);
    let set = pkcs7(&[&setup.client, &root, &setup.intermediate()]);
    let carried = with_signing_token(&request, PKCS7, &set);
    let opened = setup.service().open(carried.as_bytes(), None).unwrap();
    assert_eq!(opened.report.signer.expect("signer").subject, setup.client.subject());
    // Two unrelated end entities: which one signs is ambiguous.
    let other = issue(leaf_params("other.example", Purpose::Client), &ec_key(), &setup.intermediate);
    let ambiguous = with_signing_token(&request, PKCS7, &pkcs7(&[&setup.client, &other, &setup.intermediate()]));
    let error = setup.service().open(ambiguous.as_bytes(), None).unwrap_err();
    assert_eq!(error.code(), ErrorCode::SecurityHeaderMalformed, "{error}");
}

#[test]
fn a_message_certificate_never_becomes_an_anchor() {
    let setup = Setup::new();
    // A rogue root with the trusted root's very name, and an intermediate of the same name under it.
    let rogue_root = root("Message Chain Root", None);
    let rogue_intermediate = intermediate("Message Chain Intermediate", &rogue_root);
    let request = setup.request();
    let rogue = |tokens: &[&Certificate]| {
        let carried = with_tokens(&request, &tokens.iter().map(|c| token(X509V3, c.der())).collect::<Vec<_>>());
        setup.service().open(carried.as_bytes(), None).unwrap_err().code()
    };
    let rogue_root = pki::certificate(&rogue_root);
    // The client's certificate is not issued by the rogue intermediate: the path stays broken.
    assert_eq!(rogue(&[&pki::certificate(&rogue_intermediate), &rogue_root]), ErrorCode::CertificateChainBroken);

    // A client certificate issued by the rogue intermediate, with the rogue root carried along.
    let key = rsa_key();
    let rogue_client = issue(leaf_params("client.example", Purpose::Client), &key, &rogue_intermediate);
    let validator = TrustValidator::new(
        ValidationSettings::new(TrustMode::ChainTrust, Role::Service),
        TrustMaterial { anchors: vec![pki::certificate(&setup.root)], ..TrustMaterial::default() },
    )
    .unwrap();
    let candidates = vec![pki::certificate(&rogue_intermediate).der().to_vec(), rogue_root.der().to_vec()];
    let error = validator.validate_with_candidates(rogue_client.der(), &candidates).unwrap_err();
    assert_eq!(error.code(), ErrorCode::CertificateUntrustedRoot, "{error}");
    // A self-signed certificate presented as the signer with itself as candidate is no anchor either.
    let self_made = pki::certificate(&root("Self Made", None));
    let error = validator.validate_with_candidates(self_made.der(), &[self_made.der().to_vec()]).unwrap_err();
    assert_eq!(error.code(), ErrorCode::CertificateUntrustedRoot, "{error}");
    // Under the trusted root's name too.
    let error = validator.validate_with_candidates(rogue_root.der(), &[rogue_root.der().to_vec()]).unwrap_err();
    assert_eq!(error.code(), ErrorCode::CertificateUntrustedRoot, "{error}");
}

#[test]
fn too_many_message_certificates_are_refused() {
    let setup = Setup::new();
    let request = setup.request();
    let nine: Vec<String> = (0..9).map(|_| token(X509V3, setup.intermediate().der())).collect();
    let error = setup.service().open(with_tokens(&request, &nine).as_bytes(), None).unwrap_err();
    assert_eq!(error.code(), ErrorCode::SecurityLimitExceeded, "{error}");
    let eight = with_tokens(&request, &nine[..8]);
    setup.service().open(eight.as_bytes(), None).unwrap();

    let validator = TrustValidator::new(
        ValidationSettings::new(TrustMode::ChainTrust, Role::Service),
        TrustMaterial { anchors: vec![pki::certificate(&setup.root)], ..TrustMaterial::default() },
    )
    .unwrap();
    let candidates = vec![setup.intermediate().der().to_vec(); 9];
    let error = validator.validate_with_candidates(setup.client.der(), &candidates).unwrap_err();
    assert_eq!(error.code(), ErrorCode::SecurityLimitExceeded, "{error}");
}

#[test]
fn verdicts_with_message_certificates_are_kept_apart() {
    let setup = Setup::new();
    let validator = TrustValidator::new(
        ValidationSettings::new(TrustMode::ChainTrust, Role::Service),
        TrustMaterial { anchors: vec![pki::certificate(&setup.root)], ..TrustMaterial::default() },
    )
    .unwrap();
    let leaf = setup.client.der();
    let intermediate = vec![setup.intermediate().der().to_vec()];
    // Refused alone, then accepted with the intermediate: the refusal does not answer for it.
    assert_eq!(validator.validate_der(leaf).unwrap_err().code(), ErrorCode::CertificateChainBroken);
    validator.validate_with_candidates(leaf, &intermediate).unwrap();
    // The acceptance with the intermediate does not answer for the certificate alone.
    assert_eq!(validator.validate_der(leaf).unwrap_err().code(), ErrorCode::CertificateChainBroken);
    // Another set of certificates is another verdict.
    let root = vec![pki::certificate(&setup.root).der().to_vec()];
    assert_eq!(validator.validate_with_candidates(leaf, &root).unwrap_err().code(), ErrorCode::CertificateChainBroken);
    validator.validate_with_candidates(leaf, &intermediate).unwrap();
    let stats = validator.cache_stats();
    assert_eq!((stats.misses, stats.hits, stats.entries), (3, 2, 3));
}

/// CA parameters named "Loop", valid now.
fn loop_params(serial: u64) -> rcgen::CertificateParams {
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Loop");
    params.not_before = pki::now() - time::Duration::days(1);
    params.not_after = pki::now() + time::Duration::days(30);
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
    params.serial_number = Some(rcgen::SerialNumber::from(serial));
    params
}

#[test]
fn path_search_through_cross_signed_message_certificates_is_bounded() {
    // Four keys, two certificates named "Loop" for each, each signed by the next key: every
    // certificate has two issuers whose signatures verify, so the paths multiply with depth.
    let keys: Vec<rcgen::KeyPair> = (0..4).map(|_| ec_key()).collect();
    let issuers: Vec<_> = keys.iter().map(|key| rcgen::Issuer::new(loop_params(1), key)).collect();
    let mut looping = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        for copy in 0..2 {
            let certificate = loop_params(10 + 2 * i as u64 + copy).signed_by(key, &issuers[(i + 1) % 4]).unwrap();
            looping.push(certificate.der().to_vec());
        }
    }
    let leaf = leaf_params("client.example", Purpose::Client).signed_by(&ec_key(), &issuers[0]).unwrap();
    let validator = TrustValidator::new(
        ValidationSettings::new(TrustMode::ChainTrust, Role::Service),
        TrustMaterial { anchors: vec![pki::certificate(&root("Elsewhere", None))], ..TrustMaterial::default() },
    )
    .unwrap();
    let started = std::time::Instant::now();
    let error = validator.validate_with_candidates(leaf.der(), &looping).unwrap_err();
    assert_eq!(error.code(), ErrorCode::CertificateChainBroken, "{error}");
    assert!(error.message().contains("signature checks"), "{error}");
    // Not a timing target: a sanity bound far above 32 verifications, far below thousands.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

fn pem(certificate: &Certificate) -> String {
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", encode_base64(certificate.der()))
}

#[test]
fn include_chain_sends_our_issuers_after_our_token() {
    let setup = Setup::new();
    let root = pki::certificate(&setup.root);
    let bundle = [pem(&setup.client), pem(&setup.intermediate()), pem(&root)].concat();
    std::fs::write(setup.dir.path().join("client-chain.pem"), bundle).unwrap();
    let client = setup.engine(
        "[credentials]\ncertificate = \"client-chain.pem\"\nprivate_key = \"client.key.pem\"\ninclude_chain = true\n\
         [peer]\ncertificate = \"service.der\"\n[trust]\nanchors = [\"root.der\"]\n[identity]\ndns = \"service.example\"\n",
    );
    let request = String::from_utf8(client.secure(REQUEST.as_bytes(), None).unwrap().envelope).unwrap();
    // Our token and the intermediate's; the self-signed root is left out.
    assert_eq!(request.matches(BST_END).count(), 2, "{request}");
    let opened = setup.service().open(request.as_bytes(), None).unwrap();
    assert_eq!(opened.report.signer.expect("signer").subject, setup.client.subject());

    // Without the switch, the same bundle sends one token, and the service cannot build the path.
    let plain = setup.engine(
        "[credentials]\ncertificate = \"client-chain.pem\"\nprivate_key = \"client.key.pem\"\n\
         [peer]\ncertificate = \"service.der\"\n[trust]\nanchors = [\"root.der\"]\n[identity]\ndns = \"service.example\"\n",
    );
    let request = plain.secure(REQUEST.as_bytes(), None).unwrap().envelope;
    assert_eq!(setup.service().open(&request, None).unwrap_err().code(), ErrorCode::CertificateChainBroken);
    // From a PKCS#12 file holding the chain (made with the openssl CLI).
    let dir = setup.dir.path();
    std::fs::write(dir.join("issuers.pem"), [pem(&setup.intermediate()), pem(&root)].concat()).unwrap();
    std::fs::write(dir.join("client.pem"), pem(&setup.client)).unwrap();
    let export = ["pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key.pem", "-certfile", "issuers.pem"];
    pki::openssl(dir, &[&export[..], &["-passout", "pass:s3cret", "-out", "client.pfx"]].concat());
    let from_pfx = setup.engine(
        "[credentials]\npkcs12 = \"client.pfx\"\npassword = \"s3cret\"\ninclude_chain = true\n\
         [peer]\ncertificate = \"service.der\"\n[trust]\nanchors = [\"root.der\"]\n[identity]\ndns = \"service.example\"\n",
    );
    let request = from_pfx.secure(REQUEST.as_bytes(), None).unwrap().envelope;
    assert_eq!(String::from_utf8_lossy(&request).matches(BST_END).count(), 2);
    setup.service().open(&request, None).unwrap();
    // A file without our issuer cannot satisfy the switch.
    let error = Config::from_toml(
        "[credentials]\ncertificate = \"client.der\"\nprivate_key = \"client.key.pem\"\ninclude_chain = true\n\
         [trust]\nmode = \"None\"\n",
        setup.dir.path(),
    )
    .and_then(|c| c.engine())
    .unwrap_err();
    assert_eq!(error.code(), ErrorCode::ConfigInvalid, "{error}");
}

#[test]
fn other_tokens_are_read_only_when_they_hold_certificates() {
    let setup = Setup::new();
    let request = setup.request();
    // A token of another type is not read (as before), next to the intermediate.
    let kerberos =
        token("http://docs.oasis-open.org/wss/oasis-wss-kerberos-token-profile-1.1#GSS_Kerberosv5_AP_REQ", b"ticket");
    let carried = with_tokens(&request, &[kerberos, token(X509V3, setup.intermediate().der())]);
    setup.service().open(carried.as_bytes(), None).unwrap();
    // An X509v3 token that is not a certificate is refused, not skipped.
    let broken = with_tokens(&request, &[token(X509V3, b"not a certificate")]);
    let error = setup.service().open(broken.as_bytes(), None).unwrap_err();
    assert_eq!(error.code(), ErrorCode::SecurityHeaderMalformed, "{error}");
}

#[test]
fn the_wcf_profile_takes_the_intermediate_its_request_carries() {
    const WCF: &str = "[policy]\nprofile = \"wcf\"\n";
    const WCF_BST_END: &str = "</o:BinarySecurityToken>";
    let setup = Setup::new();
    let request = setup.client_with(WCF).secure(REQUEST.as_bytes(), None).unwrap().envelope;
    let request = String::from_utf8(request).unwrap();
    let service = setup.service_with(WCF);
    let error = service.open(request.as_bytes(), None).unwrap_err();
    assert_eq!(error.code(), ErrorCode::CertificateChainBroken, "{error}");

    // The intermediate as a second token next to the client's (where strict layout wants tokens).
    let at = request.find(WCF_BST_END).expect("the client's token") + WCF_BST_END.len();
    let intermediate = token(X509V3, setup.intermediate().der()).replace("wsse:", "o:");
    let carried = format!("{}{intermediate}{}", &request[..at], &request[at..]);
    let opened = service.open(carried.as_bytes(), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(opened.report.signer.expect("signer").subject, setup.client.subject());
}
