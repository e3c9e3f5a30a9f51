//! X.509 certificates, parsed once with x509-cert: the fields WS-Security refers to them by.
