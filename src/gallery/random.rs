//! Random bytes from the operating system (natively) or `crypto.getRandomValues` (browser).

use crate::error::{Error, Result};

/// `N` random bytes, or [`Error::Randomness`] when the source fails.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| Error::Randomness { reason: e.to_string() })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_draws_differ() {
        assert_ne!(random_bytes::<16>().unwrap(), random_bytes::<16>().unwrap());
    }
}
