//! The consent record: who agreed, to what, when, having read which text, until when.
//!
//! It holds no image, no template and no identity beyond the name or pseudonym the user typed
//! for another person. It is valid by construction: [`ConsentRecord::new`] checks every field.

use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::clock::{Clock, Timestamp};
use super::text::text_problem;
use crate::error::{Error, Result};

/// Longest name or pseudonym for another person, in characters.
pub const MAX_SUBJECT_NAME_CHARS: usize = 100;
/// Longest free-text purpose, in characters.
pub const MAX_PURPOSE_CHARS: usize = 200;

/// Whose face the reference image shows.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Subject {
    /// The user's own face.
    SelfPerson,
    /// Another person, who agreed to it; `name` is the name or pseudonym the user gave.
    OtherPersonConsented {
        /// Name or pseudonym as typed by the user (1 to 100 characters).
        name: String,
    },
}

/// What the reference may be used for (one consent per purpose).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Purpose {
    /// Checking that a later photo shows the user (the subject must be [`Subject::SelfPerson`]).
    VerifyItIsMe,
    /// Comparing photos with a person who agreed (the subject must be
    /// [`Subject::OtherPersonConsented`]).
    CompareWithConsentingPerson,
    /// Another purpose, described in the user's words (1 to 200 characters).
    Other {
        /// The purpose as stated to the person.
        description: String,
    },
}

impl Drop for Subject {
    /// A name typed for another person is personal data: its bytes are overwritten before the
    /// memory is freed, in every copy (records listed, exported or held by the gallery).
    fn drop(&mut self) {
        if let Subject::OtherPersonConsented { name } = self {
            name.zeroize();
        }
    }
}

impl Drop for Purpose {
    /// A purpose in the user's words may name people or places: wiped like a name.
    fn drop(&mut self) {
        if let Purpose::Other { description } = self {
            description.zeroize();
        }
    }
}

impl Subject {
    /// `"selfPerson"` or `"otherPersonConsented"`: the kind without the name.
    pub(crate) fn kind(&self) -> SubjectKind {
        match self {
            Subject::SelfPerson => SubjectKind::SelfPerson,
            Subject::OtherPersonConsented { .. } => SubjectKind::OtherPersonConsented,
        }
    }
}

/// Whose face, without the name: what the audit log records of a [`Subject`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubjectKind {
    /// The user's own face.
    SelfPerson,
    /// Another person, who agreed.
    OtherPersonConsented,
}

/// A consent given for one reference image.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRecord {
    subject: Subject,
    purpose: Purpose,
    given_at: Timestamp,
    #[serde(serialize_with = "hex_digest")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    text_sha256: [u8; 32],
    expires_at: Option<Timestamp>,
}

impl ConsentRecord {
    /// Records a consent given now (by `clock`) after the user was shown `text_shown`, of
    /// which only the SHA-256 (of its UTF-8 bytes, exactly as shown) is kept.
    ///
    /// Errors: [`Error::ConsentInvalid`] naming the field: an empty, over-long or multi-line
    /// name or purpose; a purpose that does not fit the subject; an empty consent text; an
    /// expiry not after now.
    pub fn new(subject: Subject, purpose: Purpose, text_shown: &str, expires_at: Option<Timestamp>, clock: &dyn Clock) -> Result<ConsentRecord> {
        if text_shown.trim().is_empty() {
            return Err(invalid("textShown", "must be the text the user was shown, not empty"));
        }
        let text_sha256: [u8; 32] = Sha256::digest(text_shown.as_bytes()).into();
        ConsentRecord::from_parts(subject, purpose, clock.now(), text_sha256, expires_at)
    }

    /// A record from its stored parts (an import), with every check of [`ConsentRecord::new`]
    /// but the text's, which only its hash represents.
    pub(crate) fn from_parts(
        subject: Subject,
        purpose: Purpose,
        given_at: Timestamp,
        text_sha256: [u8; 32],
        expires_at: Option<Timestamp>,
    ) -> Result<ConsentRecord> {
        let record = ConsentRecord { subject, purpose, given_at, text_sha256, expires_at };
        record.validate()?;
        Ok(record)
    }

    fn validate(&self) -> Result<()> {
        if let Subject::OtherPersonConsented { name } = &self.subject {
            if let Some(problem) = text_problem(name, MAX_SUBJECT_NAME_CHARS) {
                return Err(problem.into_error("subject", |reason| invalid("subject", &format!("name {reason}"))));
            }
        }
        match (&self.purpose, &self.subject) {
            (Purpose::Other { description }, _) => {
                if let Some(problem) = text_problem(description, MAX_PURPOSE_CHARS) {
                    return Err(problem.into_error("purpose", |reason| invalid("purpose", &format!("description {reason}"))));
                }
            }
            (Purpose::VerifyItIsMe, Subject::OtherPersonConsented { .. }) => {
                return Err(invalid("purpose", "\"verify it is me\" is only for the user's own face"));
            }
            (Purpose::CompareWithConsentingPerson, Subject::SelfPerson) => {
                return Err(invalid("purpose", "\"compare with a person who agreed\" is for another person's face"));
            }
            _ => {}
        }
        if let Some(expiry) = self.expires_at {
            if expiry <= self.given_at {
                return Err(invalid("expiresAt", "must be after the time consent is given"));
            }
        }
        Ok(())
    }

    /// Whose face it is.
    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    /// What it may be used for.
    pub fn purpose(&self) -> &Purpose {
        &self.purpose
    }

    /// When consent was given.
    pub fn given_at(&self) -> Timestamp {
        self.given_at
    }

    /// SHA-256 of the consent text shown (its UTF-8 bytes).
    pub fn text_sha256(&self) -> &[u8; 32] {
        &self.text_sha256
    }

    /// When consent ends, if it does. From then on the reference is erased.
    pub fn expires_at(&self) -> Option<Timestamp> {
        self.expires_at
    }

    /// Whether the consent has ended at `now` (an expiry is exclusive: at `expires_at` it has).
    pub fn is_expired_at(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
    }

    /// Whether the consent holds at `now`: not expired ([`Error::ConsentExpired`]), and not
    /// given later than `now` plus [`CLOCK_SKEW_MS`] ([`Error::ConsentInvalid`] `"givenAt"`).
    pub(crate) fn check_current(&self, now: Timestamp) -> Result<()> {
        if let Some(expired_at) = self.expires_at.filter(|_| self.is_expired_at(now)) {
            return Err(Error::ConsentExpired { expired_at: expired_at.as_unix_ms() });
        }
        if self.given_at > now.plus_ms(CLOCK_SKEW_MS) {
            return Err(invalid("givenAt", &format!("lies in the future ({} ms after now)", self.given_at.as_unix_ms().saturating_sub(now.as_unix_ms()))));
        }
        Ok(())
    }
}

/// How far in the future (by the gallery's clock) a consent time may lie and still be
/// accepted: clocks of two devices, or one clock adjusted, may disagree a little.
pub(crate) const CLOCK_SKEW_MS: i64 = 60_000;

fn invalid(field: &'static str, reason: &str) -> Error {
    Error::ConsentInvalid { field, reason: reason.to_string() }
}

fn hex_digest<S: Serializer>(digest: &[u8; 32], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::clock::ManualClock;

    fn clock() -> ManualClock {
        ManualClock::new(Timestamp::from_unix_ms(1_000_000))
    }

    fn other(name: &str) -> Subject {
        Subject::OtherPersonConsented { name: name.to_string() }
    }

    #[test]
    fn a_valid_record_keeps_the_hash_of_the_text_and_the_time() {
        let c = ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "I agree", None, &clock()).unwrap();
        assert_eq!(c.given_at(), Timestamp::from_unix_ms(1_000_000));
        let json = serde_json::to_value(&c).unwrap();
        // echo -n "I agree" | sha256sum
        assert_eq!(json["textSha256"], "99955b75e054416577b88fcec811270c93bff6f1bc421f01e3da7c1b18ec61e3");
        assert_eq!(json["subject"]["kind"], "selfPerson");
        assert_eq!(json["purpose"]["kind"], "verifyItIsMe");
        assert!(json["expiresAt"].is_null());
    }

    #[test]
    fn every_field_is_checked() {
        let c = clock();
        let field = |r: Result<ConsentRecord>| match r {
            Err(Error::ConsentInvalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(ConsentRecord::new(other(" "), Purpose::CompareWithConsentingPerson, "ok", None, &c)), "subject");
        assert_eq!(field(ConsentRecord::new(other(&"x".repeat(101)), Purpose::CompareWithConsentingPerson, "ok", None, &c)), "subject");
        assert_eq!(field(ConsentRecord::new(other("Ana"), Purpose::VerifyItIsMe, "ok", None, &c)), "purpose");
        assert_eq!(field(ConsentRecord::new(Subject::SelfPerson, Purpose::CompareWithConsentingPerson, "ok", None, &c)), "purpose");
        let multi = Purpose::Other { description: "a\nb".into() };
        assert_eq!(field(ConsentRecord::new(Subject::SelfPerson, multi, "ok", None, &c)), "purpose");
        assert_eq!(field(ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "  ", None, &c)), "textShown");
        let past = Some(Timestamp::from_unix_ms(999_999));
        assert_eq!(field(ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "ok", past, &c)), "expiresAt");
        let now = Some(Timestamp::from_unix_ms(1_000_000));
        assert_eq!(field(ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "ok", now, &c)), "expiresAt");
    }

    #[test]
    fn expiry_is_exclusive() {
        let at = Timestamp::from_unix_ms(2_000_000);
        let c = ConsentRecord::new(other("Ana"), Purpose::CompareWithConsentingPerson, "ok", Some(at), &clock()).unwrap();
        assert!(!c.is_expired_at(at.plus_ms(-1)));
        assert!(c.is_expired_at(at));
    }
}
