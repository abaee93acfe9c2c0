//! The committed header `include/leadcore.h` must be exactly what the pinned cbindgen
//! generates from this crate. `LEADCORE_BLESS=1` rewrites it instead of failing.

use std::fs;
use std::path::Path;

#[test]
fn committed_header_matches_the_generated_one() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../../include/leadcore.h");
    let shown = "include/leadcore.h";
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .unwrap_or_else(|e| panic!("cbindgen.toml: {e}"));
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen failed: {e}"));
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).unwrap_or_else(|e| panic!("header: {e}"));

    if std::env::var_os("LEADCORE_BLESS").is_some() {
        fs::write(&header, &generated).unwrap_or_else(|e| panic!("{shown}: {e}"));
        return;
    }
    let committed = fs::read_to_string(&header).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "{shown} is out of date (first difference at line {}).\n\
             Regenerate it with: LEADCORE_BLESS=1 cargo test -p leadcore-ffi --test header\n\
             --- committed line: {:?}\n+++ generated line: {:?}",
            first + 1,
            committed.lines().nth(first),
            generated.lines().nth(first),
        );
    }
}
