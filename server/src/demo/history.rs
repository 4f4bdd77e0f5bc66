//! A sales company's recent past, lived through the app's own services.
//!
//! The clock is put at each past moment in turn (`AppClock::set`) and the reps
//! and managers act through the same service functions the pages call:
//! registrations with the duplicate check, check-ins with positions and photos,
//! follow-ups, stage moves with their feedback, daily logs, likes and comments,
//! the manager's inbox, the pool, disputes and lost verdicts. At the end of every
//! day the sweeper runs, so confiscations happen by the real rules. Every history
//! row, feed event and clock is therefore one the app itself wrote.
//!
//! Randomness comes from one seeded ChaCha source and days are counted back from
//! today's date in the company time zone, so the same day always gives the same
//! company, and the countdowns are live whenever it is loaded.

use super::words::*;
use app::auth::model::{CurrentUser, Role};
use app::customers::model::{CustomerCard, CustomerInput, RegisterOutcome, Status};
use app::error::{AppError, AppResult};
use app::funnel::model::StageInfo;
use app::state::AppState;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// How much history: the demo is 90 days; benchmarks ask for a year.
#[derive(Clone, Debug)]
pub struct Plan {
    pub days: i64,
    pub seed: u64,
}

impl Plan {
    pub fn demo() -> Plan {
        Plan {
            days: 90,
            seed: 2026,
        }
    }
}

/// What was generated, for the log line and the tests.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub registered: usize,
    pub duplicates: usize,
    pub checkins: usize,
    pub followups: usize,
    pub advances: usize,
    pub won: usize,
    pub lost_proposed: usize,
    pub lost: usize,
    pub confiscated: usize,
    pub claimed: usize,
    pub reassigned: usize,
    pub disputes: usize,
    pub logs: usize,
    pub likes: usize,
    pub comments: usize,
    pub reminders: usize,
    pub alarms: usize,
    pub answers: usize,
    pub accepted: usize,
    pub stories: usize,
    pub suggestions: usize,
    pub files: super::file::FileReport,
}

/// A rep's habits: how much they do, how well they move customers on.
#[derive(Clone, Copy, Debug)]
struct Habit {
    /// New prospects a working day.
    new_per_day: f64,
    /// Visits (check-ins and follow-ups) a working day.
    visits_per_day: f64,
    /// Chance that a visit moves the customer one stage on.
    advance: f64,
    /// A stage (index) where this rep rarely gets further.
    weak_stage: Option<usize>,
    /// Visits go to the customers whose follow-up clock runs out first.
    plans_visits: bool,
    /// Effective hours written in the daily log.
    hours: (f64, f64),
    /// Days before today the rep started (`None`: before the history).
    joined_days_ago: Option<i64>,
}

fn habit(login: &str) -> Habit {
    let average = Habit {
        new_per_day: 0.5,
        visits_per_day: 2.5,
        advance: 0.4,
        weak_stage: None,
        plans_visits: true,
        hours: (6.0, 8.5),
        joined_days_ago: None,
    };
    match login {
        // diligent and able
        "rep1" => Habit {
            new_per_day: 0.7,
            visits_per_day: 4.0,
            advance: 0.55,
            hours: (8.5, 10.5),
            ..average
        },
        // diligent, weak at getting samples approved
        "rep2" => Habit {
            new_per_day: 0.7,
            visits_per_day: 4.0,
            advance: 0.5,
            weak_stage: Some(2),
            hours: (8.0, 10.0),
            ..average
        },
        // lazy: customers run out of time and are taken back
        "rep3" => Habit {
            new_per_day: 0.45,
            visits_per_day: 0.6,
            advance: 0.2,
            plans_visits: false,
            hours: (3.0, 5.5),
            ..average
        },
        // new: joined three weeks ago, eager
        "rep4" => Habit {
            new_per_day: 1.0,
            visits_per_day: 3.0,
            advance: 0.35,
            joined_days_ago: Some(21),
            hours: (7.5, 9.5),
            ..average
        },
        "rep5" => Habit {
            visits_per_day: 3.0,
            advance: 0.45,
            ..average
        },
        "rep6" => Habit {
            new_per_day: 0.6,
            visits_per_day: 2.0,
            advance: 0.4,
            weak_stage: Some(4),
            ..average
        },
        "rep7" => Habit {
            new_per_day: 0.4,
            visits_per_day: 1.5,
            advance: 0.3,
            plans_visits: false,
            hours: (5.0, 7.0),
            ..average
        },
        _ => average,
    }
}

struct Person {
    user: CurrentUser,
    habit: Habit,
}

/// Where each generated customer is, by id.
type Places = HashMap<String, (f64, f64)>;

struct World<'a> {
    state: &'a AppState,
    rng: ChaCha8Rng,
    stages: Vec<StageInfo>,
    ticked: Vec<String>,
    places: Places,
    /// Names already used (registrations must not collide by accident).
    names: std::collections::HashSet<String>,
    photos: Vec<bytes::Bytes>,
    /// Lost alarms waiting for the manager.
    lost_proposals: Vec<String>,
    /// Help alarms raised, not yet resolved.
    open_alarms: Vec<String>,
    /// Whether manager2 has had the afternoon the view audit flags.
    burst_done: bool,
    report: Report,
    /// Contacts, close dates, notes and corrections (its own random source).
    files: super::file::FileKeeper,
}

/// Today's local date, and the UTC instant of a local time on a day `back` days
/// before it.
fn local_at(state: &AppState, back: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    let tz = state.config.timezone;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let day = today - Duration::days(back);
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default();
    tz.from_local_datetime(&day.and_time(time))
        .earliest()
        .map_or_else(
            || Utc::now() - Duration::days(back),
            |t| t.with_timezone(&Utc),
        )
}

fn local_day(state: &AppState, back: i64) -> NaiveDate {
    let tz = state.config.timezone;
    Utc::now().with_timezone(&tz).date_naive() - Duration::days(back)
}

/// Generates the history for the people already in the database (the demo
/// company's), then puts the clock back on the wall clock.
pub async fn generate(state: &AppState, plan: &Plan) -> AppResult<Report> {
    let result = run(state, plan).await;
    state.clock.set(None);
    result
}

async fn run(state: &AppState, plan: &Plan) -> AppResult<Report> {
    let stages = app::funnel::repo::list_stages(&state.db, false).await?;
    let ticked = app::funnel::repo::list_qual_items(&state.db)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let mut world = World {
        state,
        rng: ChaCha8Rng::seed_from_u64(plan.seed),
        stages,
        ticked,
        places: HashMap::new(),
        names: Default::default(),
        photos: demo_photos(),
        lost_proposals: Vec::new(),
        open_alarms: Vec::new(),
        burst_done: false,
        report: Report::default(),
        files: super::file::FileKeeper::new(plan.seed),
    };
    let people = people(state).await?;
    let reps: Vec<&Person> = people.iter().filter(|p| p.user.role == Role::Rep).collect();
    let managers: Vec<&Person> = people
        .iter()
        .filter(|p| p.user.role == Role::Manager)
        .collect();
    let boss = people.iter().find(|p| p.user.role == Role::Boss);
    // when each started: the new rep three weeks ago, everyone else before the history
    for p in &people {
        let days = p.habit.joined_days_ago.unwrap_or(plan.days + 30);
        app::people::repo::set_joined(&state.db, &p.user.id, local_day(state, days)).await?;
    }

    for back in (0..=plan.days).rev() {
        let date = local_day(state, back);
        let workday = date.weekday() != Weekday::Sun;
        let today = back == 0;
        // each morning but today's, everyone has read what reached them before
        // (the bell shows yesterday's and today's news, not three months of it)
        if !today && back < plan.days {
            for p in &people {
                app::notifications::repo::mark_notifications_read(&state.db, &p.user.id).await?;
            }
        }
        // targets for the month, set on its first day (and on the history's first)
        if back == plan.days || date.day() == 1 {
            world.set_targets(&people, back).await?;
        }
        if workday {
            world.team_morning(&people, back).await?;
        }
        for rep in &reps {
            if rep.habit.joined_days_ago.is_some_and(|j| back > j) || !workday {
                continue;
            }
            world.work_day(rep, back, today).await?;
        }
        if workday {
            world.team_evening(&people, back, today).await?;
        }
        if workday {
            for manager in &managers {
                world.manage_day(manager, &reps, back).await?;
            }
            world.react(&managers, boss, back, today).await?;
        }
        // the day ends: the sweeper takes back what ran out of time
        if !today {
            state.clock.set(Some(local_at(state, back, 23, 30)));
            let swept = app::customers::service::sweep(state).await?;
            // the day's closing pipeline, as the hourly job would have kept it
            app::measure::service::snapshot(state).await?;
            world.report.confiscated += swept.confiscated;
            app::alarms::service::escalate(state).await?;
            app::suggestions::service::release(state).await?;
        }
    }
    state.clock.set(None);
    // the departments' finished days, as the hourly job keeps them
    app::measure::service::settle(state, true).await?;
    world.reminders_for_today(&reps).await?;
    if let (Some(rep), Some(manager)) = (reps.first(), managers.first()) {
        let mine: Vec<String> = world
            .mine(rep)
            .await?
            .into_iter()
            .filter(|c| c.status == Status::Owned)
            .map(|c| c.id)
            .collect();
        world
            .files
            .today(state, &rep.user, &manager.user, &mine)
            .await?;
    }
    world.report.files = world.files.report.clone();
    Ok(world.report)
}

/// The active people, by login, each with the habits of their demo role.
async fn people(state: &AppState) -> AppResult<Vec<Person>> {
    let mut users = app::people::repo::list_users(&state.db).await?;
    users.retain(|u| u.active);
    users.sort_by(|a, b| a.login.cmp(&b.login));
    let mut out = Vec::new();
    for u in users {
        if let Some((user, _)) = app::auth::repo::find_user(&state.db, &u.id).await? {
            out.push(Person {
                habit: habit(&u.login),
                user,
            });
        }
    }
    Ok(out)
}

/// A few small photos (gradients with a band), as a phone camera would send.
fn demo_photos() -> Vec<bytes::Bytes> {
    let tints = [[200u8, 60, 50], [40, 120, 200], [60, 160, 90]];
    tints
        .iter()
        .filter_map(|tint| {
            let img = image::RgbImage::from_fn(96, 72, |x, y| {
                let band = if (30..42).contains(&y) { 60 } else { 0 };
                image::Rgb([
                    tint[0].saturating_add((x / 2) as u8).saturating_sub(band),
                    tint[1].saturating_add((y * 2) as u8),
                    tint[2].saturating_sub((x / 3) as u8),
                ])
            });
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Jpeg).ok()?;
            Some(bytes::Bytes::from(out.into_inner()))
        })
        .collect()
}

impl World<'_> {
    fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        items.choose(&mut self.rng).unwrap_or(&items[0])
    }

    /// Puts the clock at a random time between two local hours of a past day;
    /// today, at a moment of the last three hours (nothing happens in the future).
    fn at(&mut self, back: i64, from_hour: u32, to_hour: u32) {
        let at = if back == 0 {
            Utc::now() - Duration::minutes(self.rng.random_range(5..180))
        } else {
            let hour = self.rng.random_range(from_hour..to_hour);
            let minute = self.rng.random_range(0..60);
            local_at(self.state, back, hour, minute)
        };
        self.state.clock.set(Some(at));
    }

    fn person_name(&mut self) -> String {
        format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN_NAMES))
    }

    fn phone(&mut self) -> String {
        let head = *self.pick(&["139", "138", "186", "135", "158", "177", "189"]);
        format!("{head}{:08}", self.rng.random_range(0..100_000_000u32))
    }

    /// A new prospect, as a rep types it on a phone.
    fn prospect(&mut self, referred_by: Option<String>) -> (CustomerInput, (f64, f64)) {
        let (industry, word, typical) = *self.pick(INDUSTRIES);
        let name = loop {
            let name = format!(
                "{}{}{}{}",
                self.pick(CITY_PREFIXES),
                self.pick(NAME_CORES),
                word,
                self.pick(COMPANY_FORMS)
            );
            if self.names.insert(name.clone()) {
                break name;
            }
        };
        let (district, park, lat, lng) = *self.pick(PLACES);
        let lat = lat + self.rng.random_range(-0.03..0.03);
        let lng = lng + self.rng.random_range(-0.03..0.03);
        let amount = typical / 1000 * self.rng.random_range(5..20) * 100;
        let contact = self.person_name();
        let decision_maker = self.person_name();
        let size = self.pick(SIZES).to_string();
        let source = if referred_by.is_some() {
            "老客户转介绍".to_string()
        } else {
            self.pick(SOURCES).to_string()
        };
        let founded = 1995 + self.rng.random_range(0..25);
        let input = CustomerInput {
            name,
            phones: self.phone(),
            contact,
            contact_role: self.pick(ROLES).to_string(),
            decision_maker,
            address: format!("上海市{district}{park}{}号", self.rng.random_range(1..900)),
            region: district.to_string(),
            lat: format!("{lat:.6}"),
            lng: format!("{lng:.6}"),
            industry: industry.to_string(),
            size,
            source,
            referred_by: referred_by.unwrap_or_default(),
            founded_on: format!(
                "{founded}-{:02}-{:02}",
                self.rng.random_range(1..13),
                self.rng.random_range(1..29)
            ),
            dm_birthday: String::new(),
            notes: String::new(),
            expected_amount: amount.to_string(),
        };
        (input, (lat, lng))
    }

    async fn register(&mut self, rep: &Person) -> AppResult<()> {
        // a quarter of new prospects come from a won customer of the rep's
        let referrer = if self.rng.random_bool(0.25) {
            let won: Vec<String> = self
                .mine(rep)
                .await?
                .into_iter()
                .filter(|c| c.won)
                .map(|c| c.id)
                .collect();
            won.choose(&mut self.rng).cloned()
        } else {
            None
        };
        let (input, place) = self.prospect(referrer);
        let outcome = app::customers::service::register(
            self.state,
            &rep.user,
            input.clone(),
            self.ticked.clone(),
            true,
        )
        .await;
        match outcome {
            Ok(RegisterOutcome::Created { id, .. }) => {
                self.places.insert(id, place);
                self.report.registered += 1;
            }
            Ok(RegisterOutcome::Duplicate { .. }) => self.report.duplicates += 1,
            Ok(RegisterOutcome::NearMatch { .. }) => {}
            Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Now and then a rep meets a company a colleague already has: the duplicate
    /// check refuses it and the rep asks the manager to decide.
    async fn collide(&mut self, rep: &Person, colleague_customer: &str) -> AppResult<()> {
        let name = self
            .names
            .iter()
            .find(|n| n.as_str() == colleague_customer)
            .cloned();
        let Some(name) = name else { return Ok(()) };
        // typed the way reps do: without the company form, with the city
        let typed = name
            .replace("有限公司", "")
            .replace("股份", "")
            .replace("有限责任公司", "");
        let input = CustomerInput {
            name: typed.clone(),
            phones: self.phone(),
            ..Default::default()
        };
        if let Ok(RegisterOutcome::Duplicate { .. }) =
            app::customers::service::register(self.state, &rep.user, input, vec![], true).await
        {
            self.report.duplicates += 1;
            let note = "这家公司是我上个月在展会上认识的，已经和他们老板见过两次面。";
            if app::customers::service::raise_dispute(self.state, &rep.user, &typed, "", note)
                .await
                .is_ok()
            {
                self.report.disputes += 1;
            }
        }
        Ok(())
    }

    async fn mine(&self, rep: &Person) -> AppResult<Vec<CustomerCard>> {
        app::customers::service::list_customers(self.state, &rep.user, "mine").await
    }

    fn stage_index(&self, card: &CustomerCard) -> Option<usize> {
        self.stages.iter().position(|s| s.name == card.stage_name)
    }

    async fn work_day(&mut self, rep: &Person, back: i64, today: bool) -> AppResult<()> {
        let h = rep.habit;
        let mut customers: Vec<CustomerCard> = self
            .mine(rep)
            .await?
            .into_iter()
            .filter(|c| c.status == Status::Owned)
            .collect();
        // morning: new prospects (a rep who plans takes on only what they can visit)
        let mut new = h.new_per_day.floor() as usize;
        if self.rng.random_bool(h.new_per_day.fract()) {
            new += 1;
        }
        // (won customers only need a revisit now and then: they do not count)
        let open = customers.iter().filter(|c| !c.won).count();
        if h.plans_visits && open as f64 >= h.visits_per_day * 6.0 {
            new = 0;
        }
        for _ in 0..new {
            self.at(back, 9, 11);
            self.register(rep).await?;
        }
        // visits through the day (today: only the morning has happened)
        let mut visits = h.visits_per_day.floor() as usize;
        if self.rng.random_bool(h.visits_per_day.fract()) {
            visits += 1;
        }
        if new > 0 {
            customers = self
                .mine(rep)
                .await?
                .into_iter()
                .filter(|c| c.status == Status::Owned)
                .collect();
        }
        if h.plans_visits {
            customers.sort_by_key(|c| c.due.as_ref().map(|d| d.at));
        } else {
            use rand::seq::SliceRandom;
            customers.shuffle(&mut self.rng);
        }
        let mut done = 0;
        for card in customers.into_iter().take(visits) {
            let (from, to) = if today { (9, 12) } else { (10, 18) };
            self.at(back, from, to);
            self.visit(rep, &card).await?;
            done += 1;
        }
        // a diligent rep sometimes claims from the pool
        if h.visits_per_day >= 3.0 && self.rng.random_bool(0.08) {
            self.claim(rep).await?;
        }
        // evening: the daily log (today's is not written yet)
        if !today
            && (done > 0 || new > 0)
            && self
                .rng
                .random_bool(if h.plans_visits { 0.95 } else { 0.6 })
        {
            self.at(back, 18, 21);
            let hours = self.rng.random_range(h.hours.0..h.hours.1);
            let summary = self
                .pick(LOG_SUMMARIES)
                .replace("{district}", self.pick(PLACES).0);
            let work = format!("拜访和跟进客户 {done} 家，新登记 {new} 家。{summary}");
            let expenses = format!(
                "{}",
                self.rng.random_range(0..12) * 10 + if done > 0 { 20 } else { 0 }
            );
            let day = local_day(self.state, back).to_string();
            app::worklog::service::save(
                self.state,
                &rep.user,
                &day,
                &work,
                &format!("{hours:.1}"),
                &expenses,
            )
            .await?;
            self.report.logs += 1;
        }
        Ok(())
    }

    async fn visit(&mut self, rep: &Person, card: &CustomerCard) -> AppResult<()> {
        let key = app::db::new_key();
        if self.rng.random_bool(0.7) {
            let place = self.places.get(&card.id).copied();
            // most check-ins are at the door; a lazy rep's sometimes are not
            let far = !rep.habit.plans_visits && self.rng.random_bool(0.3);
            let spread = if far { 0.02 } else { 0.0012 };
            let (lat, lng) = match place {
                Some((lat, lng)) => (
                    lat + self.rng.random_range(-spread..spread),
                    lng + self.rng.random_range(-spread..spread),
                ),
                None => (31.23, 121.47),
            };
            let all = self.photos.clone();
            let photos = if self.rng.random_bool(0.3) {
                vec![self.pick(&all).clone()]
            } else {
                vec![]
            };
            let form = app::field::service::CheckinForm {
                key,
                customer: card.id.clone(),
                purpose: self.pick(VISIT_PURPOSES).to_string(),
                lat: format!("{lat:.6}"),
                lng: format!("{lng:.6}"),
                accuracy: format!("{}", self.rng.random_range(8..60)),
                captured_at: self.state.now().to_rfc3339(),
            };
            match app::field::service::check_in(self.state, &rep.user, form, photos).await {
                Ok(_) => self.report.checkins += 1,
                // taken back earlier today by its clock: the visit did not happen
                Err(AppError::Conflict { .. } | AppError::Forbidden | AppError::NotFound) => {
                    return Ok(())
                }
                Err(e) => return Err(e),
            }
        } else {
            let text = self.pick(FOLLOWUP_TEXTS).to_string();
            match app::field::service::follow_up(
                self.state,
                &rep.user,
                &card.id,
                &key,
                &text,
                vec![],
            )
            .await
            {
                Ok(()) => self.report.followups += 1,
                Err(AppError::Conflict { .. } | AppError::Forbidden | AppError::NotFound) => {
                    return Ok(())
                }
                Err(e) => return Err(e),
            }
        }
        // the visit may move the customer on
        let Some(index) = self.stage_index(card) else {
            return Ok(());
        };
        self.files
            .after_visit(self.state, &rep.user, &card.id, index, self.stages.len())
            .await?;
        // a rep who plans pushes hardest where a clock is about to run out
        let pressed = rep.habit.plans_visits && card.due.as_ref().is_some_and(|d| d.urgent);
        // the last stage (three deliveries) comes slowly after the contract
        let last_step = index + 2 >= self.stages.len();
        if index + 1 >= self.stages.len() || (last_step && !pressed && self.rng.random_bool(0.7)) {
            return Ok(());
        }
        let mut chance = rep.habit.advance;
        if pressed {
            chance = (chance * 1.6).min(0.9);
        }
        if rep.habit.weak_stage == Some(index) {
            chance *= 0.12;
        }
        if !self.rng.random_bool(chance.clamp(0.0, 1.0)) {
            // a stalled customer of a diligent rep is sometimes given up, with a
            // post-mortem, through a lost alarm
            if rep.habit.plans_visits && index >= 2 && self.rng.random_bool(0.01) {
                let text = self.pick(POST_MORTEMS).to_string();
                let lesson = self.pick(LESSONS).to_string();
                if let Ok(id) = app::alarms::service::raise(
                    self.state, &rep.user, &card.id, "lost", &text, &lesson,
                )
                .await
                {
                    self.report.lost_proposed += 1;
                    self.lost_proposals.push(id);
                }
            } else if index >= 1 && self.rng.random_bool(0.05) {
                // or the rep asks the company for help
                let text = self.pick(ALARM_PROBLEMS).to_string();
                if let Ok(id) =
                    app::alarms::service::raise(self.state, &rep.user, &card.id, "help", &text, "")
                        .await
                {
                    self.report.alarms += 1;
                    self.open_alarms.push(id);
                }
            }
            return Ok(());
        }
        let labels = self.stages[index].feedback.len();
        let answers: Vec<String> = (0..labels)
            .map(|_| self.pick(STAGE_ANSWERS).to_string())
            .collect();
        let to = self.stages[index + 1].id.clone();
        self.state
            .clock
            .set(Some(self.state.now() + Duration::minutes(20)));
        match app::customers::service::move_stage(self.state, &rep.user, &card.id, &to, answers, "")
            .await
        {
            Ok(()) => {
                self.report.advances += 1;
                if self.stages[index + 1].probability >= app::funnel::rules::WON_PROBABILITY
                    && !card.won
                {
                    self.report.won += 1;
                }
            }
            // taken back or moved meanwhile: the day goes on
            Err(AppError::Conflict { .. } | AppError::Forbidden | AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    async fn claim(&mut self, rep: &Person) -> AppResult<()> {
        let pool = app::customers::service::pool(self.state, Default::default()).await?;
        if let Some(card) = pool.choose(&mut self.rng) {
            if app::customers::service::claim(self.state, &rep.user, &card.id)
                .await
                .is_ok()
            {
                self.report.claimed += 1;
            }
        }
        Ok(())
    }

    /// A manager's end of day: most of the inbox goes to a diligent rep, some to
    /// the pool, a few kept; open disputes decided; lost proposals approved.
    /// The month's targets: each manager for their reps (by habit) and their
    /// department, the boss for the company.
    async fn set_targets(&mut self, people: &[Person], back: i64) -> AppResult<()> {
        self.at(back, 8, 9);
        let month = local_day(self.state, back).format("%Y-%m").to_string();
        let mut company = 0i64;
        for manager in people.iter().filter(|p| p.user.role == Role::Manager) {
            let mut department = (0i64, 0i64);
            for rep in people.iter().filter(|p| {
                p.user.role == Role::Rep && p.user.department_id == manager.user.department_id
            }) {
                if rep.habit.joined_days_ago.is_some_and(|j| back > j) {
                    continue;
                }
                // yuan and deals a month, by what the rep can do
                let (amount, deals) = match rep.habit.advance {
                    a if a >= 0.5 => (600_000, 6),
                    a if a >= 0.35 => (400_000, 4),
                    _ => (250_000, 3),
                };
                let amount = amount + 10_000 * self.rng.random_range(0..10);
                app::targets::service::set(
                    self.state,
                    &manager.user,
                    "user",
                    &rep.user.id,
                    &month,
                    &amount.to_string(),
                    &deals.to_string(),
                )
                .await?;
                department.0 += amount;
                department.1 += deals;
            }
            let amount = department.0 / 100 * 110;
            app::targets::service::set(
                self.state,
                &manager.user,
                "department",
                &manager.user.department_id,
                &month,
                &amount.to_string(),
                &(department.1 + 2).to_string(),
            )
            .await?;
            company += amount;
        }
        if let Some(boss) = people.iter().find(|p| p.user.role == Role::Boss) {
            app::targets::service::set(
                self.state,
                &boss.user,
                "company",
                "",
                &month,
                &(company / 100 * 105).to_string(),
                "40",
            )
            .await?;
        }
        Ok(())
    }

    async fn manage_day(&mut self, manager: &Person, reps: &[&Person], back: i64) -> AppResult<()> {
        // during the day the manager looks at a few of the team's customers (every
        // opening is in the view audit); manager2 once went through many of one
        // rep's customers in an afternoon, which the audit flags
        let team_customers =
            app::customers::service::list_customers(self.state, &manager.user, "team").await?;
        let burst = manager.user.login == "manager2" && back <= 12 && !self.burst_done;
        let looks = if burst {
            7
        } else {
            self.rng.random_range(1..=3)
        };
        // the rep with the most customers
        let mut counts: HashMap<Option<String>, usize> = HashMap::new();
        for c in &team_customers {
            *counts.entry(c.owner_name.clone()).or_default() += 1;
        }
        let owner = counts
            .into_iter()
            .filter(|(o, _)| o.is_some())
            .max_by_key(|(o, n)| (*n, o.clone()))
            .and_then(|(o, _)| o);
        self.burst_done |= burst;
        let mut picked: Vec<&app::customers::model::CustomerCard> = team_customers
            .iter()
            .filter(|c| !burst || c.owner_name == owner)
            .collect();
        {
            use rand::seq::SliceRandom;
            picked.shuffle(&mut self.rng);
        }
        for card in picked.into_iter().take(looks) {
            self.at(back, 10, 16);
            match app::customers::service::detail(self.state, &manager.user, &card.id).await {
                Ok(_) | Err(AppError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        self.at(back, 17, 19);
        let inbox =
            app::customers::service::list_customers(self.state, &manager.user, "inbox").await?;
        // leave some in the inbox: what the demo's manager sees on the first screen
        let keep_recent = back <= 3;
        for card in inbox {
            if keep_recent || self.rng.random_bool(0.7) {
                continue;
            }
            let team: Vec<&&Person> = reps
                .iter()
                .filter(|r| {
                    r.user.department_id == manager.user.department_id
                        && r.habit.plans_visits
                        && r.habit.joined_days_ago.is_none_or(|j| back <= j)
                })
                .collect();
            let (action, to) = match team.choose(&mut self.rng) {
                Some(r) if self.rng.random_bool(0.6) => ("reassign", r.user.id.clone()),
                _ => ("pool", String::new()),
            };
            let reason = if action == "reassign" {
                "原业务员超期未跟进，转给跟进更积极的同事"
            } else {
                "放入公海，谁有资源谁来跟"
            };
            match app::customers::service::manage(
                self.state,
                &manager.user,
                &card.id,
                action,
                &to,
                reason,
            )
            .await
            {
                Ok(()) => {
                    if action == "reassign" {
                        self.report.reassigned += 1;
                    }
                }
                Err(AppError::Conflict { .. } | AppError::Validation { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        for dispute in app::customers::service::disputes(self.state, &manager.user).await? {
            if back > 5 && self.rng.random_bool(0.5) {
                let transfer = self.rng.random_bool(0.4);
                let _ = app::customers::service::decide_dispute(
                    self.state,
                    &manager.user,
                    &dispute.id,
                    transfer,
                )
                .await;
            }
        }
        // lost proposals of the team: approved the next working day (today's wait)
        if back > 0 {
            let mut waiting = Vec::new();
            for id in std::mem::take(&mut self.lost_proposals) {
                match app::alarms::service::decide_lost(self.state, &manager.user, &id, true).await
                {
                    Ok(()) => self.report.lost += 1,
                    // another department's, or already confiscated
                    Err(AppError::Forbidden) => waiting.push(id),
                    Err(_) => {}
                }
            }
            self.lost_proposals = waiting;
        }
        // now and then a rep runs into a colleague's customer
        if self.rng.random_bool(0.12) {
            let team_reps: Vec<&&Person> = reps
                .iter()
                .filter(|r| r.user.department_id == manager.user.department_id)
                .collect();
            if let (Some(a), Some(b)) = (
                team_reps.choose(&mut self.rng),
                team_reps.choose(&mut self.rng),
            ) {
                if a.user.id != b.user.id {
                    let theirs = self.mine(b).await?;
                    if let Some(card) = theirs.choose(&mut self.rng) {
                        let name = card.name.clone();
                        self.collide(a, &name).await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Managers and the boss read the day's feed in the evening: likes and a few comments.
    async fn react(
        &mut self,
        managers: &[&Person],
        boss: Option<&Person>,
        back: i64,
        today: bool,
    ) -> AppResult<()> {
        let from = local_at(self.state, back, 0, 0);
        let to = local_at(self.state, back, 23, 59);
        let (h0, h1) = if today { (12, 13) } else { (20, 22) };
        let mut r = self
            .state
            .db
            .query(
                "SELECT VALUE [record::id(id), record::id(department)] FROM feed_event \
                 WHERE at >= $from AND at <= $to AND kind IN ['checkin', 'followup', 'advance', 'won', 'daily_log'] \
                 ORDER BY at",
            )
            .bind(("from", from))
            .bind(("to", to))
            .await?;
        let events: Vec<Vec<String>> = r.take(0)?;
        for event in events {
            let [id, dept] = <[String; 2]>::try_from(event).map_err(|_| AppError::NotFound)?;
            for manager in managers {
                if manager.user.department_id != dept {
                    continue;
                }
                if self.rng.random_bool(0.45) {
                    self.at(back, h0, h1);
                    app::feed::service::toggle_like(self.state, &manager.user, &id).await?;
                    self.report.likes += 1;
                }
                if self.rng.random_bool(0.12) {
                    self.at(back, h0, h1);
                    let text = self.pick(COMMENTS).to_string();
                    app::feed::service::comment(self.state, &manager.user, &id, &text).await?;
                    self.report.comments += 1;
                }
            }
            if let Some(boss) = boss {
                if self.rng.random_bool(0.08) {
                    self.at(back, h0, h1);
                    app::feed::service::toggle_like(self.state, &boss.user, &id).await?;
                    self.report.likes += 1;
                }
            }
        }
        Ok(())
    }

    /// The morning: raisers accept an answer that helped (from earlier days), and
    /// reps who won a customer write its story.
    async fn team_morning(&mut self, people: &[Person], back: i64) -> AppResult<()> {
        let mut still_open = Vec::new();
        for id in std::mem::take(&mut self.open_alarms) {
            let Some(raiser) = self.raiser_of(people, &id).await? else {
                continue;
            };
            let detail = app::alarms::service::detail(self.state, &raiser.user, &id).await?;
            if detail.card.status != "open" {
                continue;
            }
            let answers: Vec<String> = detail.answers.iter().map(|a| a.id.clone()).collect();
            if !answers.is_empty() && back > 0 && self.rng.random_bool(0.5) {
                self.at(back, 9, 11);
                let answer = self.pick(&answers).clone();
                if app::alarms::service::accept(self.state, &raiser.user, &id, &answer)
                    .await
                    .is_ok()
                {
                    self.report.accepted += 1;
                    continue;
                }
            }
            still_open.push(id);
        }
        self.open_alarms = still_open;
        if back > 0 {
            for p in people.iter().filter(|p| p.user.role == Role::Rep) {
                for prompt in app::alarms::service::story_prompts(self.state, &p.user).await? {
                    if !self.rng.random_bool(0.6) {
                        continue;
                    }
                    self.at(back, 9, 11);
                    let story = self.pick(WIN_STORIES).to_string();
                    if app::alarms::service::write_story(
                        self.state,
                        &p.user,
                        &prompt.customer_id,
                        &story,
                        false,
                    )
                    .await
                    .is_ok()
                    {
                        self.report.stories += 1;
                    }
                }
            }
        }
        Ok(())
    }

    async fn raiser_of<'p>(
        &self,
        people: &'p [Person],
        alarm: &str,
    ) -> AppResult<Option<&'p Person>> {
        let row = app::alarms::repo::load(&self.state.db, alarm).await?;
        Ok(row.and_then(|r| people.iter().find(|p| p.user.id == r.raiser)))
    }

    /// The evening: colleagues answer open alarms. One manager answers their
    /// team the same day; the other lets them wait (what the statistics show).
    /// Now and then someone drops a suggestion in the box, and the boss answers
    /// an older one.
    async fn team_evening(&mut self, people: &[Person], back: i64, today: bool) -> AppResult<()> {
        let (h0, h1) = if today { (12, 13) } else { (18, 21) };
        // the escalation job has run all day: the day's unanswered alarms have
        // reached their managers before the evening's answers
        if !today {
            self.state
                .clock
                .set(Some(local_at(self.state, back, 17, 59)));
            app::alarms::service::escalate(self.state).await?;
        }
        // nothing is answered before it was raised (today: only earlier days')
        let cutoff = local_at(
            self.state,
            if today { 0 } else { back },
            if today { 0 } else { h0 },
            0,
        );
        for id in self.open_alarms.clone() {
            let Some(row) = app::alarms::repo::load(&self.state.db, &id).await? else {
                continue;
            };
            if row.at >= cutoff {
                continue;
            }
            for p in people {
                if p.user.id == row.raiser || p.user.role == Role::Admin {
                    continue;
                }
                let same_team = p.user.department_id == row.department;
                let chance = match (p.user.role, p.user.login.as_str()) {
                    (Role::Manager, "manager1") if same_team => 0.8,
                    (Role::Manager, _) if same_team => 0.12,
                    (Role::Manager, _) => 0.03,
                    (Role::Boss, _) => 0.04,
                    (_, _) if same_team => 0.15,
                    _ => 0.05,
                };
                if !self.rng.random_bool(chance) {
                    continue;
                }
                self.at(back, h0, h1);
                let text = self.pick(ALARM_ANSWERS).to_string();
                match app::alarms::service::answer(self.state, &p.user, &id, &text).await {
                    Ok(_) => self.report.answers += 1,
                    Err(AppError::Conflict { .. }) => break,
                    Err(e) => return Err(e),
                }
            }
        }
        if self.rng.random_bool(0.08) {
            let poster = self.pick(people);
            self.at(back, 10, 17);
            let text = self.pick(SUGGESTIONS).to_string();
            app::suggestions::service::post(self.state, &poster.user, &text).await?;
            self.report.suggestions += 1;
        }
        if back > 1 && self.rng.random_bool(0.1) {
            if let Some(boss) = people.iter().find(|p| p.user.role == Role::Boss) {
                let view = app::suggestions::service::list(self.state, &boss.user).await?;
                if let Some(s) = view.items.iter().find(|s| s.replies.is_empty()) {
                    let (text, status) = *self.pick(SUGGESTION_REPLIES);
                    self.at(back, h0, h1);
                    app::suggestions::service::reply(self.state, &boss.user, &s.id, text, status)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Reminders due later today for every rep, so the reminder page and its
    /// alert have something to show.
    async fn reminders_for_today(&mut self, reps: &[&Person]) -> AppResult<()> {
        let tz = self.state.config.timezone;
        for rep in reps {
            let mine = self.mine(rep).await?;
            let Some(card) = mine.first() else { continue };
            let at =
                (Utc::now() + Duration::minutes(self.rng.random_range(45..180))).with_timezone(&tz);
            let date = at.date_naive().to_string();
            let time = at.format("%H:%M").to_string();
            let title = format!("回访{}", card.name);
            let content = "带上新版报价单和样品册";
            if app::reminders::service::add(self.state, &rep.user, &date, &time, &title, content)
                .await
                .is_ok()
            {
                self.report.reminders += 1;
            }
        }
        Ok(())
    }
}
