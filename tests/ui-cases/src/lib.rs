//! Compiles the shared UI cases in `tests/ui/` as examples, so that `cargo test` fails when a
//! case stops being a real program against `contextvars` (the Dylint library compiles the
//! very same files). The cases themselves are test data: see `tests/ui.rs` at the root.
