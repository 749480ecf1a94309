//! A case's `date:` and `updated:`: a calendar date as precise as the editor knows it — a
//! year (`2019`), a month (`2019-06`) or a day (`2019-06-12`). Case studies are often known
//! only by the year of the work they describe, and casebook never makes a date more precise
//! than it was written, except where a format demands a full date (the feed's items).

use crate::config::Language;
use std::fmt;
use time::{Month, Weekday};

/// A date of the proleptic Gregorian calendar, to the year, month or day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseDate {
    pub year: u16,
    /// 1–12.
    pub month: Option<u8>,
    /// 1–31, only with a month.
    pub day: Option<u8>,
}

/// Why a text is not a [`CaseDate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not `YYYY`, `YYYY-MM` or `YYYY-MM-DD` in ASCII digits.
    Form,
    /// A month past 12, or a day the month does not have (2019-02-30).
    NoSuchDay,
}

impl CaseDate {
    /// Reads `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (years 1000–9999).
    pub fn parse(text: &str) -> Result<CaseDate, DateError> {
        let mut parts = text.trim().split('-');
        let number = |part: Option<&str>, digits: usize| -> Result<Option<u16>, DateError> {
            match part {
                None => Ok(None),
                Some(p) if p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()) => Ok(p.parse().ok()),
                Some(_) => Err(DateError::Form),
            }
        };
        let year = number(parts.next(), 4)?.filter(|&y| y >= 1000).ok_or(DateError::Form)?;
        let month = number(parts.next(), 2)?.map(|m| m as u8);
        let day = number(parts.next(), 2)?.map(|d| d as u8);
        if parts.next().is_some() {
            return Err(DateError::Form);
        }
        let date = CaseDate { year, month, day };
        match (month, day) {
            (Some(m), _) if !(1..=12).contains(&m) => Err(DateError::NoSuchDay),
            (Some(m), Some(d)) => {
                let month = Month::try_from(m).map_err(|_| DateError::NoSuchDay)?;
                time::Date::from_calendar_date(year as i32, month, d).map_err(|_| DateError::NoSuchDay)?;
                Ok(date)
            }
            _ => Ok(date),
        }
    }

    /// The first day the date covers (a year's 1 January, a month's first).
    fn first_day(self) -> time::Date {
        let month = self.month.and_then(|m| Month::try_from(m).ok()).unwrap_or(Month::January);
        time::Date::from_calendar_date(self.year as i32, month, self.day.unwrap_or(1)).unwrap_or(time::Date::MIN)
    }

    /// RFC 822 (RSS's `pubDate`), of the first day the date covers, at midnight UTC: a feed
    /// item's date must be a full date-time.
    pub fn rfc822(self) -> String {
        let d = self.first_day();
        let weekday = match d.weekday() {
            Weekday::Monday => "Mon",
            Weekday::Tuesday => "Tue",
            Weekday::Wednesday => "Wed",
            Weekday::Thursday => "Thu",
            Weekday::Friday => "Fri",
            Weekday::Saturday => "Sat",
            Weekday::Sunday => "Sun",
        };
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let month = MONTHS[u8::from(d.month()) as usize - 1];
        format!("{weekday}, {:02} {month} {} 00:00:00 +0000", d.day(), d.year())
    }

    /// In the reader's words: `2019年6月12日` in Chinese, `12 June 2019` in English (no
    /// word for a part the editor did not write).
    pub fn display(self, lang: Language) -> String {
        let chinese = lang == Language::ZhCn;
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match (chinese, self.month, self.day) {
            (true, None, _) => format!("{}年", self.year),
            (true, Some(m), None) => format!("{}年{m}月", self.year),
            (true, Some(m), Some(d)) => format!("{}年{m}月{d}日", self.year),
            (false, None, _) => self.year.to_string(),
            (false, Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], self.year),
            (false, Some(m), Some(d)) => format!("{d} {} {}", MONTHS[m as usize - 1], self.year),
        }
    }
}

/// As written, ISO 8601 to its precision (`2019`, `2019-06`, `2019-06-12`): a sitemap's
/// `lastmod` and a `<time datetime>` take each of these.
impl fmt::Display for CaseDate {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_year_a_month_or_a_day() {
        let d = |s| CaseDate::parse(s);
        assert_eq!(d("2019"), Ok(CaseDate { year: 2019, month: None, day: None }));
        assert_eq!(d("2019-06"), Ok(CaseDate { year: 2019, month: Some(6), day: None }));
        assert_eq!(d(" 2019-06-12 "), Ok(CaseDate { year: 2019, month: Some(6), day: Some(12) }));
        assert_eq!(d("2020-02-29").map(|d| d.to_string()), Ok("2020-02-29".to_string()));
        for bad in ["", "19", "2019-6", "2019/06/12", "2019-06-12T10:00", "２０１９", "0999", "2019-06-1a"] {
            assert_eq!(d(bad), Err(DateError::Form), "{bad}");
        }
        for impossible in ["2019-13", "2019-00", "2019-02-29", "2019-04-31", "2019-01-00"] {
            assert_eq!(d(impossible), Err(DateError::NoSuchDay), "{impossible}");
        }
    }

    #[test]
    fn ordered_by_time_a_year_before_its_months() {
        let d = |s| CaseDate::parse(s).unwrap();
        assert!(d("2019") < d("2019-01") && d("2019-01") < d("2019-01-01") && d("2019-12-31") < d("2020"));
    }

    #[test]
    fn written_for_feeds_and_readers() {
        let d = |s| CaseDate::parse(s).unwrap();
        assert_eq!(d("2019-06-12").rfc822(), "Wed, 12 Jun 2019 00:00:00 +0000");
        assert_eq!(d("2019").rfc822(), "Tue, 01 Jan 2019 00:00:00 +0000");
        assert_eq!(d("2019-06-12").display(Language::ZhCn), "2019年6月12日");
        assert_eq!(d("2019-06").display(Language::En), "June 2019");
        assert_eq!(d("2019").display(Language::ZhCn), "2019年");
    }
}
