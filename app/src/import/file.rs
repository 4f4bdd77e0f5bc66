//! An uploaded spreadsheet as rows of text: Excel (.xlsx, and .xls/.ods, read
//! by calamine, which recognises the format from the bytes) or CSV in UTF-8 or
//! GBK (what Chinese Excel writes when it saves CSV), separated by commas,
//! semicolons or tabs.

use crate::import::rules::{number_text, MAX_BYTES, MAX_ROWS};
use calamine::{open_workbook_auto_from_rs, Data, DataType, Reader};
use std::io::Cursor;

/// Why a file cannot be read at all (translated as `import_err_<code>`).
pub type FileRefusal = &'static str;

/// The file's rows, the header row first, without trailing empty rows.
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileRefusal> {
    if bytes.len() > MAX_BYTES {
        return Err("too_large");
    }
    let mut rows = if is_spreadsheet(bytes) {
        read_workbook(bytes)?
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

/// A zip (xlsx, ods) or an OLE compound file (xls).
fn is_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

fn read_workbook(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileRefusal> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| "unreadable")?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("empty")?
        .map_err(|_| "unreadable")?;
    if range.height() > MAX_ROWS + 1 {
        return Err("too_many_rows");
    }
    Ok(range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect())
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

    #[test]
    fn files_that_cannot_be_imported_say_why() {
        assert_eq!(read_table(b"PK\x03\x04garbage"), Err("unreadable"));
        assert_eq!(read_table("公司名称,电话\n\n,\n".as_bytes()), Err("empty"));
        let many = format!("公司名称,电话\n{}", "A公司,1\n".repeat(MAX_ROWS + 1));
        assert_eq!(read_table(many.as_bytes()), Err("too_many_rows"));
        assert_eq!(read_table(&vec![b'a'; MAX_BYTES + 1]), Err("too_large"));
    }
}
