//! "Did you mean …?": the one place that picks the closest known name to a mistyped one and
//! words the hint, for every diagnostic and error that offers a correction.

use std::fmt;

/// The closest candidate to `written` by edit distance, if it is close enough to be a typo:
/// at most a third of the candidate's characters (and at least two) differ. Ties go to the
/// candidate that sorts first, so the hint is the same on every run.
pub fn nearest<'a>(written: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = written.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&w, c), c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(2))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// A correction to offer: displays as "did you mean `PREFIX CANDIDATE SUFFIX`?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suggestion<'a> {
    pub candidate: &'a str,
    prefix: &'a str,
    suffix: &'a str,
}

impl<'a> Suggestion<'a> {
    pub fn new(candidate: &'a str) -> Self {
        Suggestion { candidate, prefix: "", suffix: "" }
    }

    /// The closest of `candidates` to `written` (see [`nearest`]), as a suggestion.
    pub fn closest(written: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        nearest(written, candidates).map(Suggestion::new)
    }

    /// Written before the candidate, as in "`case:ID`".
    pub fn prefix(self, prefix: &'a str) -> Self {
        Suggestion { prefix, ..self }
    }

    /// Written after the candidate, as in "`practice=`".
    pub fn suffix(self, suffix: &'a str) -> Self {
        Suggestion { suffix, ..self }
    }
}

impl Suggestion<'_> {
    /// The suggestion worded in `lang`: "did you mean `x`?", or "是不是 `x`？".
    pub fn in_language(&self, lang: crate::config::Language) -> String {
        match lang {
            crate::config::Language::En => self.to_string(),
            crate::config::Language::ZhCn => format!("是不是 `{}{}{}`？", self.prefix, self.candidate, self.suffix),
        }
    }
}

impl fmt::Display for Suggestion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "did you mean `{}{}{}`?", self.prefix, self.candidate, self.suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_name_is_suggested_and_a_far_one_is_not() {
        let known = ["political-leadership", "mass-cohesion", "self-innovation"];
        assert_eq!(nearest("politcal-leadership", known), Some("political-leadership"));
        assert_eq!(nearest("MASS-COHESION", known), Some("mass-cohesion"));
        assert_eq!(nearest("waste-sorting", known), None);
    }

    #[test]
    fn ties_go_to_the_name_that_sorts_first() {
        assert_eq!(nearest("ab", ["ac", "aa"]), Some("aa"));
    }

    #[test]
    fn a_suggestion_is_worded_with_its_prefix_and_suffix() {
        assert_eq!(Suggestion::new("language").to_string(), "did you mean `language`?");
        assert_eq!(Suggestion::new("tianhu").prefix("case:").to_string(), "did you mean `case:tianhu`?");
        assert_eq!(Suggestion::new("practice").suffix("=").to_string(), "did you mean `practice=`?");
        assert_eq!(Suggestion::closest("formalsim", ["formalism"]).map(|s| s.candidate), Some("formalism"));
        let s = Suggestion::new("bins.png");
        assert_eq!(s.in_language(crate::config::Language::ZhCn), "是不是 `bins.png`？");
        assert_eq!(s.in_language(crate::config::Language::En), "did you mean `bins.png`?");
    }
}
