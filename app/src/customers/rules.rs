//! Pure rules for telling whether two registrations are the same company.
//!
//! The normalized name and each normalized phone become unique keys in the
//! database, so two reps registering the same company race on the index and
//! exactly one wins.

use std::collections::HashSet;

/// Company-form suffixes removed from the end of a Chinese name, longest first.
const ZH_SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团股份公司",
    "有限公司",
    "集团公司",
    "分公司",
    "集团",
    "公司",
];

/// Company-form words removed from the end of an English name (whole words only,
/// so "Costco" keeps its "co").
const EN_SUFFIXES: &[&str] = &[
    "co",
    "company",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "llc",
    "group",
    "plc",
    "gmbh",
];

/// Region markers in brackets, e.g. 耐克(中国)有限公司.
const REGION_MARKERS: &[&str] = &["(中国)", "(china)", "(中国大陆)", "(prc)"];

/// Full-width forms (ＡＢＣ１２３（）) to their ASCII equivalents, ideographic space to space.
pub fn to_half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The key two registrations of one company share: half-width, lower-case,
/// region markers and company-form suffixes removed, then only letters and digits
/// (any script) kept. Returns an empty string for a name with no letters or digits
/// and for a name that is nothing but company forms (有限公司, (中国)有限责任公司,
/// Co., Ltd.): it names no company, so it cannot be a key.
pub fn normalize_company_name(raw: &str) -> String {
    let mut s = to_half_width(raw).to_lowercase();
    for marker in REGION_MARKERS {
        s = s.replace(marker, "");
    }
    // English company forms are whole trailing words: "Acme Trading Co., Ltd."
    let mut words: Vec<&str> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().all(|w| EN_SUFFIXES.contains(w)) {
        return String::new();
    }
    while words.len() > 1 && words.last().is_some_and(|w| EN_SUFFIXES.contains(w)) {
        words.pop();
    }
    let mut compact: String = words.concat();
    // Chinese company forms are trailing substrings: 华为技术有限公司, 海尔集团公司.
    while !ZH_SUFFIXES.contains(&compact.as_str()) {
        let stem = ZH_SUFFIXES
            .iter()
            .find_map(|suffix| compact.strip_suffix(suffix).filter(|stem| !stem.is_empty()));
        match stem {
            Some(stem) => compact = stem.to_string(),
            None => break,
        }
    }
    if ZH_SUFFIXES.contains(&compact.as_str()) {
        return String::new();
    }
    compact
}

/// Words that start an extension: "021 5888 1234 转 808" is 02158881234.
const EXTENSION_MARKERS: &[&str] = &["转", "分机", "ext", "x", "#"];

/// Digits only, with the China country code (+86 / 0086) and any extension
/// removed. `None` when fewer than 5 digits remain: not a phone number.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let half = to_half_width(raw).to_lowercase();
    let main = EXTENSION_MARKERS
        .iter()
        .filter_map(|m| half.find(m))
        .min()
        .map_or(half.as_str(), |cut| &half[..cut]);
    let trimmed = main.trim_start();
    let mut digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let mut international = false;
    if let Some(rest) = digits.strip_prefix("0086") {
        digits = rest.to_string();
        international = true;
    } else if trimmed.starts_with('+') {
        if let Some(rest) = digits.strip_prefix("86") {
            digits = rest.to_string();
            international = true;
        }
    } else if digits.len() == 13 && digits.starts_with("861") {
        // 86 13800138000: a mobile number written with the bare country code
        digits = digits[2..].to_string();
    }
    // +86 21 5888 1234 is the landline dialled at home as 021 5888 1234: put the
    // trunk 0 back (mobile numbers are 11 digits starting with 1).
    let mobile = digits.len() == 11 && digits.starts_with('1');
    if international && !mobile && !digits.starts_with('0') && digits.len() >= 5 {
        digits.insert(0, '0');
    }
    (digits.len() >= 5).then_some(digits)
}

fn bigrams(s: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Dice coefficient of character bigrams of two normalized names, in 0.0..=1.0.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let shared = x.intersection(&y).count() as f64;
    2.0 * shared / (x.len() + y.len()) as f64
}

/// At or above this similarity a different name is shown as a near match.
/// Cards a customer list shows before "show more", and the most it shows at once.
pub const LIST_PAGE: usize = 50;
pub const LIST_MAX: usize = 500;

/// How many cards a list shows when `asked` for (0: one page).
pub fn list_rows(asked: u32) -> usize {
    (asked as usize).clamp(LIST_PAGE, LIST_MAX)
}

pub const NEAR_MATCH_THRESHOLD: f64 = 0.6;

/// A near match (not identical): similar enough that the rep must confirm it is a
/// different company, or one name contains the other (at least 3 characters).
pub fn is_near_match(a: &str, b: &str) -> bool {
    if a == b || a.is_empty() || b.is_empty() {
        return false;
    }
    let contained =
        (a.chars().count() >= 3 && b.contains(a)) || (b.chars().count() >= 3 && a.contains(b));
    contained || name_similarity(a, b) >= NEAR_MATCH_THRESHOLD
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("华为技术有限公司", "华为技术")]
    #[case("华为技术有限责任公司", "华为技术")]
    #[case("华为技术股份有限公司", "华为技术")]
    #[case(" 华为技术 有限公司 ", "华为技术")]
    #[case("华为技术公司", "华为技术")]
    #[case("海尔集团", "海尔")]
    #[case("海尔集团公司", "海尔")]
    #[case("海尔集团有限公司", "海尔")]
    #[case("耐克(中国)有限公司", "耐克")]
    #[case("耐克（中国）有限公司", "耐克")]
    #[case("深圳市腾讯计算机系统有限公司", "深圳市腾讯计算机系统")]
    #[case("北京字节跳动科技有限公司北京分公司", "北京字节跳动科技有限公司北京")]
    #[case("ＡＢＣ贸易有限公司", "abc贸易")]
    #[case("ABC贸易有限公司", "abc贸易")]
    #[case("abc 贸易 有限 公司", "abc贸易")]
    #[case("Acme Trading Co., Ltd.", "acmetrading")]
    #[case("ACME TRADING CO LTD", "acmetrading")]
    #[case("Acme Trading Company Limited", "acmetrading")]
    #[case("Acme Trading Inc.", "acmetrading")]
    #[case("Acme Trading Corp", "acmetrading")]
    #[case("Acme-Trading, LLC", "acmetrading")]
    #[case("Ａｃｍｅ　Ｔｒａｄｉｎｇ", "acmetrading")]
    #[case("Costco", "costco")]
    #[case("Costco Co., Ltd.", "costco")]
    #[case("Nike (China) Co., Ltd.", "nike")]
    #[case("3M中国有限公司", "3m中国")]
    #[case("上海·东方明珠(集团)股份有限公司", "上海东方明珠")]
    #[case("“新希望”集团", "新希望")]
    #[case("有限公司", "")]
    #[case("公司", "")]
    #[case("（中国）有限责任公司", "")]
    #[case("有限公司有限公司", "")]
    #[case("Group", "")]
    #[case("Co., Ltd.", "")]
    #[case("Trading Co", "trading")]
    #[case("!!!", "")]
    #[case("", "")]
    fn company_names(#[case] raw: &str, #[case] expected: &str) {
        assert_eq!(normalize_company_name(raw), expected, "{raw}");
    }

    #[rstest]
    #[case("13800138000", Some("13800138000"))]
    #[case("138 0013 8000", Some("13800138000"))]
    #[case("138-0013-8000", Some("13800138000"))]
    #[case("+86 138 0013 8000", Some("13800138000"))]
    #[case("+86-13800138000", Some("13800138000"))]
    #[case("008613800138000", Some("13800138000"))]
    #[case("0086 138 0013 8000", Some("13800138000"))]
    #[case("86 13800138000", Some("13800138000"))]
    #[case("１３８００１３８０００", Some("13800138000"))]
    #[case("(010) 6552-9988", Some("01065529988"))]
    #[case("010-65529988", Some("01065529988"))]
    #[case("+86 10 6552 9988", Some("01065529988"))]
    #[case("+86 21 5888 1234", Some("02158881234"))]
    #[case("0086-21-58881234", Some("02158881234"))]
    #[case("+1 415 555 0100", Some("14155550100"))]
    #[case("021 5888 1234 转 808", Some("02158881234"))]
    #[case("021-5888-1234 ext. 808", Some("02158881234"))]
    #[case("021 5888 1234#808", Some("02158881234"))]
    #[case("1234", None)]
    #[case("call me", None)]
    #[case("", None)]
    fn phones(#[case] raw: &str, #[case] expected: Option<&str>) {
        assert_eq!(normalize_phone(raw).as_deref(), expected, "{raw}");
    }

    #[rstest]
    #[case("华为技术", "华为技术", false)]
    #[case("华为技术", "华为科技", false)]
    #[case("深圳华为技术", "华为技术", true)]
    #[case("acmetrading", "acmetradings", true)]
    #[case("阿里巴巴网络技术", "阿里巴巴网络科技", true)]
    #[case("腾讯", "阿里", false)]
    #[case("abc贸易", "xyz物流", false)]
    #[case("", "华为", false)]
    fn near_matches(#[case] a: &str, #[case] b: &str, #[case] near: bool) {
        assert_eq!(
            is_near_match(a, b),
            near,
            "{a} ~ {b}: {}",
            name_similarity(a, b)
        );
    }

    #[test]
    fn similarity_is_symmetric_and_bounded() {
        let names = ["华为技术", "华为科技", "acmetrading", "a", "", "腾讯计算机"];
        for a in names {
            for b in names {
                let s = name_similarity(a, b);
                assert!((0.0..=1.0).contains(&s));
                assert_eq!(s, name_similarity(b, a));
            }
        }
    }

    #[rstest]
    #[case(0, LIST_PAGE)]
    #[case(49, LIST_PAGE)]
    #[case(100, 100)]
    #[case(u32::MAX, LIST_MAX)]
    fn a_list_shows_a_page_and_more_on_request_up_to_a_limit(
        #[case] asked: u32,
        #[case] rows: usize,
    ) {
        assert_eq!(list_rows(asked), rows);
    }
}
