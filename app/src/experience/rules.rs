//! How the experience pool is searched: text becomes search terms the same way
//! when it is stored and when it is asked for, and a result's text is marked
//! where the terms occur. Pure functions.
//!
//! Chinese is written without spaces, and SurrealDB's tokenizers keep a run of
//! Chinese characters as one token (its n-gram filters run when indexing, not on
//! the query). So the app makes the terms itself: each run of Chinese characters
//! becomes its single characters and its overlapping pairs (价格太高 → 价 格 太 高
//! 价格 格太 太高), every other word stays whole, lower case. A query of two or
//! more characters asks for the pairs only, so 价格太高 finds "价格太高了" and ranks
//! it above a text that only has 价格; a one-character query asks for that
//! character.

/// At most this many distinct terms are sent for one query (a long alarm text
/// searched for similar entries is cut here).
pub const MAX_QUERY_TERMS: usize = 48;

/// Whether `c` is a Chinese (Han) character.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// A run of one kind of character.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Run {
    Han(Vec<char>),
    Word(String),
}

fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut han: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_han = |han: &mut Vec<char>, out: &mut Vec<Run>| {
        if !han.is_empty() {
            out.push(Run::Han(std::mem::take(han)));
        }
    };
    let flush_word = |word: &mut String, out: &mut Vec<Run>| {
        if !word.is_empty() {
            out.push(Run::Word(std::mem::take(word)));
        }
    };
    for c in text.chars() {
        if is_han(c) {
            flush_word(&mut word, &mut out);
            han.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut han, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_han(&mut han, &mut out);
            flush_word(&mut word, &mut out);
        }
    }
    flush_han(&mut han, &mut out);
    flush_word(&mut word, &mut out);
    out
}

/// The searchable form of a stored text: space-separated terms (characters and
/// pairs of every Chinese run, other words whole, lower case).
pub fn index_terms(text: &str) -> String {
    let mut terms: Vec<String> = Vec::new();
    for run in runs(text) {
        match run {
            Run::Han(cs) => {
                terms.extend(cs.iter().map(|c| c.to_string()));
                terms.extend(cs.windows(2).map(|w| w.iter().collect::<String>()));
            }
            Run::Word(w) => terms.push(w),
        }
    }
    terms.join(" ")
}

/// The terms a query asks for, distinct, in order, at most [`MAX_QUERY_TERMS`].
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    let push = |t: String, terms: &mut Vec<String>| {
        if terms.len() < MAX_QUERY_TERMS && !terms.contains(&t) {
            terms.push(t);
        }
    };
    for run in runs(query) {
        match run {
            Run::Han(cs) if cs.len() == 1 => push(cs[0].to_string(), &mut terms),
            Run::Han(cs) => {
                for w in cs.windows(2) {
                    push(w.iter().collect(), &mut terms);
                }
            }
            Run::Word(w) => push(w, &mut terms),
        }
    }
    terms
}

/// How results are ranked: BM25 with its usual constants (k1 = 1.2, b = 0.75)
/// over the terms above, summed over the query's terms.
pub const K1: f64 = 1.2;
pub const B: f64 = 0.75;

/// BM25's term-frequency part: what `tf` occurrences weigh in an entry of
/// `len` terms when entries have `avg_len` terms on average.
pub fn impact(tf: u32, len: u32, avg_len: f64) -> f64 {
    if tf == 0 {
        return 0.0;
    }
    let tf = tf as f64;
    let norm = 1.0 - B + B * (len.max(1) as f64) / avg_len.max(1.0);
    tf * (K1 + 1.0) / (tf + K1 * norm)
}

/// How much a term tells: rare terms weigh more. `df` entries of `n` have it
/// (Lucene's form, never negative: a term in most entries still counts a little).
pub fn idf(df: usize, n: usize) -> f64 {
    let (df, n) = (df as f64, n.max(df) as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// A piece of a result's text, marked when it matches the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub hit: bool,
}

/// `text` cut into pieces, those covered by an occurrence of any term marked
/// (case-insensitive for letters).
pub fn highlight(text: &str, terms: &[String]) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let mut hit = vec![false; chars.len()];
    for term in terms {
        let t: Vec<char> = term.chars().collect();
        if t.is_empty() || t.len() > lower.len() {
            continue;
        }
        let word = !t.iter().any(|c| is_han(*c));
        for start in 0..=lower.len() - t.len() {
            if lower[start..start + t.len()] != t[..] {
                continue;
            }
            // a word matches whole words only ("price" not inside "prices" is fine,
            // but not inside "caprice")
            if word {
                let before = start.checked_sub(1).map(|i| lower[i]);
                let after = lower.get(start + t.len()).copied();
                let inside = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && !is_han(c));
                if inside(before) || inside(after) {
                    continue;
                }
            }
            hit[start..start + t.len()]
                .iter_mut()
                .for_each(|h| *h = true);
        }
    }
    let mut out: Vec<Piece> = Vec::new();
    for (c, h) in chars.into_iter().zip(hit) {
        match out.last_mut() {
            Some(p) if p.hit == h => p.text.push(c),
            _ => out.push(Piece {
                text: c.to_string(),
                hit: h,
            }),
        }
    }
    out
}

/// The part of `text` worth showing in a result list: about `max_chars`
/// characters starting a little before the first match (the start when none),
/// with "…" where it was cut.
pub fn snippet(text: &str, terms: &[String], max_chars: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max_chars {
        return text.to_string();
    }
    let first = highlight(text, terms)
        .iter()
        .scan(0usize, |pos, p| {
            let at = *pos;
            *pos += p.text.chars().count();
            Some((at, p.hit))
        })
        .find(|(_, hit)| *hit)
        .map(|(at, _)| at)
        .unwrap_or(0);
    let start = first
        .saturating_sub(max_chars / 4)
        .min(chars.len() - max_chars);
    let end = start + max_chars;
    let mut s = String::new();
    if start > 0 {
        s.push('…');
    }
    s.extend(&chars[start..end]);
    if end < chars.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("价格太高", "价 格 太 高 价格 格太 太高")]
    #[case("客户嫌贵", "客 户 嫌 贵 客户 户嫌 嫌贵")]
    #[case("Price too HIGH", "price too high")]
    #[case("ERP系统v2上线", "erp 系 统 系统 v2 上 线 上线")]
    #[case("价格，太高!", "价 格 价格 太 高 太高")]
    #[case("", "")]
    #[case("  ，。 ", "")]
    fn stored_text_becomes_terms(#[case] text: &str, #[case] expected: &str) {
        assert_eq!(index_terms(text), expected);
    }

    #[rstest]
    #[case("价格太高", &["价格", "格太", "太高"])]
    #[case("价", &["价"])]
    #[case("价格 价格", &["价格"])]
    #[case("Price 价格", &["price", "价格"])]
    #[case("ERP系统", &["erp", "系统"])]
    #[case("？！", &[])]
    fn queries_ask_for_pairs(#[case] q: &str, #[case] expected: &[&str]) {
        assert_eq!(query_terms(q), expected);
    }

    #[test]
    fn every_query_term_is_an_indexed_term_of_the_same_text() {
        for text in ["客户觉得我们的价格太高了", "ERP 系统 price", "价"] {
            let indexed: Vec<&str> = index_terms(text).leak().split(' ').collect();
            for t in query_terms(text) {
                assert!(indexed.contains(&t.as_str()), "{t} missing for {text}");
            }
        }
    }

    #[test]
    fn long_queries_are_cut() {
        let q: String = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥".repeat(5);
        let terms = query_terms(&q);
        assert!(terms.len() <= MAX_QUERY_TERMS);
        assert_eq!(terms[0], "甲乙");
    }

    fn marked(text: &str, q: &str) -> String {
        highlight(text, &query_terms(q))
            .into_iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text
                }
            })
            .collect()
    }

    #[rstest]
    #[case("客户觉得我们的价格太高了", "价格太高", "客户觉得我们的[价格太高]了")]
    #[case("价格可以谈，太高了不行", "价格太高", "[价格]可以谈，[太高]了不行")]
    #[case("The PRICE is high", "price", "The [PRICE] is high")]
    #[case("a caprice", "price", "a caprice")]
    #[case("prices", "price", "prices")]
    #[case("没有", "价格", "没有")]
    #[case("", "价格", "")]
    fn matches_are_marked(#[case] text: &str, #[case] q: &str, #[case] expected: &str) {
        assert_eq!(marked(text, q), expected);
    }

    #[rstest]
    #[case("短文本", "文本", 10, "短文本")]
    #[case(
        "一二三四五六七八九十价格太高一二三四五六七八九十",
        "价格",
        8,
        "…九十价格太高一二…"
    )]
    #[case("价格太高一二三四五六七八九十", "价格", 8, "价格太高一二三四…")]
    #[case("一二三四五六七八九十", "无关", 4, "一二三四…")]
    fn snippets_start_near_the_first_match(
        #[case] text: &str,
        #[case] q: &str,
        #[case] max: usize,
        #[case] expected: &str,
    ) {
        assert_eq!(snippet(text, &query_terms(q), max), expected);
    }

    #[rstest]
    #[case(1, 100, 1, 200, true)] // the same count weighs more in a shorter entry
    #[case(2, 200, 1, 200, true)] // more occurrences weigh more
    #[case(1, 200, 0, 200, true)] // an absent term weighs nothing
    #[case(1, 200, 1, 200, false)]
    fn impacts_grow_with_count_and_shrink_with_length(
        #[case] tf_a: u32,
        #[case] len_a: u32,
        #[case] tf_b: u32,
        #[case] len_b: u32,
        #[case] a_weighs_more: bool,
    ) {
        assert_eq!(
            impact(tf_a, len_a, 150.0) > impact(tf_b, len_b, 150.0),
            a_weighs_more
        );
        assert!(impact(1000, 1, 150.0) < K1 + 1.0, "bounded by k1 + 1");
    }

    #[rstest]
    #[case(1, 10)]
    #[case(10, 50_000)]
    #[case(50_000, 100_000)]
    fn rarer_terms_weigh_more(#[case] rare: usize, #[case] common: usize) {
        assert!(idf(rare, 100_000) > idf(common, 100_000));
        assert!(idf(common, 100_000) > 0.0);
        assert!(idf(100_000, 100_000) > 0.0);
    }
}
