//! The skeleton of a new case (`casebook new ID`): every field present and explained, made from
//! the library's own settings and taxonomy — its languages, its levels, a key per vocabulary
//! with the vocabulary's ids in a comment, and a tagged section of the vocabulary the library's
//! examples use ([`Taxonomy::section_example`]). Its words are in the language the cases are
//! written in. Once its placeholders are filled in, it passes `check`.

use crate::config::{Config, Language};
use crate::model::{Localized, Taxonomy};
use std::fmt::Write as _;

/// The text of a new case file `id` for the library of `config` and `taxonomy`.
pub fn skeleton(id: &str, config: &Config, taxonomy: &Taxonomy) -> String {
    let lang = config.content_language;
    let zh = lang == Language::ZhCn;
    let t = |en: &'static str, zh_text: &'static str| if zh { zh_text } else { en };
    // A Chinese title beside the English one where the site shows both and the cases are
    // written in English; a case written in Chinese has its Chinese title in `title`.
    let with_zh = lang == Language::En && config.languages.contains(&Language::ZhCn);
    let mut s = String::from("---\n");
    s.push_str(t(
        "# Unique id: lower-case letters, digits and '-'. It becomes the page address (cases/ID.html).\n",
        "# 唯一标识：小写字母、数字和“-”，也是页面的地址（cases/ID.html）。\n",
    ));
    let _ = writeln!(s, "id: {id}");
    s.push_str(t("# The title, in English.\n", "# 标题（中文）。\n"));
    s.push_str("title: \"\"\n");
    if with_zh {
        s.push_str("# The title in Chinese (optional).\ntitle_zh: \"\"\n");
    }
    s.push_str(t(
        "# Where the case happened, from large to small. Only the province is required.\n",
        "# 案例发生的地点，从大到小；只有 province（省）必填。\n",
    ));
    s.push_str("place:\n");
    for key in ["province", "city", "district", "unit"] {
        let _ = writeln!(s, "  {key}: \"\"");
        if with_zh {
            let _ = writeln!(s, "  {key}_zh: \"\"");
        }
    }
    if let Some(first) = taxonomy.levels.first() {
        let levels: Vec<String> = taxonomy
            .levels
            .iter()
            .map(|l| {
                let label = Localized::new(&l.label, l.label_zh.as_deref()).pick(lang);
                match (label.eq_ignore_ascii_case(&l.id), zh) {
                    (true, _) => l.id.clone(),
                    (false, true) => format!("{}（{label}）", l.id),
                    (false, false) => format!("{} ({label})", l.id),
                }
            })
            .collect();
        let _ = writeln!(
            s,
            "{}{}{}",
            t("# The level, one of: ", "# 层级，可选："),
            levels.join(t(", ", "、")),
            t(".", "。")
        );
        let _ = writeln!(s, "level: {}", first.id);
    }
    for v in &taxonomy.vocabularies {
        let label = Localized::new(&v.label, v.label_zh.as_deref()).pick(lang);
        let _ = writeln!(
            s,
            "{}",
            if zh {
                format!("# {label}（{}）：cases/taxonomy.yaml 中的 id，最重要的在前：", v.name)
            } else {
                format!("# {label} ({}), ids from cases/taxonomy.yaml, most important first:", v.name)
            }
        );
        let ids: Vec<&str> = v.terms.iter().map(|t| t.id.as_str()).collect();
        for chunk in ids.chunks(6) {
            let _ = writeln!(s, "#   {}", chunk.join(", "));
        }
        let _ = writeln!(s, "{}: []", v.name);
    }
    s.push_str(t(
        "# One paragraph of plain text, shown in lists, search results and the feed.\n",
        "# 摘要：一段纯文本，显示在列表、搜索结果和订阅中。\n",
    ));
    s.push_str("summary: \"\"\n");
    if with_zh {
        s.push_str("# The same in Chinese (optional).\nsummary_zh: \"\"\n");
    }
    s.push_str(t(
        "# When the work happened and when the case was last revised (optional): 2019, 2019-06 or\n\
         # 2019-06-12, as precise as the sources say. Remove the # to use them.\n# date:\n# updated:\n",
        "# 日期（可选）：做法发生的时间和案例最后修订的时间，写成 2019、2019-06 或 2019-06-12，\n\
         # 按材料所写的精确度。去掉 # 即可使用。\n# date:\n# updated:\n",
    ));
    s.push_str(t(
        "# What the case is based on: documents, field notes, interviews.\n",
        "# 案例依据的材料：文件、实地记录、访谈等。\n",
    ));
    s.push_str("sources:\n  - \"\"\n---\n\n");
    s.push_str(t(
        "## Background {#background}\n\nWhat the place is like and what problem it faced.\n\n",
        "## 背景 {#background}\n\n当地的情况，以及面临的问题。\n\n",
    ));
    if let Some(v) = taxonomy.section_example(config) {
        tagged_section(&mut s, config, taxonomy, v);
    }
    s.push_str(t(
        "## Results {#results}\n\nWhat changed, as the sources state it.\n\n",
        "## 成效 {#results}\n\n发生了哪些变化（以来源所述为准）。\n\n",
    ));
    s.push_str(t(
        "## Lessons {#lessons}\n\nWhat others can take from it.\n",
        "## 启示 {#lessons}\n\n其他地方可以借鉴什么。\n",
    ));
    s
}

/// A section about a term of vocabulary `v`, its heading tagged with the term's id (the
/// vocabulary's first, as an example) and with the profile vocabulary's, which the case's
/// profile counts.
fn tagged_section(s: &mut String, config: &Config, taxonomy: &Taxonomy, v: usize) {
    let zh = config.content_language == Language::ZhCn;
    let voc = &taxonomy.vocabularies[v];
    let example = voc.terms.first().map_or_else(|| format!("{}-id", voc.singular), |t| t.id.clone());
    let profile = config
        .profile
        .as_deref()
        .map_or((!taxonomy.vocabularies.is_empty()).then_some(0), |p| taxonomy.vocabulary_index(p))
        .filter(|&p| p != v)
        .map(|p| &taxonomy.vocabularies[p]);
    let (singular, name) = (&voc.singular, &voc.name);
    // A Chinese comment names the vocabulary by its Chinese label, else by its name.
    let label = voc.label_zh.clone().unwrap_or_else(|| format!("`{name}`"));
    // A Chinese heading names the vocabulary's term in Chinese where the taxonomy has the word.
    let term_word = match (&voc.label_zh, zh) {
        (Some(label_zh), true) => label_zh.clone(),
        _ => capitalized(singular),
    };
    match (profile, zh) {
        (Some(p), false) => {
            let _ = writeln!(
                s,
                "<!-- A section about one of the {name}: tag its heading with its id and the {} it shows.",
                p.name
            );
            let _ = writeln!(
                s,
                "     The {singular} must be listed in `{name}:` above, the {} in `{}:`. -->",
                p.name, p.name
            );
        }
        (None, false) => {
            let _ = writeln!(s, "<!-- A section about one of the {name}: tag its heading with its id.");
            let _ = writeln!(s, "     The {singular} must be listed in `{name}:` above. -->");
        }
        (Some(p), true) => {
            let theirs = p.label_zh.clone().unwrap_or_else(|| format!("`{}`", p.name));
            let _ = writeln!(s, "<!-- 写一项{label}的段落：在标题上标注它的 id，以及它体现的{theirs}。");
            let _ = writeln!(s, "     它须列在上面的 `{name}:` 中，{theirs}须列在 `{}:` 中。 -->", p.name);
        }
        (None, true) => {
            let _ = writeln!(s, "<!-- 写一项{label}的段落：在标题上标注它的 id。");
            let _ = writeln!(s, "     它须列在上面的 `{name}:` 中。 -->");
        }
    }
    let heading = if zh { format!("{term_word}：NAME") } else { format!("{term_word}: NAME") };
    let profile_attr = profile.map(|p| format!(" {}=\"{}-ID\"", p.name, p.singular.to_uppercase())).unwrap_or_default();
    let _ = writeln!(s, "## {heading} {{#{example} {singular}={example}{profile_attr}}}\n");
    s.push_str(if zh {
        "做了什么，由谁来做，怎样做。\n\n"
    } else {
        "What was done, by whom, and how.\n\n"
    });
}

/// `practice` → `Practice`, for a heading.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>().replace('-', " "),
        None => String::new(),
    }
}
