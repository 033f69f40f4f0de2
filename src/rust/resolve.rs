//! Name resolution from a file's `use` items: enough to tell `contextvars::ContextVar` from a
//! type that only shares its name.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ctxlint_catalogue::contextvars::EXPORTS as CONTEXTVARS_EXPORTS;
use syn::visit::Visit;

/// What the names of one file refer to, as far as its `use` and `extern crate` items tell.
#[derive(Debug, Default)]
pub(crate) struct Imports {
    /// A local name and the full path it was imported as. A name imported twice with different
    /// paths (in different scopes) is dropped, since syntax cannot tell which one applies.
    names: HashMap<String, Vec<String>>,
    ambiguous: HashSet<String>,
    /// The prefixes of glob imports, such as `["contextvars"]` for `use contextvars::*`.
    globs: Vec<Vec<String>>,
    /// Names of the items this file defines itself (which a glob import does not override).
    defined: HashSet<String>,
}

impl Imports {
    /// Collects the imports of every `use` item in `file`, at any depth.
    pub(crate) fn of_file(file: &syn::File) -> Imports {
        let mut collector = Collector {
            imports: Imports::default(),
        };
        collector.visit_file(file);
        collector.imports
    }

    fn add(&mut self, name: String, path: Vec<String>) {
        if name == "_" || self.ambiguous.contains(&name) {
            return;
        }
        match self.names.get(&name) {
            Some(existing) if *existing != path => {
                self.names.remove(&name);
                self.ambiguous.insert(name);
            }
            _ => {
                self.names.insert(name, path);
            }
        }
    }

    /// The full path that `path` names, as segments. Leading `::`, `crate`, `self` and
    /// `super` stay as they are; a name that was not imported is returned unchanged.
    pub(crate) fn resolve(&self, path: &syn::Path) -> Vec<String> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve_segments(segments, path.leading_colon.is_some())
    }

    pub(crate) fn resolve_segments(&self, segments: Vec<String>, absolute: bool) -> Vec<String> {
        let Some(first) = segments.first() else {
            return segments;
        };
        if absolute {
            return segments;
        }
        if let Some(full) = self.names.get(first) {
            let mut out = full.clone();
            out.extend(segments.into_iter().skip(1));
            return out;
        }
        if !self.defined.contains(first) && !self.ambiguous.contains(first) {
            for glob in &self.globs {
                if glob.len() == 1
                    && glob[0] == "contextvars"
                    && CONTEXTVARS_EXPORTS.contains(&first.as_str())
                {
                    let mut out = glob.clone();
                    out.extend(segments);
                    return out;
                }
            }
        }
        segments
    }

    /// Whether `path` resolves to `contextvars::NAME...` (the crate's item `names`).
    pub(crate) fn is_contextvars(&self, path: &syn::Path, names: &[&str]) -> bool {
        let full = self.resolve(path);
        full.len() == names.len() + 1
            && full[0] == "contextvars"
            && full[1..].iter().zip(names).all(|(a, b)| a == b)
    }

    /// Whether `name` was imported from the crate `root` (`use tracing::info_span;`), or the
    /// file glob-imports from it (`use tracing::*;`).
    pub(crate) fn is_imported_from(&self, name: &str, root: &str) -> bool {
        self.names
            .get(name)
            .is_some_and(|full| full.first().is_some_and(|r| r == root))
            || self
                .globs
                .iter()
                .any(|g| g.first().is_some_and(|r| r == root))
    }

    /// Whether this file defines an item called `name` itself.
    pub(crate) fn defines(&self, name: &str) -> bool {
        self.defined.contains(name)
    }
}

struct Collector {
    imports: Imports,
}

impl Collector {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    if let Some(last) = prefix.last() {
                        self.imports.add(last.clone(), prefix.clone());
                    }
                } else {
                    let mut full = prefix.clone();
                    full.push(name.clone());
                    self.imports.add(name, full);
                }
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.imports.add(r.rename.to_string(), full);
            }
            syn::UseTree::Glob(_) => self.imports.globs.push(prefix.clone()),
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }

    fn define(&mut self, ident: &syn::Ident) {
        self.imports.defined.insert(ident.to_string());
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        let name = item
            .rename
            .as_ref()
            .map_or(&item.ident, |(_, r)| r)
            .to_string();
        self.imports.add(name, vec![item.ident.to_string()]);
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        self.define(&item.ident);
        syn::visit::visit_item_struct(self, item);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        self.define(&item.ident);
        syn::visit::visit_item_enum(self, item);
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        self.define(&item.ident);
        syn::visit::visit_item_type(self, item);
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.define(&item.sig.ident);
        syn::visit::visit_item_fn(self, item);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.define(&item.ident);
        syn::visit::visit_item_mod(self, item);
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.define(&item.ident);
        syn::visit::visit_item_trait(self, item);
    }

    fn visit_item_union(&mut self, item: &'ast syn::ItemUnion) {
        self.define(&item.ident);
        syn::visit::visit_item_union(self, item);
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.define(&item.ident);
        syn::visit::visit_item_const(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.define(&item.ident);
        syn::visit::visit_item_static(self, item);
    }

    // Expressions cannot hold `use` items except inside blocks, which the default walk reaches;
    // skipping nothing keeps this simple. Depth is bounded by the caller's big stack.
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(src: &str) -> Imports {
        syn::parse_file(src)
            .map(|f| Imports::of_file(&f))
            .unwrap_or_default()
    }

    fn path(src: &str) -> syn::Path {
        syn::parse_str(src).unwrap_or_else(|_| syn::parse_quote!(invalid))
    }

    #[test]
    fn renames_and_globs() {
        let i = imports("use contextvars::{ContextVar as CV, copy_context}; use std::sync as s;");
        assert!(i.is_contextvars(&path("CV"), &["ContextVar"]));
        assert!(i.is_contextvars(&path("copy_context"), &["copy_context"]));
        assert_eq!(i.resolve(&path("s::Mutex")), ["std", "sync", "Mutex"]);
        let g = imports("use contextvars::*;");
        assert!(g.is_contextvars(&path("Context"), &["Context"]));
        let shadowed = imports("use contextvars::*; struct Context;");
        assert!(!shadowed.is_contextvars(&path("Context"), &["Context"]));
        let none = imports("struct ContextVar;");
        assert!(!none.is_contextvars(&path("ContextVar"), &["ContextVar"]));
        assert!(none.is_contextvars(&path("contextvars::ContextVar"), &["ContextVar"]));
    }

    #[test]
    fn conflicting_imports_are_dropped() {
        let i = imports("fn a() { use std::sync::Mutex; } fn b() { use tokio::sync::Mutex; }");
        assert_eq!(i.resolve(&path("Mutex")), ["Mutex"]);
    }

    /// The catalogue's table of what `use contextvars::*` brings in is the runtime's public API:
    /// every `pub` item at the root of `runtime/src/lib.rs` (a `pub struct` inside a macro
    /// such as `pin_project!` included), features and all.
    #[test]
    fn contextvars_exports_are_the_runtimes_public_api() {
        let lib = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime/src/lib.rs");
        let text = std::fs::read_to_string(&lib).unwrap_or_default();
        let Ok(file) = syn::parse_file(&text) else {
            panic!("cannot parse {}", lib.display());
        };
        let mut public: Vec<String> = Vec::new();
        for item in &file.items {
            let (vis, ident) = match item {
                syn::Item::Fn(i) => (&i.vis, &i.sig.ident),
                syn::Item::Struct(i) => (&i.vis, &i.ident),
                syn::Item::Enum(i) => (&i.vis, &i.ident),
                syn::Item::Trait(i) => (&i.vis, &i.ident),
                syn::Item::Mod(i) => (&i.vis, &i.ident),
                syn::Item::Type(i) => (&i.vis, &i.ident),
                syn::Item::Const(i) => (&i.vis, &i.ident),
                syn::Item::Static(i) => (&i.vis, &i.ident),
                syn::Item::Macro(m) => {
                    // `pub struct NAME` in the macro's tokens.
                    let tokens: Vec<String> = m
                        .mac
                        .tokens
                        .clone()
                        .into_iter()
                        .map(|t| t.to_string())
                        .collect();
                    for w in tokens.windows(3) {
                        if w[0] == "pub" && matches!(w[1].as_str(), "struct" | "enum") {
                            public.push(w[2].clone());
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            if matches!(vis, syn::Visibility::Public(_)) {
                public.push(ident.to_string());
            }
        }
        public.sort();
        public.dedup();
        let mut exports: Vec<String> = CONTEXTVARS_EXPORTS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        exports.sort();
        assert_eq!(exports, public);
    }
}
