//! The benchmark's baseline: parse every `.rs` file under the given paths with `syn`, in
//! parallel, and do nothing else. `bench/run.sh` times it against `ctxlint check`, whose
//! prefilter exists so that files which cannot hold a finding are never parsed.
//!
//! ```sh
//! cargo run --release --example parse_all -- path/to/crates
//! ```

use std::path::PathBuf;

use rayon::prelude::*;

fn main() -> anyhow::Result<()> {
    let roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
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
        .stack_size(1 << 30)
        .build()?;
    let failed: usize = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let parsed = std::fs::read_to_string(path)
                    .ok()
                    .map(|text| syn::parse_file(&text).is_ok());
                proc_macro2::extra::invalidate_current_thread_spans();
                usize::from(parsed != Some(true))
            })
            .sum()
    });
    println!(
        "{} files parsed, {failed} could not be read or parsed",
        files.len()
    );
    Ok(())
}
