//! Keeping a customer's file current, pure. Seed 001 §4: once entered, a rep
//! may not alter or delete a customer's data alone (an invented prospect cannot
//! be quietly rewritten). So adding is free, correcting a registered fact is a
//! request a manager decides, and a manager's own correction applies at once.
//! Every change is kept as before → after, by whom and when.

use crate::auth::model::Role;
use crate::customers::input::{parse_amount, split_phones, FieldRefusal, PHONES_MAX};
use crate::customers::lock::{can_see, Standing, Viewer};
use crate::customers::model::Status;
use crate::customers::rules::{normalize_company_name, normalize_phone};
use crate::text::{clean_field, Shape};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A registered fact that is corrected, not added to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    Name,
    /// The whole list of phones (adding one more is free: `add_phone`).
    Phones,
    Industry,
    Region,
    Address,
    Source,
    Size,
}

impl Fact {
    pub const ALL: [Fact; 7] = [
        Fact::Name,
        Fact::Phones,
        Fact::Industry,
        Fact::Region,
        Fact::Address,
        Fact::Source,
        Fact::Size,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Fact::Name => "name",
            Fact::Phones => "phones",
            Fact::Industry => "industry",
            Fact::Region => "region",
            Fact::Address => "address",
            Fact::Source => "source",
            Fact::Size => "size",
        }
    }

    pub fn parse(s: &str) -> Option<Fact> {
        Fact::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// A changed name or phone is checked for duplicates like a registration.
    pub fn keyed(self) -> bool {
        matches!(self, Fact::Name | Fact::Phones)
    }
}

/// What a person may do with a correction of a registered fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correct {
    /// Nothing (read-only, or not theirs).
    #[default]
    No,
    /// It becomes a request that a manager approves or refuses.
    Request,
    /// It applies at once (a manager, the boss).
    Apply,
}

/// The viewer's rights on one customer's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FileRights {
    /// Contacts, phones, notes, the position, the amount and the close date.
    pub add: bool,
    pub correct: Correct,
    /// Approve or refuse others' correction requests.
    pub decide: bool,
}

/// Who may keep the file: the owner adds and asks for corrections (applies them
/// when a manager or the boss owns it); the managers above the customer's
/// department and the boss add, correct and decide requests. The pool and lost
/// customers are read-only; nobody edits what they may not see.
pub fn file_rights(viewer: &Viewer, c: &Standing) -> FileRights {
    let open = matches!(c.status, Status::Draft | Status::Owned | Status::Held);
    if !open || !can_see(viewer, c) {
        return FileRights::default();
    }
    // past `can_see`, a rep is the owner; anyone else oversees the customer
    let rep = viewer.role == Role::Rep;
    FileRights {
        add: true,
        correct: if rep {
            Correct::Request
        } else {
            Correct::Apply
        },
        decide: !rep,
    }
}

/// May `viewer` decide a request made by `requester`? Someone above the
/// customer, never the requester.
pub fn may_decide(viewer: &Viewer, c: &Standing, requester: &str) -> bool {
    file_rights(viewer, c).decide && viewer.id != requester
}

/// A corrected value that passed validation: what is shown and stored, and the
/// duplicate keys it takes (a name's key, or each phone's).
#[derive(Clone, Debug, PartialEq)]
pub struct NewValue {
    pub shown: String,
    pub phones: Vec<String>,
    pub keys: Vec<String>,
}

fn line(field: &'static str, raw: &str, max: usize) -> Result<String, FieldRefusal> {
    clean_field(field, raw, Shape::line(max))
}

/// The phones typed in a field: shown as typed, each once by its key.
pub fn phone_list(
    field: &'static str,
    raw: &str,
) -> Result<(Vec<String>, Vec<String>), FieldRefusal> {
    let raw = clean_field(field, raw, Shape::lines(400))?;
    let parts: Vec<&str> = split_phones(&raw).collect();
    if parts.len() > PHONES_MAX {
        return Err((field, "too_many_phones"));
    }
    let (mut shown, mut keys) = (Vec::new(), Vec::<String>::new());
    for p in parts {
        if p.chars().count() > 40 {
            return Err((field, "phone_invalid"));
        }
        let key = normalize_phone(p).ok_or((field, "phone_invalid"))?;
        if !keys.contains(&key) {
            keys.push(key);
            shown.push(p.to_string());
        }
    }
    Ok((shown, keys))
}

/// Checks a correction's new value, as registration checks the field. The
/// refusal names the form's `value` field.
pub fn parse_fact(fact: Fact, raw: &str) -> Result<NewValue, FieldRefusal> {
    let plain = |max| {
        line("value", raw, max).map(|shown| NewValue {
            shown,
            phones: Vec::new(),
            keys: Vec::new(),
        })
    };
    match fact {
        Fact::Name => {
            let name = line("value", raw, crate::customers::input::NAME_MAX)?;
            if name.is_empty() {
                return Err(("value", "required"));
            }
            let key = normalize_company_name(&name);
            if key.is_empty() {
                return Err(("value", "name_invalid"));
            }
            Ok(NewValue {
                shown: name,
                phones: Vec::new(),
                keys: vec![key],
            })
        }
        Fact::Phones => {
            let (phones, keys) = phone_list("value", raw)?;
            if phones.is_empty() {
                return Err(("value", "phone_required"));
            }
            Ok(NewValue {
                shown: phones.join(", "),
                phones,
                keys,
            })
        }
        Fact::Address => plain(200),
        Fact::Industry | Fact::Region | Fact::Source | Fact::Size => plain(100),
    }
}

/// The keys a correction takes that the customer does not hold already (only
/// those are checked for duplicates and created).
pub fn new_keys(held: &[String], wanted: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter(|k| !held.contains(k))
        .cloned()
        .collect()
}

/// A contact as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactInput {
    pub name: String,
    pub title: String,
    pub phones: String,
    /// E-mail or WeChat id.
    pub reach: String,
    pub decision_maker: bool,
    pub birthday: String,
    pub notes: String,
}

/// A contact that passed validation.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidContact {
    pub name: String,
    pub title: String,
    pub phones: Vec<String>,
    pub phone_keys: Vec<String>,
    pub reach: String,
    pub decision_maker: bool,
    pub birthday: Option<NaiveDate>,
    pub notes: String,
}

pub fn parse_contact(c: &ContactInput) -> Result<ValidContact, FieldRefusal> {
    let name = line("name", &c.name, 100)?;
    if name.is_empty() {
        return Err(("name", "required"));
    }
    let title = line("title", &c.title, 100)?;
    let (phones, phone_keys) = phone_list("phones", &c.phones)?;
    let reach = line("reach", &c.reach, 100)?;
    let birthday = match c.birthday.trim() {
        "" => None,
        b => Some(
            NaiveDate::parse_from_str(b, "%Y-%m-%d").map_err(|_| ("birthday", "date_invalid"))?,
        ),
    };
    let notes = clean_field("notes", &c.notes, Shape::lines(500))?;
    Ok(ValidContact {
        name,
        title,
        phones,
        phone_keys,
        reach,
        decision_maker: c.decision_maker,
        birthday,
        notes,
    })
}

/// The deal's expected amount and close date as typed: (cents, date). An empty
/// close date clears it; a close date before the customer was registered is a
/// typing mistake.
pub fn parse_expected(
    amount: &str,
    close_on: &str,
    registered: NaiveDate,
) -> Result<(i64, Option<NaiveDate>), FieldRefusal> {
    let cents = parse_amount(amount)?;
    let close = match close_on.trim() {
        "" => None,
        d => {
            let d = NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| ("close_on", "date_invalid"))?;
            if d < registered {
                return Err(("close_on", "close_before_registration"));
            }
            Some(d)
        }
    };
    Ok((cents, close))
}

/// A note added to the file.
pub fn parse_note(raw: &str) -> Result<String, FieldRefusal> {
    let text = clean_field("text", raw, Shape::lines(1000))?;
    if text.trim().is_empty() {
        return Err(("text", "required"));
    }
    Ok(text)
}

/// A position typed or taken from the phone at the customer.
pub fn parse_position(lat: &str, lng: &str) -> Result<(f64, f64), FieldRefusal> {
    let bad = ("location", "location_invalid");
    let lat: f64 = lat.trim().parse().map_err(|_| bad)?;
    let lng: f64 = lng.trim().parse().map_err(|_| bad)?;
    if !lat.is_finite()
        || !lng.is_finite()
        || !(-90.0..=90.0).contains(&lat)
        || !(-180.0..=180.0).contains(&lng)
    {
        return Err(bad);
    }
    Ok((lat, lng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const TREE: &[String] = &[];

    fn standing(status: Status, owner: &'static str, dept: &'static str) -> Standing<'static> {
        Standing {
            status,
            owner: Some(owner),
            department: Some(dept),
            lost_proposed: false,
            first_stage: false,
            last_stage: false,
        }
    }

    #[rstest]
    // (who, role, their tree, status, owner, department) → (add, correct, decide)
    #[case::owner_rep("rep1", Role::Rep, &[], Status::Owned, "rep1", "d1", (true, Correct::Request, false))]
    #[case::owner_rep_draft("rep1", Role::Rep, &[], Status::Draft, "rep1", "d1", (true, Correct::Request, false))]
    #[case::other_rep("rep2", Role::Rep, &[], Status::Owned, "rep1", "d1", (false, Correct::No, false))]
    #[case::manager_above("m1", Role::Manager, &["d1"], Status::Owned, "rep1", "d1", (true, Correct::Apply, true))]
    #[case::manager_elsewhere("m2", Role::Manager, &["d2"], Status::Owned, "rep1", "d1", (false, Correct::No, false))]
    #[case::manager_own("m1", Role::Manager, &["d1"], Status::Owned, "m1", "d1", (true, Correct::Apply, true))]
    #[case::inbox("m1", Role::Manager, &["d1"], Status::Held, "m1", "d1", (true, Correct::Apply, true))]
    #[case::boss("boss", Role::Boss, &[], Status::Owned, "rep1", "d9", (true, Correct::Apply, true))]
    #[case::pool_boss("boss", Role::Boss, &[], Status::Pool, "x", "d1", (false, Correct::No, false))]
    #[case::pool_rep("rep1", Role::Rep, &[], Status::Pool, "x", "d1", (false, Correct::No, false))]
    #[case::lost("m1", Role::Manager, &["d1"], Status::Lost, "rep1", "d1", (false, Correct::No, false))]
    fn who_may_add_correct_and_decide(
        #[case] who: &str,
        #[case] role: Role,
        #[case] tree: &[&str],
        #[case] status: Status,
        #[case] owner: &'static str,
        #[case] dept: &'static str,
        #[case] want: (bool, Correct, bool),
    ) {
        let tree: Vec<String> = tree.iter().map(|s| s.to_string()).collect();
        let v = Viewer {
            id: who,
            role,
            department_tree: &tree,
        };
        let r = file_rights(&v, &standing(status, owner, dept));
        assert_eq!((r.add, r.correct, r.decide), want);
    }

    #[test]
    fn nobody_decides_their_own_request() {
        let tree = vec!["d1".to_string()];
        let m = Viewer {
            id: "m1",
            role: Role::Manager,
            department_tree: &tree,
        };
        let c = standing(Status::Owned, "rep1", "d1");
        assert!(may_decide(&m, &c, "rep1"));
        assert!(!may_decide(&m, &c, "m1"));
        let rep = Viewer {
            id: "rep1",
            role: Role::Rep,
            department_tree: TREE,
        };
        assert!(!may_decide(&rep, &c, "m1"));
    }

    #[rstest]
    #[case::name(Fact::Name, " 苏州润泽科技有限公司 ", Ok(("苏州润泽科技有限公司", vec!["苏州润泽科技"])))]
    #[case::empty_name(Fact::Name, "  ", Err(("value", "required")))]
    #[case::only_form(Fact::Name, "有限公司", Err(("value", "name_invalid")))]
    #[case::long_name(Fact::Name, &"名".repeat(81), Err(("value", "too_long")))]
    #[case::phones(Fact::Phones, "138-0013-8000, 13800138000；021 5888 1234", Ok(("138-0013-8000, 021 5888 1234", vec!["13800138000", "02158881234"])))]
    #[case::no_phone(Fact::Phones, " , ", Err(("value", "phone_required")))]
    #[case::bad_phone(Fact::Phones, "13800138000, abc", Err(("value", "phone_invalid")))]
    #[case::six(Fact::Phones, "11111,22222,33333,44444,55555,66666", Err(("value", "too_many_phones")))]
    #[case::region(Fact::Region, "苏州", Ok(("苏州", vec![])))]
    #[case::empty_region(Fact::Region, "", Ok(("", vec![])))]
    #[case::long_address(Fact::Address, &"路".repeat(201), Err(("value", "too_long")))]
    #[case::bidi(Fact::Industry, "\u{202E}制造", Err(("value", "bidi_chars")))]
    fn corrections_are_checked_like_registrations(
        #[case] fact: Fact,
        #[case] raw: &str,
        #[case] want: Result<(&str, Vec<&str>), (&str, &str)>,
    ) {
        let got = parse_fact(fact, raw).map(|v| (v.shown, v.keys));
        let want = want.map(|(s, k)| {
            (
                s.to_string(),
                k.into_iter().map(String::from).collect::<Vec<_>>(),
            )
        });
        assert_eq!(got, want);
    }

    #[test]
    fn only_keys_the_customer_does_not_hold_are_checked() {
        let held = vec!["13800138000".to_string()];
        let wanted = vec!["13800138000".to_string(), "02158881234".to_string()];
        assert_eq!(new_keys(&held, &wanted), vec!["02158881234".to_string()]);
        assert!(new_keys(&wanted, &held).is_empty());
    }

    #[rstest]
    #[case::ok("张三", "", "", None)]
    #[case::no_name("  ", "", "", Some(("name", "required")))]
    #[case::bad_phone("张三", "12ab", "", Some(("phones", "phone_invalid")))]
    #[case::bad_birthday("张三", "", "1980-02-30", Some(("birthday", "date_invalid")))]
    #[case::leap_birthday("张三", "13900001111", "1980-02-29", None)]
    fn contacts(
        #[case] name: &str,
        #[case] phones: &str,
        #[case] birthday: &str,
        #[case] refused: Option<(&str, &str)>,
    ) {
        let got = parse_contact(&ContactInput {
            name: name.into(),
            phones: phones.into(),
            birthday: birthday.into(),
            ..Default::default()
        });
        assert_eq!(got.err(), refused);
    }

    #[rstest]
    #[case("120000", "2027-01-15", Ok((12_000_000, Some("2027-01-15"))))]
    #[case("", "", Ok((0, None)))]
    #[case("5", "2026-11-30", Err(("close_on", "close_before_registration")))]
    #[case("5", "2027-02-30", Err(("close_on", "date_invalid")))]
    #[case("1.234", "", Err(("expected_amount", "amount_invalid")))]
    fn expected_amount_and_close_date(
        #[case] amount: &str,
        #[case] close: &str,
        #[case] want: Result<(i64, Option<&str>), (&str, &str)>,
    ) {
        let registered = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let want = want.map(|(c, d)| {
            (
                c,
                d.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            )
        });
        assert_eq!(parse_expected(amount, close, registered), want);
    }

    #[rstest]
    #[case("31.3", "120.6", true)]
    #[case("91", "120", false)]
    #[case("NaN", "120", false)]
    #[case("inf", "120", false)]
    #[case("", "", false)]
    fn positions(#[case] lat: &str, #[case] lng: &str, #[case] ok: bool) {
        assert_eq!(parse_position(lat, lng).is_ok(), ok);
    }

    #[test]
    fn a_note_needs_words() {
        assert_eq!(parse_note(" \n "), Err(("text", "required")));
        assert_eq!(
            parse_note("客户下月搬到园区"),
            Ok("客户下月搬到园区".to_string())
        );
    }
}
