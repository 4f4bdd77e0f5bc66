//! An uploaded spreadsheet as rows of text: Excel (.xlsx) or CSV in UTF-8 or
//! GBK (what Chinese Excel writes when it saves CSV), separated by commas,
//! semicolons or tabs. Old .xls and .ods files are refused (save as .xlsx).
//!
//! A workbook is a zip of XML, so a small upload can describe a huge grid or
//! unpack to gigabytes. Before calamine sees it, every zip entry is inflated
//! once into nothing and counted ([`MAX_UNPACKED`] in all), and the shared
//! strings' declared count is checked (calamine reserves that many at open);
//! then the first sheet is streamed cell by cell, stopping at [`MAX_ROWS`] and
//! ignoring columns past [`MAX_COLUMNS`]. What the grid costs is therefore
//! bounded by the rows kept, never by the cell references a file names.
//! (`import::isolate` adds a memory-limited child process around all this.)

use crate::import::rules::{number_text, MAX_BYTES, MAX_ROWS};
use calamine::{Data, DataType, Reader, Xlsx};
use std::io::{Cursor, Read};

/// Why a file cannot be read at all (translated as `import_err_<code>`).
pub type FileRefusal = &'static str;

/// Most bytes all entries of a workbook may unpack to: a 10,000-row import of
/// every column is about 10 MB of XML.
pub const MAX_UNPACKED: u64 = 64 * 1024 * 1024;
/// Most entries in a workbook's zip (a real one has a few dozen).
pub const MAX_ENTRIES: usize = 1_000;
/// Most shared strings a workbook may declare (10,001 rows of 64 columns, and
/// then some).
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;
/// Columns read from a sheet; cells further right are ignored (the template
/// has 15, and headers are matched by name wherever they stand).
pub const MAX_COLUMNS: usize = 64;

/// The file's rows, the header row first, without trailing empty rows.
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileRefusal> {
    if bytes.len() > MAX_BYTES {
        return Err("too_large");
    }
    let mut rows = if bytes.starts_with(b"PK\x03\x04") {
        read_workbook(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // an OLE compound file: .xls (or another old Office file)
        return Err("unsupported");
    } else {
        read_csv(&decode_text(bytes))?
    };
    while rows
        .last()
        .is_some_and(|r| r.iter().all(|c| c.trim().is_empty()))
    {
        rows.pop();
    }
    Ok(rows)
}

/// The rows of a file to import: a header row and at least one row under it,
/// at most [`MAX_ROWS`].
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileRefusal> {
    let rows = read_rows(bytes)?;
    if rows.len() < 2 {
        return Err("empty");
    }
    if rows.len() > MAX_ROWS + 1 {
        return Err("too_many_rows");
    }
    Ok(rows)
}

/// Inflates every entry once (into nothing), so the sizes below are the real
/// ones, not what the zip's headers claim; refuses what unpacks past the
/// limits and an .ods (a zip too, with a `content.xml`).
fn inspect_zip(bytes: &[u8]) -> Result<(), FileRefusal> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| "unreadable")?;
    if zip.len() > MAX_ENTRIES {
        return Err("too_big_inside");
    }
    let mut total: u64 = 0;
    let mut workbook = false;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| "unreadable")?;
        let name = entry.name().map_err(|_| "unreadable")?.into_owned();
        if name == "content.xml" {
            return Err("unsupported");
        }
        workbook |= name.ends_with("workbook.xml");
        let left = MAX_UNPACKED - total;
        let mut limited = (&mut entry).take(left + 1);
        let size = if name.ends_with("sharedStrings.xml") {
            let mut head = Vec::new();
            (&mut limited)
                .take(SST_HEAD)
                .read_to_end(&mut head)
                .map_err(|_| "unreadable")?;
            if declared_strings(&head)? > MAX_SHARED_STRINGS {
                return Err("too_big_inside");
            }
            head.len() as u64
                + std::io::copy(&mut limited, &mut std::io::sink()).map_err(|_| "unreadable")?
        } else {
            std::io::copy(&mut limited, &mut std::io::sink()).map_err(|_| "unreadable")?
        };
        if size > left {
            return Err("too_big_inside");
        }
        total += size;
    }
    if workbook {
        Ok(())
    } else {
        Err("unreadable")
    }
}

/// Where the shared strings' root tag must start.
const SST_HEAD: u64 = 64 * 1024;

/// The `uniqueCount` the shared strings' root tag declares (0 when absent).
/// The tag must lie in the entry's first [`SST_HEAD`] bytes: calamine reserves
/// the declared count when it meets the tag, wherever it is.
fn declared_strings(head: &[u8]) -> Result<u64, FileRefusal> {
    let text = String::from_utf8_lossy(head);
    // the first element (past the XML declaration and comments)
    let mut rest = text.as_ref();
    let tag = loop {
        let at = rest.find('<').ok_or("unreadable")?;
        rest = &rest[at..];
        if rest.starts_with("<?") || rest.starts_with("<!") {
            rest = &rest[rest.find('>').ok_or("unreadable")? + 1..];
            continue;
        }
        break &rest[..rest.find('>').ok_or("unreadable")?];
    };
    let Some(at) = tag.find("uniqueCount") else {
        return Ok(0);
    };
    let value = tag[at + "uniqueCount".len()..]
        .trim_start()
        .strip_prefix('=')
        .ok_or("unreadable")?
        .trim_start()
        .trim_start_matches(['"', '\''])
        .trim_start();
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() > 12 {
        return Err("too_big_inside");
    }
    Ok(digits.parse().unwrap_or(0))
}

/// The first sheet, streamed: cells are placed by their own position, so a
/// cell named far out costs nothing unless it falls within the rows and
/// columns an import may have.
fn read_workbook(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileRefusal> {
    inspect_zip(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| "unreadable")?;
    let sheet = book.sheet_names().first().cloned().ok_or("empty")?;
    let mut cells = book
        .worksheet_cells_reader(&sheet)
        .map_err(|_| "unreadable")?;
    // by absolute row: a cell named twice overwrites itself, so at most
    // MAX_ROWS + 1 rows of MAX_COLUMNS cells are ever held
    let mut grid: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    let (mut top, mut bottom) = (usize::MAX, 0);
    // where the kept cells begin
    let (mut first, mut left) = (usize::MAX, usize::MAX);
    // text kept, in bytes: one long shared string named in every cell would
    // otherwise be copied into each
    let mut kept: u64 = 0;
    while let Some(cell) = cells.next_cell().map_err(|_| "unreadable")? {
        let (row, col) = cell.get_position();
        let (row, col) = (row as usize, col as usize);
        if cell.get_value().is_empty() {
            continue;
        }
        // every used row counts, even one whose cells all lie too far right
        (top, bottom) = (top.min(row), bottom.max(row));
        // the header row and MAX_ROWS under it, counted from the first used row
        if bottom - top > MAX_ROWS {
            return Err("too_many_rows");
        }
        if col >= MAX_COLUMNS {
            continue;
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.trim().is_empty() {
            continue;
        }
        (first, left) = (first.min(row), left.min(col));
        kept += text.len() as u64;
        if kept > MAX_UNPACKED {
            return Err("too_big_inside");
        }
        let cells = grid.entry(row).or_default();
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = text;
    }
    // from the first used row and column on, as a rectangle
    let width = grid
        .values()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .saturating_sub(left);
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(grid.len());
    for (row, mut cells) in grid {
        while rows.len() < row - first {
            rows.push(vec![String::new(); width]);
        }
        cells.drain(..left.min(cells.len()));
        cells.resize(width, String::new());
        rows.push(cells);
    }
    Ok(rows)
}

/// A cell as the rep typed it: phones stored as numbers without ".0", dates as
/// YYYY-MM-DD.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) => cell
            .as_date()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// UTF-8 (with or without a byte-order mark) when the bytes are UTF-8,
/// otherwise GBK (read as GB18030, its superset).
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

fn read_csv(text: &str) -> Result<Vec<Vec<String>>, FileRefusal> {
    let first = text.lines().next().unwrap_or_default();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.matches(char::from(*d)).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| "unreadable")?;
        rows.push(record.iter().map(str::to_string).collect());
        if rows.len() > MAX_ROWS + 1 {
            return Err("too_many_rows");
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_with_a_byte_order_mark() {
        let rows =
            read_table("\u{feff}公司名称,电话\n上海恒信精工有限公司,13812340001\n".as_bytes())
                .unwrap();
        assert_eq!(rows[0], vec!["公司名称", "电话"]);
        assert_eq!(rows[1], vec!["上海恒信精工有限公司", "13812340001"]);
    }

    #[test]
    fn csv_in_gbk_as_chinese_excel_saves_it() {
        let text = "公司名称,电话,备注\r\n苏州新材料有限公司,021-64321234,\"含逗号, 引号\"\r\n";
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&gbk).is_err());
        let rows = read_table(&gbk).unwrap();
        assert_eq!(
            rows[1],
            vec!["苏州新材料有限公司", "021-64321234", "含逗号, 引号"]
        );
    }

    #[test]
    fn semicolons_and_tabs_separate_too() {
        let rows = read_table("公司名称;电话\nA公司;1\n".as_bytes()).unwrap();
        assert_eq!(rows[1], vec!["A公司", "1"]);
        let rows = read_table("公司名称\t电话\nA公司\t1\n".as_bytes()).unwrap();
        assert_eq!(rows[1], vec!["A公司", "1"]);
    }

    #[test]
    fn xlsx_cells_read_as_typed() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "公司名称").unwrap();
        sheet.write_string(0, 1, "电话").unwrap();
        sheet.write_string(0, 2, "成立日期").unwrap();
        sheet.write_string(1, 0, "上海恒信精工有限公司").unwrap();
        sheet.write_number(1, 1, 13812340001.0).unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2015, 3, 9).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet
            .write_datetime_with_format(1, 2, &date, &format)
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let rows = read_table(&bytes).unwrap();
        assert_eq!(
            rows[1],
            vec!["上海恒信精工有限公司", "13812340001", "2015-03-09"]
        );
    }

    #[rstest::rstest]
    #[case::plain(
        r#"<?xml version="1.0"?><sst xmlns="x" count="3" uniqueCount="2">"#,
        Ok(2)
    )]
    #[case::prefixed_and_spaced("<x:sst uniqueCount = '12'>", Ok(12))]
    #[case::after_a_comment("<!-- hi --><sst uniqueCount=\"100000000000\">", Ok(100_000_000_000))]
    #[case::absent("<sst count=\"9\">", Ok(0))]
    #[case::absurd("<sst uniqueCount=\"1000000000000000000000\">", Err("too_big_inside"))]
    #[case::no_tag_in_the_head("                ", Err("unreadable"))]
    fn the_declared_shared_strings_are_read_from_the_root_tag(
        #[case] head: &str,
        #[case] want: Result<u64, FileRefusal>,
    ) {
        assert_eq!(declared_strings(head.as_bytes()), want);
    }

    #[test]
    fn files_that_cannot_be_imported_say_why() {
        assert_eq!(read_table(b"PK\x03\x04garbage"), Err("unreadable"));
        assert_eq!(read_table(b"\xD0\xCF\x11\xE0 old xls"), Err("unsupported"));
        assert_eq!(read_table("公司名称,电话\n\n,\n".as_bytes()), Err("empty"));
        let many = format!("公司名称,电话\n{}", "A公司,1\n".repeat(MAX_ROWS + 1));
        assert_eq!(read_table(many.as_bytes()), Err("too_many_rows"));
        assert_eq!(read_table(&vec![b'a'; MAX_BYTES + 1]), Err("too_large"));
    }
}
