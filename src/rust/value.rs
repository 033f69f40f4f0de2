//! What a value expression builds, as far as syntax tells: the skeleton of a `ContextVar`
//! default (or of a constant it names), kept apart from syn's trees so that crate facts can
//! hold it across threads.
//!
//! A type says what a value *may* hold; the value says what it *does* hold. `None` of an
//! `Option<Arc<Mutex<_>>>`, a data-less variant of an enum that has a `Mutex` in another
//! variant, or `Vec::new()` of a `Vec<Mutex<_>>` share nothing, however interior-mutable their
//! type is. This is the line clippy's `declare_interior_mutable_const` draws by evaluating the
//! constant and looking at the variant it holds; [`Shape`] is the syntactic counterpart.

use syn::punctuated::Punctuated;

/// A path as written, before resolution through the file's imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathRef {
    pub(crate) segments: Vec<String>,
    pub(crate) absolute: bool,
}

impl PathRef {
    fn of(path: &syn::Path) -> PathRef {
        PathRef {
            segments: path.segments.iter().map(|s| s.ident.to_string()).collect(),
            absolute: path.leading_colon.is_some(),
        }
    }
}

/// The skeleton of a value expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A literal, or an operation on values that syntax knows hold nothing shared.
    Plain,
    /// A path: a constant or static, a unit struct or variant, `None`.
    Path(PathRef),
    /// `path(args)`: a tuple struct or variant, `Some(..)`, or a function such as `Arc::new`.
    Call(PathRef, Vec<Shape>),
    /// `path { field: value, .., ..rest }`.
    Struct(PathRef, Vec<(String, Shape)>, Option<Box<Shape>>),
    /// A tuple, an array, `vec![..]`: it holds what its elements hold.
    Elements(Vec<Shape>),
    /// Anything else (a method call, a closure, a macro): syntax cannot tell.
    Opaque,
}

/// Whether a value holds something interior-mutable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It certainly holds nothing interior-mutable.
    No,
    /// It certainly does.
    Yes,
    /// Syntax cannot tell; the declared type decides.
    Unknown,
}

impl Verdict {
    /// The verdict of a value made of parts: `Yes` if any part is, `No` if every part is.
    pub(crate) fn all(parts: impl IntoIterator<Item = Verdict>) -> Verdict {
        let mut out = Verdict::No;
        for part in parts {
            match part {
                Verdict::Yes => return Verdict::Yes,
                Verdict::Unknown => out = Verdict::Unknown,
                Verdict::No => {}
            }
        }
        out
    }
}

impl Shape {
    /// The shape of `expr`.
    pub(crate) fn of(expr: &syn::Expr) -> Shape {
        match expr {
            syn::Expr::Lit(_) => Shape::Plain,
            syn::Expr::Path(p) if p.qself.is_none() => Shape::Path(PathRef::of(&p.path)),
            syn::Expr::Call(c) => match &*c.func {
                syn::Expr::Path(f) if f.qself.is_none() => {
                    Shape::Call(PathRef::of(&f.path), c.args.iter().map(Shape::of).collect())
                }
                _ => Shape::Opaque,
            },
            syn::Expr::Struct(s) if s.qself.is_none() => Shape::Struct(
                PathRef::of(&s.path),
                s.fields
                    .iter()
                    .map(|f| {
                        let name = match &f.member {
                            syn::Member::Named(ident) => ident.to_string(),
                            syn::Member::Unnamed(index) => index.index.to_string(),
                        };
                        (name, Shape::of(&f.expr))
                    })
                    .collect(),
                s.rest.as_ref().map(|rest| Box::new(Shape::of(rest))),
            ),
            syn::Expr::Tuple(t) => Shape::Elements(t.elems.iter().map(Shape::of).collect()),
            syn::Expr::Array(a) => Shape::Elements(a.elems.iter().map(Shape::of).collect()),
            syn::Expr::Repeat(r) => Shape::Elements(vec![Shape::of(&r.expr)]),
            syn::Expr::Paren(p) => Shape::of(&p.expr),
            syn::Expr::Group(g) => Shape::of(&g.expr),
            syn::Expr::Reference(r) => Shape::of(&r.expr),
            // Arithmetic and casts of numbers give numbers.
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_) | syn::UnOp::Not(_)) => {
                match Shape::of(&u.expr) {
                    Shape::Plain => Shape::Plain,
                    _ => Shape::Opaque,
                }
            }
            syn::Expr::Cast(c) => match Shape::of(&c.expr) {
                Shape::Plain => Shape::Plain,
                _ => Shape::Opaque,
            },
            syn::Expr::Block(b) if b.block.stmts.len() == 1 => match b.block.stmts.first() {
                Some(syn::Stmt::Expr(e, None)) => Shape::of(e),
                _ => Shape::Opaque,
            },
            syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => vec_shape(&m.mac),
            _ => Shape::Opaque,
        }
    }
}

/// `vec![a, b]` and `vec![x; n]` hold their elements; `vec![]` holds nothing.
fn vec_shape(mac: &syn::Macro) -> Shape {
    if let Ok(exprs) =
        mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
    {
        Shape::Elements(exprs.iter().map(Shape::of).collect())
    } else if let Ok(repeated) = mac.parse_body_with(parse_repeat) {
        Shape::Elements(vec![Shape::of(&repeated)])
    } else {
        Shape::Opaque
    }
}

/// Parses the `x; n` form of `vec![x; n]`, returning `x`.
fn parse_repeat(input: syn::parse::ParseStream<'_>) -> syn::Result<syn::Expr> {
    let value: syn::Expr = input.parse()?;
    input.parse::<syn::Token![;]>()?;
    input.parse::<syn::Expr>()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(src: &str) -> Shape {
        syn::parse_str::<syn::Expr>(src).map_or(Shape::Opaque, |e| Shape::of(&e))
    }

    #[test]
    fn shapes_follow_the_expression() {
        assert_eq!(shape("1"), Shape::Plain);
        assert_eq!(shape("-(1 as u8)"), Shape::Plain);
        assert_eq!(shape("vec![]"), Shape::Elements(vec![]));
        assert_eq!(shape("vec![0; 4]"), Shape::Elements(vec![Shape::Plain]));
        assert!(matches!(shape("Some(None)"), Shape::Call(_, args) if args.len() == 1));
        assert!(matches!(shape("S { a: 1, ..D }"), Shape::Struct(_, f, Some(_)) if f.len() == 1));
        assert_eq!(shape("x.lock()"), Shape::Opaque);
        assert_eq!(
            Verdict::all([Verdict::No, Verdict::Unknown]),
            Verdict::Unknown
        );
        assert_eq!(Verdict::all([Verdict::Unknown, Verdict::Yes]), Verdict::Yes);
        assert_eq!(Verdict::all([]), Verdict::No);
    }
}
