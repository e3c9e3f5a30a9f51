//! The WCF variants a policy chooses: which WS-SecureConversation namespace the derived keys use,
//! whether the Basic Security Profile attributes are written, and whether the Security header
//! must follow the strict layout.

/// WS-SecureConversation February 2005, the namespace of `wsHttpBinding`.
pub const WSSC_200502_NS: &str = "http://schemas.xmlsoap.org/ws/2005/02/sc";
/// WS-SecureConversation 1.3, the namespace of `ws2007HttpBinding`.
pub const WSSC_13_NS: &str = "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512";

/// The namespace family of a WCF binding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum WcfNamespaces {
    /// `wsHttpBinding`: WS-SecureConversation February 2005.
    #[default]
    WsHttpBinding,
    /// `ws2007HttpBinding`: WS-SecureConversation 1.3.
    Ws2007HttpBinding,
}

impl WcfNamespaces {
    /// The configuration name: `wsHttpBinding` or `ws2007HttpBinding`.
    pub fn name(self) -> &'static str {
        match self {
            WcfNamespaces::WsHttpBinding => "wsHttpBinding",
            WcfNamespaces::Ws2007HttpBinding => "ws2007HttpBinding",
        }
    }

    /// The WS-SecureConversation namespace of `DerivedKeyToken`.
    pub fn secure_conversation(self) -> &'static str {
        match self {
            WcfNamespaces::WsHttpBinding => WSSC_200502_NS,
            WcfNamespaces::Ws2007HttpBinding => WSSC_13_NS,
        }
    }

    /// The ValueType of a reference to a `DerivedKeyToken`.
    pub fn derived_key_value_type(self) -> &'static str {
        match self {
            WcfNamespaces::WsHttpBinding => "http://schemas.xmlsoap.org/ws/2005/02/sc/dk",
            WcfNamespaces::Ws2007HttpBinding => "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk",
        }
    }

    /// The URI of the P_SHA1 derivation, the only `Algorithm` a `DerivedKeyToken` may name.
    pub fn p_sha1(self) -> &'static str {
        match self {
            WcfNamespaces::WsHttpBinding => "http://schemas.xmlsoap.org/ws/2005/02/sc/dk/p_sha1",
            WcfNamespaces::Ws2007HttpBinding => {
                "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk/p_sha1"
            }
        }
    }
}

/// The options of the WCF profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WcfOptions {
    /// The namespace family.
    pub namespaces: WcfNamespaces,
    /// Write the Basic Security Profile 1.0 attributes (`EncodingType` on key identifiers,
    /// `ValueType` on local references, `k:TokenType`), as both WCF bindings do; without it,
    /// none of them. Incoming messages are accepted with or without them.
    pub bsp: bool,
    /// Require WCF's strict header layout on incoming messages: the order WCF writes
    /// (Timestamp first, then EncryptedKey, DerivedKeyTokens, ReferenceList,
    /// BinarySecurityToken, SignatureConfirmations, signatures), every token before its first
    /// use, the primary signature before the endorsing ones.
    pub strict_layout: bool,
}

impl Default for WcfOptions {
    fn default() -> Self {
        Self { namespaces: WcfNamespaces::default(), bsp: true, strict_layout: true }
    }
}
