//! Writing the generated library as files: the taxonomy and each case in casebook's format.

use crate::data::*;
use crate::{lower_first, Case, MARKER};
use std::fmt::Write as _;
// --------------------------------------------------------------------------
// Writers
// --------------------------------------------------------------------------

/// Append `s` as a double-quoted string, valid both as JSON and as YAML.
fn q(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // control characters, DEL/C1 and the Unicode line separators
            // (YAML would fold the latter)
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) || c == '\u{2028}' || c == '\u{2029}' => {
                write!(out, "\\u{:04x}", c as u32).unwrap()
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn qlist(out: &mut String, xs: &[&str]) {
    out.push('[');
    for (j, x) in xs.iter().enumerate() {
        if j > 0 {
            out.push_str(", ");
        }
        q(out, x);
    }
    out.push(']');
}

fn idlist(out: &mut String, ids: impl Iterator<Item = &'static str>) {
    out.push('[');
    for (j, id) in ids.enumerate() {
        if j > 0 {
            out.push_str(", ");
        }
        out.push_str(id);
    }
    out.push(']');
}

fn forces_and(fs: &[usize]) -> String {
    fs.iter().map(|&f| FORCES[f].en.to_lowercase()).collect::<Vec<_>>().join(" and ")
}

pub(crate) fn taxonomy_yaml() -> String {
    let mut o = String::with_capacity(16 * 1024);
    o.push_str(MARKER);
    o.push('\n');
    let term = |o: &mut String, id: &str, en: &str, zh: &str, def: &str, aliases: &[&str]| {
        write!(o, "    - id: {id}\n      label: ").unwrap();
        q(o, en);
        o.push_str("\n      label_zh: ");
        q(o, zh);
        o.push_str("\n      definition: ");
        q(o, def);
        o.push_str("\n      aliases: ");
        qlist(o, aliases);
        o.push('\n');
    };

    o.push_str("forces:\n  label: Forces\n  label_zh: 五力\n  terms:\n");
    for f in FORCES {
        term(&mut o, f.id, f.en, f.zh, f.definition, f.aliases);
    }

    o.push_str("problems:\n  label: Problems\n  label_zh: 问题\n  terms:\n");
    for p in PROBLEMS {
        let def = format!("Cases where {}; addressed mainly through {}.", lower_first(p.en), forces_and(p.forces));
        term(&mut o, p.id, p.en, p.zh, &def, p.aliases);
        o.push_str("      forces: ");
        idlist(&mut o, p.forces.iter().map(|&f| FORCES[f].id));
        o.push('\n');
    }

    o.push_str("practices:\n  label: Practices\n  label_zh: 做法\n  terms:\n");
    for p in PRACTICES {
        let def = format!("{} ({}): a named practice that builds {}.", p.en, p.zh, forces_and(p.forces));
        let lower = p.en.to_lowercase();
        term(&mut o, p.id, p.en, p.zh, &def, &[&lower, p.zh]);
        o.push_str("      forces: ");
        idlist(&mut o, p.forces.iter().map(|&f| FORCES[f].id));
        o.push('\n');
    }

    // The levels the cases use, declared like the vocabularies.
    o.push_str("levels:\n");
    for &(id, _, zh, _) in LEVELS {
        writeln!(o, "  - id: {id}\n    label: {}\n    label_zh: {zh}", capitalize(id)).unwrap();
    }
    o
}

/// `street` → `Street`.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub(crate) fn casebook_file(c: &Case, o: &mut String) {
    o.clear();
    write!(o, "---\nid: {}\ntitle: ", c.id).unwrap();
    q(o, &c.title);
    o.push_str("\ntitle_zh: ");
    q(o, &c.title_zh);
    o.push_str("\nplace:\n  province: ");
    q(o, c.province);
    o.push_str("\n  city: ");
    q(o, c.city);
    o.push_str("\n  district: ");
    q(o, c.district);
    o.push_str("\n  unit: ");
    q(o, &c.unit);
    write!(o, "\nlevel: {}\nforces: ", c.level).unwrap();
    idlist(o, c.forces.iter().map(|&f| FORCES[f].id));
    o.push_str("\npractices: ");
    idlist(o, c.practices.iter().map(|&p| PRACTICES[p].id));
    o.push_str("\nproblems: ");
    idlist(o, c.problems.iter().map(|&p| PROBLEMS[p].id));
    o.push_str("\nsummary: ");
    q(o, &c.summary);
    o.push_str("\nsources:\n");
    for s in &c.sources {
        o.push_str("  - ");
        q(o, s);
        o.push('\n');
    }
    o.push_str("---\n\n");
    o.push_str(&c.body);
}
