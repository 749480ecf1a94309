//! A case's `date:` and `updated:` read as [`CaseDate`]s, their mistakes worded in the
//! library's language: a date in another form (`2019/06/12`, `June 2019`), a day the calendar
//! does not have, a revision before the case's own date.

use crate::config::Language;
use crate::diag::Diagnostic;
use crate::model::date::DateError;
use crate::model::CaseDate;
use crate::parse::At;

/// The case's date and last revision, each `None` when absent, blank or wrong (and reported).
pub(super) fn check_dates(
    (path, text): (&str, &str),
    (date, updated): (Option<&At<String>>, Option<&At<String>>),
    lang: Language,
    diags: &mut Vec<Diagnostic>,
) -> (Option<CaseDate>, Option<CaseDate>) {
    let mut read = |field: &str, value: Option<&At<String>>| {
        let value = value.filter(|v| !v.value.trim().is_empty())?;
        match CaseDate::parse(&value.value) {
            Ok(d) => Some(d),
            Err(e) => {
                diags.push(bad_date(path, text, field, value, e, lang));
                None
            }
        }
    };
    let (first, last) = (read("date", date), read("updated", updated));
    if let (Some(d), Some(u), Some(at)) = (first, last, updated) {
        if before(u, d) {
            let (message, hint) = match lang {
                Language::ZhCn => (
                    format!("`updated: {u}` 早于 `date: {d}`"),
                    "`updated` 是案例最后一次修订的日期，不应早于 `date`；检查这两个日期".to_string(),
                ),
                Language::En => (
                    format!("`updated: {u}` is before `date: {d}`"),
                    "`updated` is when the case was last revised, which cannot be before its `date`; check both"
                        .to_string(),
                ),
            };
            diags.push(Diagnostic::error(path, "bad-date", message).at(text, at.line, at.column).hint(hint));
        }
    }
    (first, last)
}

/// Whether `a` is surely before `b`: compared to the precision both have (2019 is not before
/// 2019-06).
fn before(a: CaseDate, b: CaseDate) -> bool {
    let month = a.month.zip(b.month);
    let day = a.day.zip(b.day);
    (a.year, month.map(|m| m.0), day.map(|d| d.0)) < (b.year, month.map(|m| m.1), day.map(|d| d.1))
}

fn bad_date(path: &str, text: &str, field: &str, value: &At<String>, e: DateError, lang: Language) -> Diagnostic {
    let v = value.value.trim();
    let (message, hint) = match (lang, e) {
        (Language::ZhCn, DateError::Form) => (
            format!("`{field}` 的日期 `{v}` 无法识别"),
            format!("写成 `{field}: 2019-06-12`（年-月-日），只知道月份或年份时写 `2019-06` 或 `2019`"),
        ),
        (Language::ZhCn, DateError::NoSuchDay) => {
            (format!("`{field}: {v}` 不是日历上的日期"), "检查月份（01–12）和这个月的天数".to_string())
        }
        (Language::En, DateError::Form) => (
            format!("`{field}` is not a date casebook can read: `{v}`"),
            format!("write `{field}: 2019-06-12` (year-month-day), or `2019-06` or `2019` when only the month or year is known"),
        ),
        (Language::En, DateError::NoSuchDay) => {
            (format!("`{field}: {v}` is not a day of the calendar"), "check the month (01–12) and its number of days".to_string())
        }
    };
    Diagnostic::error(path, "bad-date", message).at(text, value.line, value.column).marking(v).hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revision_is_before_only_where_both_dates_say_so() {
        let d = |s| CaseDate::parse(s).unwrap();
        assert!(before(d("2018-12"), d("2019")));
        assert!(before(d("2019-05-31"), d("2019-06-01")));
        assert!(!before(d("2019"), d("2019-06")), "the same year");
        assert!(!before(d("2019-06"), d("2019-06-12")));
        assert!(!before(d("2020"), d("2019-06-12")));
    }
}
