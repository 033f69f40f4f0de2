//! `--fix` in memory: the fixed text parses, and fixing it again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        ctxlint_fuzz::properties::fix_rust(text);
    }
});
