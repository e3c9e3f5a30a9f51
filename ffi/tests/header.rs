//! include/wsseal.h is what cbindgen generates from the sources now, and it names every result
//! code of the engine. `WSSEAL_BLESS=1 cargo test -p wsseal-ffi --test header` rewrites it.

use std::path::PathBuf;

use wsseal_core::ErrorCode;

fn generated() -> String {
    let crate_dir = env!("CARGO_MANIFEST_DIR");
    let config = cbindgen::Config::from_file(format!("{crate_dir}/cbindgen.toml")).expect("ffi/cbindgen.toml");
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

fn header_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include/wsseal.h")
}

#[test]
fn the_checked_in_header_is_current() {
    let fresh = generated();
    let path = header_path();
    if std::env::var_os("WSSEAL_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write include/wsseal.h");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == fresh,
        "include/wsseal.h is stale: regenerate it with `WSSEAL_BLESS=1 cargo test -p wsseal-ffi --test header`"
    );
}

#[test]
fn every_engine_code_has_its_c_constant() {
    let header = generated();
    for &code in ErrorCode::ALL {
        let line = format!("WSSEAL_{} = {},", code.name(), code.value());
        assert!(header.contains(&line), "enum wsseal_code lacks `{line}`: add it to ffi/src/result.rs");
    }
}

#[test]
fn the_c_abi_codes_are_not_engine_codes() {
    let header = generated();
    let start = header.find("enum wsseal_code").expect("the header has enum wsseal_code");
    let body = &header[start..start + header[start..].find("};").expect("the enum ends")];
    for line in body.lines().map(str::trim).filter(|l| l.starts_with("WSSEAL_")) {
        let (name, value) = line.trim_end_matches(',').split_once(" = ").expect("NAME = value");
        let value: u32 = value.parse().expect("a decimal value");
        match ErrorCode::from_value(value) {
            Some(code) => assert_eq!(name, format!("WSSEAL_{}", code.name()), "{line}"),
            None => {
                assert!(value == 0 || (900..=919).contains(&value), "{line} is neither OK, an engine code nor 900–919")
            }
        }
    }
}
