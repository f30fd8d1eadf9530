//! The layering, read from the source itself: no module imports one from a layer above it,
//! and no files import each other round a circle. A new top-level module fails here until it
//! is given its layer (docs/architecture.md explains the layers).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first. A module may import from its own layer and those below.
const LAYERS: &[&[&str]] = &[
    &["domain", "fingerprint", "proto"],
    &["store"],
    &["import"],
    &["changes", "export", "demo"],
    &["service"],
    &["status"],
    &["guard"],
    &["auth", "config", "tls"],
    &["limits", "ops"],
    &["http", "telemetry"],
    &["api"],
    &["server"],
    &["print", "serve_options"],
];

type Module = Vec<String>;

#[test]
fn no_module_imports_one_from_a_layer_above_it() {
    let graph = Graph::read();
    let layer_of = |module: &Module| {
        let top = module.first().map(String::as_str).unwrap_or("");
        LAYERS.iter().position(|layer| layer.contains(&top))
    };
    let mut unranked = BTreeSet::new();
    let mut upward = Vec::new();
    for (from, targets) in &graph.edges {
        for to in targets {
            if from.first() == to.first() {
                continue;
            }
            match (layer_of(from), layer_of(to)) {
                (Some(a), Some(b)) if a < b => {
                    upward.push(format!("{} -> {}", from.join("::"), to.join("::")));
                }
                (Some(_), Some(_)) => {}
                (a, b) => {
                    if a.is_none() {
                        unranked.insert(from[0].clone());
                    }
                    if b.is_none() {
                        unranked.insert(to[0].clone());
                    }
                }
            }
        }
    }
    assert!(
        unranked.is_empty(),
        "top-level modules without a layer in LAYERS: {unranked:?}"
    );
    assert!(
        upward.is_empty(),
        "imports that run upward:\n{}",
        upward.join("\n")
    );
    // The reader found the graph it is meant to judge, not an empty one.
    assert!(graph.edges.values().map(BTreeSet::len).sum::<usize>() > 300);
}

#[test]
fn no_files_import_each_other_round_a_circle() {
    let graph = Graph::read();
    let circles = graph.circles();
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles
            .iter()
            .map(|c| c
                .iter()
                .map(|m| m.join("::"))
                .collect::<Vec<_>>()
                .join(" -> "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Which file-module imports which, from `crate::`, `super::` and `self::` paths.
struct Graph {
    edges: BTreeMap<Module, BTreeSet<Module>>,
}

impl Graph {
    fn read() -> Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        collect(&src, &mut files);
        let modules: BTreeMap<Module, String> = files
            .iter()
            // The binary's root is a client of the library, and `*_tests.rs` files are
            // test modules declared by `#[path]`.
            .filter(|f| !f.ends_with("main.rs") || f.parent() != Some(src.as_path()))
            .filter(|f| !f.to_string_lossy().ends_with("_tests.rs"))
            .map(|f| {
                (
                    module_of(&src, f),
                    std::fs::read_to_string(f).expect("read"),
                )
            })
            .collect();
        let known: BTreeSet<&Module> = modules.keys().collect();
        let mut edges = BTreeMap::new();
        for (module, text) in &modules {
            let targets: BTreeSet<Module> = paths(&code_of(text))
                .into_iter()
                .filter_map(|path| resolve(module, &path))
                .filter_map(|path| {
                    (1..=path.len())
                        .rev()
                        .map(|n| path[..n].to_vec())
                        .find(|p| known.contains(p))
                })
                // A module's own parents (its mod.rs) host what its children share.
                .filter(|target| target != module && !module.starts_with(target))
                .collect();
            edges.insert(module.clone(), targets);
        }
        Graph { edges }
    }

    /// Every strongly connected set of more than one module, as found by Tarjan's algorithm.
    fn circles(&self) -> Vec<Vec<Module>> {
        struct State<'a> {
            graph: &'a Graph,
            index: BTreeMap<&'a Module, usize>,
            low: BTreeMap<&'a Module, usize>,
            stack: Vec<&'a Module>,
            found: Vec<Vec<Module>>,
        }
        fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
            let i = s.index.len();
            s.index.insert(v, i);
            s.low.insert(v, i);
            s.stack.push(v);
            for w in s.graph.edges.get(v).into_iter().flatten() {
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.stack.contains(&w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
            if s.low[v] == s.index[v] {
                let mut component = Vec::new();
                while let Some(w) = s.stack.pop() {
                    component.push(w.clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    s.found.push(component);
                }
            }
        }
        let mut state = State {
            graph: self,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            found: Vec::new(),
        };
        for v in self.edges.keys() {
            if !state.index.contains_key(v) {
                visit(&mut state, v);
            }
        }
        state.found
    }
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

fn module_of(src: &Path, file: &Path) -> Module {
    let relative = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let mut parts: Module = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The text without comments and without `#[cfg(test)]` modules: what the build links.
fn code_of(text: &str) -> String {
    let without_comments: String = text
        .lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string (a URL) would cut the line short; paths never follow one.
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut code = without_comments;
    while let Some(start) = code.find("#[cfg(test)]") {
        let rest = &code[start..];
        let Some(open) = rest.find('{') else { break };
        // `#[cfg(test)] #[path = "…"] mod tests;`: the module is a file of its own.
        if let Some(semicolon) = rest.find(';').filter(|s| *s < open) {
            code.replace_range(start..start + semicolon + 1, "");
            continue;
        }
        let mut depth = 0;
        let mut end = rest.len();
        for (i, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        code.replace_range(start..start + end, "");
    }
    code
}

/// Every path that starts with `crate`, `super` or `self`, with `{…}` groups expanded.
fn paths(code: &str) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    for root in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(root) {
            let at = from + i;
            from = at + root.len();
            let starts_word = at == 0
                || !(bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b':');
            if starts_word {
                let head = vec![root.trim_end_matches(':').to_owned()];
                expand(&code[at + root.len()..], head, &mut found);
            }
        }
    }
    found
}

/// Reads `a::b::{c, d::e}` after `prefix::`, pushing each whole path.
fn expand(text: &str, prefix: Vec<String>, found: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    let mut rest = text;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item_start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' | ',' if depth == 1 => {
                        expand(group[item_start..i].trim_start(), path.clone(), found);
                        item_start = i + 1;
                        if c == '}' {
                            return;
                        }
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            return;
        }
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            break;
        }
        path.push(ident.clone());
        rest = &rest[ident.len()..];
        match rest.strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    found.push(path);
}

/// The absolute path a relative one names, seen from `module`.
fn resolve(module: &Module, path: &[String]) -> Option<Module> {
    let (mut base, mut rest) = match path.first().map(String::as_str) {
        Some("crate") => (Vec::new(), &path[1..]),
        Some("self") => (module.clone(), &path[1..]),
        Some("super") => (module[..module.len().checked_sub(1)?].to_vec(), &path[1..]),
        _ => return None,
    };
    while rest.first().map(String::as_str) == Some("super") {
        base.pop()?;
        rest = &rest[1..];
    }
    base.extend(rest.iter().filter(|p| p.as_str() != "self").cloned());
    Some(base)
}
