//! The Rust front end: the parser adapter (`syn`, with the offsets kept equal to the file's),
//! cargo's layout (`cargo`), the crate-wide facts (`facts`), name resolution from `use` items
//! (`resolve`), lint-level attributes (`suppress`), the walk over one parsed file (`walk`) and
//! the lints it runs (`lints`), and the checking of one crate (`unit`).

pub(crate) mod cargo;
pub(crate) mod facts;
pub(crate) mod lints;
pub(crate) mod reads;
pub(crate) mod resolve;
pub(crate) mod suppress;
pub(crate) mod types;
pub(crate) mod unit;
pub(crate) mod value;
pub(crate) mod walk;

use std::collections::BTreeMap;
use std::path::Path;

use ctxlint_catalogue::Language;
use ctxlint_catalogue::apis::{
    GUARDS, INSTRUMENT_ATTRIBUTE, RUNNERS, RUST_SPAWNS, Receiver, RunnerCall, SpawnTakes,
    TASK_LOCAL_SCOPES,
};

use crate::config::Config;
use crate::diagnostic::{SourceSpan, TargetInfo};
use crate::error::{Error, ErrorKind};
use crate::frontend::{FileToLint, FrontEnd, Hit, Needles, Planned, Walked};
use cargo::CrateFiles;
use unit::RustUnit;

/// How deep expressions, blocks and items may nest before a file is given up as too deep.
///
/// The walk runs on threads with a large stack (see `frontend::STACK_SIZE`), which this limit
/// stays well inside; real code nests a few dozen levels.
pub(crate) const MAX_DEPTH: usize = 20_000;

/// The prefilter's tags. The file names `contextvars`: it can hold a finding by itself, and
/// its crate may declare variables that other files read.
const CONTEXTVARS: Hit = Hit(1);
/// It calls a runner (`in_scope`, `with_default`, `sync_scope`, ..).
const RUNNER: Hit = Hit(1 << 1);
/// It makes a guard (`.enter()`, `set_default(`, `.attach()`, ..).
const GUARD: Hit = Hit(1 << 2);
/// It calls a spawn.
const SPAWN: Hit = Hit(1 << 3);
/// It enters a span (`#[instrument]`, `.instrument(`) or a task-local's `.scope(`.
const SPAN: Hit = Hit(1 << 5);
/// It awaits or pins a future: a guard can be held across it, or a guarded block's future
/// escape through it.
const AWAITS: Hit = Hit(1 << 6);
/// It shows a future in some form (`async`, `Future`, `spawn`, `block_on`, `poll`, and
/// `AWAITS`'s): a runner's closure can return one that escapes.
const FUTURE: Hit = Hit(1 << 7);
/// It calls `.get()` or `.with(`: it may read or write a variable of its crate.
const MAY_WRITE: Hit = Hit(1 << 4);

/// The Rust front end.
pub(crate) struct RustFrontEnd;

impl FrontEnd for RustFrontEnd {
    fn language(&self) -> Language {
        Language::Rust
    }

    fn claims(&self, path: &Path) -> bool {
        path.extension().is_some_and(|e| e == "rs")
    }

    /// Each lint needs some texts in the file: a runner and some sign of a future
    /// (`sync_run_wraps_future`), a guard and an `.await` or a pin (`context_guard_across_await`
    /// and the guarded blocks), `contextvars` (the variables' lints), a spawn and a span or a
    /// task-local's scope (`spawn_without_context`). A file that only calls a spawn, `.get()`
    /// or `.with(` can read a variable that another file of its crate declares: it is linted
    /// when some file of its crate names `contextvars`.
    fn needles(&self, config: &Config) -> Needles {
        let mut needles = Needles::default();
        needles.add("contextvars", CONTEXTVARS);
        for runner in RUNNERS {
            if runner.receiver == Receiver::Context {
                continue;
            }
            let mut segments = runner.path.rsplit("::");
            let (name, parent) = (segments.next().unwrap_or(runner.path), segments.next());
            // `Hub::run`: a name as common as `run` is looked for with its type.
            let typed = runner.call == RunnerCall::Function
                && parent.is_some_and(|p| p.starts_with(char::is_uppercase));
            let needle = match parent {
                Some(parent) if typed => format!("{parent}::{name}"),
                _ => name.to_owned(),
            };
            needles.add(needle, RUNNER);
        }
        for guard in GUARDS {
            for call in guard.made_by {
                let needle = if call.starts_with('.') {
                    (*call).to_owned()
                } else {
                    call.rsplit("::").next().unwrap_or(call).to_owned()
                };
                needles.add(needle, GUARD);
            }
        }
        // The name as written at a call: `run_in` of `my::Scope::run_in`, `pin` of `.pin()`.
        let name = |path: &str| {
            path.rsplit("::")
                .next()
                .unwrap_or(path)
                .trim_start_matches('.')
                .trim_end_matches("()")
                .to_owned()
        };
        for runner in &config.extra_runners {
            needles.add(name(runner.path), RUNNER);
        }
        for guard in &config.extra_guards {
            for call in guard.made_by {
                needles.add(name(call), GUARD);
            }
        }
        for spawn in RUST_SPAWNS {
            needles.add(
                spawn.path.rsplit("::").next().unwrap_or(spawn.path),
                SPAWN.or(FUTURE),
            );
        }
        // `#[instrument]` functions and the span's binders (`.instrument(span)` among them),
        // and a task-local's `.scope(` around a spawned future.
        needles.add(INSTRUMENT_ATTRIBUTE, SPAN);
        for scope in TASK_LOCAL_SCOPES
            .iter()
            .filter(|s| s.takes == SpawnTakes::Future)
        {
            needles.add(format!(".{}(", scope.method), SPAN);
        }
        needles.add(".get()", MAY_WRITE);
        needles.add(".with(", MAY_WRITE);
        // Signs of a future count only beside a runner or a guard (see `may_hold_a_finding`):
        // they are looked for in the files that have one. They are among the commonest words
        // of async code, and looking for them in every file cost most of the prefilter.
        needles
            .add("await", AWAITS.or(FUTURE))
            .only_with(RUNNER.or(GUARD));
        // A pin is a call (`Box::pin(fut)`) or a macro (`pin!(fut)`); `std::pin::Pin` and
        // `#[pin]` name the module and pin-project's attribute in most async files.
        needles
            .add("pin", AWAITS.or(FUTURE))
            .only_with(RUNNER.or(GUARD))
            .followed_by(b"(!");
        for word in ["async", "Future", "block_on", "poll"] {
            needles.add(word, FUTURE).only_with(RUNNER);
        }
        needles
    }

    fn plan(&self, files: Vec<FileToLint>, _walked: &Walked) -> Vec<Planned> {
        let mut packages = cargo::Packages::new();
        type Files = (Vec<FileToLint>, TargetInfo);
        let mut crates: BTreeMap<CrateFiles, Files> = BTreeMap::new();
        // A file that can hold a finding only in a crate that names `contextvars` (one that
        // calls a spawn, `.get()` or `.with(`) needs its crate looked up only if some file
        // names it: finding a file's crate reads its package's manifest, and most files that
        // call a spawn are in crates that never name `contextvars`.
        let any_contextvars = files.iter().any(|f| f.hit.any(CONTEXTVARS));
        let files = files
            .into_iter()
            .filter(|f| may_hold_a_finding(f.hit, any_contextvars));
        for file in files {
            let (krate, target) = cargo::crate_of(&file.path, &mut packages);
            crates
                .entry(krate)
                .or_insert_with(|| (Vec::new(), target))
                .0
                .push(file);
        }
        crates
            .into_iter()
            .filter_map(|(krate, (files, target))| {
                let uses_contextvars = files.iter().any(|f| f.hit.any(CONTEXTVARS));
                let files: Vec<FileToLint> = files
                    .into_iter()
                    .filter(|f| may_hold_a_finding(f.hit, uses_contextvars))
                    .collect();
                if files.is_empty() {
                    return None;
                }
                Some(Planned {
                    config_dir: krate.config_dir(),
                    unit: Box::new(RustUnit::new(krate, &target)),
                    bytes: files.iter().map(|f| f.len).sum(),
                    files: files.into_iter().map(|f| f.path).collect(),
                    target,
                })
            })
            .collect()
    }

    fn plan_buffer(&self, path: &Path) -> Planned {
        let (krate, target) = cargo::crate_of(path, &mut cargo::Packages::new());
        Planned {
            config_dir: krate.config_dir(),
            unit: Box::new(RustUnit::new(krate, &target)),
            files: vec![path.to_path_buf()],
            bytes: 0,
            target,
        }
    }

    fn fallback_target(&self, path: &Path) -> TargetInfo {
        cargo::fallback_target(path)
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), Error> {
        let parsed = parse_guarded(path, text).map(drop);
        proc_macro2::extra::invalidate_current_thread_spans();
        parsed
    }
}

/// Whether a file with these prefilter tags can hold a finding, in a crate that names
/// `contextvars` somewhere or not. (Without the prefilter a file has every tag.)
fn may_hold_a_finding(hit: Hit, uses_contextvars: bool) -> bool {
    let all = |tags: &[Hit]| tags.iter().all(|t| hit.any(*t));
    hit.any(CONTEXTVARS)
        || all(&[RUNNER, FUTURE])
        || all(&[GUARD, AWAITS])
        || (hit.any(SPAWN) && hit.any(SPAN.or(GUARD).or(RUNNER)))
        || (uses_contextvars && hit.any(SPAWN.or(MAY_WRITE)))
}

/// [`parse`], after the nesting guard, with the errors that name the file and position.
pub(crate) fn parse_guarded(path: &Path, text: &str) -> Result<syn::File, Error> {
    if let Some(depth) = too_deep(text) {
        return Err(Error::too_deep(path, depth, MAX_DEPTH));
    }
    parse(text).map_err(|e| parse_error(path, &e))
}

/// A syn error, at its place in `path`.
fn parse_error(path: &Path, e: &syn::Error) -> Error {
    let start = e.span().start();
    let message = e.to_string();
    // proc_macro2's lexer says only that the text is no token stream; what makes one fail
    // is a delimiter without its pair or a literal or comment that never ends.
    let message = if message == "cannot parse string into token stream" {
        "unbalanced delimiters, or an unterminated string, character or block comment"
    } else {
        &message
    };
    Error::at(
        ErrorKind::Parse,
        path,
        start.line,
        start.column + 1,
        format!("cannot parse: {message}"),
    )
}

/// Parses a file, keeping byte offsets equal to the file's: syn's `parse_file` strips a BOM
/// and a shebang line before parsing, which would shift every span. A cargo-script
/// frontmatter block (`---cargo` … `---` after the shebang) is blanked out too, since syn does
/// not know it.
pub(crate) fn parse(text: &str) -> syn::Result<syn::File> {
    parse_with(text, true)
}

/// [`parse`] of a text whose doc comments are blanked already ([`blank_fn_bodies`] does it):
/// lexing it again to find none cost 2 % of a check.
pub(crate) fn parse_blanked(text: &str) -> syn::Result<syn::File> {
    parse_with(text, false)
}

fn parse_with(text: &str, blank_docs: bool) -> syn::Result<syn::File> {
    let mut prefix = 0;
    if text.starts_with('\u{feff}') {
        prefix = '\u{feff}'.len_utf8();
    }
    let rest = &text[prefix..];
    if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        prefix += rest.find('\n').unwrap_or(rest.len());
    }
    let rest = &text[prefix..];
    let body = rest.trim_start_matches(['\n', '\r', ' ', '\t']);
    if body.starts_with("---") {
        let start = prefix + (rest.len() - body.len());
        // The block ends with the next line that starts with `---`.
        let mut end = None;
        let mut at = start + body.find('\n').unwrap_or(body.len());
        while at < text.len() {
            let line = &text[at + 1..];
            if line.starts_with("---") {
                end = Some(at + 1 + line.find('\n').unwrap_or(line.len()));
                break;
            }
            match line.find('\n') {
                Some(next) => at += 1 + next,
                None => break,
            }
        }
        if let Some(end) = end {
            prefix = end;
        }
    }
    if prefix == 0 && !blank_docs {
        return syn::parse_str(text);
    }
    // Blank the prefix byte by byte, keeping its newlines, so that offsets and lines stay;
    // and the doc comments, which no lint reads.
    let mut bytes = text.as_bytes().to_vec();
    for b in &mut bytes[..prefix] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
    if !(blank_docs && blank_doc_comments(&mut bytes[prefix..])) && prefix == 0 {
        return syn::parse_str(text);
    }
    match String::from_utf8(bytes) {
        Ok(blanked) => syn::parse_str(&blanked),
        // Blanking only replaces whole comments, which end at a newline; a text it could not
        // keep valid is parsed as it is.
        Err(_) => syn::parse_str(text),
    }
}

/// Replaces each doc line comment (`/// ..`, `//! ..`) with spaces up to its newline, and
/// says whether there was one. syn turns each into a `#[doc = ".."]` attribute, escaping its
/// text: in documented crates that is a large part of the parse, and no lint reads it. Byte
/// offsets and lines are kept, and so is every column before a comment; after one, on its
/// line, there is nothing.
fn blank_doc_comments(text: &mut [u8]) -> bool {
    let mut docs = Vec::new();
    lex(text, |token| {
        if let Token::DocComment(range) = token {
            docs.push(range);
        }
    });
    for range in &docs {
        // A multi-byte character's bytes all become spaces: the line ends there.
        text[range.clone()].fill(b' ');
    }
    !docs.is_empty()
}

/// Replaces the inside of every function body with spaces, keeping its braces and newlines,
/// and the doc comments as [`blank_doc_comments`] does: what is left parses to the file's
/// items and signatures, at the same offsets and lines. The crate's facts need only those from
/// the files that are not linted (what a body reads is read again on demand, from the file,
/// when `spawn_without_context` follows a call into it); parsing them is most of the cost of
/// a large crate.
///
/// A function is `fn NAME` followed, outside parentheses and brackets, by its body's `{` (a
/// `;` ends one without a body). `fn(..)` is a pointer type, and `fn $name` in a macro is
/// the macro's own tokens: neither is a function here.
pub(crate) fn blank_fn_bodies(text: &mut [u8]) {
    enum State {
        Items,
        /// After `fn`: expecting its name.
        AfterFn,
        /// In a signature, with its parentheses and brackets depth.
        Signature(usize),
        /// In a body, with its braces depth and where it started.
        Body(usize, usize),
    }
    let mut state = State::Items;
    let mut blank: Vec<std::ops::Range<usize>> = Vec::new();
    let src: &[u8] = text;
    lex(src, |token| {
        state = match (std::mem::replace(&mut state, State::Items), token) {
            (_, Token::DocComment(range)) => {
                blank.push(range);
                return;
            }
            (State::Items, Token::Ident(r)) if &src[r.clone()] == b"fn" => State::AfterFn,
            (State::Items, _) => State::Items,
            (State::AfterFn, Token::Ident(_)) => State::Signature(0),
            (State::AfterFn, _) => State::Items,
            (State::Signature(d), Token::Punct(_, b'(' | b'[')) => State::Signature(d + 1),
            (State::Signature(d), Token::Punct(_, b')' | b']')) => {
                State::Signature(d.saturating_sub(1))
            }
            (State::Signature(0), Token::Punct(_, b';')) => State::Items,
            (State::Signature(0), Token::Punct(at, b'{')) => State::Body(1, at + 1),
            (State::Signature(d), _) => State::Signature(d),
            (State::Body(d, start), Token::Punct(_, b'{')) => State::Body(d + 1, start),
            (State::Body(1, start), Token::Punct(at, b'}')) => {
                blank.push(start..at);
                State::Items
            }
            (State::Body(d, start), Token::Punct(_, b'}')) => State::Body(d - 1, start),
            (body @ State::Body(..), _) => body,
        };
    });
    for range in blank {
        for b in &mut text[range] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
}

/// What [`lex`] reports: the tokens that the blanking above needs.
enum Token {
    /// An identifier or keyword, by its bytes.
    Ident(std::ops::Range<usize>),
    /// A punctuation byte, at its offset.
    Punct(usize, u8),
    /// A doc line comment (`/// ..`, `//! ..`), without its newline.
    DocComment(std::ops::Range<usize>),
}

/// Walks Rust source as far as the blanking needs: identifiers, punctuation and doc comments,
/// skipping strings (with escapes), raw strings, character literals, numbers and comments, so
/// that `"a///b"` and `'{'` stay what they are.
fn lex(text: &[u8], mut on: impl FnMut(Token)) {
    let mut i = 0;
    let n = text.len();
    while i < n {
        match text[i] {
            b'/' if text.get(i + 1) == Some(&b'/') => {
                let end = text[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(n, |p| i + p);
                let doc = match text.get(i + 2) {
                    Some(b'!') => true,
                    Some(b'/') => text.get(i + 3) != Some(&b'/'),
                    _ => false,
                };
                if doc {
                    on(Token::DocComment(i..end));
                }
                i = end;
            }
            b'/' if text.get(i + 1) == Some(&b'*') => {
                let mut depth = 1;
                i += 2;
                while i < n && depth > 0 {
                    if text[i] == b'/' && text.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if text[i] == b'*' && text.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' => i = skip_string(text, i + 1),
            b'\'' => {
                // A character literal (`'a'`, `'\n'`, `'\''`), or a lifetime (`'a`).
                if text.get(i + 1) == Some(&b'\\') {
                    i += 3;
                    while i < n && text[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    let char_len = text.get(i + 1).map_or(1, |&b| utf8_len(b));
                    if text.get(i + 1 + char_len) == Some(&b'\'') {
                        i += 2 + char_len;
                    } else {
                        i += 1;
                    }
                }
            }
            b if b.is_ascii_digit() => {
                while i < n && (text[i].is_ascii_alphanumeric() || text[i] == b'_') {
                    i += 1;
                }
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                let start = i;
                while i < n
                    && (text[i].is_ascii_alphanumeric() || text[i] == b'_' || text[i] >= 0x80)
                {
                    i += 1;
                }
                let word = &text[start..i];
                // A raw string (`r"..`, `br#"..`), a byte or C string (`b".."`, `c".."`), a
                // byte character (`b'x'`) or a raw identifier (`r#match`).
                let prefix = matches!(word, b"r" | b"br" | b"cr");
                if prefix && is_raw_string_start(text, i - 1) {
                    i = skip_raw_string(text, i);
                } else if matches!(word, b"b" | b"c") && text.get(i) == Some(&b'"') {
                    i = skip_string(text, i + 1);
                } else if word == b"b" && text.get(i) == Some(&b'\'') {
                    // Handled as a character literal on the next turn.
                } else {
                    on(Token::Ident(start..i));
                }
            }
            b => {
                if !b.is_ascii_whitespace() {
                    on(Token::Punct(i, b));
                }
                i += 1;
            }
        }
    }
}

/// The length of the UTF-8 character that starts with `b`.
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Whether `text[at]`, an `r`, starts a raw string: `r"`, `r#"`, `r##"`, ..
fn is_raw_string_start(text: &[u8], at: usize) -> bool {
    let mut j = at + 1;
    while text.get(j) == Some(&b'#') {
        j += 1;
    }
    text.get(j) == Some(&b'"')
}

/// The index after the string whose body starts at `from` (after its `"`).
fn skip_string(text: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// The index after the raw string whose hashes start at `from` (after its `r`).
fn skip_raw_string(text: &[u8], from: usize) -> usize {
    let mut hashes = 0;
    let mut i = from;
    while text.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    i += 1; // the opening quote
    while i < text.len() {
        if text[i] == b'"' && (1..=hashes).all(|k| text.get(i + k) == Some(&b'#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    text.len()
}

/// A cheap upper bound of how deep syn will recurse on `text`, in units of one bracket level.
///
/// It counts the deepest nesting of brackets; the longest run of prefix operators and closure
/// bars (`- ! & * |`, which nest without brackets); and the deepest nesting of `<` within one
/// statement, weighted by [`ANGLE_WEIGHT`] because syn needs several times more stack for a
/// level of generic arguments than for a bracket. It is counted without lexing (strings and
/// comments count too): it only guards the parser against pathological input, and real code
/// stays far below [`MAX_DEPTH`].
pub(crate) fn max_nesting(text: &str) -> usize {
    let (mut depth, mut max, mut run, mut angle) = (0usize, 0usize, 0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
                run = 0;
                angle = 0;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                run = 0;
                angle = 0;
            }
            b'-' | b'!' | b'&' | b'*' | b'|' => {
                run += 1;
                max = max.max(run);
            }
            // A comparison's `<` is never closed; `;` ends its statement.
            b'<' => {
                angle += 1;
                max = max.max(angle.saturating_mul(ANGLE_WEIGHT));
                run = 0;
            }
            b'>' => {
                angle = angle.saturating_sub(1);
                run = 0;
            }
            b';' => {
                angle = 0;
                run = 0;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => run = 0,
        }
    }
    max
}

/// [`max_nesting`] of `text` when it reaches [`MAX_DEPTH`], which real code never does: an
/// upper bound of it, from a count of the bytes it counts, rules that out first, in a loop
/// that the compiler vectorizes (the exact count took 3 % of a check's time).
pub(crate) fn too_deep(text: &str) -> Option<usize> {
    let (mut open, mut prefix, mut angle) = (0usize, 0usize, 0usize);
    // Per chunk, the counts fit in a byte.
    for chunk in text.as_bytes().chunks(255) {
        let (mut o, mut p, mut a) = (0u8, 0u8, 0u8);
        for &b in chunk {
            o += u8::from((b == b'(') | (b == b'[') | (b == b'{'));
            p += u8::from((b == b'-') | (b == b'!') | (b == b'&') | (b == b'*') | (b == b'|'));
            a += u8::from(b == b'<');
        }
        open += usize::from(o);
        prefix += usize::from(p);
        angle += usize::from(a);
    }
    // Each of `max_nesting`'s three measures is at most its bytes' count.
    let bound = open.max(prefix).max(angle.saturating_mul(ANGLE_WEIGHT));
    if bound < MAX_DEPTH {
        return None;
    }
    Some(max_nesting(text)).filter(|&depth| depth >= MAX_DEPTH)
}

/// How many bracket levels one level of `<` counts for in [`max_nesting`]: measured, syn's
/// parse of nested generic arguments takes about five times the stack of nested parentheses.
const ANGLE_WEIGHT: usize = 5;

/// The place that a `proc_macro2` span (with `span-locations`) covers, in every unit a
/// [`SourceSpan`] has: syn's spans are this front end's business, not the findings'.
pub(crate) fn source_span(span: proc_macro2::Span) -> SourceSpan {
    let range = span.byte_range();
    let (start, end) = (span.start(), span.end());
    SourceSpan {
        byte_start: range.start,
        byte_end: range.end,
        line_start: start.line,
        line_end: end.line,
        column_start: start.column + 1,
        column_end: end.column + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_offsets_after_a_shebang_and_bom() {
        for text in [
            "#!/usr/bin/env rust\nfn main() {}\n",
            "\u{feff}fn main() {}\n",
        ] {
            let file = parse(text);
            assert!(file.is_ok(), "{text:?}");
        }
    }

    #[test]
    fn doc_comments_are_blanked_and_nothing_else() {
        let blank = |text: &str| {
            let mut bytes = text.as_bytes().to_vec();
            let found = blank_doc_comments(&mut bytes);
            (found, String::from_utf8(bytes).unwrap_or_default())
        };
        assert_eq!(
            blank("/// é doc\nfn f() {}\n"),
            (true, "          \nfn f() {}\n".to_owned())
        );
        assert_eq!(
            blank("//! inner\n//// not a doc\n"),
            (true, "         \n//// not a doc\n".to_owned())
        );
        // Inside strings, raw strings, characters and block comments, `///` is not a comment.
        for text in [
            "let s = \"a///b\";\n",
            "let s = r#\"\n/// x\"#;\n",
            "let s = br\"///\";\n",
            "let c = '\"'; let s = \"///\";\n",
            "/* /// */ fn f<'a>(x: &'a str) {}\n",
            "let e = \"\\\"///\";\n",
        ] {
            assert_eq!(blank(text), (false, text.to_owned()), "{text}");
        }
        // The spans of what follows are those of the original text.
        let text = "/// doc\n#[allow(x)]\nfn f() { let _ = \"///\"; }\n";
        let file = parse(text);
        assert!(
            file.as_ref()
                .is_ok_and(|f| f.items.len() == 1 && f.attrs.is_empty())
        );
        if let Ok(file) = file
            && let Some(syn::Item::Fn(f)) = file.items.first()
        {
            assert_eq!(f.attrs.len(), 1, "only `#[allow]` is left");
            assert_eq!(syn::spanned::Spanned::span(&f.sig.ident).start().line, 3);
        }
    }

    #[test]
    fn nesting_is_counted() {
        assert_eq!(max_nesting("fn f() { (1, [2]) }"), 3);
        assert_eq!(max_nesting("fn f() { - - !!x }"), 4);
        assert_eq!(max_nesting("type T = Vec<Vec<u8>>;"), 2 * ANGLE_WEIGHT);
        // Comparisons do not add up across statements.
        assert_eq!(max_nesting(&"a < b;".repeat(1000)), ANGLE_WEIGHT);
    }

    #[test]
    fn too_deep_is_max_nesting_past_the_limit() {
        let deep = |open: &str, close: &str, n: usize| open.repeat(n) + &close.repeat(n);
        for (text, depth) in [
            (deep("(", ")", MAX_DEPTH), Some(MAX_DEPTH)),
            (deep("{", "}", MAX_DEPTH - 1), None),
            ("-".repeat(MAX_DEPTH + 1), Some(MAX_DEPTH + 1)),
            (deep("<", ">", MAX_DEPTH / ANGLE_WEIGHT), Some(MAX_DEPTH)),
            // Many brackets, none deep: the bound says maybe, the count says no.
            ("(x)".repeat(MAX_DEPTH), None),
            ("fn f() { (1, [2]) }".to_owned(), None),
        ] {
            assert_eq!(too_deep(&text), depth, "{}", &text[..text.len().min(20)]);
        }
    }
}
