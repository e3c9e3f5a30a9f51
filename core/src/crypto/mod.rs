//! Cryptographic primitives on aws-lc-rs, named by their XML-DSig and XML-Enc algorithm URIs.
