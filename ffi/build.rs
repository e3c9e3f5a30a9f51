//! Gives the shared library its soname on ELF targets (`libwsseal.so.MAJOR`), so that hosts
//! linked against one major version keep loading it across compatible updates.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if matches!(os.as_str(), "linux" | "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly") {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the package version");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libwsseal.so.{major}");
    }
}
