//! SOAP (placeholder).
