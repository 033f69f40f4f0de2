//! Non-ASCII text before a finding: spans are bytes for tools and characters for people.

use contextvars::ContextVar;
use std::sync::Mutex;

static GRÜSSE: ContextVar<Mutex<&str>> = ContextVar::with_default("grüße — 日本語", Mutex::new("こんにちは")); //~ interior_mutable_default
static NAÏVE: ContextVar<&str> = ContextVar::with_default("naïve", "Mutex::new(\"日本\")");

fn main() {
    let _ = (&GRÜSSE, &NAÏVE);
}
