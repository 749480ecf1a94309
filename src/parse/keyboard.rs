//! Characters a Chinese keyboard (or a copy from a web page or a word processor) puts where
//! YAML wants ASCII: a full-width colon, comma, quote or bracket, a full-width or no-break
//! space, a tab, a zero-width character. serde-saphyr reports what it could not parse
//! ("simple key expected ':'"), often a line away from the character; this module finds the
//! character itself and names it, at its own line and column, in the library's language.
//!
//! Only YAML's syntax positions are looked at: the indentation, a key and its `:`, the start
//! of a value and the items of a `[a, b]` list. Quoted text and block scalars (`>-`, `|`) are
//! prose, where full-width punctuation is ordinary Chinese, and are never pointed at. In the
//! Markdown body, the ids of a tagged section's attributes (`forces="a b"`) are looked at too.

use super::RawSection;
use crate::config::Language;
use crate::diag::Diagnostic;

/// A character that may be a keyboard's mistake, in file coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Suspect {
    pub(super) line: usize,
    /// 1-based column in characters.
    pub(super) column: usize,
    pub(super) ch: char,
    /// The YAML still parses, but into something else than meant (an id `a，b`, a key `\u{3000}city`):
    /// an error even when serde-saphyr reports none. Otherwise the character only explains an
    /// error serde-saphyr reports near it (a curly quote may open a legitimate title).
    pub(super) sure: bool,
}

/// Whether `c` is one of the characters this module names.
fn named(c: char) -> bool {
    matches!(c, '：' | '，' | '“' | '”' | '‘' | '’' | '【' | '】' | '［' | '］' | '（' | '）' | '\t') || is_blank(c)
}

/// Characters that look like a space or like nothing at all.
fn is_blank(c: char) -> bool {
    matches!(c, '\u{3000}' | '\u{a0}') || is_zero_width(c)
}

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// Indentation as an editor sees it: spaces, and what passes for one.
fn is_indent(c: char) -> bool {
    c == ' ' || c == '\t' || is_blank(c)
}

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || is_zero_width(c)
}

/// The suspects of a YAML text whose first line is line `first_line` of the file.
pub(super) fn scan(yaml: &str, first_line: usize) -> Vec<Suspect> {
    let mut out = Vec::new();
    // The indentation (in spaces) of the line that opened a block scalar or a plain text that
    // goes on over the next lines: lines indented deeper are its prose (where a paragraph may
    // well start with full-width spaces).
    let mut prose: Option<usize> = None;
    // The quote of a quoted text still open at the end of the previous line.
    let mut quoted: Option<char> = None;
    for (i, line) in yaml.lines().enumerate() {
        let n = first_line + i;
        let chars: Vec<char> = line.chars().collect();
        if let Some(q) = quoted {
            if closes(&chars, 0, q).is_some() {
                quoted = None;
            }
            continue;
        }
        let indent = chars.iter().take_while(|&&c| is_indent(c)).count();
        let spaces = chars.iter().take_while(|&&c| c == ' ').count();
        let content = &chars[indent..];
        if let Some(p) = prose {
            if content.is_empty() || spaces > p {
                continue;
            }
            prose = None;
        }
        if content.is_empty() || content[0] == '#' {
            continue;
        }
        let mut push =
            |column: usize, sure: bool| out.push(Suspect { line: n, column: column + 1, ch: chars[column], sure });
        for (col, &c) in chars[..indent].iter().enumerate() {
            if c != ' ' {
                push(col, true);
            }
        }
        let mut at = indent;
        // The column of the node a plain text belongs to: its key, or its list item's `-`.
        let mut owner = indent;
        // List markers: `- `, `- - `, each followed by its own (possibly odd) space.
        while chars.get(at) == Some(&'-') && chars.get(at + 1).is_some_and(|&c| is_indent(c)) {
            owner = at;
            at += 1;
            while let Some(&c) = chars.get(at).filter(|&&c| is_indent(c)) {
                if c != ' ' {
                    push(at, true);
                }
                at += 1;
            }
        }
        let key_start = at;
        let key_end = key_start + chars[key_start..].iter().take_while(|&&c| key_char(c)).count();
        let mut value = key_start;
        if key_end > key_start && matches!(chars.get(key_end), Some(':' | '：')) {
            owner = key_start;
        }
        if key_end > key_start {
            match chars.get(key_end) {
                Some('：') => push(key_end, false),
                Some(':') if chars.get(key_end + 1).is_none_or(|&c| is_indent(c)) => {
                    let hidden: Vec<usize> = (key_start..key_end).filter(|&c| is_zero_width(chars[c])).collect();
                    for col in hidden {
                        push(col, true);
                    }
                    value = key_end + 1;
                    while let Some(&c) = chars.get(value).filter(|&&c| is_indent(c)) {
                        if is_blank(c) {
                            push(value, true);
                        }
                        value += 1;
                    }
                }
                _ => {}
            }
        }
        match chars.get(value) {
            Some('|' | '>') => prose = Some(owner),
            Some('[') => flow(&chars, value + 1, &mut push),
            // A quoted text: prose, and so are the next lines while it is open.
            Some(&q @ ('"' | '\'')) if closes(&chars, value + 1, q).is_none() => quoted = Some(q),
            Some('"' | '\'') => {}
            Some(&c) => {
                if matches!(c, '“' | '”' | '‘' | '’' | '【' | '［') {
                    push(value, false);
                } else if is_zero_width(c) {
                    push(value, true);
                }
                prose = Some(owner);
            }
            None => {}
        }
    }
    out
}

/// Where the quoted text opened by `quote` before `from` closes on this line, if it does: `\"`
/// escapes a double quote, `''` is a single quote inside single quotes.
fn closes(chars: &[char], from: usize, quote: char) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '\\' if quote == '"' => i += 1,
            c if c == quote && quote == '\'' && chars.get(i + 1) == Some(&'\'') => i += 1,
            c if c == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The items of a flow list `[a, b]` from `start` (after the `[`) to its `]` on this line.
fn flow(chars: &[char], start: usize, push: &mut impl FnMut(usize, bool)) {
    let mut quote: Option<char> = None;
    let mut item_start = true;
    for (col, &c) in chars.iter().enumerate().skip(start) {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            ']' => return,
            '"' | '\'' if item_start => quote = Some(c),
            ',' => {
                item_start = true;
                continue;
            }
            // A comma or a space where an id was meant: the two ids read as one.
            '，' => push(col, true),
            c if is_blank(c) => push(col, true),
            '“' | '‘' | '”' | '’' if item_start => push(col, false),
            '【' | '】' | '［' | '］' => push(col, false),
            _ => {}
        }
        if c != ' ' {
            item_start = false;
        }
    }
}

/// The suspect that explains a YAML error reported at `line`: one on that line, else a sure one
/// on the line after (a tab is reported at the end of the line before it), else a sure one on
/// the line before (a full-width space, or a full-width colon after a key, is reported where the
/// mapping it broke goes on). A curly quote that opens a title on the line before is no cause
/// of an error on this one.
pub(super) fn cause(suspects: &[Suspect], line: usize) -> Option<Suspect> {
    suspects.iter().find(|s| s.line == line).copied().or_else(|| {
        [line + 1, line.saturating_sub(1)]
            .into_iter()
            .find_map(|l| suspects.iter().find(|s| s.line == l && (s.sure || s.ch == '：')).copied())
    })
}

/// The diagnostic naming `s`, in `lang`.
pub(super) fn diagnostic(path: &str, text: &str, s: Suspect, lang: Language) -> Diagnostic {
    let (line, col) = (s.line, s.column);
    let code = format!("U+{:04X}", u32::from(s.ch));
    let (message, hint) = match lang {
        Language::ZhCn => {
            let what = match s.ch {
                '\u{3000}' => "全角空格（U+3000），请改为半角空格".to_string(),
                '\u{a0}' => "不换行空格（U+00A0），请改为普通的半角空格".to_string(),
                '\t' => "制表符（Tab），YAML 只能用空格缩进".to_string(),
                c if is_zero_width(c) => format!("看不见的零宽字符（{code}），请删除"),
                // A quote named inside quotes would read as three; parentheses hold it then.
                c @ ('“' | '”' | '‘' | '’') => format!("{}（{c}），请改为半角（{}）", zh_name(c), ascii(c)),
                c => format!("{}“{c}”，请改为半角“{}”", zh_name(c), ascii(c)),
            };
            (
                format!("第 {line} 行第 {col} 列是{what}"),
                "YAML 的冒号、逗号、括号、引号和缩进只认半角字符：切换到英文输入法后重新输入；引号里的中文标点不受影响",
            )
        }
        Language::En => {
            let what = match s.ch {
                '\u{3000}' => "a full-width space (U+3000); use an ordinary space".to_string(),
                '\u{a0}' => "a no-break space (U+00A0); use an ordinary space".to_string(),
                '\t' => "a tab; indent YAML with spaces".to_string(),
                c if is_zero_width(c) => format!("an invisible zero-width character ({code}); delete it"),
                // A quote named inside quotes would read as three: none around it then.
                c @ ('“' | '”' | '‘' | '’') => format!("{} {c}; use {}", en_name(c), ascii(c)),
                c => format!("{} '{c}'; use '{}'", en_name(c), ascii(c)),
            };
            (
                format!("line {line}, column {col} is {what}"),
                "YAML's colons, commas, brackets, quotes and indentation must be half-width (ASCII): switch the \
                 keyboard to English and type it again; Chinese punctuation inside quoted text is fine",
            )
        }
    };
    let d = Diagnostic::error(path, "keyboard", message).at(text, line, col).hint(hint);
    // The caret covers the character as shown (a zero-width one is shown escaped); a tab is
    // shown as it is, and its width is the terminal's.
    if s.ch == '\t' {
        d
    } else {
        d.marking(&s.ch.to_string())
    }
}

fn zh_name(c: char) -> &'static str {
    match c {
        '：' => "全角冒号",
        '，' => "全角逗号",
        '“' | '”' => "中文双引号",
        '‘' | '’' => "中文单引号",
        '【' | '】' | '［' | '］' => "全角方括号",
        _ => "全角括号",
    }
}

fn en_name(c: char) -> &'static str {
    match c {
        '：' => "a full-width colon",
        '，' => "a full-width comma",
        '“' | '”' => "a curly quote",
        '‘' | '’' => "a curly single quote",
        '【' | '】' | '［' | '］' => "a full-width bracket",
        _ => "a full-width parenthesis",
    }
}

/// The ASCII character meant.
fn ascii(c: char) -> char {
    match c {
        '：' => ':',
        '，' => ',',
        '“' | '”' => '"',
        '‘' | '’' => '\'',
        '【' | '［' => '[',
        '】' | '］' => ']',
        '（' => '(',
        '）' => ')',
        other => other,
    }
}

/// The errors of the sure suspects of a YAML text that parsed, each once.
pub(super) fn sure_errors(path: &str, text: &str, yaml: &str, first_line: usize, lang: Language) -> Vec<Diagnostic> {
    if !yaml.chars().any(named) {
        return Vec::new();
    }
    scan(yaml, first_line).into_iter().filter(|s| s.sure).map(|s| diagnostic(path, text, s, lang)).collect()
}

/// The errors of a tagged section's attribute values (`forces="a b"`): ids are separated by
/// ASCII spaces, so a full-width comma or space, or a hidden character, makes two ids one.
pub(super) fn attribute_errors(path: &str, text: &str, sections: &[RawSection], lang: Language) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (key, value) in sections.iter().flat_map(|s| &s.attrs) {
        let bad = value.value.chars().position(|c| c == '，' || is_blank(c));
        if let Some(i) = bad {
            let ch = value.value.chars().nth(i).unwrap_or(' ');
            let (line, col) = (value.line, value.column + i);
            let code = format!("U+{:04X}", u32::from(ch));
            let (message, hint) = match lang {
                Language::ZhCn => (
                    format!(
                        "第 {line} 行第 {col} 列是{}，标题属性里的多个 id 要用半角空格分隔",
                        if ch == '，' {
                            "全角逗号“，”".to_string()
                        } else {
                            format!("看不见的空白字符（{code}）")
                        }
                    ),
                    format!("写成 {{#锚点 {}=\"a b\"}}：切换到英文输入法后重新输入", key.value),
                ),
                Language::En => (
                    format!(
                        "line {line}, column {col} is {}; separate the ids of an attribute with ordinary spaces",
                        if ch == '，' {
                            "a full-width comma '，'".to_string()
                        } else {
                            format!("an invisible blank ({code})")
                        }
                    ),
                    format!(
                        "write {{#anchor {}=\"a b\"}}: switch the keyboard to English and type it again",
                        key.value
                    ),
                ),
            };
            out.push(
                Diagnostic::error(path, "keyboard", message).at(text, line, col).hint(hint).marking(&ch.to_string()),
            );
        }
    }
    out
}

/// `casebook.toml`'s error `d` (at a line and column of `text`), with the keyboard's character
/// it points at, if it does, named instead. The settings did not parse, so their language is
/// read from the `language = "en"` line as written.
pub fn toml_error(text: &str, d: Diagnostic) -> Diagnostic {
    let Some(line) = text.lines().nth(d.line.wrapping_sub(1)) else { return d };
    let chars: Vec<char> = line.chars().collect();
    // serde's column is where the parser stopped: the character itself, or the next one.
    let is_named = |i: usize| chars.get(i).is_some_and(|&c| named(c) && c != '\t');
    // Else the first one on the line outside quoted text (a full-width colon after a key is
    // reported at the end of the line).
    let outside_quotes = || {
        let mut quote = None;
        (0..chars.len()).find(|&i| match (quote, chars[i]) {
            (None, q @ ('"' | '\'')) => {
                quote = Some(q);
                false
            }
            (Some(q), c) if c == q => {
                quote = None;
                false
            }
            (None, _) => is_named(i),
            (Some(_), _) => false,
        })
    };
    let at =
        [d.column.wrapping_sub(1), d.column.wrapping_sub(2)].into_iter().find(|&i| is_named(i)).or_else(outside_quotes);
    let Some(i) = at else { return d };
    let english = text.lines().any(|l| {
        let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        l == "language=\"en\"" || l == "language='en'"
    });
    let lang = if english { Language::En } else { Language::ZhCn };
    let s = Suspect { line: d.line, column: i + 1, ch: chars[i], sure: false };
    let mut named = diagnostic(&d.file, text, s, lang);
    if s.ch == '：' {
        // Not a colon meant, as in YAML: TOML writes `key = value`.
        let (line, col) = (s.line, s.column);
        named.message = match lang {
            Language::ZhCn => {
                format!("第 {line} 行第 {col} 列是全角冒号“：”，TOML 要写成 key = \"value\"（半角等号“=”）")
            }
            Language::En => {
                format!("line {line}, column {col} is a full-width colon '：'; TOML is written key = \"value\"")
            }
        };
    }
    named.hint = match lang {
        Language::ZhCn => {
            "TOML 的等号、引号、逗号和括号只认半角字符：切换到英文输入法后重新输入；引号里的中文标点不受影响"
        }
        Language::En => {
            "TOML's equals signs, quotes, commas and brackets must be half-width (ASCII): switch the keyboard to \
                         English and type it again; Chinese punctuation inside quoted text is fine"
        }
    }
    .to_string();
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(yaml: &str) -> Vec<(usize, usize, char, bool)> {
        scan(yaml, 1).into_iter().map(|s| (s.line, s.column, s.ch, s.sure)).collect()
    }

    #[test]
    fn syntax_positions_are_looked_at() {
        assert_eq!(found("id: a\nlevel：street\n"), vec![(2, 6, '：', false)]);
        assert_eq!(found("place:\n\u{3000}city: x\n"), vec![(2, 1, '\u{3000}', true)]);
        assert_eq!(found("place:\n\tcity: x\n"), vec![(2, 1, '\t', true)]);
        assert_eq!(found("\u{200b}level: x\n"), vec![(1, 1, '\u{200b}', true)]);
        assert_eq!(found("level:\u{a0}x\n"), vec![(1, 7, '\u{a0}', true)]);
        assert_eq!(found("forces: [a， b]\n"), vec![(1, 11, '，', true)]);
        assert_eq!(found("forces: 【a】\n"), vec![(1, 9, '【', false)]);
        assert_eq!(found("title: “A: b”\n"), vec![(1, 8, '“', false)]);
        assert_eq!(found("sources:\n  -\u{3000}x\n"), vec![(2, 4, '\u{3000}', true)]);
    }

    #[test]
    fn prose_is_left_alone() {
        let yaml = "title: \"甲：乙，丙\"\ntitle_zh: 淮河路街道：一体两翼（四联）\nsummary: >-\n  一段：\u{3000}摘要，“引号”\nsources:\n  - \"来源：某某，2024\"\naliases: [\"领导核心，政治引领\", 政治引领]\n";
        assert_eq!(found(yaml), vec![]);
        // A quoted or plain text that goes on over lines may indent its paragraphs the Chinese way.
        let yaml = "summary: \"第一段，\n  \u{3000}\u{3000}第二段：\\\"引\\\"\"\nsummary_zh: 一段\n  \u{3000}\u{3000}二段\nsources:\n  - 'it''s：\n    \u{3000}x'\nlevel：x\n";
        assert_eq!(found(yaml), vec![(8, 6, '：', false)]);
    }

    #[test]
    fn the_cause_is_on_the_error_line_or_next_to_it() {
        let s = scan("a: 1\nb:\n\tc: 2\n", 1);
        assert_eq!(cause(&s, 2).map(|s| s.line), Some(3));
        assert_eq!(cause(&s, 4).map(|s| s.line), Some(3));
        assert_eq!(cause(&s, 9), None);
        let s = scan("title: “A”\nlevel: [x\n", 1);
        assert_eq!(cause(&s, 2), None, "a curly quote the line before is prose");
    }

    #[test]
    fn messages_name_the_character_in_both_languages() {
        let text = "---\nlevel：street\n";
        let s = Suspect { line: 2, column: 6, ch: '：', sure: false };
        assert_eq!(diagnostic("a.md", text, s, Language::ZhCn).message, "第 2 行第 6 列是全角冒号“：”，请改为半角“:”");
        assert_eq!(
            diagnostic("a.md", text, s, Language::En).message,
            "line 2, column 6 is a full-width colon '：'; use ':'"
        );
    }
}
