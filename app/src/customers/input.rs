//! Parsing a registration into a valid customer, pure. Every refusal names the
//! field and a translated code, so the form shows it next to the input.

use crate::customers::model::CustomerInput;
use crate::customers::rules::{normalize_company_name, normalize_phone};
use crate::text::{clean_field, Shape};
use chrono::NaiveDate;

/// A registration that passed validation.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidCustomer {
    pub name: String,
    pub name_key: String,
    pub phones: Vec<String>,
    /// Normalized, deduplicated: each becomes a unique key.
    pub phone_keys: Vec<String>,
    pub contact: String,
    pub contact_role: String,
    pub decision_maker: String,
    pub address: String,
    pub region: String,
    pub location: Option<(f64, f64)>,
    pub industry: String,
    pub size: String,
    pub source: String,
    pub referred_by: Option<String>,
    pub founded_on: Option<NaiveDate>,
    pub dm_birthday: Option<NaiveDate>,
    pub notes: String,
    pub expected_cents: i64,
}

/// A refusal: (field, code).
pub type FieldRefusal = (&'static str, &'static str);

pub const NAME_MAX: usize = 80;
pub const TEXT_MAX: usize = 100;
pub const NOTES_MAX: usize = 2000;
pub const PHONES_MAX: usize = 5;

fn text(field: &'static str, raw: &str, max: usize) -> Result<String, FieldRefusal> {
    clean_field(field, raw, Shape::line(max))
}

fn date(field: &'static str, raw: &str) -> Result<Option<NaiveDate>, FieldRefusal> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| (field, "date_invalid"))
}

/// Yuan with up to two decimals ("12,000.50" or "12000.5") into cents.
pub fn parse_amount(raw: &str) -> Result<i64, FieldRefusal> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if s.is_empty() {
        return Ok(0);
    }
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let bad = ("expected_amount", "amount_invalid");
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 12
    {
        return Err(bad);
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad)?
    };
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| bad)?;
    Ok(whole * 100 + cents)
}

/// The numbers in a phone field: separated by commas, semicolons, slashes or new lines.
pub fn split_phones(raw: &str) -> impl Iterator<Item = &str> {
    raw.split([',', '，', ';', '；', '/', '、', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// The normalized keys of the valid numbers in a phone field (for lookups).
pub fn phone_keys(raw: &str) -> Vec<String> {
    split_phones(raw).filter_map(normalize_phone).collect()
}

fn phones(raw: &str) -> Result<(Vec<String>, Vec<String>), FieldRefusal> {
    let parts: Vec<&str> = split_phones(raw).collect();
    if parts.is_empty() {
        return Err(("phones", "phone_required"));
    }
    if parts.len() > PHONES_MAX {
        return Err(("phones", "too_many_phones"));
    }
    let mut shown = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for part in parts {
        if part.chars().count() > 40 {
            return Err(("phones", "phone_invalid"));
        }
        let key = normalize_phone(part).ok_or(("phones", "phone_invalid"))?;
        if !keys.contains(&key) {
            keys.push(key);
            shown.push(part.to_string());
        }
    }
    Ok((shown, keys))
}

fn location(lat: &str, lng: &str) -> Result<Option<(f64, f64)>, FieldRefusal> {
    let (lat, lng) = (lat.trim(), lng.trim());
    if lat.is_empty() && lng.is_empty() {
        return Ok(None);
    }
    let bad = ("location", "location_invalid");
    let lat: f64 = lat.parse().map_err(|_| bad)?;
    let lng: f64 = lng.parse().map_err(|_| bad)?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
        return Err(bad);
    }
    Ok(Some((lat, lng)))
}

/// The first refusal in form order, or the valid customer.
pub fn parse_customer(input: &CustomerInput) -> Result<ValidCustomer, FieldRefusal> {
    let name = text("name", &input.name, NAME_MAX)?;
    if name.is_empty() {
        return Err(("name", "required"));
    }
    let name_key = normalize_company_name(&name);
    if name_key.is_empty() {
        return Err(("name", "name_invalid"));
    }
    let (phones, phone_keys) = phones(&clean_field("phones", &input.phones, Shape::lines(400))?)?;
    let referred = text("referred_by", &input.referred_by, 100)?;
    Ok(ValidCustomer {
        name,
        name_key,
        phones,
        phone_keys,
        contact: text("contact", &input.contact, TEXT_MAX)?,
        contact_role: text("contact_role", &input.contact_role, TEXT_MAX)?,
        decision_maker: text("decision_maker", &input.decision_maker, TEXT_MAX)?,
        address: text("address", &input.address, 200)?,
        region: text("region", &input.region, TEXT_MAX)?,
        location: location(&input.lat, &input.lng)?,
        industry: text("industry", &input.industry, TEXT_MAX)?,
        size: text("size", &input.size, TEXT_MAX)?,
        source: text("source", &input.source, TEXT_MAX)?,
        referred_by: (!referred.is_empty()).then_some(referred),
        founded_on: date("founded_on", &input.founded_on)?,
        dm_birthday: date("dm_birthday", &input.dm_birthday)?,
        notes: clean_field("notes", &input.notes, Shape::lines(NOTES_MAX))?,
        expected_cents: parse_amount(&input.expected_amount)?,
    })
}

/// 13812345678 → 138****5678: what a customer in the pool shows before it is claimed.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
    if digits <= 4 {
        return "*".repeat(chars.len());
    }
    let keep_tail = 2;
    let keep_head = if digits >= 11 { 3 } else { 2 };
    let mut seen = 0;
    chars
        .iter()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen <= keep_head || seen > digits - keep_tail {
                    *c
                } else {
                    '*'
                }
            } else {
                *c
            }
        })
        .collect()
}

/// Indexed neighbours for the near-match search: names sharing the first or the
/// last two characters of the key are the candidates (bounded, then scored).
pub fn name_head_tail(key: &str) -> (String, String) {
    let chars: Vec<char> = key.chars().collect();
    let n = chars.len().min(2);
    (
        chars[..n].iter().collect(),
        chars[chars.len() - n..].iter().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn base() -> CustomerInput {
        CustomerInput {
            name: "华为技术有限公司".into(),
            phones: "13800138000".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_registration_is_valid() {
        let c = parse_customer(&base()).unwrap();
        assert_eq!(c.name_key, "华为技术");
        assert_eq!(c.phone_keys, vec!["13800138000"]);
        assert_eq!(c.location, None);
        assert_eq!(c.expected_cents, 0);
    }

    #[rstest]
    #[case::empty_name(|i: &mut CustomerInput| i.name = "  ".into(), "name", "required")]
    #[case::long_name(|i: &mut CustomerInput| i.name = "名".repeat(81), "name", "too_long")]
    #[case::only_suffix_punct(|i: &mut CustomerInput| i.name = "（）,.".into(), "name", "name_invalid")]
    #[case::no_phone(|i: &mut CustomerInput| i.phones = " , ".into(), "phones", "phone_required")]
    #[case::bad_phone(|i: &mut CustomerInput| i.phones = "138, abc".into(), "phones", "phone_invalid")]
    #[case::six_phones(|i: &mut CustomerInput| i.phones = "11111,22222,33333,44444,55555,66666".into(), "phones", "too_many_phones")]
    #[case::lat_only(|i: &mut CustomerInput| i.lat = "31.2".into(), "location", "location_invalid")]
    #[case::lat_range(|i: &mut CustomerInput| { i.lat = "91".into(); i.lng = "121".into(); }, "location", "location_invalid")]
    #[case::bad_date(|i: &mut CustomerInput| i.founded_on = "2020-13-01".into(), "founded_on", "date_invalid")]
    #[case::bad_birthday(|i: &mut CustomerInput| i.dm_birthday = "1980/02/30".into(), "dm_birthday", "date_invalid")]
    #[case::bad_amount(|i: &mut CustomerInput| i.expected_amount = "12.345".into(), "expected_amount", "amount_invalid")]
    #[case::negative_amount(|i: &mut CustomerInput| i.expected_amount = "-5".into(), "expected_amount", "amount_invalid")]
    #[case::long_notes(|i: &mut CustomerInput| i.notes = "x".repeat(2001), "notes", "too_long")]
    #[case::nul_in_name(|i: &mut CustomerInput| i.name = "华为\0技术".into(), "name", "control_chars")]
    #[case::bidi_in_name(|i: &mut CustomerInput| i.name = "\u{202E}华为技术".into(), "name", "bidi_chars")]
    #[case::mangled_name(|i: &mut CustomerInput| i.name = "华为\u{FFFD}".into(), "name", "invalid_chars")]
    #[case::escape_in_notes(|i: &mut CustomerInput| i.notes = "\u{1b}[2J".into(), "notes", "control_chars")]
    #[case::bidi_in_contact(|i: &mut CustomerInput| i.contact = "张\u{2066}三".into(), "contact", "bidi_chars")]
    #[case::only_company_form(|i: &mut CustomerInput| i.name = "有限公司".into(), "name", "name_invalid")]
    #[case::only_region_and_form(|i: &mut CustomerInput| i.name = "（中国）有限责任公司".into(), "name", "name_invalid")]
    #[case::only_english_forms(|i: &mut CustomerInput| i.name = "Co., Ltd.".into(), "name", "name_invalid")]
    #[case::long_contact(|i: &mut CustomerInput| i.contact = "x".repeat(101), "contact", "too_long")]
    fn refusals_name_the_field(
        #[case] edit: fn(&mut CustomerInput),
        #[case] field: &str,
        #[case] code: &str,
    ) {
        let mut input = base();
        edit(&mut input);
        assert_eq!(parse_customer(&input), Err((field, code)));
    }

    #[test]
    fn phones_are_split_and_deduplicated_by_key() {
        let mut input = base();
        input.phones = "+86 138-0013-8000，13800138000; 021-5888 1234 转 8".into();
        let c = parse_customer(&input).unwrap();
        assert_eq!(c.phone_keys, vec!["13800138000", "02158881234"]);
        assert_eq!(c.phones, vec!["+86 138-0013-8000", "021-5888 1234 转 8"]);
    }

    #[test]
    fn location_and_dates_parse() {
        let mut input = base();
        input.lat = " 31.23 ".into();
        input.lng = "121.47".into();
        input.founded_on = "2001-02-28".into();
        input.dm_birthday = "1980-02-29".into();
        let c = parse_customer(&input).unwrap();
        assert_eq!(c.location, Some((31.23, 121.47)));
        assert_eq!(c.founded_on, NaiveDate::from_ymd_opt(2001, 2, 28));
        assert_eq!(c.dm_birthday, NaiveDate::from_ymd_opt(1980, 2, 29));
    }

    #[rstest]
    #[case("", 0)]
    #[case("0", 0)]
    #[case("12", 1200)]
    #[case("12.5", 1250)]
    #[case("12.05", 1205)]
    #[case(".5", 50)]
    #[case("1,200,000.00", 120_000_000)]
    #[case("１２", -1)]
    #[case("1.2.3", -1)]
    #[case(".", -1)]
    #[case("1e5", -1)]
    fn amounts(#[case] raw: &str, #[case] cents: i64) {
        match parse_amount(raw) {
            Ok(c) => assert_eq!(c, cents, "{raw}"),
            Err(_) => assert_eq!(cents, -1, "{raw} refused"),
        }
    }

    #[rstest]
    #[case("13812345678", "138******78")]
    #[case("138-1234-5678", "138-****-**78")]
    #[case("021 5888 1234", "021 **** **34")]
    #[case("58881234", "58****34")]
    #[case("1234", "****")]
    fn masking(#[case] phone: &str, #[case] masked: &str) {
        assert_eq!(mask_phone(phone), masked);
    }

    #[rstest]
    #[case("华为技术", "华为", "技术")]
    #[case("a", "a", "a")]
    #[case("acmetrading", "ac", "ng")]
    fn head_and_tail(#[case] key: &str, #[case] head: &str, #[case] tail: &str) {
        assert_eq!(name_head_tail(key), (head.to_string(), tail.to_string()));
    }
}
