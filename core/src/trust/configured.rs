//! The engine a configuration describes: credentials (PEM, PKCS#12 or store), the peer
//! certificate, the validator of `[trust]` and the identity of `[identity]`.
//!
//! Defaults: without `trust.mode`, a configuration whose only trust material is a
//! `[peer] certificate` pins it (as before trust modes existed); otherwise the mode is ChainTrust,
//! and ChainTrust without anchors is refused at start-up. Revocation is Offline when CRLs are
//! configured, NoCheck otherwise. Our role is Client when `[peer]` or `[identity]` is configured.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::{
    DirectoryStore, PinnedCertificate, Revocation, Role, TrustMaterial, TrustMode, TrustValidator, TrustedCertificate,
    ValidationSettings, load_certificates, load_crls, material, pkcs12,
};
use crate::cert::Certificate;
use crate::config::Config;
use crate::error::{Error, ErrorCode};
use crate::identity::Identity;
use crate::wss::{CertificateValidator, Credentials, Engine, Policy, private_key_from_pem};

/// The store locations searched for a store name that a query does not locate (anchors, peers).
const LOCATIONS: [&str; 2] = ["CurrentUser", "LocalMachine"];

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::ConfigInvalid, message)
}

/// Builds the engine of `config`; `custom` replaces the configured validator.
pub(crate) fn engine(
    config: &Config,
    policy: Policy,
    custom: Option<Arc<dyn CertificateValidator>>,
) -> Result<Engine, Error> {
    let store = config.store.root.as_ref().map(|root| DirectoryStore::new(config.path(root)));
    let credentials = credentials(config, store.as_ref())?;
    let peer = peer(config, store.as_ref())?;
    let validator: Arc<dyn CertificateValidator> = match (custom, config.trust.mode) {
        (Some(custom), None | Some(TrustMode::Custom)) => custom,
        (Some(_), Some(mode)) => {
            return Err(invalid(format!("a validator was supplied by code, but trust.mode is {mode:?}, not Custom")));
        }
        (None, _) => validator(config, store.as_ref(), peer.as_ref())?,
    };
    let recipient = peer.map(TrustedCertificate::new).transpose()?.map(Arc::new);
    let engine = Engine::with_validator(policy, credentials, validator, recipient)?;
    if role(config) == Role::Service {
        if has_identity(config) {
            return Err(invalid("[identity] is for a client; trust.role is Service".into()));
        }
        return Ok(engine);
    }
    Ok(match identity(config)? {
        Some(identity) => engine.expecting_identity(identity),
        None => engine,
    })
}

fn role(config: &Config) -> Role {
    let has_peer = config.peer.certificate.is_some() || config.peer.store.is_some();
    config.trust.role.unwrap_or(if has_peer || has_identity(config) { Role::Client } else { Role::Service })
}

/// Does `[identity]` name an identity?
fn has_identity(config: &Config) -> bool {
    let i = &config.identity;
    i.dns.is_some()
        || i.certificate.is_some()
        || i.certificate_reference.is_some()
        || i.rsa.is_some()
        || i.upn.is_some()
        || i.spn.is_some()
        || i.xml.is_some()
        || i.wsdl.is_some()
        || i.endpoint.is_some()
}

fn need_store<'s>(store: Option<&'s DirectoryStore>, what: &str) -> Result<&'s DirectoryStore, Error> {
    store.ok_or_else(|| invalid(format!("{what} names a store query, but [store] root is not set")))
}

fn credentials(config: &Config, store: Option<&DirectoryStore>) -> Result<Credentials, Error> {
    let c = &config.credentials;
    let password = || -> Result<String, Error> {
        match (&c.password, &c.password_env) {
            (Some(_), Some(_)) => Err(invalid("set credentials.password or credentials.password_env, not both".into())),
            (Some(password), None) => Ok(password.clone()),
            (None, Some(var)) => std::env::var(var)
                .map_err(|_| invalid(format!("credentials.password_env names {var}, which is not set"))),
            (None, None) => Ok(String::new()),
        }
    };
    // The credentials, and the certificates of their file (where our chain is looked for).
    let (credentials, file) = match (&c.certificate, &c.private_key, &c.pkcs12, &c.store) {
        (Some(certificate), Some(key), None, None) => {
            let full = config.path(certificate);
            let file = material::parse_certificates(&material::read(&full)?, &full)?;
            let ours = file.first().cloned().ok_or_else(|| {
                Error::new(ErrorCode::CredentialInvalid, format!("{} holds no certificate", full.display()))
            })?;
            (Credentials::new(ours, private_key_from_pem(&config.read(key)?)?)?, file)
        }
        (None, None, Some(pkcs12), None) => {
            let contents = pkcs12::read(&config.read(pkcs12)?, &password()?)
                .map_err(|e| Error::new(e.code(), format!("{}: {}", pkcs12.display(), e.message())))?;
            let credentials = contents.credentials.ok_or_else(|| {
                Error::new(
                    ErrorCode::CredentialInvalid,
                    format!("{}: the PKCS#12 file has no private key with its certificate", pkcs12.display()),
                )
            })?;
            (credentials, contents.certificates)
        }
        (None, None, None, Some(query)) => {
            (need_store(store, "credentials.store")?.credentials(query, &password()?)?, Vec::new())
        }
        (None, None, None, None) => {
            return Err(invalid(
                "the configuration names no credentials: set credentials.certificate and private_key, pkcs12, or store"
                    .into(),
            ));
        }
        _ => {
            return Err(invalid(
                "credentials: give certificate with private_key, or pkcs12, or store — exactly one of them".into(),
            ));
        }
    };
    if !c.include_chain {
        return Ok(credentials);
    }
    let chain = issuers_of(credentials.certificate(), &file);
    if chain.is_empty() {
        return Err(invalid(
            "credentials.include_chain is set, but the certificate or PKCS#12 file holds no issuer of our certificate \
             (other than a self-signed root)"
                .into(),
        ));
    }
    Ok(credentials.with_chain(&chain))
}

/// The issuers of `certificate` among `pool`, its issuer first, up to (without) a self-signed root.
fn issuers_of(certificate: &Certificate, pool: &[Certificate]) -> Vec<Certificate> {
    let mut chain: Vec<Certificate> = Vec::new();
    let mut current = certificate;
    while let Some(issuer) =
        pool.iter().find(|c| current.names_issuer(c) && !c.is_self_issued() && *c != certificate && !chain.contains(c))
    {
        chain.push(issuer.clone());
        current = issuer;
    }
    chain
}

/// The first certificate of a PEM or DER file.
fn certificate_file(config: &Config, path: &Path) -> Result<Certificate, Error> {
    let full = config.path(path);
    material::parse_certificates(&material::read(&full)?, &full)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::new(ErrorCode::CredentialInvalid, format!("{} holds no certificate", full.display())))
}

fn peer(config: &Config, store: Option<&DirectoryStore>) -> Result<Option<Certificate>, Error> {
    match (&config.peer.certificate, &config.peer.store) {
        (Some(_), Some(_)) => Err(invalid("peer: give certificate or store, not both".into())),
        (Some(path), None) => certificate_file(config, path).map(Some),
        (None, Some(query)) => need_store(store, "peer.store")?.find_one(query).map(Some),
        (None, None) => Ok(None),
    }
}

/// The files of a list of configured paths, or else the certificates of a store name in every
/// location.
fn certificates(
    config: &Config,
    paths: &Option<Vec<PathBuf>>,
    store: Option<&DirectoryStore>,
    store_name: &str,
) -> Result<Vec<Certificate>, Error> {
    match (paths, store) {
        (Some(paths), _) => load_certificates(&paths.iter().map(|p| config.path(p)).collect::<Vec<_>>()),
        (None, Some(store)) => {
            let mut all = Vec::new();
            for location in LOCATIONS {
                all.extend(store.certificates(location, store_name)?);
            }
            Ok(all)
        }
        (None, None) => Ok(Vec::new()),
    }
}

fn validator(
    config: &Config,
    store: Option<&DirectoryStore>,
    peer: Option<&Certificate>,
) -> Result<Arc<dyn CertificateValidator>, Error> {
    let t = &config.trust;
    let anchors = certificates(config, &t.anchors, store, "Root")?;
    let mut peers = certificates(config, &t.trusted_peers, store, "TrustedPeople")?;
    let mode = match (t.mode, peer) {
        (Some(mode), _) => mode,
        (None, Some(peer)) if anchors.is_empty() && peers.is_empty() && config.peer.store.is_none() => {
            return Ok(Arc::new(PinnedCertificate::new(peer.clone())?));
        }
        (None, _) => TrustMode::ChainTrust,
    };
    if let Some(peer) = peer.filter(|_| matches!(mode, TrustMode::PeerTrust | TrustMode::PeerOrChainTrust)) {
        peers.push(peer.clone());
    }
    let crls = match &t.crls {
        Some(paths) => load_crls(&paths.iter().map(|p| config.path(p)).collect::<Vec<_>>())?,
        None => Vec::new(),
    };
    let mut settings = ValidationSettings::new(mode, role(config));
    settings.revocation =
        t.revocation.unwrap_or(if crls.is_empty() { Revocation::NoCheck } else { Revocation::Offline });
    settings.min_rsa_bits = t.min_rsa_bits.unwrap_or(settings.min_rsa_bits);
    if let Some(algorithms) = &t.signature_algorithms {
        settings.signature_algorithms = algorithms.clone();
    }
    settings.cache_size = t.cache_size.unwrap_or(settings.cache_size);
    settings.cache_ttl = t.cache_ttl_seconds.map_or(settings.cache_ttl, Duration::from_secs);
    let mut intermediates = certificates(config, &t.intermediates, store, "CA")?;
    intermediates.retain(|c| !anchors.contains(c));
    let mut known: Vec<Certificate> = peer.into_iter().cloned().collect();
    known.extend(peers.iter().cloned());
    let material = TrustMaterial {
        anchors,
        intermediates,
        peers,
        known,
        crls: crls.into_iter().map(Arc::new).collect(),
        revocation_source: None,
    };
    Ok(Arc::new(TrustValidator::new(settings, material)?))
}

/// The identity of `[identity]`, resolved in the `[store]`.
pub(crate) fn identity(config: &Config) -> Result<Option<Identity>, Error> {
    let store = config.store.root.as_ref().map(|root| DirectoryStore::new(config.path(root)));
    let i = &config.identity;
    let mut given = Vec::new();
    if let Some(dns) = &i.dns {
        given.push(Identity::Dns(dns.clone()));
    }
    if let Some(certificate) = &i.certificate {
        let path = Path::new(certificate);
        given.push(if config.path(path).is_file() {
            Identity::Certificate(certificate_file(config, path)?)
        } else {
            Identity::from_xml(&format!("<certificate encodedValue=\"{}\"/>", escape_attribute(certificate)))?
        });
    }
    if let Some(query) = &i.certificate_reference {
        given.push(Identity::CertificateReference(query.clone()));
    }
    if let Some(upn) = &i.upn {
        given.push(Identity::UserPrincipalName(upn.clone()));
    }
    if let Some(spn) = &i.spn {
        given.push(Identity::ServicePrincipalName(spn.clone()));
    }
    if let Some(rsa) = &i.rsa {
        given.push(Identity::from_xml(&format!("<rsa value=\"{}\"/>", escape_attribute(rsa)))?);
    }
    if let Some(xml) = &i.xml {
        given.push(Identity::from_xml(xml)?);
    }
    if let Some(wsdl) = &i.wsdl {
        let text =
            String::from_utf8(config.read(wsdl)?).map_err(|_| invalid(format!("{} is not UTF-8", wsdl.display())))?;
        given.push(Identity::from_wsdl(&text)?);
    }
    let endpoint = i.endpoint.as_ref().or(config.endpoint.address.as_ref());
    let identity = match (given.len(), endpoint) {
        (0, None) => return Ok(None),
        (0, Some(endpoint)) => Identity::default_for_endpoint(endpoint)?,
        (1, _) => given.remove(0),
        _ => {
            return Err(invalid(
                "[identity]: give one of dns, certificate, certificate_reference, rsa, upn, spn, xml, wsdl".into(),
            ));
        }
    };
    identity.resolve(store.as_ref()).map(Some)
}

fn escape_attribute(text: &str) -> String {
    let mut out = Vec::new();
    crate::encoding::push_attribute_value(&mut out, text);
    String::from_utf8(out).unwrap_or_default()
}
