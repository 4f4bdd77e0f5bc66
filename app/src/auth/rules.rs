//! Pure rules for credentials. No I/O.

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;
pub const LOGIN_MIN: usize = 3;
pub const LOGIN_MAX: usize = 32;
pub const NAME_MAX: usize = 40;

/// Password policy: 8..=128 characters with at least one letter and one digit.
/// Returns the translation code of the broken rule.
pub fn check_password(password: &str) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        return Err("password_too_short");
    }
    if len > PASSWORD_MAX {
        return Err("password_too_long");
    }
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        return Err("password_needs_letter_and_digit");
    }
    Ok(())
}

/// Login names are case-insensitive: stored lower-case, 3..=32 of `a-z 0-9 . _ -`,
/// starting with a letter or digit.
pub fn normalize_login(raw: &str) -> Result<String, &'static str> {
    let login = raw.trim().to_lowercase();
    let len = login.chars().count();
    if !(LOGIN_MIN..=LOGIN_MAX).contains(&len) {
        return Err("login_length");
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
    if !login.chars().all(allowed) {
        return Err("login_chars");
    }
    if !login.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("login_chars");
    }
    Ok(login)
}

/// A display name (person, department, company): trimmed, 1..=40 characters,
/// no control characters.
pub fn normalize_name(raw: &str) -> Result<String, &'static str> {
    let name = raw.trim().to_string();
    if name.is_empty() {
        return Err("required");
    }
    if name.chars().count() > NAME_MAX {
        return Err("name_too_long");
    }
    if crate::text::refusal(&name).is_some() {
        return Err("name_chars");
    }
    Ok(name)
}

/// An optional phone number for a colleague: digits, spaces, `+ - ( )`, 5..=20 long.
pub fn normalize_optional_phone(raw: &str) -> Result<Option<String>, &'static str> {
    let phone = raw.trim();
    if phone.is_empty() {
        return Ok(None);
    }
    let ok_chars = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !ok_chars || !(5..=20).contains(&digits) {
        return Err("phone_invalid");
    }
    Ok(Some(phone.to_string()))
}

/// Sliding-window limit on failed logins: allowed while fewer than `max` failures
/// happened in the last `window_secs` seconds before `now` (all in seconds).
pub fn login_allowed(failures: &[u64], now: u64, window_secs: u64, max: usize) -> bool {
    let recent = failures
        .iter()
        .filter(|&&t| now.saturating_sub(t) < window_secs)
        .count();
    recent < max
}

/// Is a session still good at `now_ms`? It began at `since_ms` (none: a
/// session from before sign-in times were kept, which is over), must not be
/// older than `max_ms` however busy it was, and must have begun after the
/// user's sessions were last cut (`cut_ms`, e.g. a password change).
/// Inactivity is the session store's own expiry.
pub fn session_valid(since_ms: Option<i64>, cut_ms: i64, now_ms: i64, max_ms: i64) -> bool {
    since_ms.is_some_and(|since| since >= cut_ms && now_ms.saturating_sub(since) < max_ms)
}

/// How often a session in use is written again, to move its inactivity
/// expiry on (a write per request would cost every page a database write).
pub const TOUCH_EVERY_MS: i64 = 10 * 60 * 1000;

/// Should a session last written at `seen_ms` be written again at `now_ms`?
pub fn needs_touch(seen_ms: Option<i64>, now_ms: i64) -> bool {
    seen_ms.is_none_or(|seen| now_ms.saturating_sub(seen) >= TOUCH_EVERY_MS)
}

/// The client's address, for the per-address sign-in limit: the socket peer,
/// unless the peer is a trusted proxy; then the right-most `X-Forwarded-For`
/// entry that is not itself a trusted proxy (entries to its left are whatever
/// the client claimed, and cannot be believed). Behind a proxy that is not
/// trusted, every user would share the proxy's address and one limit.
#[cfg(feature = "ssr")]
pub fn client_address(
    peer: std::net::IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for entry in forwarded_for.unwrap_or_default().rsplit(',') {
        match entry.trim().parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // a malformed hop: trust nothing further left
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const H: i64 = 3_600_000;

    #[rstest]
    #[case::fresh(Some(10 * H), 0, 11 * H, true)]
    #[case::older_than_the_cap(Some(10 * H), 0, 10 * H + 168 * H, false)]
    #[case::just_under_the_cap(Some(10 * H), 0, 10 * H + 168 * H - 1, true)]
    #[case::cut_after_it_began(Some(10 * H), 10 * H + 1, 11 * H, false)]
    #[case::begun_at_the_cut(Some(10 * H), 10 * H, 11 * H, true)]
    #[case::from_before_sign_in_times(None, 0, 11 * H, false)]
    fn sessions_end_at_the_cap_or_the_cut(
        #[case] since: Option<i64>,
        #[case] cut: i64,
        #[case] now: i64,
        #[case] valid: bool,
    ) {
        assert_eq!(session_valid(since, cut, now, 168 * H), valid);
    }

    #[rstest]
    #[case::never(None, 0, true)]
    #[case::just_now(Some(1_000), 1_000 + TOUCH_EVERY_MS - 1, false)]
    #[case::due(Some(1_000), 1_000 + TOUCH_EVERY_MS, true)]
    fn a_session_in_use_is_written_again_every_ten_minutes(
        #[case] seen: Option<i64>,
        #[case] now: i64,
        #[case] touch: bool,
    ) {
        assert_eq!(needs_touch(seen, now), touch);
    }

    #[cfg(feature = "ssr")]
    #[rstest]
    #[case::direct("203.0.113.9", None, "203.0.113.9")]
    #[case::untrusted_peer_forwarded_ignored("203.0.113.9", Some("10.9.9.9"), "203.0.113.9")]
    #[case::via_the_proxy("127.0.0.1", Some("198.51.100.7"), "198.51.100.7")]
    #[case::spoofed_left_entry_ignored("127.0.0.1", Some("1.2.3.4, 198.51.100.7"), "198.51.100.7")]
    #[case::two_trusted_hops("127.0.0.1", Some("198.51.100.7, 10.0.0.5"), "198.51.100.7")]
    #[case::proxy_without_header("127.0.0.1", None, "127.0.0.1")]
    #[case::garbage_header("127.0.0.1", Some("not an ip"), "127.0.0.1")]
    fn the_client_address_believes_trusted_proxies_only(
        #[case] peer: &str,
        #[case] forwarded: Option<&str>,
        #[case] want: &str,
    ) {
        let trusted: Vec<ipnet::IpNet> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        assert_eq!(
            client_address(peer.parse().unwrap(), forwarded, &trusted),
            want.parse::<std::net::IpAddr>().unwrap()
        );
    }

    #[rstest]
    #[case("abc12345", Ok(()))]
    #[case("密码安全abc1", Ok(()))]
    #[case("short1", Err("password_too_short"))]
    #[case("", Err("password_too_short"))]
    #[case("abcdefgh", Err("password_needs_letter_and_digit"))]
    #[case("12345678", Err("password_needs_letter_and_digit"))]
    #[case(&"a1".repeat(65), Err("password_too_long"))]
    #[case(&"a1".repeat(64), Ok(()))]
    fn password_policy(#[case] pw: &str, #[case] expected: Result<(), &'static str>) {
        assert_eq!(check_password(pw), expected);
    }

    #[rstest]
    #[case("Alice", Ok("alice"))]
    #[case("  rep1 ", Ok("rep1"))]
    #[case("wang.li_2-x", Ok("wang.li_2-x"))]
    #[case("ab", Err("login_length"))]
    #[case(&"a".repeat(33), Err("login_length"))]
    #[case("张三丰", Err("login_chars"))]
    #[case("a b c", Err("login_chars"))]
    #[case("_admin", Err("login_chars"))]
    #[case("bob@x", Err("login_chars"))]
    fn login_names(#[case] raw: &str, #[case] expected: Result<&str, &'static str>) {
        assert_eq!(normalize_login(raw), expected.map(str::to_string));
    }

    #[rstest]
    #[case(" 王小明 ", Ok("王小明"))]
    #[case("", Err("required"))]
    #[case("   ", Err("required"))]
    #[case(&"名".repeat(41), Err("name_too_long"))]
    #[case("a\u{7}b", Err("name_chars"))]
    fn names(#[case] raw: &str, #[case] expected: Result<&str, &'static str>) {
        assert_eq!(normalize_name(raw), expected.map(str::to_string));
    }

    #[rstest]
    #[case("", Ok(None))]
    #[case("138 0013 8000", Ok(Some("138 0013 8000")))]
    #[case("+86-10-1234567", Ok(Some("+86-10-1234567")))]
    #[case("1234", Err("phone_invalid"))]
    #[case("call me", Err("phone_invalid"))]
    fn phones(#[case] raw: &str, #[case] expected: Result<Option<&str>, &'static str>) {
        assert_eq!(
            normalize_optional_phone(raw),
            expected.map(|o| o.map(str::to_string))
        );
    }

    #[rstest]
    #[case(&[], 100, 60, 3, true)]
    #[case(&[90, 95], 100, 60, 3, true)]
    #[case(&[90, 95, 99], 100, 60, 3, false)]
    // failures older than the window no longer count
    #[case(&[10, 20, 99], 100, 60, 3, true)]
    #[case(&[41, 42, 43], 100, 60, 3, false)]
    // exactly one window ago no longer counts
    #[case(&[40, 41, 42], 100, 60, 3, true)]
    fn login_window(
        #[case] failures: &[u64],
        #[case] now: u64,
        #[case] window: u64,
        #[case] max: usize,
        #[case] allowed: bool,
    ) {
        assert_eq!(login_allowed(failures, now, window, max), allowed);
    }
}
