//! The import pages: `/customers/import` (the template, where to, the file) and
//! `/customers/import/:id` (what the check found; the import's progress and
//! report). Both work without JavaScript: the file is a plain multipart form
//! and the progress page has a refresh link; once hydrated it refreshes itself.

use crate::i18n::*;
use crate::import::api::*;
use crate::import::model::*;
use crate::ui::{action_error, code_text, ErrorBox, FormError, Loading};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A field's label, as the form and the template name it.
pub fn field_label(i18n: I18nContext<Locale>, field: &str) -> String {
    match field {
        "name" => t_string!(i18n, field_company),
        "phones" => t_string!(i18n, field_phones),
        "contact" => t_string!(i18n, field_contact),
        "contact_role" => t_string!(i18n, field_contact_role),
        "decision_maker" => t_string!(i18n, field_decision_maker),
        "address" => t_string!(i18n, field_address),
        "region" => t_string!(i18n, field_region),
        "industry" => t_string!(i18n, field_industry),
        "size" => t_string!(i18n, field_size),
        "source" => t_string!(i18n, field_source),
        "expected_amount" => t_string!(i18n, field_expected_amount),
        "founded_on" => t_string!(i18n, field_founded_on),
        "dm_birthday" => t_string!(i18n, field_dm_birthday),
        "referred_by" => t_string!(i18n, field_referred_by),
        "qualified" => t_string!(i18n, import_qualified),
        _ => "",
    }
    .to_string()
}

/// Why a row was refused, in words (a duplicate says when, never by whom).
fn reason(i18n: I18nContext<Locale>, r: &RowIssue) -> String {
    let on = r.on.clone().unwrap_or_default();
    let text = match r.code.as_str() {
        "duplicate" => format!("{} {on}", t_string!(i18n, dup_taken)),
        "duplicate_mine" => format!("{} {on}", t_string!(i18n, dup_mine)),
        "same_as" => t_string!(i18n, import_same_as)
            .replace("{n}", &r.same_as.unwrap_or_default().to_string()),
        "error" => t_string!(i18n, err_internal).to_string(),
        code => code_text(i18n, code),
    };
    let field = field_label(i18n, &r.field);
    if field.is_empty() || r.code.starts_with("duplicate") || r.code == "same_as" {
        text
    } else {
        format!("{field}：{text}")
    }
}

fn file_error(i18n: I18nContext<Locale>, code: &str) -> String {
    match code {
        "too_large" => t_string!(i18n, import_err_too_large),
        "too_many_rows" => t_string!(i18n, import_err_too_many_rows),
        "empty" => t_string!(i18n, import_err_empty),
        "missing_columns" => t_string!(i18n, import_err_missing_columns),
        "forbidden" => t_string!(i18n, err_forbidden),
        "no_file" => t_string!(i18n, import_err_no_file),
        "unsupported" => t_string!(i18n, import_err_unsupported),
        "too_big_inside" => t_string!(i18n, import_err_too_big_inside),
        "too_complex" => t_string!(i18n, import_err_too_complex),
        "daily_limit" => t_string!(i18n, import_err_daily_limit),
        _ => t_string!(i18n, import_err_unreadable),
    }
    .to_string()
}

fn target_text(i18n: I18nContext<Locale>, kind: &str, name: &str) -> String {
    match kind {
        "me" => t_string!(i18n, import_to_me).to_string(),
        "rep" => t_string!(i18n, import_to_rep).replace("{name}", name),
        "department" => t_string!(i18n, import_to_department).replace("{name}", name),
        _ => t_string!(i18n, import_to_pool).to_string(),
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let error = move || query.read().get("error");
    let targets = Resource::new(|| (), |_| import_targets());
    let chosen = RwSignal::new(String::new());
    view! {
        <section class="page import">
            <h1>{t!(i18n, import_title)}</h1>
            <div class="card">
                <ol class="steps">
                    <li>
                        {t!(i18n, import_step_template)} " "
                        <a href="/import/template.xlsx" download="bpc-customers.xlsx" rel="external" data-testid="import-template">
                            {t!(i18n, import_template)}
                        </a>
                    </li>
                    <li>{t!(i18n, import_step_fill)}</li>
                    <li>{t!(i18n, import_step_check)}</li>
                </ol>
                <p class="muted small">{t!(i18n, import_rules_note)}</p>
            </div>
            {move || error().map(|e| view! { <p class="form-error" role="alert" data-testid="import-error">{file_error(i18n, &e)}</p> })}
            <form class="form card" method="post" action="/import/check" enctype="multipart/form-data" data-testid="import-form">
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match targets.await {
                            Ok(list) if list.len() == 1 => view! {
                                <input type="hidden" name="target" value=list[0].value.clone() />
                                <p class="muted">{target_text(i18n, &list[0].kind, &list[0].name)}</p>
                            }.into_any(),
                            Ok(list) => view! {
                                <label>
                                    <span>{t!(i18n, import_target)}</span>
                                    <select name="target" required data-testid="import-target"
                                        on:change=move |ev| chosen.set(event_target_value(&ev))>
                                        {list.into_iter().map(|o| {
                                            let label = target_text(i18n, &o.kind, &o.name);
                                            view! { <option value=o.value>{label}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                            }.into_any(),
                            Err(err) => view! { <ErrorBox err /> }.into_any(),
                        }
                    })}
                </Transition>
                <crate::ui::FileChooser name="file".to_string() accept=".xlsx,.csv".to_string() label=t_string!(i18n, import_choose_file).to_string() testid="import-file".to_string() required=true multiple=false camera=false />
                <button type="submit" class="primary" data-testid="import-check">{t!(i18n, import_check)}</button>
            </form>
        </section>
    }
}

#[component]
pub fn ImportBatchPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let start = ServerAction::<StartImport>::new();
    let data = Resource::new(
        move || (id(), start.version().get()),
        |(id, _)| get_import_view(id),
    );
    let err = action_error(start);
    view! {
        <section class="page import">
            <h1>{t!(i18n, import_title)}</h1>
            <FormError err fields=&[] />
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <Batch v start /> }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Batch(v: ImportView, start: ServerAction<StartImport>) -> impl IntoView {
    let i18n = use_i18n();
    let target = target_text(i18n, &v.target_kind, &v.target_name);
    let errors_href = format!("/import/{}/errors.xlsx", v.id);
    let has_errors = v.has_errors();
    let status = v.status.clone();
    let summary = match status.as_str() {
        "invalid" => {
            let missing = v
                .missing
                .iter()
                .map(|f| field_label(i18n, f))
                .collect::<Vec<_>>()
                .join("、");
            let text = v
                .error
                .as_deref()
                .map(|e| file_error(i18n, e))
                .unwrap_or_else(|| t_string!(i18n, import_nothing_to_import).to_string());
            view! {
                <div class="card notice warn" data-testid="import-invalid">
                    <p>{text}</p>
                    {(!missing.is_empty()).then(|| view! { <p><strong>{missing}</strong></p> })}
                    <p><a href="/customers/import">{t!(i18n, import_again)}</a></p>
                </div>
            }
            .into_any()
        }
        "expired" => view! {
            <div class="card notice warn" data-testid="import-expired-check">
                <p>{t!(i18n, import_check_expired)}</p>
                <p><a href="/customers/import">{t!(i18n, import_again)}</a></p>
            </div>
        }
        .into_any(),
        "checked" => {
            let id = v.id.clone();
            let accepted = v.accepted;
            let plan = match v.target_kind.as_str() {
                "me" | "rep" => t_string!(i18n, import_plan_owner)
                    .replace("{lock}", &v.will_lock.to_string())
                    .replace("{draft}", &v.will_draft.to_string()),
                _ => String::new(),
            };
            view! {
                <div class="card" data-testid="import-checked">
                    <p data-testid="import-counts">
                        {t_string!(i18n, import_checked)
                            .replace("{rows}", &v.rows.to_string())
                            .replace("{ok}", &accepted.to_string())
                            .replace("{bad}", &v.refused_count.to_string())}
                    </p>
                    {(!plan.is_empty()).then(|| view! { <p class="muted small" data-testid="import-plan">{plan}</p> })}
                    <ActionForm action=start attr:class="inline">
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="primary" disabled=move || start.pending().get() data-testid="import-start">
                            {t_string!(i18n, import_start).replace("{n}", &accepted.to_string())}
                        </button>
                    </ActionForm>
                    <p class="small"><a href="/customers/import">{t!(i18n, import_again)}</a></p>
                </div>
            }
            .into_any()
        }
        _ => {
            let total = v.accepted.max(1);
            let pct = (u64::from(v.done) * 100 / u64::from(total)) as u32;
            let done = status == "done";
            view! {
                <div class="card" data-testid="import-progress" data-status=status.clone()>
                    <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.to_string()>
                        <span class="bar-fill" style=format!("width:{pct}%")></span>
                    </div>
                    <p>
                        {t_string!(i18n, import_progress)
                            .replace("{done}", &v.done.to_string())
                            .replace("{total}", &v.accepted.to_string())}
                    </p>
                    {if done {
                        view! {
                            <p data-testid="import-report">
                                {t_string!(i18n, import_report)
                                    .replace("{n}", &v.imported.to_string())
                                    .replace("{lock}", &v.locked.to_string())
                                    .replace("{draft}", &v.drafts.to_string())
                                    .replace("{bad}", &v.failed_count.to_string())}
                                {v.seconds.map(|s| format!(" ({s:.1} s)"))}
                            </p>
                            <p><a href="/customers">{t!(i18n, import_to_customers)}</a></p>
                        }
                        .into_any()
                    } else {
                        view! {
                            <p><a href=format!("/customers/import/{}", v.id) rel="external">{t!(i18n, import_refresh)}</a></p>
                            <crate::ui::ReloadSoon ms=1000 />
                        }
                        .into_any()
                    }}
                </div>
            }
            .into_any()
        }
    };
    let issues = |title: String, list: Vec<RowIssue>, count: u32, testid: &'static str| {
        (count > 0).then(|| {
            view! {
                <div class="card" data-testid=testid>
                    <h2>{title.replace("{n}", &count.to_string())}</h2>
                    <div class="table-wrap"><table class="table">
                        <thead><tr>
                            <th>{t!(i18n, import_row)}</th>
                            <th>{t!(i18n, field_company)}</th>
                            <th>{t!(i18n, import_reason)}</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|r| {
                                let why = reason(i18n, &r);
                                view! { <tr data-row=r.row><td>{r.row}</td><td>{r.name}</td><td>{why}</td></tr> }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                    {(count as usize > crate::import::model::SHOWN).then(|| view! { <p class="muted small">{t!(i18n, import_more_in_workbook)}</p> })}
                </div>
            }
        })
    };
    view! {
        <p class="muted" data-testid="import-file-name">{v.file_name.clone()} " · " {target}</p>
        {summary}
        {issues(t_string!(i18n, import_refused).to_string(), v.refused, v.refused_count, "import-refused")}
        {issues(t_string!(i18n, import_failed).to_string(), v.failed, v.failed_count, "import-failed")}
        {has_errors.then(|| view! {
            <p><a href=errors_href download="bpc-import-errors.xlsx" rel="external" data-testid="import-errors">{t!(i18n, import_errors_workbook)}</a></p>
        })}
        {(v.expired && v.refused_count + v.failed_count > 0).then(|| view! {
            <p class="muted small" data-testid="import-expired">{t!(i18n, import_rows_expired)}</p>
        })}
    }
}
