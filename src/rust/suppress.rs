//! Lint levels set by attributes: `#[allow(NAME)]`, `#[expect(NAME)]`, `#[warn(NAME)]`,
//! `#[deny(NAME)]`, `#[forbid(NAME)]`, and the same inside
//! `#[cfg_attr(dylint_lib = "…", …)]`, as the Dylint library sees them.

use ctxlint_catalogue::Level;
use syn::punctuated::Punctuated;

/// The lint levels that `attrs` set, in order, by lint name.
pub(crate) fn levels(attrs: &[syn::Attribute]) -> Vec<(&'static str, Level)> {
    let mut out = Vec::new();
    for attr in attrs {
        meta_levels(&attr.meta, &mut out);
    }
    out
}

fn meta_levels(meta: &syn::Meta, out: &mut Vec<(&'static str, Level)>) {
    let syn::Meta::List(list) = meta else {
        return;
    };
    let Some(ident) = list.path.get_ident() else {
        return;
    };
    // Named before its arguments are parsed: most attributes (`derive`, `cfg`, `serde`, ..)
    // set no level, and parsing theirs was 1 % of `--no-prefilter`. `None`: `cfg_attr`.
    let level = if ident == "allow" || ident == "expect" {
        Some(Level::Allow)
    } else if ident == "warn" {
        Some(Level::Warn)
    } else if ident == "deny" || ident == "forbid" {
        Some(Level::Deny)
    } else if ident == "cfg_attr" {
        None
    } else {
        return;
    };
    let Ok(nested) =
        list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
    else {
        return;
    };
    let Some(level) = level else {
        let mut items = nested.iter();
        // Only `dylint_lib` conditions: they hold when the Dylint driver runs, which is the
        // build the CLI stands in for.
        let is_dylint = items.next().is_some_and(|cond| {
            quote::ToTokens::to_token_stream(cond)
                .to_string()
                .contains("dylint_lib")
        });
        if is_dylint {
            for inner in items {
                meta_levels(inner, out);
            }
        }
        return;
    };
    for item in &nested {
        let syn::Meta::Path(path) = item else {
            continue;
        };
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let name = match segments.as_slice() {
            [name] => name,
            [tool, name] if tool == "ctxlint" => name,
            _ => continue,
        };
        if let Some(lint) = ctxlint_catalogue::find(name) {
            out.push((lint.name, level));
        }
    }
}

/// The attributes written on an expression, if its kind can carry any.
pub(crate) fn expr_attrs(expr: &syn::Expr) -> &[syn::Attribute] {
    use syn::Expr::*;
    match expr {
        Array(e) => &e.attrs,
        Assign(e) => &e.attrs,
        Async(e) => &e.attrs,
        Await(e) => &e.attrs,
        Binary(e) => &e.attrs,
        Block(e) => &e.attrs,
        Break(e) => &e.attrs,
        Call(e) => &e.attrs,
        Cast(e) => &e.attrs,
        Closure(e) => &e.attrs,
        Const(e) => &e.attrs,
        Continue(e) => &e.attrs,
        Field(e) => &e.attrs,
        ForLoop(e) => &e.attrs,
        Group(e) => &e.attrs,
        If(e) => &e.attrs,
        Index(e) => &e.attrs,
        Infer(e) => &e.attrs,
        Let(e) => &e.attrs,
        Lit(e) => &e.attrs,
        Loop(e) => &e.attrs,
        Macro(e) => &e.attrs,
        Match(e) => &e.attrs,
        MethodCall(e) => &e.attrs,
        Paren(e) => &e.attrs,
        Path(e) => &e.attrs,
        Range(e) => &e.attrs,
        RawAddr(e) => &e.attrs,
        Reference(e) => &e.attrs,
        Repeat(e) => &e.attrs,
        Return(e) => &e.attrs,
        Struct(e) => &e.attrs,
        Try(e) => &e.attrs,
        TryBlock(e) => &e.attrs,
        Tuple(e) => &e.attrs,
        Unary(e) => &e.attrs,
        Unsafe(e) => &e.attrs,
        While(e) => &e.attrs,
        Yield(e) => &e.attrs,
        _ => &[],
    }
}

/// The attributes of an item.
pub(crate) fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item::*;
    match item {
        Const(i) => &i.attrs,
        Enum(i) => &i.attrs,
        ExternCrate(i) => &i.attrs,
        Fn(i) => &i.attrs,
        ForeignMod(i) => &i.attrs,
        Impl(i) => &i.attrs,
        Macro(i) => &i.attrs,
        Mod(i) => &i.attrs,
        Static(i) => &i.attrs,
        Struct(i) => &i.attrs,
        Trait(i) => &i.attrs,
        TraitAlias(i) => &i.attrs,
        Type(i) => &i.attrs,
        Union(i) => &i.attrs,
        Use(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[test]`, `#[tokio::test]`, `#[async_std::test]`: an attribute whose path ends in `test`.
pub(crate) fn is_test_attr(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "test")
}

/// `#[cfg(test)]`.
pub(crate) fn is_cfg_test(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("cfg")
        && attr
            .parse_args::<syn::Ident>()
            .is_ok_and(|ident| ident == "test")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(src: &str) -> Vec<(&'static str, Level)> {
        let file: syn::File =
            syn::parse_str(&format!("{src} fn f() {{}}")).unwrap_or_else(|_| syn::parse_quote!());
        match file.items.first() {
            Some(syn::Item::Fn(f)) => levels(&f.attrs),
            _ => Vec::new(),
        }
    }

    #[test]
    fn reads_every_form() {
        assert_eq!(
            attrs("#[allow(interior_mutable_default)]"),
            [("interior_mutable_default", Level::Allow)]
        );
        assert_eq!(
            attrs("#[expect(sync_run_wraps_future, reason = \"x\")]"),
            [("sync_run_wraps_future", Level::Allow)]
        );
        assert_eq!(
            attrs("#[cfg_attr(dylint_lib = \"ctxlint\", allow(sync_run_wraps_future))]"),
            [("sync_run_wraps_future", Level::Allow)]
        );
        assert_eq!(
            attrs("#[deny(ctxlint::sync_run_wraps_future)]"),
            [("sync_run_wraps_future", Level::Deny)]
        );
        assert!(attrs("#[cfg_attr(test, allow(sync_run_wraps_future))]").is_empty());
        assert!(attrs("#[allow(dead_code, clippy::sync_run_wraps_future)]").is_empty());
    }
}
