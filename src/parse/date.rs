//! Post dates in the three written forms (`2017-04-13T08:30:00+09:00`,
//! `2017-04-13`, `2017-04-13 08:30`), kept with the offset they were written
//! with, so a post shows the local time of the place it was written in.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

/// An instant and the UTC offset it was written (or placed) in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PostDate {
    pub(crate) instant: Timestamp,
    offset: Offset,
    /// False for a bare date: the post then shows no time of day.
    pub(crate) has_time: bool,
}

impl PostDate {
    /// The wall-clock date and time where the post was written.
    pub(crate) fn local(&self) -> DateTime {
        self.offset.to_datetime(self.instant)
    }

    /// RFC 3339 with the written offset: `2017-04-13T08:30:00+09:00`.
    pub(crate) fn rfc3339(&self) -> String {
        // RFC 3339 has no seconds in an offset, which the local mean times
        // of the tz database before about 1900 have (St John's: -03:30:52):
        // those are written with the offset rounded up to a minute, and the
        // local time to match, so the instant is still the same. Up, so the
        // local time moves later: the year 0 never becomes the year -1.
        let seconds = self.offset.seconds();
        let minutes = seconds.div_euclid(60) + i32::from(seconds.rem_euclid(60) != 0);
        let offset = Offset::from_seconds(minutes * 60).unwrap_or(Offset::UTC);
        // Formatted by hand: lists call this for every post card they show.
        let local = offset.to_datetime(self.instant);
        let seconds = offset.seconds();
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.unsigned_abs() / 60;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            local.year(),
            local.month(),
            local.day(),
            local.hour(),
            local.minute(),
            local.second(),
            minutes / 60,
            minutes % 60
        )
    }

    /// The local day alone, as `display` writes it: `Thu 13 Apr 2017`.
    pub(crate) fn display_day(&self) -> String {
        let shown = self.display();
        match shown.split_once(", ") {
            Some((day, _)) => day.to_string(),
            None => shown,
        }
    }

    /// For people: `Thu 13 Apr 2017, 08:30` (no time for a bare date).
    pub(crate) fn display(&self) -> String {
        const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] =
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let local = self.local();
        let weekday = WEEKDAYS[local.weekday().to_monday_zero_offset() as usize];
        let month = MONTHS[(local.month() - 1) as usize];
        let date = format!("{weekday} {} {month} {}", local.day(), local.year());
        if self.has_time { format!("{date}, {:02}:{:02}", local.hour(), local.minute()) } else { date }
    }
}

/// Parses a written date; one without an offset is placed in `timezone`.
/// The error is a sentence saying what is wrong with it.
pub(crate) fn parse(text: &str, timezone: &TimeZone) -> Result<PostDate, String> {
    let text = text.trim();
    let date = parse_day(text.get(..10).unwrap_or(text))?;
    let rest = &text[10.min(text.len())..];
    let Some(rest) = rest.strip_prefix(['T', 't', ' ']) else {
        if !rest.is_empty() {
            return Err(not_a_date(text));
        }
        let zoned = date
            .to_datetime(Time::midnight())
            .to_zoned_datetime(timezone.clone())
            .map_err(|e| e.to_string())?;
        return Ok(PostDate { instant: zoned.timestamp(), offset: zoned.offset(), has_time: false });
    };
    let (time, rest) = parse_time(rest).ok_or_else(|| not_a_date(text))?;
    let datetime = date.to_datetime(time);
    let rest = rest.trim_start();
    if rest.is_empty() {
        let zoned = datetime.to_zoned_datetime(timezone.clone()).map_err(|e| e.to_string())?;
        return Ok(PostDate { instant: zoned.timestamp(), offset: zoned.offset(), has_time: true });
    }
    let offset = parse_offset(rest).ok_or_else(|| {
        format!("`{text}` ends in `{rest}`, which is not a UTC offset such as +09:00, -05:30 or Z")
    })?;
    let instant = offset.to_timestamp(datetime).map_err(|e| e.to_string())?;
    Ok(PostDate { instant, offset, has_time: true })
}

/// A `YYYY-MM-DD` day that exists in the calendar.
pub(crate) fn parse_day(text: &str) -> Result<Date, String> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape {
        return Err(not_a_date(text));
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<i16>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7) as i8, number(8..10) as i8);
    if !(1..=12).contains(&month) {
        return Err(format!("`{text}` is not a real date: there is no month {month}"));
    }
    let first = Date::new(year, month, 1).map_err(|_| not_a_date(text))?;
    let days = first.days_in_month();
    if day < 1 || day > days {
        return Err(format!("`{text}` is not a real date: {} has {days} days", first.strftime("%B %Y")));
    }
    Date::new(year, month, day).map_err(|_| not_a_date(text))
}

fn parse_time(text: &str) -> Option<(Time, &str)> {
    let two = |s: &str| -> Option<i8> {
        let digits = s.get(..2)?;
        digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse().ok())?
    };
    let hour = two(text)?;
    let rest = text.get(2..)?.strip_prefix(':')?;
    let minute = two(rest)?;
    let mut rest = &rest[2..];
    let mut second = 0;
    if let Some(after) = rest.strip_prefix(':') {
        second = two(after)?;
        rest = &after[2..];
        if let Some(fraction) = rest.strip_prefix(['.', ',']) {
            rest = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
        }
    }
    Some((Time::new(hour, minute, second, 0).ok()?, rest))
}

fn parse_offset(text: &str) -> Option<Offset> {
    if text.eq_ignore_ascii_case("z") {
        return Some(Offset::UTC);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits.get(2..).map_or(Some(0), |m| m.parse().ok())?;
    if hours > 18 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

fn not_a_date(text: &str) -> String {
    format!("`{text}` is not a date milepost can read")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pyongyang() -> TimeZone {
        TimeZone::get("Asia/Pyongyang").unwrap()
    }

    #[test]
    fn keeps_the_written_offset() {
        let date = parse("2017-04-13T08:30:00+09:00", &TimeZone::UTC).unwrap();
        assert_eq!(date.rfc3339(), "2017-04-13T08:30:00+09:00");
        assert_eq!(date.instant.to_string(), "2017-04-12T23:30:00Z");
        assert_eq!(date.display(), "Thu 13 Apr 2017, 08:30");
    }

    #[test]
    fn a_date_without_offset_takes_the_site_timezone() {
        // Pyongyang kept its own UTC+08:30 from 2015 to 2018: the tz database knows.
        let date = parse("2017-04-13 08:30", &pyongyang()).unwrap();
        assert_eq!(date.rfc3339(), "2017-04-13T08:30:00+08:30");
        let later = parse("2019-04-13 08:30", &pyongyang()).unwrap();
        assert_eq!(later.rfc3339(), "2019-04-13T08:30:00+09:00");
        let day = parse("2017-04-13", &pyongyang()).unwrap();
        assert!(!day.has_time);
        assert_eq!(day.display(), "Thu 13 Apr 2017");
        assert_eq!(day.rfc3339(), "2017-04-13T00:00:00+08:30");
    }

    #[test]
    fn an_offset_with_seconds_is_written_as_the_same_instant() {
        // Found by fuzzing: St John's kept local mean time, -03:30:52, until 1935.
        let zone = TimeZone::get("America/St_Johns").unwrap();
        let date = parse("1890-01-01 10:00", &zone).unwrap();
        let written = date.rfc3339();
        assert_eq!(written, "1890-01-01T10:00:52-03:30");
        assert_eq!(parse(&written, &TimeZone::UTC).unwrap().instant, date.instant);
        assert_eq!(date.display(), "Wed 1 Jan 1890, 10:00");
    }

    #[test]
    fn other_written_forms() {
        let utc = TimeZone::UTC;
        assert_eq!(parse("2017-04-13T08:30Z", &utc).unwrap().rfc3339(), "2017-04-13T08:30:00+00:00");
        assert_eq!(
            parse("2017-04-13 08:30:15.250 -0230", &utc).unwrap().rfc3339(),
            "2017-04-13T08:30:15-02:30"
        );
        assert_eq!(
            parse(" 2017-04-13T23:59:59+05:45 ", &utc).unwrap().rfc3339(),
            "2017-04-13T23:59:59+05:45"
        );
    }

    #[test]
    fn impossible_dates_say_why() {
        let err = parse("2017-02-30", &TimeZone::UTC).unwrap_err();
        assert_eq!(err, "`2017-02-30` is not a real date: February 2017 has 28 days");
        let err = parse("2017-13-01 10:00", &TimeZone::UTC).unwrap_err();
        assert!(err.contains("no month 13"), "{err}");
        assert!(parse("2016-02-29", &TimeZone::UTC).is_ok());
        // Found by fuzzing: placed in Pago Pago (+12:37:12), RFC 3339 wrote it as year -1.
        let pago_pago = TimeZone::get("Pacific/Pago_Pago").unwrap();
        assert_eq!(parse("0000-01-01T00:00:00", &pago_pago).unwrap().rfc3339(), "0000-01-01T00:00:48+12:38");
    }

    #[test]
    fn malformed_dates_are_refused() {
        for text in
            ["13/04/2017", "2017-4-13", "2017-04-13T25:00", "2017-04-13 08:30 +25:00", "yesterday", ""]
        {
            assert!(parse(text, &TimeZone::UTC).is_err(), "{text}");
        }
    }
}
