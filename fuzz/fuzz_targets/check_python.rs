//! The per-file check of a Python buffer (`ctxlint::check_source` on a `.py` path) on
//! arbitrary text, and `--fix` on what it finds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Files that are not UTF-8 are rejected before any parsing (`ErrorKind::NotUtf8`).
    if let Ok(text) = std::str::from_utf8(data) {
        ctxlint_fuzz::properties::check_python(text);
    }
});
