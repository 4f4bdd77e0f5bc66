//! Importing customers from a spreadsheet, pure: which column is which field,
//! what a cell means, the checks a row goes through before the database is
//! asked (the same parsing as registration, then duplicates within the file),
//! and which qualified rows a rep's cap lets lock.

use crate::customers::input::{parse_customer, ValidCustomer};
use crate::customers::model::CustomerInput;
use std::collections::HashMap;

/// Most data rows in one file.
pub const MAX_ROWS: usize = 10_000;
/// Largest file accepted (bytes): 10,000 rows of xlsx or csv are well below it.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// Checks (dry runs) one person may make in a day, and the rows they may have
/// checked: a check compares every row with the whole company, so without a
/// limit a rep could test thousands of names and phones an hour against
/// customers they may not see (a duplicate oracle). Three full files a day.
pub const MAX_CHECKS_PER_DAY: i64 = 20;
pub const MAX_CHECKED_ROWS_PER_DAY: i64 = 3 * MAX_ROWS as i64;

/// May someone who has made `checks` checks of `rows` rows today check again?
pub fn may_check(checks: i64, rows: i64) -> bool {
    checks < MAX_CHECKS_PER_DAY && rows < MAX_CHECKED_ROWS_PER_DAY
}

/// The columns an import understands, in template order. `label` is the
/// translation key of its header (the template writes it in both languages and
/// a file may use either); `also` are other headers Chinese spreadsheets use
/// for the same thing (matched, never shown).
pub struct Column {
    pub field: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub also: &'static [&'static str],
}

pub const COLUMNS: [Column; 15] = [
    Column {
        field: "name",
        label: "field_company",
        required: true,
        also: &[
            "客户名称",
            "公司",
            "企业名称",
            "单位名称",
            "company",
            "customer",
        ],
    },
    Column {
        field: "phones",
        label: "field_phones",
        required: true,
        also: &["联系电话", "手机", "手机号", "电话号码", "phone", "mobile"],
    },
    Column {
        field: "contact",
        label: "field_contact",
        required: false,
        also: &["联系人姓名", "姓名"],
    },
    Column {
        field: "contact_role",
        label: "field_contact_role",
        required: false,
        also: &["职务", "职位", "title"],
    },
    Column {
        field: "decision_maker",
        label: "field_decision_maker",
        required: false,
        also: &["决策人"],
    },
    Column {
        field: "address",
        label: "field_address",
        required: false,
        also: &["地址", "公司地址"],
    },
    Column {
        field: "region",
        label: "field_region",
        required: false,
        also: &["地区", "区域", "城市"],
    },
    Column {
        field: "industry",
        label: "field_industry",
        required: false,
        also: &["行业"],
    },
    Column {
        field: "size",
        label: "field_size",
        required: false,
        also: &["规模", "人数"],
    },
    Column {
        field: "source",
        label: "field_source",
        required: false,
        also: &["来源", "客户来源"],
    },
    Column {
        field: "expected_amount",
        label: "field_expected_amount",
        required: false,
        also: &["预计金额", "金额", "amount"],
    },
    Column {
        field: "founded_on",
        label: "field_founded_on",
        required: false,
        also: &["成立日期", "成立时间"],
    },
    Column {
        field: "dm_birthday",
        label: "field_dm_birthday",
        required: false,
        also: &["生日"],
    },
    Column {
        field: "referred_by",
        label: "field_referred_by",
        required: false,
        also: &["介绍人", "推荐人"],
    },
    Column {
        field: "qualified",
        label: "import_qualified",
        required: false,
        also: &["已确认", "合格"],
    },
];

/// A header cell made comparable: no spaces, no required-marks, lower case.
pub fn header_key(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | ':' | '：'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which field each column of `headers` holds (`None`: a column we do not
/// know, ignored). `labels(key)` gives a translation key's header in every
/// language. A header may also be "中文 / English", as the template writes it.
/// Err: the required fields no column holds.
pub fn map_headers(
    headers: &[String],
    labels: impl Fn(&str) -> Vec<String>,
) -> Result<Vec<Option<&'static str>>, Vec<&'static str>> {
    let mut names: HashMap<String, &'static str> = HashMap::new();
    for c in &COLUMNS {
        for l in labels(c.label)
            .iter()
            .map(String::as_str)
            .chain(c.also.iter().copied())
        {
            names.entry(header_key(l)).or_insert(c.field);
        }
    }
    let mut seen: Vec<&'static str> = Vec::new();
    let mapped: Vec<Option<&'static str>> = headers
        .iter()
        .map(|h| {
            let field = std::iter::once(h.as_str())
                .chain(h.split(['/', '|']))
                .find_map(|part| names.get(&header_key(part)).copied())
                .filter(|f| !seen.contains(f));
            if let Some(f) = field {
                seen.push(f);
            }
            field
        })
        .collect();
    let missing: Vec<&'static str> = COLUMNS
        .iter()
        .filter(|c| c.required && !seen.contains(&c.field))
        .map(|c| c.field)
        .collect();
    if missing.is_empty() {
        Ok(mapped)
    } else {
        Err(missing)
    }
}

/// "是", "yes", "√" … → true; empty, "否", "no" … → false; anything else: not understood.
pub fn parse_yes(raw: &str) -> Option<bool> {
    match header_key(raw).as_str() {
        "" | "否" | "no" | "n" | "false" | "0" | "×" | "x" => Some(false),
        "是" | "yes" | "y" | "true" | "1" | "√" | "✓" | "✔" | "合格" | "已确认" => {
            Some(true)
        }
        _ => None,
    }
}

/// One data row as registration takes it, and whether the rep says the
/// qualification checklist is met (the column `qualified`).
pub fn row_input(cells: &[String], fields: &[Option<&'static str>]) -> (CustomerInput, String) {
    let mut input = CustomerInput::default();
    let mut qualified = String::new();
    for (cell, field) in cells.iter().zip(fields) {
        let v = cell.trim().to_string();
        match field {
            Some("name") => input.name = v,
            Some("phones") => input.phones = v,
            Some("contact") => input.contact = v,
            Some("contact_role") => input.contact_role = v,
            Some("decision_maker") => input.decision_maker = v,
            Some("address") => input.address = v,
            Some("region") => input.region = v,
            Some("industry") => input.industry = v,
            Some("size") => input.size = v,
            Some("source") => input.source = v,
            Some("expected_amount") => input.expected_amount = v,
            Some("founded_on") => input.founded_on = v,
            Some("dm_birthday") => input.dm_birthday = v,
            Some("referred_by") => input.referred_by = v,
            Some("qualified") => qualified = v,
            _ => {}
        }
    }
    (input, qualified)
}

/// What the file says about one row, before the database is asked.
#[derive(Clone, Debug, PartialEq)]
pub enum RowCheck {
    /// Nothing in it: skipped without a word.
    Blank,
    /// Refused: (field, code), as registration refuses it.
    Invalid(&'static str, &'static str),
    /// The same company (name or a phone) as an earlier row of the file.
    SameAs(usize),
    Valid(Box<ValidCustomer>, bool),
}

/// Checks every data row (`rows[i]` is spreadsheet row `i + 2`: row 1 holds
/// the headers) with registration's parsing, then against the rows before it.
pub fn check_rows(rows: &[Vec<String>], fields: &[Option<&'static str>]) -> Vec<RowCheck> {
    let mut first_row: HashMap<String, usize> = HashMap::new();
    rows.iter()
        .enumerate()
        .map(|(i, cells)| {
            if cells.iter().all(|c| c.trim().is_empty()) {
                return RowCheck::Blank;
            }
            let (input, qualified) = row_input(cells, fields);
            let valid = match parse_customer(&input) {
                Ok(v) => v,
                Err((field, code)) => return RowCheck::Invalid(field, code),
            };
            let Some(qualified) = parse_yes(&qualified) else {
                return RowCheck::Invalid("qualified", "invalid");
            };
            let keys: Vec<String> = std::iter::once(format!("n:{}", valid.name_key))
                .chain(valid.phone_keys.iter().map(|p| format!("p:{p}")))
                .collect();
            if let Some(&earlier) = keys.iter().find_map(|k| first_row.get(k)) {
                return RowCheck::SameAs(earlier);
            }
            for k in keys {
                first_row.insert(k, i + 2);
            }
            RowCheck::Valid(Box::new(valid), qualified)
        })
        .collect()
}

/// Which of a rep's qualified rows lock (in file order) when they own `owned`
/// customers and may own `max_owned`: the rest stay drafts, as a registration
/// at the cap does. Unqualified rows never lock.
pub fn plan_locks(owned: u32, max_owned: u32, qualified: &[bool]) -> Vec<bool> {
    let mut room = max_owned.saturating_sub(owned);
    qualified
        .iter()
        .map(|&q| {
            let lock = q && room > 0;
            if lock {
                room -= 1;
            }
            lock
        })
        .collect()
}

/// A cell as text: whole numbers without ".0" (phones typed as numbers), dates
/// as YYYY-MM-DD.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {

    #[rstest::rstest]
    #[case::fresh(0, 0, true)]
    #[case::last_check(MAX_CHECKS_PER_DAY - 1, 0, true)]
    #[case::checks_used(MAX_CHECKS_PER_DAY, 0, false)]
    #[case::rows_used(1, MAX_CHECKED_ROWS_PER_DAY, false)]
    #[case::rows_nearly_used(1, MAX_CHECKED_ROWS_PER_DAY - 1, true)]
    fn dry_runs_are_limited_per_person_and_day(
        #[case] checks: i64,
        #[case] rows: i64,
        #[case] ok: bool,
    ) {
        assert_eq!(may_check(checks, rows), ok);
    }

    use super::*;
    use rstest::rstest;

    fn labels(key: &str) -> Vec<String> {
        match key {
            "field_company" => vec!["公司名称".into(), "Company name".into()],
            "field_phones" => vec!["电话".into(), "Phone numbers".into()],
            "field_industry" => vec!["行业".into(), "Industry".into()],
            "import_qualified" => vec!["资格已确认".into(), "Qualified".into()],
            _ => vec![],
        }
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[rstest]
    #[case(&["公司名称", "电话"], &[Some("name"), Some("phones")])]
    #[case(&["Company name", "Phone numbers", "Industry"], &[Some("name"), Some("phones"), Some("industry")])]
    // the template's bilingual headers, required marks and spaces
    #[case(&["公司名称 / Company name *", "电话 / Phone numbers *"], &[Some("name"), Some("phones")])]
    // what other spreadsheets call them; unknown columns are ignored
    #[case(&["客户名称", "备用", "手机号"], &[Some("name"), None, Some("phones")])]
    // a field twice: the first column holds it
    #[case(&["公司名称", "电话", "联系电话"], &[Some("name"), Some("phones"), None])]
    fn headers_map_to_fields(#[case] headers: &[&str], #[case] expected: &[Option<&str>]) {
        assert_eq!(map_headers(&strings(headers), labels).unwrap(), expected);
    }

    #[test]
    fn a_file_without_a_required_column_is_refused_naming_it() {
        assert_eq!(
            map_headers(&strings(&["公司名称", "行业"]), labels),
            Err(vec!["phones"])
        );
        assert_eq!(
            map_headers(&strings(&["行业"]), labels),
            Err(vec!["name", "phones"])
        );
    }

    #[rstest]
    #[case("", Some(false))]
    #[case("否", Some(false))]
    #[case(" 是 ", Some(true))]
    #[case("Yes", Some(true))]
    #[case("√", Some(true))]
    #[case("maybe", None)]
    fn yes_and_no(#[case] raw: &str, #[case] expected: Option<bool>) {
        assert_eq!(parse_yes(raw), expected);
    }

    #[test]
    fn rows_are_checked_like_registrations_then_against_earlier_rows() {
        let fields = [Some("name"), Some("phones"), Some("qualified")];
        let rows: Vec<Vec<String>> = [
            &["上海恒信精工有限公司", "13812340001", "是"][..],
            &["", "", ""],
            &["", "13812340002", ""],
            &["上海恒信精工有限公司", "13812349999", ""],
            &["苏州新材料有限公司", "021-6432 1234", "否"],
            &["杭州云启科技有限公司", "138 1234 0001", ""],
            &["有限公司", "13812340003", ""],
            &["南京远航物流有限公司", "13812340004", "也许"],
            &["南京远航物流有限公司", "12", ""],
        ]
        .iter()
        .map(|r| strings(r))
        .collect();
        let checks = check_rows(&rows, &fields);
        assert!(matches!(&checks[0], RowCheck::Valid(v, true) if v.name == "上海恒信精工有限公司"));
        assert_eq!(checks[1], RowCheck::Blank);
        assert_eq!(checks[2], RowCheck::Invalid("name", "required"));
        // the same name as spreadsheet row 2
        assert_eq!(checks[3], RowCheck::SameAs(2));
        assert!(matches!(&checks[4], RowCheck::Valid(_, false)));
        // the same phone as row 2, however it is spaced
        assert_eq!(checks[5], RowCheck::SameAs(2));
        assert_eq!(checks[6], RowCheck::Invalid("name", "name_invalid"));
        assert_eq!(checks[7], RowCheck::Invalid("qualified", "invalid"));
        // a refused row does not claim its name for later rows
        assert!(matches!(&checks[8], RowCheck::Invalid("phones", _)));
    }

    #[rstest]
    // room for two: the first two qualified rows lock
    #[case(18, 20, &[true, false, true, true], &[true, false, true, false])]
    // at the cap: nothing locks
    #[case(20, 20, &[true, true], &[false, false])]
    // over the cap (the limit was lowered): nothing locks
    #[case(25, 20, &[true], &[false])]
    #[case(0, 20, &[false, false], &[false, false])]
    fn a_reps_cap_decides_which_qualified_rows_lock(
        #[case] owned: u32,
        #[case] max: u32,
        #[case] qualified: &[bool],
        #[case] expected: &[bool],
    ) {
        assert_eq!(plan_locks(owned, max, qualified), expected);
    }

    #[rstest]
    #[case(13812345678.0, "13812345678")]
    #[case(12000.5, "12000.5")]
    #[case(0.0, "0")]
    fn numbers_read_as_typed(#[case] n: f64, #[case] expected: &str) {
        assert_eq!(number_text(n), expected);
    }
}
