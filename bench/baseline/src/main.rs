//! The baseline of `bench/run.sh`: parse every `.rs` file under the given paths with
//! `syn::parse_file`, visit every node of it, and do nothing else, on one thread per core (or
//! `--jobs N`). This is what the simplest syn-based tool of a user's own would cost.
//!
//! It is a package of its own (`bench/baseline/Cargo.toml`) so that it is built with syn and
//! proc-macro2 as published, without the `span-locations` feature that the root workspace
//! enables for ctxlint; `--features span-locations` builds it with that feature, to measure
//! what the feature alone costs, and `--features mimalloc` with the allocator of the ctxlint
//! binary, to show what the allocator alone saves.
//!
//! ```sh
//! cargo run --release --manifest-path bench/baseline/Cargo.toml -- [--jobs N] path/to/crates
//! ```

use std::path::PathBuf;

use rayon::prelude::*;
use syn::visit::Visit;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Counts the nodes it visits, so that the walk has an observable result.
#[derive(Default)]
struct Count {
    exprs: usize,
    idents: usize,
}

impl<'ast> Visit<'ast> for Count {
    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        self.exprs += 1;
        syn::visit::visit_expr(self, e);
    }

    fn visit_ident(&mut self, _: &'ast proc_macro2::Ident) {
        self.idents += 1;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).peekable();
    let mut jobs = 0;
    if args.peek().is_some_and(|a| a == "--jobs") {
        args.next();
        jobs = args
            .next()
            .ok_or("--jobs needs a number")?
            .to_string_lossy()
            .parse()?;
    }
    let roots: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let mut files = Vec::new();
    for root in &roots {
        for entry in ignore::WalkBuilder::new(root).build() {
            let entry = entry?;
            if entry.path().extension().is_some_and(|e| e == "rs")
                && entry.file_type().is_some_and(|t| t.is_file())
            {
                files.push(entry.into_path());
            }
        }
    }
    // The same large stacks as ctxlint, for deeply nested files.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(1 << 30)
        .build()?;
    let (failed, exprs, idents) = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let mut count = Count::default();
                let parsed = std::fs::read_to_string(path)
                    .ok()
                    .and_then(|text| syn::parse_file(&text).ok());
                if let Some(file) = &parsed {
                    count.visit_file(file);
                }
                // With span-locations, the thread's source map keeps every file parsed so
                // far; ctxlint frees it after each file, and so does the baseline.
                #[cfg(feature = "span-locations")]
                proc_macro2::extra::invalidate_current_thread_spans();
                (usize::from(parsed.is_none()), count.exprs, count.idents)
            })
            .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
    });
    println!(
        "{} files parsed and visited ({exprs} expressions, {idents} identifiers), {failed} could not be read or parsed, {} threads, span-locations {}",
        files.len(),
        pool.current_num_threads(),
        if cfg!(feature = "span-locations") {
            "on"
        } else {
            "off"
        }
    );
    Ok(())
}
