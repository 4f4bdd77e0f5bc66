//! The experience pool's search index: for every term, which entries have it
//! and how often, held in each app server's memory. The database stays the
//! only store: entries are written there and never changed, and the service
//! adds the ones an index has not seen before each search (`service::synced`),
//! so every app server answers from everything committed.
//!
//! Why not SurrealDB's FULLTEXT index: it scores every entry a word matches
//! before sorting, and a common word (价格 in a third of the pool) took 385 ms at
//! 20,000 entries (bench `team search`, schema 8). Keeping a posting row per
//! entry and term in the database instead made writing an entry 20 times
//! slower than the FULLTEXT index (measured on the SurrealDB server). In memory
//! a query walks its terms' lists once: exact BM25 over the whole pool.
//!
//! Pure: no I/O here.

use crate::experience::rules::{idf, impact};
use std::collections::{HashMap, HashSet};

/// One indexed entry.
#[derive(Debug, Clone)]
struct Doc {
    id: String,
    /// How many terms it has (BM25's length).
    len: u32,
    stage: u32,
    industry: u32,
    /// When it was written (ms since the epoch): newer first among equals.
    at: i64,
}

/// Which entries have a term, and how often (kept apart: 5 bytes a posting).
#[derive(Debug, Clone, Default)]
struct List {
    docs: Vec<u32>,
    tfs: Vec<u8>,
}

/// A found entry and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub id: String,
    pub score: f64,
    /// Whether it has every term asked for.
    pub all: bool,
}

#[derive(Debug, Default)]
pub struct Index {
    terms: HashMap<String, u32>,
    lists: Vec<List>,
    docs: Vec<Doc>,
    ids: HashSet<String>,
    /// Stage and industry names, numbered.
    labels: HashMap<String, u32>,
    total_len: u64,
    newest: i64,
}

impl Index {
    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// When the newest entry it holds was written (ms since the epoch).
    pub fn newest(&self) -> Option<i64> {
        (!self.docs.is_empty()).then_some(self.newest)
    }

    fn label(&mut self, name: &str) -> u32 {
        let next = self.labels.len() as u32;
        *self.labels.entry(name.to_string()).or_insert(next)
    }

    /// Adds an entry whose searchable form is `grams` (`rules::index_terms`);
    /// an entry already held is left as it is.
    pub fn add(&mut self, id: &str, grams: &str, stage: &str, industry: &str, at: i64) {
        if self.ids.contains(id) {
            return;
        }
        let doc = self.docs.len() as u32;
        let mut counts: HashMap<&str, u32> = HashMap::new();
        let mut len = 0u32;
        for t in grams.split_whitespace() {
            *counts.entry(t).or_default() += 1;
            len += 1;
        }
        for (t, tf) in counts {
            let next = self.lists.len() as u32;
            let term = *self.terms.entry(t.to_string()).or_insert(next);
            if term == next {
                self.lists.push(List::default());
            }
            let list = &mut self.lists[term as usize];
            list.docs.push(doc);
            list.tfs.push(tf.min(u8::MAX as u32) as u8);
        }
        let (stage, industry) = (self.label(stage), self.label(industry));
        self.docs.push(Doc {
            id: id.to_string(),
            len,
            stage,
            industry,
            at,
        });
        self.ids.insert(id.to_string());
        self.total_len += len as u64;
        self.newest = self.newest.max(at);
    }

    /// The best `limit` entries for `terms` among those at `stage` in
    /// `industry` (either empty: any): entries with every term first, then
    /// those with some, each part by BM25 score, equal scores newest first.
    pub fn search(
        &self,
        terms: &[String],
        stage: &str,
        industry: &str,
        limit: usize,
    ) -> Vec<Found> {
        let label = |name: &str| -> Option<Option<u32>> {
            if name.is_empty() {
                Some(None)
            } else {
                self.labels.get(name).map(|l| Some(*l))
            }
        };
        let (Some(stage), Some(industry)) = (label(stage), label(industry)) else {
            return Vec::new(); // nothing was ever filed under that name
        };
        let mut wanted: Vec<&List> = Vec::new();
        let mut asked = 0usize;
        let mut seen: HashSet<&str> = HashSet::new();
        for t in terms {
            if !seen.insert(t.as_str()) {
                continue;
            }
            asked += 1;
            if let Some(&i) = self.terms.get(t) {
                wanted.push(&self.lists[i as usize]);
            }
        }
        let n = self.docs.len();
        if wanted.is_empty() || n == 0 || limit == 0 {
            return Vec::new();
        }
        let avg_len = self.total_len as f64 / n as f64;
        let mut score = vec![0f64; n];
        let mut has = vec![0u8; n];
        let mut touched: Vec<u32> = Vec::new();
        for list in wanted {
            let w = idf(list.docs.len(), n);
            for (&d, &tf) in list.docs.iter().zip(&list.tfs) {
                let doc = &self.docs[d as usize];
                if stage.is_some_and(|s| s != doc.stage)
                    || industry.is_some_and(|i| i != doc.industry)
                {
                    continue;
                }
                if has[d as usize] == 0 {
                    touched.push(d);
                }
                has[d as usize] = has[d as usize].saturating_add(1);
                score[d as usize] += w * impact(tf as u32, doc.len, avg_len);
            }
        }
        let all = |d: u32| has[d as usize] as usize >= asked;
        let better = |a: &u32, b: &u32| {
            all(*b)
                .cmp(&all(*a))
                .then(score[*b as usize].total_cmp(&score[*a as usize]))
                .then(self.docs[*b as usize].at.cmp(&self.docs[*a as usize].at))
                .then(self.docs[*a as usize].id.cmp(&self.docs[*b as usize].id))
        };
        if touched.len() > limit {
            touched.select_nth_unstable_by(limit - 1, better);
            touched.truncate(limit);
        }
        touched.sort_unstable_by(better);
        touched
            .into_iter()
            .map(|d| Found {
                id: self.docs[d as usize].id.clone(),
                score: score[d as usize],
                all: all(d),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experience::rules::{index_terms, query_terms};

    fn index(entries: &[(&str, &str, &str, i64)]) -> Index {
        let mut ix = Index::default();
        for (i, (text, stage, industry, at)) in entries.iter().enumerate() {
            ix.add(&format!("e{i}"), &index_terms(text), stage, industry, *at);
        }
        ix
    }

    fn ids(ix: &Index, q: &str, stage: &str, industry: &str) -> Vec<String> {
        ix.search(&query_terms(q), stage, industry, 10)
            .into_iter()
            .map(|f| f.id)
            .collect()
    }

    #[test]
    fn the_whole_phrase_ranks_above_part_of_it() {
        let ix = index(&[
            ("价格还可以再谈", "", "", 1),
            ("客户觉得我们的价格太高了", "", "", 2),
            ("交货期太长", "", "", 3),
            ("决策人出差", "", "", 4),
        ]);
        let found = ix.search(&query_terms("价格太高"), "", "", 10);
        assert_eq!(found[0].id, "e1");
        assert!(found[0].all);
        assert_eq!(found[1].id, "e0");
        assert!(!found[1].all);
        assert!(found[0].score > found[1].score);
        // 交货期太长 has 太 but not the pair 太高 nor 价格 … only pairs are asked
        assert!(!found.iter().any(|f| f.id == "e3"));
    }

    #[rstest::rstest]
    #[case("价格", "", "", &["e1", "e2", "e0"])] // shorter and more often first
    #[case("价格", "初步接触", "", &["e1", "e0"])]
    #[case("价格", "", "软件", &["e2"])]
    #[case("价格", "没有这个阶段", "", &[])]
    #[case("ERP", "", "", &["e3"])]
    #[case("erp", "", "", &["e3"])]
    #[case("合同", "", "", &[])]
    #[case("", "", "", &[])]
    fn filters_and_words(
        #[case] q: &str,
        #[case] stage: &str,
        #[case] industry: &str,
        #[case] expected: &[&str],
    ) {
        let ix = index(&[
            (
                "客户说价格高，我们的方案和服务都要再准备",
                "初步接触",
                "制造",
                1,
            ),
            ("价格价格", "初步接触", "制造", 2),
            ("价格可以谈，付款方式再说", "报价", "软件", 3),
            ("ERP system", "报价", "软件", 4),
        ]);
        assert_eq!(ids(&ix, q, stage, industry), expected);
    }

    #[test]
    fn equal_scores_show_the_newest_first_and_the_page_is_cut() {
        let ix = index(&[
            ("价格", "", "", 1),
            ("价格", "", "", 3),
            ("价格", "", "", 2),
        ]);
        assert_eq!(ids(&ix, "价格", "", ""), ["e1", "e2", "e0"]);
        assert_eq!(ix.search(&query_terms("价格"), "", "", 2).len(), 2);
    }

    #[test]
    fn an_entry_is_added_once() {
        let mut ix = Index::default();
        ix.add("a", &index_terms("价格"), "", "", 5);
        ix.add("a", &index_terms("价格"), "", "", 9);
        assert_eq!(ix.len(), 1);
        assert_eq!(ix.newest(), Some(5));
        assert!(ix.contains("a"));
        assert_eq!(ix.search(&query_terms("价格"), "", "", 10).len(), 1);
        assert_eq!(Index::default().newest(), None);
    }

    #[test]
    fn a_rare_term_outweighs_a_common_one() {
        let mut entries: Vec<(&str, &str, &str, i64)> = vec![("客户 预算", "", "", 0)];
        entries.extend(std::iter::repeat_n(("客户", "", "", 0), 20));
        entries.push(("预算", "", "", 0));
        let ix = index(&entries);
        // "客户 预算" has both; of the rest, the one with the rare word comes next
        let found = ix.search(&query_terms("客户 预算"), "", "", 3);
        assert_eq!(found[0].id, "e0");
        assert_eq!(found[1].id, "e21");
    }
}
