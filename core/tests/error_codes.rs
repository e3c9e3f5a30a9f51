//! The stable error codes: unique, ascending, and every one documented in docs/errors.md.

use wsseal_core::ErrorCode;

#[test]
fn codes_are_unique_and_ascending() {
    for pair in ErrorCode::ALL.windows(2) {
        assert!(pair[0].value() < pair[1].value(), "{} before {}", pair[0], pair[1]);
    }
    for &code in ErrorCode::ALL {
        assert_eq!(ErrorCode::from_value(code.value()), Some(code));
    }
    assert_eq!(ErrorCode::from_value(0), None);
}

#[test]
fn every_code_is_documented() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md");
    let doc = std::fs::read_to_string(path).unwrap();
    for &code in ErrorCode::ALL {
        let row = format!("| {} | `{}` |", code.value(), code.name());
        assert!(doc.contains(&row), "docs/errors.md lacks the row {row}");
    }
}
