//! The text form of facegate's opaque handles ([`ReferenceId`](crate::ReferenceId),
//! [`ExplanationId`](crate::ExplanationId), [`DetectionId`](crate::DetectionId)): 64 random
//! bits written as exactly 16 hex digits. Written once here so that every handle is read the
//! same way; each handle type maps a refusal to its own typed error.

/// Reads a handle's 16 hex digits (either case). `None` for any other length or character,
/// including a sign or whitespace, which `u64::from_str_radix` alone would accept in part.
pub(crate) fn parse_hex16(s: &str) -> Option<u64> {
    if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_hex16;

    #[test]
    fn reads_exactly_sixteen_hex_digits() {
        assert_eq!(parse_hex16("00000000000000ff"), Some(255));
        assert_eq!(parse_hex16("FFFFFFFFFFFFFFFF"), Some(u64::MAX));
        for bad in ["", "ff", "+00000000000000f", "00000000000000fg", " 0000000000000ff", "000000000000000ff", "éééééééé"] {
            assert_eq!(parse_hex16(bad), None, "{bad:?}");
        }
    }
}
