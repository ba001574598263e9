//! Dates and time zones as people write them: the one formatter every
//! page and mail uses (`mar. 12 janv. 2027, 18 h`, `Tue 12 Jan 2027,
//! 18:00`), the French zones (listed first, names in
//! `crate::time_zone_names`), and the iCalendar
//! `VTIMEZONE` of a zone, derived from the tz database (chrono-tz).
//!
//! Times are stored as unix milliseconds (UTC); a zone only changes how
//! they are written. English follows en-GB usage: 24-hour clock
//! (`18:00`), day before month, no comma after the weekday.

use crate::i18n::Lang;
use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// The zones listed first in the profile's choice: metropolitan France,
/// then the overseas departments and territories.
pub const FRENCH_ZONES: &[&str] = &[
    "Europe/Paris",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "Indian/Reunion",
    "Indian/Mayotte",
    "America/Miquelon",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Pacific/Marquesas",
    "Pacific/Gambier",
    "Pacific/Wallis",
    "America/St_Barthelemy",
    "America/Marigot",
    "Indian/Kerguelen",
];

/// A zone from its IANA name (`Europe/Paris`); `None` when unknown.
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

/// A zone from its IANA name, or `fallback` when the name is unknown
/// (a stored zone the tz data of this build no longer knows).
pub fn zone_or(name: &str, fallback: Tz) -> Tz {
    parse_zone(name).unwrap_or(fallback)
}

const FR_DAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
const EN_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const FR_MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn local(ms: i64, zone: Tz) -> Option<DateTime<Tz>> {
    DateTime::from_timestamp_millis(ms).map(|utc| utc.with_timezone(&zone))
}

/// The day as written: `mar. 12 janv. 2027` (`1er` on the first of the
/// month), `Tue 12 Jan 2027`.
fn day_text(time: &DateTime<Tz>, lang: Lang) -> String {
    let weekday = time.weekday().num_days_from_monday() as usize;
    let month = time.month0() as usize;
    match lang {
        Lang::Fr => {
            let day = match time.day() {
                1 => "1er".to_string(),
                day => day.to_string(),
            };
            format!(
                "{} {day} {} {}",
                FR_DAYS[weekday],
                FR_MONTHS[month],
                time.year()
            )
        }
        Lang::En => format!(
            "{} {} {} {}",
            EN_DAYS[weekday],
            time.day(),
            EN_MONTHS[month],
            time.year()
        ),
    }
}

/// The hour as written: `18 h`, `18 h 30`, `0 h` in French; `18:00`,
/// `18:30`, `00:00` in English (en-GB, 24-hour clock).
fn hour_text(time: &DateTime<Tz>, lang: Lang) -> String {
    match lang {
        Lang::Fr if time.minute() == 0 => format!("{} h", time.hour()),
        Lang::Fr => format!("{} h {:02}", time.hour(), time.minute()),
        Lang::En => format!("{:02}:{:02}", time.hour(), time.minute()),
    }
}

/// A moment as people write it, in `lang` and `zone`:
/// `mar. 12 janv. 2027, 18 h` or `Tue 12 Jan 2027, 18:00`. `None` when
/// out of range.
pub fn date_time_text(ms: i64, lang: Lang, zone: Tz) -> Option<String> {
    let time = local(ms, zone)?;
    Some(format!(
        "{}, {}",
        day_text(&time, lang),
        hour_text(&time, lang)
    ))
}

/// A day as people write it, in `lang` and `zone`: `mar. 12 janv. 2027`.
pub fn day_only_text(ms: i64, lang: Lang, zone: Tz) -> Option<String> {
    local(ms, zone).map(|time| day_text(&time, lang))
}

/// The hour alone (`18 h 30`, `18:30`), for the end of an event on the
/// day it starts.
pub fn hour_only_text(ms: i64, lang: Lang, zone: Tz) -> Option<String> {
    local(ms, zone).map(|time| hour_text(&time, lang))
}

/// The time of day to the second, `HH:MM:SS`, in `zone` (the lines of a
/// conversation: "… a rejoint la conversation | 14:03:27").
pub fn clock_text(ms: i64, zone: Tz) -> Option<String> {
    local(ms, zone).map(|time| {
        format!(
            "{:02}:{:02}:{:02}",
            time.hour(),
            time.minute(),
            time.second()
        )
    })
}

/// A moment to the second, `YYYY-MM-DD HH:MM:SS`, in `zone` (exports).
pub fn stamp_text(ms: i64, zone: Tz) -> Option<String> {
    local(ms, zone).map(|time| time.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// Whether two moments fall on the same day in `zone` (an event from
/// 18 h to 19 h 30 is written with its day once). `false` when either is
/// out of range.
pub fn same_local_day(first_ms: i64, second_ms: i64, zone: Tz) -> bool {
    match (local(first_ms, zone), local(second_ms, zone)) {
        (Some(first), Some(second)) => first.date_naive() == second.date_naive(),
        _ => false,
    }
}

/// The ISO 8601 UTC form of a moment, for `<time datetime>`:
/// `2027-01-12T17:00:00Z`.
pub fn iso_utc(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms)
        .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Reads back [`iso_utc`] (or any RFC 3339 moment) to unix ms.
pub fn parse_iso(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|time| time.timestamp_millis())
}

/// Escapes text for an HTML attribute or element.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// `text` inside `<time datetime="ISO-8601 UTC">`.
pub fn time_element(ms: i64, text: &str) -> String {
    match iso_utc(ms) {
        Some(iso) => format!("<time datetime=\"{iso}\">{}</time>", escape_html(text)),
        None => String::new(),
    }
}

/// A moment as a page shows it: [`date_time_text`] in a `<time>`
/// element; empty when out of range.
pub fn date_time_html(ms: i64, lang: Lang, zone: Tz) -> String {
    date_time_text(ms, lang, zone)
        .map(|text| time_element(ms, &text))
        .unwrap_or_default()
}

/// A form's local date-time (`YYYY-MM-DDTHH:MM`, as `datetime-local`
/// sends it) read in `zone`, to unix ms. A time skipped by a change to
/// summer time is read as the first valid moment after it; a time that
/// occurs twice (the change back) as its first occurrence.
pub fn parse_local(raw: &str, zone: Tz) -> Option<i64> {
    let raw = raw.trim();
    let naive = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())?;
    if let Some(time) = zone.from_local_datetime(&naive).earliest() {
        return Some(time.timestamp_millis());
    }
    // In a gap: the wall time read with the offset before the change is
    // after it, read with the offset after, before it; the change itself
    // lies between.
    let wall = naive.and_utc().timestamp();
    let before = offset_at(zone, secs(wall - 86_400)).0;
    let after = offset_at(zone, secs(wall + 86_400)).0;
    let change = transition_between(zone, wall - i64::from(after), wall - i64::from(before));
    Some(change * 1000)
}

/// A moment as an iCalendar local date-time in `zone`
/// (`20270112T180000`, to follow `DTSTART;TZID=…:`).
pub fn ical_local(ms: i64, zone: Tz) -> Option<NaiveDateTime> {
    local(ms, zone).map(|time| time.naive_local())
}

/// The offset of `zone` at a UTC moment, in seconds east of UTC, with
/// whether it is summer time and its abbreviation.
fn offset_at(zone: Tz, at: DateTime<Utc>) -> (i32, bool, String) {
    let offset = zone.offset_from_utc_datetime(&at.naive_utc());
    let seconds = offset.fix().local_minus_utc();
    let summer = !offset.dst_offset().is_zero();
    let name = offset
        .abbreviation()
        .map(str::to_string)
        .unwrap_or_else(|| offset_text(seconds));
    (seconds, summer, name)
}

/// `+0100`, `-0400`, `+0530` (`TZOFFSETFROM`/`TZOFFSETTO`).
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// The first UTC second in `(low, high]` at which `zone`'s offset is
/// that of `high` (`low` having another one).
fn transition_between(zone: Tz, mut low: i64, mut high: i64) -> i64 {
    let target = offset_at(zone, secs(high)).0;
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if offset_at(zone, secs(middle)).0 == target {
            high = middle;
        } else {
            low = middle;
        }
    }
    high
}

fn secs(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// The `VTIMEZONE` component of `zone` (RFC 5545 §3.6.5) covering the
/// years from `first_year` to `last_year`: one observance for the offset
/// in force on 1 January of `first_year`, then one `STANDARD` or
/// `DAYLIGHT` per change of offset, found in the tz data. Lines end in
/// CRLF; none needs folding.
pub fn vtimezone(zone: Tz, first_year: i32, last_year: i32) -> String {
    let mut out = String::new();
    let line = |out: &mut String, text: &str| {
        out.push_str(text);
        out.push_str("\r\n");
    };
    line(&mut out, "BEGIN:VTIMEZONE");
    line(&mut out, &format!("TZID:{}", zone.name()));
    let start = Utc
        .with_ymd_and_hms(first_year, 1, 1, 0, 0, 0)
        .single()
        .map(|t| t.timestamp())
        .unwrap_or_default();
    let end = Utc
        .with_ymd_and_hms(last_year.saturating_add(1), 1, 1, 0, 0, 0)
        .single()
        .map(|t| t.timestamp())
        .unwrap_or(start);
    let observance = |out: &mut String, at: i64, from: i32| {
        let (to, summer, name) = offset_at(zone, secs(at));
        let kind = if summer { "DAYLIGHT" } else { "STANDARD" };
        let wall = secs(at + i64::from(from)).naive_utc();
        line(out, &format!("BEGIN:{kind}"));
        line(out, &format!("DTSTART:{}", wall.format("%Y%m%dT%H%M%S")));
        line(out, &format!("TZOFFSETFROM:{}", offset_text(from)));
        line(out, &format!("TZOFFSETTO:{}", offset_text(to)));
        line(out, &format!("TZNAME:{name}"));
        line(out, &format!("END:{kind}"));
    };
    let (first_offset, _, _) = offset_at(zone, secs(start));
    observance(&mut out, start, first_offset);
    // Offsets change at most a few times a year: a daily step finds
    // every change, a bisection its second.
    const DAY: i64 = 86_400;
    let mut at = start;
    let mut offset = first_offset;
    while at < end {
        let next = at + DAY;
        let next_offset = offset_at(zone, secs(next)).0;
        if next_offset != offset {
            let change = transition_between(zone, at, next);
            observance(&mut out, change, offset);
            offset = next_offset;
        }
        at = next;
    }
    line(&mut out, "END:VTIMEZONE");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(rfc3339: &str) -> i64 {
        parse_iso(rfc3339).unwrap()
    }

    const PARIS: Tz = chrono_tz::Europe::Paris;

    #[test]
    fn french_dates_are_written_as_people_write_them() {
        let evening = ms("2027-01-12T17:00:00Z");
        assert_eq!(
            date_time_text(evening, Lang::Fr, PARIS).unwrap(),
            "mar. 12 janv. 2027, 18 h"
        );
        assert_eq!(
            date_time_text(ms("2027-01-12T17:30:00Z"), Lang::Fr, PARIS).unwrap(),
            "mar. 12 janv. 2027, 18 h 30"
        );
        assert_eq!(
            date_time_text(ms("2027-01-31T23:00:00Z"), Lang::Fr, PARIS).unwrap(),
            "lun. 1er févr. 2027, 0 h"
        );
        assert_eq!(
            date_time_text(ms("2027-08-15T10:00:00Z"), Lang::Fr, PARIS).unwrap(),
            "dim. 15 août 2027, 12 h"
        );
    }

    #[test]
    fn english_dates_follow_en_gb_with_a_24_hour_clock() {
        assert_eq!(
            date_time_text(ms("2027-01-12T17:00:00Z"), Lang::En, PARIS).unwrap(),
            "Tue 12 Jan 2027, 18:00"
        );
        assert_eq!(
            date_time_text(ms("2027-01-31T23:05:00Z"), Lang::En, PARIS).unwrap(),
            "Mon 1 Feb 2027, 00:05"
        );
        assert_eq!(
            date_time_text(ms("2027-01-12T11:00:00Z"), Lang::En, PARIS).unwrap(),
            "Tue 12 Jan 2027, 12:00"
        );
    }

    #[test]
    fn the_zone_moves_the_hour_and_the_day() {
        let evening = ms("2027-01-12T17:00:00Z");
        let martinique = parse_zone("America/Martinique").unwrap();
        assert_eq!(
            date_time_text(evening, Lang::Fr, martinique).unwrap(),
            "mar. 12 janv. 2027, 13 h"
        );
        let noumea = parse_zone("Pacific/Noumea").unwrap();
        assert_eq!(
            date_time_text(evening, Lang::Fr, noumea).unwrap(),
            "mer. 13 janv. 2027, 4 h"
        );
        // Half-hour and three-quarter zones.
        let india = parse_zone("Asia/Kolkata").unwrap();
        assert_eq!(
            date_time_text(evening, Lang::En, india).unwrap(),
            "Tue 12 Jan 2027, 22:30"
        );
        let marquesas = parse_zone("Pacific/Marquesas").unwrap();
        assert_eq!(
            date_time_text(evening, Lang::Fr, marquesas).unwrap(),
            "mar. 12 janv. 2027, 7 h 30"
        );
    }

    #[test]
    fn summer_time_days_are_read_and_written_in_local_time() {
        // 28 March 2027: Paris goes from +01:00 to +02:00 at 2 h.
        assert_eq!(
            date_time_text(ms("2027-03-28T00:30:00Z"), Lang::Fr, PARIS).unwrap(),
            "dim. 28 mars 2027, 1 h 30"
        );
        assert_eq!(
            date_time_text(ms("2027-03-28T01:00:00Z"), Lang::Fr, PARIS).unwrap(),
            "dim. 28 mars 2027, 3 h"
        );
        assert_eq!(
            parse_local("2027-03-28T18:00", PARIS),
            Some(ms("2027-03-28T16:00:00Z"))
        );
        assert_eq!(
            parse_local("2027-03-27T18:00", PARIS),
            Some(ms("2027-03-27T17:00:00Z"))
        );
        // 2 h 30 does not exist that day: read as 3 h, the first moment after.
        assert_eq!(
            parse_local("2027-03-28T02:30", PARIS),
            Some(ms("2027-03-28T01:00:00Z"))
        );
        // 31 October 2027: 2 h 30 happens twice; the first one is taken.
        assert_eq!(
            parse_local("2027-10-31T02:30", PARIS),
            Some(ms("2027-10-31T00:30:00Z"))
        );
        assert_eq!(parse_local("demain", PARIS), None);
    }

    #[test]
    fn zones_are_checked() {
        assert!(parse_zone("Europe/Paris").is_some());
        assert!(parse_zone("Mars/Olympus_Mons").is_none());
        assert!(parse_zone("").is_none());
        assert!(FRENCH_ZONES.iter().all(|name| parse_zone(name).is_some()));
        // Legacy aliases stay accepted (the list of names offers only
        // canonical zones: crate::time_zone_names).
        assert!(parse_zone("US/Eastern").is_some());
    }

    #[test]
    fn times_are_marked_up_with_their_utc_moment() {
        assert_eq!(
            date_time_html(ms("2027-01-12T17:00:00Z"), Lang::Fr, PARIS),
            "<time datetime=\"2027-01-12T17:00:00Z\">mar. 12 janv. 2027, 18 h</time>"
        );
        assert_eq!(date_time_html(i64::MAX, Lang::Fr, PARIS), "");
    }

    #[test]
    fn the_vtimezone_of_paris_names_its_summer_and_winter() {
        let text = vtimezone(PARIS, 2027, 2027);
        assert!(text.starts_with("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"));
        assert!(text.ends_with("END:VTIMEZONE\r\n"));
        assert!(text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n"
        ));
        assert!(text.contains(
            "BEGIN:STANDARD\r\nDTSTART:20271031T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n"
        ));
        let martinique = vtimezone(parse_zone("America/Martinique").unwrap(), 2027, 2027);
        assert_eq!(martinique.matches("BEGIN:STANDARD").count(), 1);
        assert!(martinique.contains("TZOFFSETTO:-0400\r\n"));
        assert!(!martinique.contains("DAYLIGHT"));
    }
}
