//! Just enough ISO-8601 to order deployment start and scaling times.

/// A point in time as (seconds since 1970-01-01 UTC, nanoseconds).
pub(crate) type Instant = (i64, u32);

/// Parses `YYYY-MM-DD[THH:MM[:SS[.fraction]]][Z|±HH[:MM]]`, the forms
/// Marathon and deployment tools write. A time without a zone is UTC.
pub(crate) fn parse_iso8601(text: &str) -> Option<Instant> {
    let b = text.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0_i64, |n, d| n * 10 + i64::from(d - b'0')))
    };

    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !(1..=12).contains(&month) {
        return None;
    }
    if !(1..=31).contains(&day) {
        return None;
    }

    let mut pos = 10;
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0_u32);
    if matches!(b.get(pos), Some(b'T' | b't' | b' ')) {
        hour = num(pos + 1, 2)?;
        if b.get(pos + 3) != Some(&b':') {
            return None;
        }
        minute = num(pos + 4, 2)?;
        pos += 6;
        if b.get(pos) == Some(&b':') {
            second = num(pos + 1, 2)?;
            pos += 3;
            if matches!(b.get(pos), Some(b'.' | b',')) {
                pos += 1;
                let start = pos;
                while b.get(pos).is_some_and(u8::is_ascii_digit) {
                    if pos - start < 9 {
                        nanos = nanos * 10 + u32::from(b[pos] - b'0');
                    }
                    pos += 1;
                }
                if pos == start {
                    return None;
                }
                for _ in (pos - start)..9 {
                    nanos *= 10;
                }
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }

    let offset = match b.get(pos) {
        None => 0,
        Some(b'Z' | b'z') if pos + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hours = num(pos + 1, 2)?;
            let minutes = match (b.len() - pos - 3, b.get(pos + 3)) {
                (0, _) => 0,
                (3, Some(b':')) => num(pos + 4, 2)?,
                (2, _) => num(pos + 3, 2)?,
                _ => return None,
            };
            let seconds = hours * 3600 + minutes * 60;
            if *sign == b'+' { seconds } else { -seconds }
        }
        Some(_) => return None,
    };

    let days = days_from_civil(year, month, day);
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    ))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_iso8601;

    #[test]
    fn epoch_and_marathon_timestamps_parse() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            parse_iso8601("2026-01-01T00:00:00.250Z"),
            Some((1_767_225_600, 250_000_000))
        );
    }

    #[test]
    fn offsets_move_the_instant() {
        assert_eq!(parse_iso8601("1970-01-01T01:00:00+01:00"), Some((0, 0)));
        assert_eq!(parse_iso8601("1970-01-01T00:00:00-0130"), Some((5400, 0)));
        assert_eq!(parse_iso8601("1970-01-02"), Some((86_400, 0)));
    }

    #[test]
    fn garbage_does_not_parse() {
        for text in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-01-01T25:00:00Z",
            "2026-01-01T00:00:00Q",
        ] {
            assert_eq!(parse_iso8601(text), None, "{text}");
        }
    }
}
