//! Export passphrases: a strength check with a reason, and a generator that passes it.
//!
//! The passphrase is an export's only protection against someone who holds the file and can
//! guess offline at Argon2id's cost. facegate estimates how guessable a passphrase is with
//! `zxcvbn` (Dropbox's estimator: dictionaries of common passwords, names and words, keyboard
//! patterns, dates, repeats and substitutions) and refuses any below
//! [`MIN_PASSPHRASE_SCORE`], saying why. [`generate_passphrase`] makes one of
//! [`PASSPHRASE_WORDS`] words drawn uniformly from the EFF Long Wordlist.

use zeroize::Zeroizing;

use super::super::random::random_bytes;
use crate::error::{Error, Result};

/// The lowest `zxcvbn` score an export passphrase must reach: **4**, "very unguessable"
/// (more than 10^10 guesses). A template is biometric data that cannot be changed like a
/// password; at Argon2id's default cost a single graphics card tries some thousands of guesses
/// a second, so 10^8 to 10^10 guesses (score 3) can fall within days.
pub const MIN_PASSPHRASE_SCORE: u8 = 4;
/// Most bytes (UTF-8) an export passphrase may have.
pub const MAX_PASSPHRASE_BYTES: usize = 1024;
/// Words in a generated passphrase: 6, about 77.5 bits (6 x log2 7776).
pub const PASSPHRASE_WORDS: usize = 6;

/// The EFF Long Wordlist, byte for byte (see `wordlist/README.md`: CC BY 3.0 US).
const EFF_LONG_WORDLIST: &str = include_str!("wordlist/eff_large_wordlist.txt");
/// Words in the list (6^5).
const WORDS: usize = 7_776;

/// A new random passphrase: [`PASSPHRASE_WORDS`] words of the EFF Long Wordlist, each drawn
/// uniformly from the operating system's random source (the browser's
/// `crypto.getRandomValues`), separated by spaces, for example
/// `"unstable mutilated pacifism exuberant drab cancel"`. It always passes the strength check.
/// The caller owns the string: show it once, and drop it when the user has noted it.
///
/// Errors: [`Error::Randomness`].
pub fn generate_passphrase() -> Result<String> {
    let mut words = Vec::with_capacity(PASSPHRASE_WORDS);
    while words.len() < PASSPHRASE_WORDS {
        // Rejection sampling: 16-bit draws at or above the largest multiple of 7776 are
        // redrawn, so every word is equally likely.
        let draw = u16::from_le_bytes(random_bytes::<2>()?) as usize;
        if draw < (u16::MAX as usize + 1) / WORDS * WORDS {
            words.push(word(draw % WORDS));
        }
    }
    Ok(words.join(" "))
}

/// The word at `index` (0..7776) of the list, in dice order.
fn word(index: usize) -> &'static str {
    EFF_LONG_WORDLIST.lines().nth(index).and_then(|line| line.split('\t').nth(1)).unwrap_or("")
}

/// Refuses a passphrase longer than [`MAX_PASSPHRASE_BYTES`] or weaker than
/// [`MIN_PASSPHRASE_SCORE`], with the estimator's warning and advice in the reason.
pub(crate) fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.len() > MAX_PASSPHRASE_BYTES {
        return Err(Error::PassphraseRejected { reason: format!("{} bytes; at most {MAX_PASSPHRASE_BYTES}", passphrase.len()), score: None });
    }
    // zxcvbn lower-cases and slices its input: those copies are wiped with this one.
    let copy = Zeroizing::new(passphrase.to_string());
    let estimate = zxcvbn::zxcvbn(&copy, &[]);
    let score = u8::from(estimate.score());
    if score >= MIN_PASSPHRASE_SCORE {
        return Ok(());
    }
    let mut reason = format!(
        "too easy to guess (strength {score} of 4; at least {MIN_PASSPHRASE_SCORE} is needed, about 10^{:.0} guesses would find it).",
        estimate.guesses_log10()
    );
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            reason.push_str(&format!(" {warning}"));
        }
        for suggestion in feedback.suggestions() {
            reason.push_str(&format!(" {suggestion}"));
        }
    } else {
        reason.push_str(" Add another word or two: uncommon words are better.");
    }
    reason.push_str(" Or use a generated passphrase.");
    Err(Error::PassphraseRejected { reason, score: Some(score) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_embedded_list_is_the_eff_file() {
        let digest: String = Sha256::digest(EFF_LONG_WORDLIST.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(digest, "addd35536511597a02fa0a9ff1e5284677b8883b83e986e43f15a3db996b903e");
        assert_eq!(EFF_LONG_WORDLIST.lines().count(), WORDS);
        assert_eq!((word(0), word(WORDS - 1)), ("abacus", "zoom"));
    }

    #[test]
    fn generated_passphrases_have_six_listed_words_and_pass() {
        let a = generate_passphrase().unwrap();
        let b = generate_passphrase().unwrap();
        assert_ne!(a, b);
        let words: Vec<&str> = a.split(' ').collect();
        assert_eq!(words.len(), PASSPHRASE_WORDS);
        assert!(words.iter().all(|w| EFF_LONG_WORDLIST.lines().any(|l| l.ends_with(&format!("\t{w}")))), "{a}");
        check_passphrase(&a).unwrap();
    }

    #[test]
    fn weak_passphrases_are_refused_with_a_reason() {
        for weak in ["password", "12345678", "correct horse", "qwertyuiop", "Summer2024!", "aaaaaaaaaaaa"] {
            match check_passphrase(weak) {
                Err(Error::PassphraseRejected { reason, score: Some(s) }) => {
                    assert!(s < MIN_PASSPHRASE_SCORE, "{weak}");
                    assert!(reason.contains("too easy to guess"), "{weak}: {reason}");
                }
                other => panic!("{weak:?} was not refused: {other:?}"),
            }
        }
        match check_passphrase("password") {
            Err(Error::PassphraseRejected { reason, .. }) => {
                assert!(reason.contains("common password"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(check_passphrase(&"x".repeat(1025)), Err(Error::PassphraseRejected { score: None, .. })));
        check_passphrase("correct horse battery staple").unwrap();
        check_passphrase("ëlan vital — quatre saisons d'hiver").unwrap();
    }
}
