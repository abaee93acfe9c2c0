//! Gives the shared library its SONAME on ELF targets, so that a program linked against the
//! installed `libleadcore.so` records `libleadcore.so.0` and keeps loading it across
//! compatible releases (scripts/install-c.sh reads the SONAME back from the built library).
//!
//! The SONAME number names the ABI series: it must change whenever `LEADCORE_ABI_VERSION`
//! does (a unit test in src/version.rs ties the two together).

/// The `N` of `libleadcore.so.N`.
const SONAME_MAJOR: u32 = 0;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let soname = format!("libleadcore.so.{SONAME_MAJOR}");
    println!("cargo:rustc-env=LEADCORE_SONAME={soname}");
    // ELF targets whose linkers take GNU ld's `-soname` (Apple's use `-install_name`, and
    // Windows DLLs have no SONAME).
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if matches!(
        os.as_str(),
        "linux" | "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly"
    ) {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
}
