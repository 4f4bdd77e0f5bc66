//! The demo's customer files, kept through the same services the customer page
//! calls: on a visit a rep now and then meets another contact, sets the close
//! date once the deal is in sight, or writes a note; on the last day rep1 asks
//! to correct a name (waiting in manager1's inbox) and manager1 corrects a
//! region. Its own seeded source, so the rest of the demo lives the same days
//! as before.

use super::words::*;
use app::auth::model::CurrentUser;
use app::customers::edit::ContactInput;
use app::error::{AppError, AppResult};
use app::state::AppState;
use chrono::Duration;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const NOTES: &[&str] = &[
    "客户明年初要扩建二期厂房，预算会增加。",
    "采购流程要经过集团总部审批，一般两到三周。",
    "对方更关心售后响应时间，下次带服务方案过去。",
    "老板周三下午一般在公司，约见最好选那个时间。",
    "竞争对手报价比我们低 8%，但交期长一个月。",
];

/// What the demo's files came to (for the report and the demo test).
#[derive(Debug, Default, Clone)]
pub struct FileReport {
    pub contacts: u32,
    pub close_dates: u32,
    pub notes: u32,
    pub corrections: u32,
}

pub struct FileKeeper {
    rng: ChaCha8Rng,
    pub report: FileReport,
}

/// Refusals the demo expects (taken back meanwhile, or nothing changed).
fn expected(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Conflict { .. }
            | AppError::Forbidden
            | AppError::NotFound
            | AppError::Validation { .. }
    )
}

impl FileKeeper {
    pub fn new(seed: u64) -> FileKeeper {
        FileKeeper {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0xF11E),
            report: FileReport::default(),
        }
    }

    fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        items.choose(&mut self.rng).unwrap_or(&items[0])
    }

    /// After a visit to `customer` (in stage `index` of `stages`).
    pub async fn after_visit(
        &mut self,
        state: &AppState,
        rep: &CurrentUser,
        customer: &str,
        index: usize,
        stages: usize,
    ) -> AppResult<()> {
        if self.rng.random_bool(0.08) {
            let name = format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN_NAMES));
            let input = ContactInput {
                name,
                title: self.pick(ROLES).to_string(),
                phones: format!("13{:09}", self.rng.random_range(0..1_000_000_000u32)),
                decision_maker: self.rng.random_bool(0.3),
                ..Default::default()
            };
            match app::customers::service::add_contact(state, rep, customer, input).await {
                Ok(()) => self.report.contacts += 1,
                Err(e) if expected(&e) => {}
                Err(e) => return Err(e),
            }
        }
        // from the middle of the funnel until the contract, the close date is in sight
        let in_sight = index >= 2 && index + 2 < stages;
        if in_sight && self.rng.random_bool(0.35) {
            let Some(facts) = app::customers::repo::facts(&state.db, customer).await? else {
                return Ok(());
            };
            let tz = state.config.timezone;
            let close = (state.now() + Duration::days(self.rng.random_range(3..80)))
                .with_timezone(&tz)
                .date_naive();
            let amount = format!("{}", facts.expected_cents / 100);
            match app::customers::service::set_expected(
                state,
                rep,
                customer,
                &amount,
                &close.to_string(),
                facts.version,
            )
            .await
            {
                Ok(()) => self.report.close_dates += 1,
                Err(e) if expected(&e) => {}
                Err(e) => return Err(e),
            }
        }
        if self.rng.random_bool(0.03) {
            let text = self.pick(NOTES).to_string();
            match app::customers::service::add_note(state, rep, customer, &text).await {
                Ok(()) => self.report.notes += 1,
                Err(e) if expected(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The last day: a rep's name correction waits for their manager, and the
    /// manager corrects a region on another customer.
    pub async fn today(
        &mut self,
        state: &AppState,
        rep: &CurrentUser,
        manager: &CurrentUser,
        mine: &[String],
    ) -> AppResult<()> {
        let mut ids = mine.iter();
        if let Some(id) = ids.next() {
            if let Some(f) = app::customers::repo::facts(&state.db, id).await? {
                // the contract names another company form than the one registered
                // (longest form first: 股份有限公司 also ends in 有限公司)
                let core = ["股份有限公司", "有限责任公司", "有限公司"]
                    .iter()
                    .find_map(|form| f.name.strip_suffix(form))
                    .unwrap_or(&f.name);
                let full = if f.name.ends_with("股份有限公司") {
                    format!("{core}有限公司")
                } else {
                    format!("{core}股份有限公司")
                };
                match app::customers::service::correct(
                    state,
                    rep,
                    id,
                    "name",
                    &full,
                    "合同上的全称和登记的不一样",
                    f.version,
                )
                .await
                {
                    Ok(_) => self.report.corrections += 1,
                    Err(e) if expected(&e) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        if let Some(id) = ids.next() {
            if let Some(f) = app::customers::repo::facts(&state.db, id).await? {
                let region = format!("{}（新园区）", f.region);
                match app::customers::service::correct(
                    state,
                    manager,
                    id,
                    "region",
                    &region,
                    "客户已搬迁",
                    f.version,
                )
                .await
                {
                    Ok(_) => self.report.corrections += 1,
                    Err(e) if expected(&e) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }
}
