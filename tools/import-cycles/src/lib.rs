//! Import circles between the source files of a Rust crate, read as Rust with `syn`.
//!
//! File A *names* file B when a path in A leads into B: a `use` tree (nested groups
//! included), a path in an expression, a type or a pattern, or a path in a macro's tokens
//! (`view! { <crate::shell::Header/> }`). Paths start at `crate`, `super`, `self` or a child
//! module of A. Each path is resolved to the longest prefix that is a file of the crate. A circle
//! is a set of files that name each other, directly or through others: a strongly connected
//! component of more than one file.
//!
//! Tests are left out: `tests.rs`, `*_tests.rs` and every item under `#[cfg(test)]`.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt, fs,
    path::{Path, PathBuf},
};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// A module of the crate by its path from the crate root: `["shell", "browser"]`.
pub type Module = Vec<String>;

/// Where one file names another first, for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Naming {
    pub line: usize,
    pub path: String,
}

/// The files of one crate and which file names which.
#[derive(Debug, Default)]
pub struct Graph {
    pub files: BTreeMap<Module, PathBuf>,
    pub edges: BTreeMap<Module, BTreeMap<Module, Naming>>,
}

#[derive(Debug)]
pub enum Error {
    Read(PathBuf, std::io::Error),
    Parse(PathBuf, syn::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read(path, err) => write!(f, "{}: {err}", path.display()),
            Error::Parse(path, err) => {
                let start = err.span().start();
                write!(f, "{}:{}: {err}", path.display(), start.line)
            }
        }
    }
}

impl std::error::Error for Error {}

/// Reads every source file under `root` (a crate's `src`) and what it names.
pub fn graph(root: &Path) -> Result<Graph, Error> {
    let mut graph = Graph::default();
    collect_files(root, root, &mut graph.files)?;
    let modules: BTreeSet<Module> = graph.files.keys().cloned().collect();
    for (module, path) in &graph.files {
        let text = fs::read_to_string(path).map_err(|err| Error::Read(path.clone(), err))?;
        let file = syn::parse_file(&text).map_err(|err| Error::Parse(path.clone(), err))?;
        let mut reader = Reader {
            modules: &modules,
            file_module: module,
            scope: module.clone(),
            named: BTreeMap::new(),
        };
        reader.visit_file(&file);
        graph.edges.insert(module.clone(), reader.named);
    }
    Ok(graph)
}

fn collect_files(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<Module, PathBuf>,
) -> Result<(), Error> {
    let entries = fs::read_dir(dir).map_err(|err| Error::Read(dir.to_owned(), err))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_files(root, &path, files)?;
            continue;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.ends_with(".rs") || name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        files.insert(module_of(root, &path), path);
    }
    Ok(())
}

/// `shell/mod.rs` and `shell.rs` are `["shell"]`; `lib.rs` and `main.rs` are the root, `[]`.
fn module_of(root: &Path, path: &Path) -> Module {
    let relative = path.strip_prefix(root).unwrap_or(path).with_extension("");
    let mut module: Module = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if module.len() == 1 && matches!(module[0].as_str(), "lib" | "main") {
        module.clear();
    } else if module.last().is_some_and(|last| last == "mod") {
        module.pop();
    }
    module
}

/// Walks one file's syntax tree and records the files its paths lead into.
struct Reader<'a> {
    modules: &'a BTreeSet<Module>,
    /// The file being read.
    file_module: &'a Module,
    /// The module the current item is in: the file's, or an inline `mod x { .. }` in it.
    scope: Module,
    named: BTreeMap<Module, Naming>,
}

impl Reader<'_> {
    /// Records where `segments`, a path as written in `scope`, leads.
    fn name(&mut self, segments: &[String], line: usize) {
        let Some(target) = self.resolve(segments) else {
            return;
        };
        // The longest prefix that is a file of the crate.
        for len in (0..=target.len()).rev() {
            let prefix = &target[..len];
            if self.modules.contains(prefix) {
                if prefix != self.file_module.as_slice() {
                    self.named.entry(prefix.to_vec()).or_insert_with(|| Naming {
                        line,
                        path: segments.join("::"),
                    });
                }
                return;
            }
        }
    }

    /// The path from the crate root, or `None` for a path outside the crate.
    fn resolve(&self, segments: &[String]) -> Option<Module> {
        let first = segments.first()?;
        let mut base = match first.as_str() {
            "crate" => Vec::new(),
            "self" => self.scope.clone(),
            "super" => self.scope[..self.scope.len().checked_sub(1)?].to_vec(),
            _ => {
                // A child module of this scope, named without `self::`.
                let mut child = self.scope.clone();
                child.push(first.clone());
                if !self.modules.contains(&child) {
                    return None;
                }
                return Some(
                    self.scope
                        .iter()
                        .cloned()
                        .chain(segments.iter().cloned())
                        .collect(),
                );
            }
        };
        let mut rest = &segments[1..];
        while rest.first().is_some_and(|s| s == "super") {
            base.pop()?;
            rest = &rest[1..];
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// Every path a `use` tree spells out, nested groups included.
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(syn::UseName { ident })
            | syn::UseTree::Rename(syn::UseRename { ident, .. }) => {
                let mut full = prefix.clone();
                if ident != "self" {
                    full.push(ident.to_string());
                }
                self.name(&full, ident.span().start().line);
            }
            syn::UseTree::Glob(glob) => {
                let line = glob.star_token.span.start().line;
                self.name(prefix, line);
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }

    /// Paths inside a macro's tokens: `crate :: a :: b`, also in nested groups.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(group) => self.tokens(group.stream()),
                TokenTree::Ident(ident) if !follows_path_separator(&trees, i) => {
                    let mut segments = vec![ident.to_string()];
                    let mut j = i + 1;
                    while is_path_separator(&trees, j) {
                        match trees.get(j + 2) {
                            Some(TokenTree::Ident(next)) => {
                                segments.push(next.to_string());
                                j += 3;
                            }
                            _ => break,
                        }
                    }
                    if segments.len() > 1 {
                        self.name(&segments, ident.span().start().line);
                        i = j;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
}

fn is_path_separator(trees: &[TokenTree], at: usize) -> bool {
    matches!(
        (trees.get(at), trees.get(at + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == proc_macro2::Spacing::Joint && b.as_char() == ':'
    )
}

/// `a::b`: `b` is not the start of a path.
fn follows_path_separator(trees: &[TokenTree], at: usize) -> bool {
    at >= 2 && is_path_separator(trees, at - 2)
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("test")
            || (attr.path().is_ident("cfg")
                && attr
                    .parse_args::<syn::Meta>()
                    .is_ok_and(|meta| meta.path().is_ident("test")))
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

impl<'ast> Visit<'ast> for Reader<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        // `mod x;` declares a file: declaring is not naming.
        if item.content.is_some() {
            self.scope.push(item.ident.to_string());
            syn::visit::visit_item_mod(self, item);
            self.scope.pop();
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1
            && let Some(first) = path.segments.first()
        {
            self.name(&segments, first.ident.span().start().line);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        syn::visit::visit_macro(self, mac);
        self.tokens(mac.tokens.clone());
    }
}

/// The circles: each a set of files that name each other, directly or through others, sorted.
pub fn circles(graph: &Graph) -> Vec<Vec<Module>> {
    // Tarjan's strongly connected components.
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g Module, usize>,
        low: BTreeMap<&'g Module, usize>,
        stack: Vec<&'g Module>,
        on_stack: BTreeSet<&'g Module>,
        next: usize,
        found: Vec<Vec<Module>>,
    }
    fn connect<'g>(state: &mut State<'g>, module: &'g Module) {
        state.index.insert(module, state.next);
        state.low.insert(module, state.next);
        state.next += 1;
        state.stack.push(module);
        state.on_stack.insert(module);
        let graph = state.graph;
        for target in graph.edges.get(module).into_iter().flat_map(|e| e.keys()) {
            if !state.index.contains_key(target) {
                connect(state, target);
                let low = state.low[target].min(state.low[module]);
                state.low.insert(module, low);
            } else if state.on_stack.contains(target) {
                let low = state.index[target].min(state.low[module]);
                state.low.insert(module, low);
            }
        }
        if state.low[module] == state.index[module] {
            let mut component = Vec::new();
            while let Some(top) = state.stack.pop() {
                state.on_stack.remove(top);
                component.push(top.clone());
                if top == module {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for module in graph.files.keys() {
        if !state.index.contains_key(module) {
            connect(&mut state, module);
        }
    }
    state.found.sort();
    state.found
}

/// One way round a circle, from its first file back to it: the files in order.
pub fn round(graph: &Graph, circle: &[Module]) -> Vec<Module> {
    let members: BTreeSet<&Module> = circle.iter().collect();
    let start = &circle[0];
    // Breadth first inside the circle, back to the start.
    let mut came_from: BTreeMap<&Module, &Module> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(module) = queue.pop_front() {
        for target in graph.edges[module].keys() {
            if !members.contains(target) {
                continue;
            }
            if target == start {
                let mut path = vec![module.clone()];
                let mut at = module;
                while at != start {
                    at = came_from[at];
                    path.push(at.clone());
                }
                path.reverse();
                path.push(start.clone());
                return path;
            }
            if !came_from.contains_key(target) {
                came_from.insert(target, module);
                queue.push_back(target);
            }
        }
    }
    circle.to_vec()
}

/// A file's name as the report shows it, relative to the crate's `src`.
pub fn file_name(graph: &Graph, root: &Path, module: &Module) -> String {
    graph.files.get(module).map_or_else(
        || module.join("::"),
        |path| {
            path.strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name)
            .join("src")
    }

    fn names(graph: &Graph, root: &Path, circle: &[Module]) -> Vec<String> {
        circle.iter().map(|m| file_name(graph, root, m)).collect()
    }

    #[test]
    fn a_nested_use_tree_and_a_full_path_in_an_expression_make_a_circle() {
        let root = fixture("circle");
        let graph = graph(&root).unwrap();
        let found = circles(&graph);
        assert_eq!(found.len(), 2, "{found:?}");
        // `use crate::{pages::{login, wizard}, access::decide}`: the part after the inner
        // group counts; the regular expression stopped at its `}`.
        assert_eq!(
            names(&graph, &root, &found[0]),
            ["access.rs", "pages/wizard.rs"]
        );
        // `crate::shell::header()` in an expression, not in a `use`.
        assert_eq!(
            names(&graph, &root, &found[1]),
            ["shell/mod.rs", "shell/parts.rs"]
        );
        let round = round(&graph, &found[1]);
        assert_eq!(names(&graph, &root, &round).len(), 3);
    }

    #[test]
    fn paths_in_macros_and_child_modules_are_read_and_tests_are_not() {
        let root = fixture("circle");
        let graph = graph(&root).unwrap();
        let page = &graph.edges[&vec!["pages".to_owned(), "login".to_owned()]];
        // `view! { <crate::shell::Frame/> }`
        assert!(page.contains_key(&vec!["shell".to_owned()]), "{page:?}");
        // Only a `#[cfg(test)]` module names the wizard.
        assert!(!page.contains_key(&vec!["pages".to_owned(), "wizard".to_owned()]));
        // `parts::footer()` from `shell/mod.rs`: a child module named without `self::`.
        let shell = &graph.edges[&vec!["shell".to_owned()]];
        assert!(shell.contains_key(&vec!["shell".to_owned(), "parts".to_owned()]));
    }

    #[test]
    fn a_crate_whose_files_point_one_way_has_no_circle() {
        let root = fixture("clean");
        let graph = graph(&root).unwrap();
        assert_eq!(circles(&graph), Vec::<Vec<Module>>::new());
        assert_eq!(graph.files.len(), 3);
        assert_eq!(graph.edges.values().map(BTreeMap::len).sum::<usize>(), 3);
    }

    #[test]
    fn a_file_that_is_not_rust_is_an_error_not_a_pass() {
        let root = fixture("broken");
        let err = graph(&root).unwrap_err();
        assert!(err.to_string().contains("lib.rs:2"), "{err}");
    }
}
