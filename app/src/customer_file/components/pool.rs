//! The public pool, with its filters.

use super::list::*;
use crate::customers::api::*;
use crate::funnel::api::list_stages;
use crate::i18n::*;
use crate::ui::{ErrorBox, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PoolPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let data = Resource::new(
        move || {
            (
                get("industry"),
                get("size"),
                get("region"),
                get("source"),
                get("stage"),
                crate::ui::asked_rows(&query.read()),
                get("q"),
            )
        },
        |(industry, size, region, source, stage, n, q)| {
            pool(industry, size, region, source, stage, n, q)
        },
    );
    let stages = Resource::new(|| (), |_| list_stages());
    view! {
        <section class="page pool">
            <h1>{t!(i18n, pool_title)}</h1>
            <p class="muted">{t!(i18n, pool_intro)}</p>
            {move || view! {
                <SearchBox action="/pool" q=get("q") keep=["industry", "size", "region", "source", "stage"].into_iter().map(|k| (k, get(k))).collect() />
            }}
            <details class="card">
                <summary>{t!(i18n, filters)}</summary>
                <form method="get" action="/pool" class="form">
                    <input type="hidden" name="q" value=get("q") />
                    <div class="grid2">
                        <label><span>{t!(i18n, field_industry)}</span><input name="industry" value=get("industry") /></label>
                        <label><span>{t!(i18n, field_region)}</span><input name="region" value=get("region") /></label>
                        <label><span>{t!(i18n, field_size)}</span>
                            <select name="size">
                                <option value="">"—"</option>
                                {["1-20", "21-100", "101-500", "500+"].into_iter().map(|s| view! { <option value=s selected=get("size") == s>{s}</option> }).collect_view()}
                            </select>
                        </label>
                        <label><span>{t!(i18n, field_source)}</span><input name="source" value=get("source") /></label>
                    </div>
                    <label><span>{t!(i18n, stage)}</span>
                        <select name="stage">
                            <option value="">"—"</option>
                            <Suspense>
                                {move || Suspend::new(async move {
                                    stages.await.unwrap_or_default().into_iter().filter(|s| s.active).map(|s| {
                                        let selected = get("stage") == s.id;
                                        view! { <option value=s.id selected=selected>{s.name}</option> }
                                    }).collect_view()
                                })}
                            </Suspense>
                        </select>
                    </label>
                    <button type="submit">{t!(i18n, apply_filters)}</button>
                </form>
            </details>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(cards) if cards.is_empty() => view! { <p class="card empty-state muted">{t!(i18n, pool_empty)}</p> }.into_any(),
                        Ok(cards) => {
                            let q = query.read_untracked();
                            let keep: Vec<(&str, String)> = ["industry", "size", "region", "source", "stage", "q"]
                                .into_iter()
                                .map(|k| (k, q.get(k).unwrap_or_default()))
                                .collect();
                            let keep: Vec<(&str, &str)> = keep.iter().map(|(k, v)| (*k, v.as_str())).collect();
                            let more = more_href(&keep, cards.len(), crate::ui::asked_rows(&query.read_untracked()));
                            view! {
                                <ul class="list" data-testid="pool-list">
                                    {cards.into_iter().map(|card| view! { <CardRow card /> }).collect_view()}
                                </ul>
                                <ShowMore href=more />
                            }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
