//! The one `xs:dateTime` form Timestamps carry in practice, `YYYY-MM-DDThh:mm:ss[.fff]Z`, read and
//! written without the general-purpose formatter: every message reads two and writes two. Anything
//! else is left to the `time` crate by the caller.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Writes `time` in UTC with milliseconds, as WCF does (`2026-11-21T08:30:00.000Z`); `None` for
/// years outside 0000–9999, which need a sign or more digits.
pub(crate) fn format_millis(time: OffsetDateTime) -> Option<String> {
    let utc = time.to_offset(UtcOffset::UTC);
    let year = u32::try_from(utc.year()).ok().filter(|&y| y <= 9999)?;
    let mut out = String::with_capacity(24);
    push_digits(&mut out, year, 4);
    out.push('-');
    push_digits(&mut out, u32::from(u8::from(utc.month())), 2);
    out.push('-');
    push_digits(&mut out, u32::from(utc.day()), 2);
    out.push('T');
    push_digits(&mut out, u32::from(utc.hour()), 2);
    out.push(':');
    push_digits(&mut out, u32::from(utc.minute()), 2);
    out.push(':');
    push_digits(&mut out, u32::from(utc.second()), 2);
    out.push('.');
    push_digits(&mut out, u32::from(utc.millisecond()), 3);
    out.push('Z');
    Some(out)
}

fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        out.push(char::from(b'0' + (value / 10u32.pow(place) % 10) as u8));
    }
}

/// Reads `YYYY-MM-DDThh:mm:ssZ` with an optional fraction of 1 to 9 digits; `None` for any other
/// form (lower-case separators, offsets, leap seconds, …) and for dates that do not exist.
pub(crate) fn parse_utc(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let nanos = match &b[19..] {
        b"Z" => 0,
        [b'.', fraction @ .., b'Z'] if (1..=9).contains(&fraction.len()) => {
            number(20..20 + fraction.len())? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let date = Date::from_calendar_date(year as i32, Month::try_from(month as u8).ok()?, day as u8).ok()?;
    let time = Time::from_hms_nano(hour as u8, minute as u8, second as u8, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;

    proptest! {
        #[test]
        fn formatting_agrees_with_the_time_crate(seconds in 0i64..253_402_300_799, nanos in 0u32..1_000_000_000) {
            let time = OffsetDateTime::from_unix_timestamp(seconds).unwrap() + time::Duration::nanoseconds(nanos.into());
            let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
            prop_assert_eq!(format_millis(time), Some(time.format(&format).unwrap()));
        }

        #[test]
        fn reading_agrees_with_rfc3339(
            seconds in 0i64..253_402_300_799,
            digits in 0usize..=9,
            nanos in 0u32..1_000_000_000,
        ) {
            let time = OffsetDateTime::from_unix_timestamp(seconds).unwrap();
            let mut text = time.format(&Rfc3339).unwrap();
            text.pop();
            if digits > 0 {
                text.push_str(&format!(".{:09}", nanos)[..digits + 1]);
            }
            text.push('Z');
            prop_assert_eq!(parse_utc(&text), Some(OffsetDateTime::parse(&text, &Rfc3339).unwrap()));
        }

        #[test]
        fn what_it_reads_rfc3339_reads_the_same(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,10})?[Zz+]") {
            if let Some(time) = parse_utc(&text) {
                prop_assert_eq!(OffsetDateTime::parse(&text, &Rfc3339).ok(), Some(time));
            }
        }
    }

    #[test]
    fn other_forms_are_left_to_the_general_reader() {
        for text in [
            "2026-11-21T08:30:00+00:00",
            "2026-11-21t08:30:00Z",
            "2026-11-21T08:30:60Z",
            "2026-02-30T08:30:00Z",
            "2026-11-21T24:00:00Z",
            "2026-11-21T08:30:00.Z",
            "2026-11-21T08:30:00.0123456789Z",
            "+2026-11-21T08:30:00Z",
            "2026-11-21T08:30:00",
        ] {
            assert_eq!(parse_utc(text), None, "{text}");
        }
        assert_eq!(format_millis(OffsetDateTime::from_unix_timestamp(-62_167_219_201).unwrap()), None);
    }
}
