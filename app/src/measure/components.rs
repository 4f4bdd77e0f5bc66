//! The ranking boards (`/rankings`) and a person's profile (`/people/:id`): every
//! choice is a link or a GET form, so both work before the WASM loads.

use crate::auth::context::WithUser;
use crate::i18n::*;
use crate::measure::api::*;
use crate::measure::chart::{LineChart, Series, ValueFormat};
use crate::measure::model::*;
use crate::measure::rules::{Measure, Unit, Weights, PERIODS};
use crate::ui::money;
use crate::ui::{action_error, ErrorBox, FieldError, FormError, Loading};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_params_map, use_query_map};

fn measure_label(i18n: I18nContext<Locale>, m: Measure) -> String {
    match m {
        Measure::Hours => t_string!(i18n, rank_m_hours),
        Measure::Score => t_string!(i18n, rank_m_score),
        Measure::PipeAmount => t_string!(i18n, rank_m_pipe_amount),
        Measure::PipeCount => t_string!(i18n, rank_m_pipe_count),
        Measure::WonCount => t_string!(i18n, rank_m_won_count),
        Measure::WonAmount => t_string!(i18n, rank_m_won_amount),
        Measure::Supported => t_string!(i18n, rank_m_supported),
        Measure::Resolved => t_string!(i18n, rank_m_resolved),
        Measure::Visits => t_string!(i18n, rank_m_visits),
        Measure::Locked => t_string!(i18n, rank_m_locked),
    }
    .to_string()
}

/// "How is this counted", from the same definitions the code ranks by.
fn measure_how(i18n: I18nContext<Locale>, m: Measure, w: &Weights) -> String {
    match m {
        Measure::Hours => t_string!(i18n, rank_how_hours).to_string(),
        Measure::Score => t_string!(i18n, rank_how_score)
            .replace("{a}", &w.advance.to_string())
            .replace("{v}", &w.visit.to_string())
            .replace("{f}", &w.followup.to_string())
            .replace("{c}", &w.confiscation.to_string()),
        Measure::PipeAmount => t_string!(i18n, rank_how_pipe_amount).to_string(),
        Measure::PipeCount => t_string!(i18n, rank_how_pipe_count).to_string(),
        Measure::WonCount => t_string!(i18n, rank_how_won_count).to_string(),
        Measure::WonAmount => t_string!(i18n, rank_how_won_amount).to_string(),
        Measure::Supported => t_string!(i18n, rank_how_supported).to_string(),
        Measure::Resolved => t_string!(i18n, rank_how_resolved).to_string(),
        Measure::Visits => t_string!(i18n, rank_how_visits).to_string(),
        Measure::Locked => t_string!(i18n, rank_how_locked).to_string(),
    }
}

fn value_text(i18n: I18nContext<Locale>, unit: Unit, v: i64) -> String {
    match unit {
        Unit::TenthHours => {
            t_string!(i18n, rank_hours_value).replace("{n}", &format!("{:.1}", v as f64 / 10.0))
        }
        Unit::Cents => money(v),
        Unit::Points | Unit::Count => v.to_string(),
    }
}

/// "+12", "-3", "±0".
fn signed(s: String, d: i64) -> String {
    match d.cmp(&0) {
        std::cmp::Ordering::Less => s,
        std::cmp::Ordering::Equal => format!("±{s}"),
        std::cmp::Ordering::Greater => format!("+{s}"),
    }
}

fn period_label(i18n: I18nContext<Locale>, p: &str) -> String {
    match p {
        "week" => t_string!(i18n, period_week),
        "month" => t_string!(i18n, period_month),
        "quarter" => t_string!(i18n, period_quarter),
        "year" => t_string!(i18n, period_year),
        "last_week" => t_string!(i18n, period_last_week),
        "last_month" => t_string!(i18n, period_last_month),
        "last_quarter" => t_string!(i18n, period_last_quarter),
        "last_year" => t_string!(i18n, period_last_year),
        _ => t_string!(i18n, period_custom),
    }
    .to_string()
}

/// The board's query: measure, period, from, to, scope, all.
#[derive(Clone, PartialEq, Default)]
struct BoardQuery {
    m: String,
    p: String,
    from: String,
    to: String,
    s: String,
    all: bool,
}

impl BoardQuery {
    fn href(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [("m", &self.m), ("p", &self.p), ("s", &self.s)] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", urlencoding(v)));
            }
        }
        if self.p == "custom" {
            parts.push(format!(
                "from={}&to={}",
                urlencoding(&self.from),
                urlencoding(&self.to)
            ));
        }
        if self.all {
            parts.push("all=1".into());
        }
        if parts.is_empty() {
            "/rankings".into()
        } else {
            format!("/rankings?{}", parts.join("&"))
        }
    }
}

/// Percent-encodes what a query value may hold (ids, dates and our keywords are
/// ASCII; anything else is encoded byte by byte).
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn RankingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = Memo::new(move |_| {
        let q = query.read();
        BoardQuery {
            m: q.get("m").unwrap_or_default(),
            p: q.get("p").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            s: q.get("s").unwrap_or_default(),
            all: q.get("all").is_some_and(|v| v == "1"),
        }
    });
    let data = Resource::new(
        move || q.get(),
        |q| ranking_board(q.m, q.p, q.from, q.to, q.s, q.all),
    );
    view! {
        <section class="page rankings">
            <h1>{t!(i18n, rank_title)}</h1>
            <crate::ui::TeamNav active="rankings" />
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <Board v /> }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
            <WithUser view=|u| (u.role == crate::auth::model::Role::Admin).then(|| view! { <MeasureSettingsForm /> }) />
        </section>
    }
}

#[component]
fn Board(v: BoardView) -> impl IntoView {
    let i18n = use_i18n();
    let measure = Measure::parse(&v.measure).unwrap_or(Measure::Score);
    let unit = measure.unit();
    let current = BoardQuery {
        m: v.measure.clone(),
        p: v.period.clone(),
        s: v.scope.clone(),
        from: if v.period == "custom" {
            v.from.clone()
        } else {
            String::new()
        },
        to: if v.period == "custom" {
            v.to.clone()
        } else {
            String::new()
        },
        all: v.all,
    };
    let measure_tabs = Measure::ALL
        .into_iter()
        .map(|m| {
            let href = BoardQuery {
                m: m.as_str().into(),
                all: false,
                ..current.clone()
            }
            .href();
            let class = if m == measure { "tab active" } else { "tab" };
            view! { <a class=class href=href data-measure=m.as_str()>{measure_label(i18n, m)}</a> }
        })
        .collect_view();
    let period_tabs = PERIODS
        .into_iter()
        .map(|p| {
            let href = BoardQuery {
                p: p.into(),
                from: String::new(),
                to: String::new(),
                all: false,
                ..current.clone()
            }
            .href();
            let class = if p == v.period { "tab active" } else { "tab" };
            view! { <a class=class href=href data-period=p>{period_label(i18n, p)}</a> }
        })
        .collect_view();
    let scope_options = v
        .scopes
        .iter()
        .map(|s| {
            let label = if s.key == "company" {
                t_string!(i18n, rank_scope_company).to_string()
            } else {
                s.label.clone()
            };
            view! { <option value=s.key.clone() selected=s.key == v.scope>{label}</option> }
        })
        .collect_view();
    let has_rows = !v.rows.is_empty();
    let more = v.people > v.rows.len() && !v.all;
    let all_href = BoardQuery {
        all: true,
        ..current.clone()
    }
    .href();
    let rows = v
        .rows
        .iter()
        .cloned()
        .map(|r| view! { <BoardRowView r unit /> })
        .collect_view();
    let how = measure_how(i18n, measure, &v.weights);
    let span = t_string!(i18n, rank_span)
        .replace("{from}", &v.from)
        .replace("{to}", &v.to)
        .replace("{pfrom}", &v.prev_from)
        .replace("{pto}", &v.prev_to);
    view! {
        <nav class="tabs scroll-tabs measure-tabs" data-testid="measure-tabs">{measure_tabs}</nav>
        <nav class="tabs scroll-tabs" data-testid="period-tabs">{period_tabs}</nav>
        <details class="card small custom-range" open=v.period == "custom">
            <summary>{t!(i18n, period_custom)}</summary>
            <form method="get" action="/rankings" class="inline-form">
                <input type="hidden" name="m" value=v.measure.clone() />
                <input type="hidden" name="s" value=v.scope.clone() />
                <input type="hidden" name="p" value="custom" />
                <input type="date" name="from" required value=v.from.clone() data-testid="range-from" />
                <input type="date" name="to" required value=v.to.clone() data-testid="range-to" />
                <button type="submit">{t!(i18n, rank_show)}</button>
            </form>
        </details>
        {(v.scopes.len() > 1).then(|| view! {
            <form method="get" action="/rankings" class="inline-form scope-form">
                <input type="hidden" name="m" value=v.measure.clone() />
                <input type="hidden" name="p" value=v.period.clone() />
                {(v.period == "custom").then(|| view! {
                    <input type="hidden" name="from" value=v.from.clone() />
                    <input type="hidden" name="to" value=v.to.clone() />
                })}
                <label>
                    <span class="sr-only">{t!(i18n, rank_scope)}</span>
                    <select name="s" data-testid="scope-select" onchange="this.form.submit()">{scope_options}</select>
                </label>
                <noscript><button type="submit">{t!(i18n, rank_show)}</button></noscript>
            </form>
        })}
        <p class="muted small" data-testid="rank-span">{span}</p>
        {if has_rows {
            view! { <ol class="list board" data-testid="board">{rows}</ol> }.into_any()
        } else {
            view! { <p class="card empty-state muted">{t!(i18n, rank_none)}</p> }.into_any()
        }}
        {more.then(|| view! {
            <a class="link-button" href=all_href data-testid="board-all">
                {t_string!(i18n, rank_show_all).replace("{n}", &v.people.to_string())}
            </a>
        })}
        <details class="card small" data-testid="rank-how">
            <summary>{t!(i18n, rank_how)}</summary>
            <p>{how}</p>
            <p>{t!(i18n, rank_how_credit)}</p>
            <p>{t!(i18n, rank_how_change)}</p>
        </details>
    }
}

#[component]
fn BoardRowView(r: BoardRow, unit: Unit) -> impl IntoView {
    let i18n = use_i18n();
    let class = if r.me {
        "card board-row me"
    } else {
        "card board-row"
    };
    let initial = r.name.chars().next().map(String::from).unwrap_or_default();
    let value = r
        .value
        .map(|v| value_text(i18n, unit, v))
        .unwrap_or_else(|| "—".into());
    let delta = match (r.value, r.prev_value) {
        (Some(a), Some(b)) => {
            let d = a - b;
            let cls = match d.cmp(&0) {
                std::cmp::Ordering::Greater => "delta up",
                std::cmp::Ordering::Less => "delta down",
                std::cmp::Ordering::Equal => "delta",
            };
            Some((cls, signed(value_text(i18n, unit, d), d)))
        }
        _ => None,
    };
    let moved = r
        .prev_rank
        .map(|p| i64::from(p) - i64::from(r.rank))
        .filter(|m| *m != 0);
    let name = if r.linked {
        view! { <a href=format!("/people/{}", r.user_id) data-testid="board-name">{r.name.clone()}</a> }.into_any()
    } else {
        view! { <span data-testid="board-name">{r.name.clone()}</span> }.into_any()
    };
    view! {
        <li class=class data-testid="board-row" data-user=r.user_id.clone() data-rank=r.rank.to_string() aria-current=r.me.then_some("true")>
            <span class="rank" data-testid="board-rank">{r.rank}</span>
            <span class="avatar small-avatar">{initial}</span>
            <span class="board-who">
                {name}
                <small class="muted">{r.department_name.clone()}</small>
            </span>
            <span class="board-value">
                <strong data-testid="board-value">{value}</strong>
                {delta.map(|(cls, text)| view! {
                    <small class=cls title=move || t_string!(i18n, rank_change_title).to_string()>{text}</small>
                })}
                {moved.map(|m| {
                    let (cls, arrow) = if m > 0 { ("move up", "▲") } else { ("move down", "▼") };
                    view! { <small class=cls>{arrow}{m.abs()}</small> }
                })}
            </span>
        </li>
    }
}

#[component]
fn MeasureSettingsForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveMeasureSettings>::new();
    let err = action_error(save);
    let data = Resource::new(move || save.version().get(), |_| get_measure_settings());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                data.await.ok().map(|s| view! {
                    <details class="card" data-testid="measure-settings">
                        <summary>{t!(i18n, rank_settings)}</summary>
                        <ActionForm action=save attr:class="form">
                            <FormError err fields=&["advance", "visit", "followup", "confiscation"] />
                            <p class="muted small">{t!(i18n, rank_settings_help)}</p>
                            <label><span>{t!(i18n, rank_w_advance)}</span>
                                <input name="advance" type="number" min="0" max="100" inputmode="numeric" value=s.weights.advance.to_string() required /></label>
                            <FieldError err field="advance" />
                            <label><span>{t!(i18n, rank_w_visit)}</span>
                                <input name="visit" type="number" min="0" max="100" inputmode="numeric" value=s.weights.visit.to_string() required data-testid="weight-visit" /></label>
                            <FieldError err field="visit" />
                            <label><span>{t!(i18n, rank_w_followup)}</span>
                                <input name="followup" type="number" min="0" max="100" inputmode="numeric" value=s.weights.followup.to_string() required /></label>
                            <FieldError err field="followup" />
                            <label><span>{t!(i18n, rank_w_confiscation)}</span>
                                <input name="confiscation" type="number" min="0" max="100" inputmode="numeric" value=s.weights.confiscation.to_string() required /></label>
                            <FieldError err field="confiscation" />
                            <label class="check"><input type="checkbox" name="reps_see_company" value="1" checked=s.reps_see_company />
                                <span>{t!(i18n, rank_reps_see_company)}</span></label>
                            <button type="submit" class="primary">{t!(i18n, save)}</button>
                        </ActionForm>
                    </details>
                })
            })}
        </Transition>
    }
}

// ---------------------------------------------------------------------------
// A person's profile

#[component]
pub fn PersonPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        (
            params.read().get("id").unwrap_or_default(),
            query.read().get("w").unwrap_or_default(),
        )
    };
    let data = Resource::new(key, |(id, w)| person_profile(id, w));
    view! {
        <section class="page person">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(p) => view! { <Profile p /> }.into_any(),
                        Err(err) => view! { <h1>{t!(i18n, person_title)}</h1><ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Profile(p: ProfileView) -> impl IntoView {
    let i18n = use_i18n();
    let role = crate::auth::model::Role::parse(&p.role);
    let weeks_tabs = [4u32, 12, 26]
        .into_iter()
        .map(|w| {
            let class = if w == p.weeks { "tab active" } else { "tab" };
            view! {
                <a class=class href=format!("/people/{}?w={w}", p.user_id) data-weeks=w.to_string()>
                    {t_string!(i18n, person_weeks).replace("{n}", &w.to_string())}
                </a>
            }
        })
        .collect_view();
    let days: Vec<String> = p.days.iter().map(|d| d.day[5..].to_string()).collect();
    let marked: Vec<bool> = p.days.iter().map(|d| d.new).collect();
    let hours = Series {
        label: p.name.clone(),
        values: p.days.iter().map(|d| d.hours).collect(),
    };
    let dept_hours = Series {
        label: t_string!(i18n, person_dept_avg).to_string(),
        values: p.days.iter().map(|d| d.dept_hours).collect(),
    };
    let score = Series {
        label: p.name.clone(),
        values: p.days.iter().map(|d| d.score as f64).collect(),
    };
    let dept_score = Series {
        label: t_string!(i18n, person_dept_avg).to_string(),
        values: p.days.iter().map(|d| d.dept_score).collect(),
    };
    let total_hours: f64 = p.days.iter().map(|d| d.hours).sum();
    let dept_total_hours: f64 = p.days.iter().map(|d| d.dept_hours).sum();
    let total_score: i64 = p.days.iter().map(|d| d.score).sum();
    let dept_total_score: f64 = p.days.iter().map(|d| d.dept_score).sum();
    let new_rep = p.days.iter().any(|d| d.new);
    let marked_label = t_string!(i18n, person_first_weeks).to_string();
    let weakest = p.weakest;
    let stages = p
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let weak = weakest == Some(i);
            let pct = |v: Option<u8>| v.map(|v| format!("{v}%")).unwrap_or_else(|| "—".into());
            let width = s.mine.unwrap_or(0);
            let dept_at = s.department.unwrap_or(0);
            view! {
                <li class=if weak { "stage-success weak" } else { "stage-success" } data-testid="stage-success" data-weak=weak.to_string()>
                    <div class="stage-names"><span>{s.stage.clone()}</span> " → " <span>{s.next.clone()}</span></div>
                    <div class="bar" aria-hidden="true">
                        <span class="bar-fill" style=format!("width:{width}%")></span>
                        <span class="bar-mark" style=format!("left:{dept_at}%")></span>
                    </div>
                    <div class="stage-numbers small">
                        <strong>{pct(s.mine)}</strong>
                        <span class="muted">{t_string!(i18n, person_dept_rate).replace("{p}", &pct(s.department))}</span>
                        <span class="muted">{t_string!(i18n, person_reached).replace("{n}", &s.reached.to_string())}</span>
                    </div>
                    {weak.then(|| view! { <p class="small warn-text" data-testid="weakest-note">{t!(i18n, person_weakest)}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="card profile-head">
            <div class="avatar">{p.name.chars().next().map(String::from).unwrap_or_default()}</div>
            <div>
                <h1 data-testid="person-name">{p.name.clone()}</h1>
                <p class="muted small">
                    {move || role.map(|r| crate::auth::context::role_label(i18n, r)).unwrap_or_default()}
                    " · " {p.department_name.clone()} " · "
                    {t_string!(i18n, person_joined).replace("{d}", &p.joined)}
                </p>
            </div>
        </div>
        {new_rep.then(|| view! { <p class="notice small" data-testid="new-rep-note">{t!(i18n, person_new_note)}</p> })}
        <nav class="tabs" data-testid="weeks-tabs">{weeks_tabs}</nav>
        <div class="card">
            <h2>{t!(i18n, person_time_curve)}</h2>
            <p class="muted small" data-testid="hours-total">
                {t_string!(i18n, person_hours_total).replace("{n}", &format!("{total_hours:.1}")).replace("{d}", &format!("{dept_total_hours:.1}"))}
            </p>
            <LineChart mine=hours average=dept_hours days=days.clone() marked=marked.clone() format=ValueFormat::Hours testid="time-curve".to_string() marked_label=marked_label.clone() />
        </div>
        <div class="card">
            <h2>{t!(i18n, person_efficiency_curve)}</h2>
            <p class="muted small" data-testid="score-total">
                {t_string!(i18n, person_score_total).replace("{n}", &total_score.to_string()).replace("{d}", &format!("{dept_total_score:.0}"))}
            </p>
            <LineChart mine=score average=dept_score days marked format=ValueFormat::Score testid="efficiency-curve".to_string() marked_label />
            <p class="muted small">{measure_how(i18n, Measure::Score, &p.weights)}</p>
        </div>
        <crate::audit::components::OwnerViews person=p.user_id.clone() />
        <div class="card">
            <h2>{t!(i18n, person_stage_success)}</h2>
            <p class="muted small">{t!(i18n, person_stage_help)}</p>
            <ul class="plain-list" data-testid="stage-successes">{stages}</ul>
        </div>
    }
}
