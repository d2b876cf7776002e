//! Checks on the short texts a user types: labels, names, purposes.

/// Why a user text is refused, or `None` when it is fine: it must hold something besides
/// white space, have at most `max_chars` characters, and contain no control characters
/// (line breaks included: these texts are shown on one line).
pub(crate) fn text_problem(value: &str, max_chars: usize) -> Option<String> {
    if value.trim().is_empty() {
        return Some("must not be empty".to_string());
    }
    let chars = value.chars().count();
    if chars > max_chars {
        return Some(format!("has {chars} characters, more than {max_chars}"));
    }
    if value.chars().any(char::is_control) {
        return Some("must not contain control characters or line breaks".to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_checked() {
        assert_eq!(text_problem("Maëlle", 10), None);
        assert_eq!(text_problem("  ", 10).unwrap(), "must not be empty");
        assert!(text_problem("abcdef", 5).unwrap().contains("6 characters"));
        assert!(text_problem("a\nb", 5).unwrap().contains("control"));
        assert_eq!(text_problem("éééé", 4), None, "characters, not bytes");
    }
}
