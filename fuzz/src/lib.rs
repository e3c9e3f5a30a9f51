//! What the fuzz targets share: the fixed keys and certificates of `fixtures/`, the engines that
//! open the seed envelopes (built once per process, never per input), and the fixed clock the
//! seeds were secured at, so that a seed opened at [`opened_at`] is fresh and reaches every check.
//! `examples/make_seeds.rs` writes the fixtures and the seed corpora with the same engines.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use time::OffsetDateTime;
use wsseal_core::cert::Certificate;
use wsseal_core::wss::{
    Credentials, Engine, Exchange, KeyReference, Policy, ProtectionOrder, QName, ReferenceListPlacement, WSA10_NS,
};

/// The directory of the fixed keys, certificates and exchange state.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The time every seed was secured at (2026-11-20T10:00:00Z).
pub fn secured_at() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_795_168_800).expect("a valid time")
}

/// The time the targets open at: a minute after [`secured_at`], well inside every Timestamp.
pub fn opened_at() -> OffsetDateTime {
    secured_at() + Duration::from_secs(60)
}

fn read_fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `cargo run --example make_seeds`)", path.display()))
}

/// One side's credentials, from `fixtures/<side>.pem` and `fixtures/<side>.key.pem`.
pub fn credentials(side: &str) -> Credentials {
    Credentials::from_pem(&read_fixture(&format!("{side}.pem")), &read_fixture(&format!("{side}.key.pem")))
        .expect("the fixture credentials")
}

/// One side's certificate, from `fixtures/<side>.pem`.
pub fn certificate(side: &str) -> Certificate {
    Certificate::from_pem(&read_fixture(&format!("{side}.pem"))).expect("the fixture certificate")
}

/// The WSS 1.0 policies the `open_wss10` target opens with (its first input byte chooses one):
/// every protection order, every key reference style, both ReferenceList placements, an
/// encrypted header. Replay detection is off so that an input opens the same way every time.
pub fn wss10_policies() -> Vec<Policy> {
    let action = QName::new(WSA10_NS, "Action");
    let base = Policy { detect_replays: false, ..Policy::default() };
    vec![
        base.clone(),
        Policy {
            protection_order: ProtectionOrder::SignBeforeEncryptAndEncryptSignature,
            recipient_reference: KeyReference::SubjectKeyIdentifier,
            signer_reference: KeyReference::IssuerSerial,
            reference_list: ReferenceListPlacement::Standalone,
            ..base.clone()
        },
        Policy {
            protection_order: ProtectionOrder::EncryptBeforeSign,
            recipient_reference: KeyReference::Thumbprint,
            signer_reference: KeyReference::SubjectKeyIdentifier,
            encrypted_headers: vec![action],
            ..base
        },
    ]
}

/// The WCF profile's policy of both targets' engines, replay detection off.
pub fn wcf_policy() -> Policy {
    Policy { detect_replays: false, ..Policy::wcf() }
}

/// A client engine (signs as `client`, encrypts for `service`) with `policy`.
pub fn client(policy: Policy) -> Engine {
    Engine::new(policy, credentials("client"), certificate("service")).expect("the client engine")
}

/// A service engine (signs as `service`, trusts `client`) with `policy`.
pub fn service(policy: Policy) -> Engine {
    Engine::new(policy, credentials("service"), certificate("client")).expect("the service engine")
}

/// The service engines of [`wss10_policies`], built once.
pub fn wss10_services() -> &'static [Engine] {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    ENGINES.get_or_init(|| wss10_policies().into_iter().map(service).collect())
}

/// The WCF service engine, built once.
pub fn wcf_service() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| service(wcf_policy()))
}

/// The WCF client engine, built once.
pub fn wcf_client() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| client(wcf_policy()))
}

/// The file of the WCF client's exchange state for the seed responses.
pub const WCF_CLIENT_EXCHANGE: &str = "wcf_client_exchange.bin";

/// The exchange the WCF client kept from securing the seed request: the seed responses answer it.
pub fn wcf_client_exchange() -> &'static Exchange {
    static EXCHANGE: OnceLock<Exchange> = OnceLock::new();
    EXCHANGE.get_or_init(|| Exchange::from_bytes(&read_fixture(WCF_CLIENT_EXCHANGE)).expect("the fixture exchange"))
}

/// Client and service engines with the same policy: each WSS 1.0 policy of [`wss10_policies`]
/// and the WCF profile's, built once (the `secure_roundtrip` target).
pub fn secure_pairs() -> &'static [(Engine, Engine)] {
    static PAIRS: OnceLock<Vec<(Engine, Engine)>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        wss10_policies()
            .into_iter()
            .chain([wcf_policy()])
            .map(|policy| (client(policy.clone()), service(policy)))
            .collect()
    })
}
