//! The floor plan, checked: the top-level modules of `app/src` in layers, each
//! allowed to use only the ones below it, so the module graph has no cycles.
//! An arrow is any `crate::<module>` path outside comments (tests included).
//! A new module must be given its place in `LAYERS`; an arrow that points up
//! fails, unless it is one of the known ones in `KNOWN_UP`, which may only
//! shrink (an entry that no longer exists fails too, so the list stays true).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Bottom first. The kernel (`error`, `text`, `db`, `state`) and the kit
/// (`ui`) use no feature; features use those below them; the frame (`shell`)
/// sits on top.
const LAYERS: &[&str] = &[
    "error",
    "text",
    "calendar",
    "db",
    "photos",
    "state",
    "ui",
    "auth",
    "live",
    "notifications",
    "people",
    "audit",
    "funnel",
    "customers",
    "referrals",
    "reminders",
    "field",
    "worklog",
    "experience",
    "alarms",
    "feed",
    "measure",
    "targets",
    "suggestions",
    "import",
    "me",
    "customer_file",
    "shell",
];

/// Arrows that still point up (from, to). Remove an entry with the arrow.
const KNOWN_UP: &[(&str, &str)] = &[];

/// The top-level modules `crate::…` paths in `source` name (comments left out).
fn named_modules(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if rest.starts_with('{') {
            found.extend(group_heads(rest));
        } else {
            found.insert(ident(rest).to_string());
        }
    }
    found
}

/// The first identifier of each item of a `{a::b, c, d::{e}}` group.
fn group_heads(group: &str) -> Vec<String> {
    let mut depth = 0;
    let mut heads = Vec::new();
    let mut expect_head = false;
    for (i, c) in group.char_indices() {
        match c {
            '{' => {
                depth += 1;
                expect_head = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => expect_head = true,
            c if expect_head && (c.is_alphanumeric() || c == '_') => {
                heads.push(ident(&group[i..]).to_string());
                expect_head = false;
            }
            c if !c.is_whitespace() => expect_head = false,
            _ => {}
        }
    }
    heads
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// from → the modules it names, for every top-level module of `app/src`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let top = |path: &Path| -> Option<String> {
        let rel = path.strip_prefix(&src).ok()?;
        let first = rel.components().next()?.as_os_str().to_str()?;
        let name = first.trim_end_matches(".rs");
        (name != "lib" && name != "architecture").then(|| name.to_string())
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        if let Some(module) = top(path) {
            graph.entry(module).or_default();
        }
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for path in &files {
        let Some(module) = top(path) else { continue };
        let source = std::fs::read_to_string(path).unwrap_or_default();
        let named = named_modules(&source);
        let arrows = graph.entry(module.clone()).or_default();
        for to in named {
            if to != module && modules.contains(&to) {
                arrows.insert(to);
            }
        }
    }
    graph
}

#[test]
fn paths_name_the_modules_they_start_with() {
    let cases: &[(&str, &[&str])] = &[
        ("use crate::error::AppError;", &["error"]),
        (
            "use crate::{db::Db, state::{app_state, AppState}};",
            &["db", "state"],
        ),
        (
            "use crate::{\n    feed,\n    ui::{Loading, ErrorBox},\n};",
            &["feed", "ui"],
        ),
        (
            "let x = crate::people::org::tree_of(&s); // crate::shell",
            &["people"],
        ),
        ("// use crate::alarms;", &[]),
        ("crate::a::f(crate::b::g())", &["a", "b"]),
    ];
    for (source, want) in cases {
        let got: Vec<String> = named_modules(source).into_iter().collect();
        assert_eq!(got, *want, "{source}");
    }
}

#[test]
fn every_arrow_between_top_level_modules_points_down() {
    let graph = module_graph();
    assert!(graph.len() > 10, "the source tree was not found");
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let unplaced: Vec<&String> = graph
        .keys()
        .filter(|m| !rank.contains_key(m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "give these modules a layer in LAYERS: {unplaced:?}"
    );
    let mut up = BTreeSet::new();
    for (from, tos) in &graph {
        for to in tos {
            if rank[to.as_str()] > rank[from.as_str()] {
                up.insert((from.as_str(), to.as_str()));
            }
        }
    }
    let known: BTreeSet<(&str, &str)> = KNOWN_UP.iter().copied().collect();
    let new: Vec<_> = up.difference(&known).collect();
    let gone: Vec<_> = known.difference(&up).collect();
    assert!(
        new.is_empty(),
        "these modules use a module above them (move the shared piece down, or \
         let the lower one be called instead of calling up): {new:?}"
    );
    assert!(
        gone.is_empty(),
        "no longer used, remove from KNOWN_UP: {gone:?}"
    );
}
