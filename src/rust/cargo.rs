//! Cargo's layout: which crate a `.rs` file belongs to (a package's `src/`, a binary of
//! `src/bin/`, an example, a test, a bench, or a file on its own), read from the nearest
//! `Cargo.toml` and cargo's conventions, without running cargo; and how the crate is named in
//! cargo's JSON messages.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::TargetInfo;

/// The files of one crate, as far as the layout tells.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum CrateFiles {
    /// The `.rs` files under a directory, less one excluded subdirectory (`src/bin` of `src`).
    Dir {
        dir: PathBuf,
        exclude: Option<PathBuf>,
    },
    /// A single file that is its own crate (an example, a test, a script).
    File(PathBuf),
}

impl CrateFiles {
    /// The directory whose configuration applies.
    pub(crate) fn config_dir(&self) -> PathBuf {
        match self {
            CrateFiles::Dir { dir, .. } => dir.clone(),
            CrateFiles::File(f) => f.parent().map(Path::to_path_buf).unwrap_or_default(),
        }
    }

    /// The `.rs` files of the crate, sorted.
    pub(crate) fn files(&self) -> Vec<PathBuf> {
        match self {
            CrateFiles::File(f) => vec![f.clone()],
            CrateFiles::Dir { dir, exclude } => {
                let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
                    .require_git(false)
                    .add_custom_ignore_filename(crate::frontend::IGNORE_FILE)
                    .build()
                    .filter_map(Result::ok)
                    .map(ignore::DirEntry::into_path)
                    .filter(|p| p.extension().is_some_and(|e| e == "rs"))
                    .filter(|p| exclude.as_ref().is_none_or(|x| !p.starts_with(x)))
                    .collect();
                files.sort();
                files
            }
        }
    }

    /// The files whose crate-level attributes count for the whole crate.
    pub(crate) fn roots(&self) -> Vec<PathBuf> {
        match self {
            CrateFiles::Dir { dir, .. } => vec![dir.join("lib.rs"), dir.join("main.rs")],
            CrateFiles::File(f) => vec![f.clone()],
        }
    }
}

/// A package, from its `Cargo.toml`.
#[derive(Debug, Clone)]
pub(crate) struct Package {
    dir: PathBuf,
    name: String,
    version: String,
    edition: String,
}

/// The packages found so far, by directory (`None`: no package there).
pub(crate) type Packages = HashMap<PathBuf, Option<Package>>;

/// The target of a file that no `Cargo.toml` claims: a binary named after the file.
pub(crate) fn fallback_target(path: &Path) -> TargetInfo {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "main".to_owned());
    let dir = path.parent().unwrap_or(Path::new("."));
    TargetInfo {
        package_id: format!("path+file://{}#{}@0.0.0", dir.display(), name),
        name,
        kind: "bin".to_owned(),
        src_path: path.to_path_buf(),
        edition: "2024".to_owned(),
        manifest_path: None,
    }
}

/// The crate that `path` belongs to, by cargo's layout conventions.
pub(crate) fn crate_of(path: &Path, packages: &mut Packages) -> (CrateFiles, TargetInfo) {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let alone = (CrateFiles::File(path.to_path_buf()), fallback_target(path));
    let Some(package) = find_package(&abs, packages) else {
        return alone;
    };
    let Ok(rel) = abs.strip_prefix(&package.dir) else {
        return alone;
    };
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    // `path` is as the user gave it; rebuild the unit directory in the same form.
    let base = ancestor_of(path, parts.len(), &package.dir);
    let target = |kind: &str, name: String, src: PathBuf| TargetInfo {
        package_id: format!(
            "path+file://{}#{}@{}",
            package.dir.display(),
            package.name,
            package.version
        ),
        name,
        kind: kind.to_owned(),
        src_path: src,
        edition: package.edition.clone(),
        manifest_path: Some(package.dir.join("Cargo.toml")),
    };
    let crate_name = package.name.replace('-', "_");
    match parts
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["src", "bin", dir, _, ..] => {
            let dir = base.join("src").join("bin").join(dir);
            let t = target("bin", crate_name, dir.join("main.rs"));
            (CrateFiles::Dir { dir, exclude: None }, t)
        }
        ["src", "bin", file] => {
            let name = file.trim_end_matches(".rs").to_owned();
            (
                CrateFiles::File(path.to_path_buf()),
                target("bin", name, path.to_path_buf()),
            )
        }
        ["src", ..] => {
            let dir = base.join("src");
            let (kind, root) = if package.dir.join("src/lib.rs").is_file() {
                ("lib", "lib.rs")
            } else {
                ("bin", "main.rs")
            };
            let t = target(kind, crate_name, package.dir.join("src").join(root));
            (
                CrateFiles::Dir {
                    exclude: Some(dir.join("bin")),
                    dir,
                },
                t,
            )
        }
        [folder @ ("examples" | "tests" | "benches"), sub, _, ..]
            if package.dir.join(folder).join(sub).join("main.rs").is_file() =>
        {
            let kind = kind_of(folder);
            let dir = base.join(folder).join(sub);
            let t = target(kind, (*sub).to_owned(), dir.join("main.rs"));
            (CrateFiles::Dir { dir, exclude: None }, t)
        }
        [folder @ ("examples" | "tests" | "benches"), .., file] => {
            let name = file.trim_end_matches(".rs").to_owned();
            (
                CrateFiles::File(path.to_path_buf()),
                target(kind_of(folder), name, path.to_path_buf()),
            )
        }
        _ => {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                CrateFiles::File(path.to_path_buf()),
                target("custom-build", name, path.to_path_buf()),
            )
        }
    }
}

fn kind_of(folder: &str) -> &'static str {
    match folder {
        "examples" => "example",
        "tests" => "test",
        _ => "bench",
    }
}

/// `path` with its last `n` components removed (as the user wrote it), the directory of the
/// package `package_dir`.
///
/// A path written from inside the package (`user.rs`, checked in its `src/`) has fewer names
/// than that: the package is then above the current directory, and named by `package_dir`.
fn ancestor_of(path: &Path, n: usize, package_dir: &Path) -> PathBuf {
    let names = path
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .count();
    if names < n {
        return package_dir.to_path_buf();
    }
    let mut p = path;
    for _ in 0..n {
        p = p.parent().unwrap_or(Path::new(""));
    }
    if p.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        p.to_path_buf()
    }
}

fn find_package(abs: &Path, cache: &mut Packages) -> Option<Package> {
    for dir in abs.ancestors().skip(1) {
        if let Some(found) = cache.get(dir) {
            if found.is_some() {
                return found.clone();
            }
            continue;
        }
        let package = read_package(dir);
        cache.insert(dir.to_path_buf(), package.clone());
        if package.is_some() {
            return package;
        }
    }
    None
}

fn read_package(dir: &Path) -> Option<Package> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let package = table.get("package")?;
    let string = |key: &str, default: &str| {
        package
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or(default)
            .to_owned()
    };
    Some(Package {
        dir: dir.to_path_buf(),
        name: string("name", "unknown"),
        version: string("version", "0.0.0"),
        edition: string("edition", "2021"),
    })
}
