//! `ctxlint server`'s message loop fed arbitrary bytes as its input stream.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ctxlint_fuzz::properties::lsp_session(data);
});
