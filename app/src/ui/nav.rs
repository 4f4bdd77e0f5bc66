//! Navigation shared by several features' pages.

use crate::i18n::*;
use leptos::prelude::*;

/// Links between the team pages (alarms, experience, suggestions, statistics).
#[component]
pub fn TeamNav(active: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let class = move |name: &'static str| if name == active { "tab active" } else { "tab" };
    view! {
        <nav class="tabs" data-testid="team-nav">
            <a class=class("rankings") href="/rankings" data-testid="rankings-link">{t!(i18n, rank_title)}</a>
            <a class=class("targets") href="/targets" data-testid="targets-link">{t!(i18n, target_title)}</a>
            <a class=class("alarms") href="/alarms">{t!(i18n, alarm_title)}</a>
            <a class=class("experience") href="/experience" data-testid="experience-link">{t!(i18n, exp_title)}</a>
            <a class=class("suggestions") href="/suggestions" data-testid="suggestions-link">{t!(i18n, sugg_title)}</a>
            <a class=class("stats") href="/alarms/stats" data-testid="alarm-stats-link">{t!(i18n, alarm_stats_title)}</a>
        </nav>
    }
}
