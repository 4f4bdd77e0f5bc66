//! How values read on a page.

/// ¥12,345.00 from cents.
pub fn money(cents: i64) -> String {
    let yuan = cents / 100;
    let digits = yuan.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!(
        "¥{}{grouped}.{:02}",
        if cents < 0 { "-" } else { "" },
        (cents % 100).abs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(0, "¥0.00")]
    #[case(5, "¥0.05")]
    #[case(123_456, "¥1,234.56")]
    #[case(100_000_000, "¥1,000,000.00")]
    #[case(-123_456, "¥-1,234.56")]
    #[case(-5, "¥-0.05")]
    fn money_groups_thousands(#[case] cents: i64, #[case] shown: &str) {
        assert_eq!(money(cents), shown);
    }
}
