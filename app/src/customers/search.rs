//! Finding a customer by a fragment, pure: what a search box's text means and
//! which terms a customer is found under.
//!
//! A customer is stored under the suffixes of its terms (its normalized name,
//! the pinyin initials and full pinyin of that name, its phones' digits, its
//! contacts' names), each cut to [`TERM_CHARS`] characters. A fragment anywhere
//! in a term is the start of one of its suffixes, so a search is a range scan of
//! one index from the fragment (`term >= q AND term < q + U+10FFFF`), never a
//! scan of the customers. [`matches`] applies the same meaning to a customer in
//! memory: the lists a rep reads (their own customers) are filtered that way.

use crate::customers::rules::{normalize_company_name, normalize_phone, to_half_width};
use pinyin::ToPinyinMulti;

/// Longest stored term: a longer fragment is looked up by its first
/// `TERM_CHARS` characters, and the customers found are checked whole.
pub const TERM_CHARS: usize = 16;
/// Fewest digits a phone fragment needs ("the last 4 digits").
pub const PHONE_MIN: usize = 4;
/// Fewest letters a pinyin fragment needs.
pub const PINYIN_MIN: usize = 2;
/// Readings kept per character with several (重庆 chóng / zhòng), and name
/// spellings kept in all: enough for the common 多音字 in company names
/// without multiplying the terms.
const READINGS_PER_CHAR: usize = 2;
const SPELLINGS_MAX: usize = 2;

/// What a search box's text is taken to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// Digits only: a fragment of any phone.
    Phone(String),
    /// Latin letters only: pinyin initials (`szrz`) or full pinyin (`suzhourunze`),
    /// or the Latin part of a name.
    Letters(String),
    /// Anything else: a fragment of the name or of a contact's name.
    Text(String),
}

/// Why a text is not searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryError {
    Empty,
    /// A phone fragment under [`PHONE_MIN`] digits or letters under [`PINYIN_MIN`]
    /// would return half the company.
    TooShort,
}

/// Lower-case letters and digits of any script, full-width folded: what terms
/// and queries are compared on.
fn compact(raw: &str) -> String {
    to_half_width(raw)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

pub fn parse_query(raw: &str) -> Result<Query, QueryError> {
    let s = compact(raw);
    if s.is_empty() {
        return Err(QueryError::Empty);
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return if s.len() >= PHONE_MIN {
            Ok(Query::Phone(s))
        } else {
            Err(QueryError::TooShort)
        };
    }
    if s.chars().all(|c| c.is_ascii_lowercase()) {
        return if s.len() >= PINYIN_MIN {
            Ok(Query::Letters(s))
        } else {
            Err(QueryError::TooShort)
        };
    }
    // a whole registered name finds its customer: company forms go as in the key
    let core = normalize_company_name(raw);
    Ok(Query::Text(if core.is_empty() { s } else { core }))
}

/// The index prefixes a query scans (each cut to [`TERM_CHARS`]).
pub fn prefixes(q: &Query) -> Vec<String> {
    let cut =
        |kind: &str, s: &str| format!("{kind}:{}", s.chars().take(TERM_CHARS).collect::<String>());
    match q {
        Query::Phone(d) => vec![cut("p", d)],
        // the Latin part of a name ("abc" in "ABC科技") is in its initials and full pinyin
        Query::Letters(l) => vec![cut("i", l), cut("f", l)],
        Query::Text(t) => vec![cut("n", t), cut("c", t)],
    }
}

/// The upper end of a prefix's range: every term starting with `prefix` sorts
/// below it.
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// What a customer is found by.
#[derive(Clone, Copy, Debug)]
pub struct Searchable<'a> {
    pub name: &'a str,
    pub phones: &'a [String],
    pub contacts: &'a [&'a str],
}

/// Units of a name for pinyin: each Han character with its readings, each
/// Latin letter or digit as itself (so "acmetrading" is found by "trading").
fn units(name_key: &str) -> Vec<Vec<String>> {
    name_key
        .chars()
        .filter_map(|c| {
            let mut readings: Vec<String> = Vec::new();
            for p in c.to_pinyin_multi().into_iter().flatten() {
                let plain = p.plain().to_string();
                if !readings.contains(&plain) {
                    readings.push(plain);
                }
            }
            readings.truncate(READINGS_PER_CHAR);
            if readings.is_empty() && c.is_ascii_alphanumeric() {
                readings.push(c.to_string());
            }
            // a character without pinyin (kana, a rare Han) is left out
            (!readings.is_empty()).then_some(readings)
        })
        .collect()
}

/// Up to [`SPELLINGS_MAX`] spellings of a name: every character in its first
/// (most common) reading, then every 多音字 in its next one (重庆长安 is
/// zhongqingzhangan and chongqingchangan). Terms grow with the spellings, not
/// with the product of the readings.
fn spellings(units: &[Vec<String>]) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    for k in 0..SPELLINGS_MAX {
        let s: Vec<&str> = units
            .iter()
            .map(|r| r[k.min(r.len().saturating_sub(1))].as_str())
            .collect();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Suffixes of a sequence of units, each joined and cut to [`TERM_CHARS`].
fn suffixes<'a>(kind: &str, parts: impl Iterator<Item = &'a str> + Clone, out: &mut Vec<String>) {
    let parts: Vec<&str> = parts.collect();
    for start in 0..parts.len() {
        let term: String = parts[start..].concat().chars().take(TERM_CHARS).collect();
        if !term.is_empty() {
            out.push(format!("{kind}:{term}"));
        }
    }
}

/// Every term a customer is stored under, sorted and without repeats.
pub fn terms(s: &Searchable) -> Vec<String> {
    let mut out = Vec::new();
    let name = name_of(s.name);
    let chars: Vec<String> = name.chars().map(String::from).collect();
    suffixes("n", chars.iter().map(String::as_str), &mut out);
    let units = units(&name);
    for spelling in spellings(&units) {
        // a Latin letter or digit is its own initial ("abc科技" → abckj)
        let initials: Vec<String> = spelling
            .iter()
            .map(|u| u.chars().next().map(String::from).unwrap_or_default())
            .collect();
        suffixes("i", initials.iter().map(String::as_str), &mut out);
        suffixes("f", spelling.iter().copied(), &mut out);
    }
    for phone in s.phones {
        if let Some(digits) = normalize_phone(phone) {
            let ds: Vec<String> = digits.chars().map(String::from).collect();
            let mut all = Vec::new();
            suffixes("p", ds.iter().map(String::as_str), &mut all);
            out.extend(all.into_iter().filter(|t| t.len() >= 2 + PHONE_MIN));
        }
    }
    for contact in s.contacts {
        let chars: Vec<String> = compact(contact).chars().map(String::from).collect();
        suffixes("c", chars.iter().map(String::as_str), &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// Is this customer found by `q`? The same meaning as the index (a fragment
/// of one of its terms), checked on the whole strings without building the
/// terms: what a rep's own list is filtered with.
pub fn matches(s: &Searchable, q: &Query) -> bool {
    match q {
        Query::Phone(d) => s
            .phones
            .iter()
            .filter_map(|p| normalize_phone(p))
            .any(|p| p.contains(d.as_str())),
        Query::Text(t) => {
            name_of(s.name).contains(t.as_str())
                || s.contacts.iter().any(|c| compact(c).contains(t.as_str()))
        }
        Query::Letters(l) => {
            let units = units(&name_of(s.name));
            spellings(&units).iter().any(|sp| {
                let initials: String = sp.iter().filter_map(|u| u.chars().next()).collect();
                // full pinyin from a syllable's start ("runze", not "unze")
                initials.contains(l.as_str())
                    || (0..sp.len()).any(|i| sp[i..].concat().starts_with(l.as_str()))
            })
        }
    }
}

/// [`matches`] for a customer whose phones the searcher may not read (the
/// pool): a phone query finds it by the whole number only, as the duplicate
/// check would, so hidden digits cannot be probed a few at a time.
pub fn matches_masked(s: &Searchable, q: &Query) -> bool {
    match q {
        Query::Phone(d) => s
            .phones
            .iter()
            .filter_map(|p| normalize_phone(p))
            .any(|p| p == *d),
        _ => matches(s, q),
    }
}

/// The name a customer is found by: its key (company forms dropped), or the
/// compacted name when the key is empty.
fn name_of(name: &str) -> String {
    let core = normalize_company_name(name);
    if core.is_empty() {
        compact(name)
    } else {
        core
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("", Err(QueryError::Empty))]
    #[case("  ·-", Err(QueryError::Empty))]
    #[case("1234", Ok(Query::Phone("1234".into())))]
    // spaces and dashes in a typed number go; full-width digits fold
    #[case("138-0013 8000", Ok(Query::Phone("13800138000".into())))]
    #[case("１２３４", Ok(Query::Phone("1234".into())))]
    #[case("123", Err(QueryError::TooShort))]
    #[case("SZRZ", Ok(Query::Letters("szrz".into())))]
    #[case("su zhou", Ok(Query::Letters("suzhou".into())))]
    #[case("s", Err(QueryError::TooShort))]
    #[case("润泽", Ok(Query::Text("润泽".into())))]
    #[case("润", Ok(Query::Text("润".into())))]
    // a whole registered name is looked up by its key
    #[case("苏州润泽科技有限公司", Ok(Query::Text("苏州润泽科技".into())))]
    #[case("ABC科技", Ok(Query::Text("abc科技".into())))]
    // only a company form: searched as typed, not refused
    #[case("有限公司", Ok(Query::Text("有限公司".into())))]
    fn queries(#[case] raw: &str, #[case] expected: Result<Query, QueryError>) {
        assert_eq!(parse_query(raw), expected);
    }

    fn found(name: &str, phones: &[&str], contacts: &[&str], q: &str) -> bool {
        let phones: Vec<String> = phones.iter().map(|p| p.to_string()).collect();
        let s = Searchable {
            name,
            phones: &phones,
            contacts,
        };
        let q = parse_query(q).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        // the index and the in-memory check agree
        let by_terms = prefixes(&q).iter().any(|p| {
            let end = prefix_end(p);
            terms(&s)
                .iter()
                .any(|t| t.as_str() >= p.as_str() && t.as_str() < end.as_str())
        });
        let whole = matches(&s, &q);
        if q_len(&q) <= TERM_CHARS {
            assert_eq!(by_terms, whole, "index and memory disagree on {q:?}");
        }
        whole
    }

    fn q_len(q: &Query) -> usize {
        match q {
            Query::Phone(s) | Query::Letters(s) | Query::Text(s) => s.chars().count(),
        }
    }

    #[rstest]
    // name fragments, anywhere
    #[case("苏州润泽科技有限公司", "润泽", true)]
    #[case("苏州润泽科技有限公司", "苏州", true)]
    #[case("苏州润泽科技有限公司", "科技", true)]
    #[case("苏州润泽科技有限公司", "苏州润泽科技有限公司", true)]
    #[case("苏州润泽科技有限公司", "润科", false)]
    // pinyin initials and full pinyin, from the start or inside
    #[case("苏州润泽科技有限公司", "szrz", true)]
    #[case("苏州润泽科技有限公司", "rzkj", true)]
    #[case("苏州润泽科技有限公司", "suzhourunze", true)]
    #[case("苏州润泽科技有限公司", "runze", true)]
    #[case("苏州润泽科技有限公司", "SuZhou", true)]
    #[case("苏州润泽科技有限公司", "zrs", false)]
    #[case("苏州润泽科技有限公司", "shanghai", false)]
    // a 多音字: 重庆 is chóngqìng, and the first reading (zhòng) is kept too
    #[case("重庆长安汽车", "cqca", true)]
    #[case("重庆长安汽车", "chongqing", true)]
    #[case("重庆长安汽车", "changan", true)]
    // Latin names and mixed ones
    #[case("ABC科技有限公司", "abc", true)]
    #[case("ABC科技有限公司", "abckj", true)]
    #[case("ABC科技有限公司", "abc科技", true)]
    #[case("Acme Trading Co., Ltd.", "trading", true)]
    #[case("Acme Trading Co., Ltd.", "acme", true)]
    fn by_name(#[case] name: &str, #[case] q: &str, #[case] hit: bool) {
        assert_eq!(found(name, &[], &[], q), hit, "{name} / {q}");
    }

    #[rstest]
    // the last 4 digits, the first ones, the middle; typed with spaces
    #[case(&["13812345678"], "5678", true)]
    #[case(&["13812345678"], "1381", true)]
    #[case(&["13812345678"], "2345", true)]
    #[case(&["138 1234 5678"], "3456", true)]
    #[case(&["13812345678"], "138 1234 5678", true)]
    #[case(&["13812345678"], "8765", false)]
    // a second phone; a landline with an extension is found by its main number
    #[case(&["13800000000", "021-5888-1234"], "1234", true)]
    #[case(&["021 5888 1234 转 808"], "58881234", true)]
    // +86 is not part of the number
    #[case(&["+86 138 1234 5678"], "8613", false)]
    fn by_phone(#[case] phones: &[&str], #[case] q: &str, #[case] hit: bool) {
        assert_eq!(found("某公司", phones, &[], q), hit, "{phones:?} / {q}");
    }

    #[rstest]
    #[case(&["王建国"], "建国", true)]
    #[case(&["王建国", "李娜"], "李娜", true)]
    #[case(&["王建国"], "李", false)]
    fn by_contact(#[case] contacts: &[&str], #[case] q: &str, #[case] hit: bool) {
        assert_eq!(found("某公司", &[], contacts, q), hit);
    }

    #[rstest]
    #[case("5678", false)]
    #[case("13812345678", true)]
    #[case("138 1234 5678", true)]
    fn masked_phones_are_found_by_the_whole_number_only(#[case] q: &str, #[case] hit: bool) {
        let phones = vec!["13812345678".to_string()];
        let s = Searchable {
            name: "某公司",
            phones: &phones,
            contacts: &[],
        };
        let q = parse_query(q).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(matches_masked(&s, &q), hit);
        assert!(matches(&s, &q));
    }

    #[test]
    fn long_fragments_are_checked_whole() {
        let name = "上海浦东新区张江高科技园区国际软件开发中心有限公司";
        assert!(found(name, &[], &[], "浦东新区张江高科技园区国际软件开发"));
        assert!(!found(name, &[], &[], "浦东新区张江高科技园区国际硬件开发"));
        // the index finds it by the first 16 characters; the check keeps it
        let q = parse_query("浦东新区张江高科技园区国际软件开发").unwrap();
        assert_eq!(prefixes(&q)[0].chars().count(), 2 + TERM_CHARS);
    }

    #[test]
    fn terms_stay_few() {
        let phones = vec!["13812345678".to_string(), "02158881234".to_string()];
        let s = Searchable {
            name: "苏州润泽科技有限公司",
            phones: &phones,
            contacts: &["王建国", "李娜"],
        };
        let t = terms(&s);
        // 6 name suffixes, initials and full pinyin in two spellings (技 reads jì
        // or qí) 2 × (6 + 6), 8 + 8 phone and 3 + 2 contact suffixes
        assert_eq!(t.len(), 51, "{t:?}");
        assert!(t.iter().all(|x| x.chars().count() <= 2 + TERM_CHARS));
        // a 多音字-heavy name stays within the spelling cap
        let s = Searchable {
            name: "重庆长乐银行厦门行",
            phones: &[],
            contacts: &[],
        };
        assert!(
            terms(&s).len() <= 9 + 2 * SPELLINGS_MAX * 9,
            "{}",
            terms(&s).len()
        );
    }
}
