//! References: a consented face template with its label, and the plain data `list` shows.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

use super::clock::Timestamp;
use super::consent::ConsentRecord;
use super::stored_template::StoredTemplate;
use crate::error::Error;
use crate::template::Template;

/// Longest reference label, in characters.
pub const MAX_LABEL_CHARS: usize = 100;

/// The opaque id of a reference: 64 random bits, written as 16 lower-case hex digits (a string
/// in JSON and JavaScript, where a 64-bit number would lose precision). Ids do not reveal
/// enrolment order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceId(u64);

impl ReferenceId {
    pub(crate) const fn from_u64(v: u64) -> ReferenceId {
        ReferenceId(v)
    }

    pub(crate) const fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReferenceId({self})")
    }
}

impl FromStr for ReferenceId {
    type Err = Error;

    /// Parses 16 hex digits. Anything else is [`Error::UnknownReference`]: no reference has
    /// that id.
    fn from_str(s: &str) -> Result<ReferenceId, Error> {
        let unknown = || Error::UnknownReference { id: s.chars().take(40).collect() };
        crate::handle::parse_hex16(s).map(ReferenceId).ok_or_else(unknown)
    }
}

impl Serialize for ReferenceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReferenceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ReferenceId, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One consented reference held by the gallery.
#[derive(Debug, PartialEq)]
pub(crate) struct Reference {
    pub(crate) id: ReferenceId,
    pub(crate) label: String,
    pub(crate) created_at: Timestamp,
    pub(crate) consent: ConsentRecord,
    pub(crate) template: StoredTemplate,
}

impl Drop for Reference {
    /// The template wipes itself ([`StoredTemplate`]); the label is wiped too.
    fn drop(&mut self) {
        self.label.zeroize();
    }
}

impl Reference {
    /// What [`Gallery::list`](crate::Gallery::list) shows of it: everything but the template.
    pub(crate) fn info(&self) -> ReferenceInfo {
        ReferenceInfo {
            id: self.id,
            label: self.label.clone(),
            created_at: self.created_at,
            consent: self.consent.clone(),
            template_bytes: Template::byte_len(),
        }
    }
}

/// Everything the gallery holds about one reference, except the template itself, whose size
/// alone is given (the right of access, GDPR art. 15).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceInfo {
    /// The reference's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: ReferenceId,
    /// The label the user gave.
    pub label: String,
    /// When it was enrolled.
    pub created_at: Timestamp,
    /// The consent it was enrolled under.
    pub consent: ConsentRecord,
    /// Size of the template held, in bytes (128 values x 4 bytes).
    pub template_bytes: usize,
}

impl Drop for ReferenceInfo {
    /// The label is personal data: every copy handed out is wiped too.
    fn drop(&mut self) {
        self.label.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_held_per_reference_is_small() {
        // Inline: id, label (String), time, consent record (subject and purpose enums, time,
        // 32-byte hash, optional expiry), template pointer. On the heap: the 512-byte template
        // plus the label's, name's and purpose text's bytes.
        let inline = std::mem::size_of::<Reference>();
        println!("Reference: {inline} bytes inline + {} bytes of template + text bytes", Template::byte_len());
        assert!(inline <= 200, "{inline}");
        assert_eq!(std::mem::size_of::<StoredTemplate>(), std::mem::size_of::<usize>(), "one pointer to one heap buffer");
    }

    #[test]
    fn ids_print_and_parse_as_16_hex_digits() {
        let id = ReferenceId::from_u64(0x00ab_cdef_0123_4567);
        assert_eq!(id.to_string(), "00abcdef01234567");
        assert_eq!("00abcdef01234567".parse::<ReferenceId>().unwrap(), id);
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"00abcdef01234567\"");
        assert_eq!(serde_json::from_str::<ReferenceId>("\"00abcdef01234567\"").unwrap(), id);
        for bad in ["", "123", "00abcdef0123456g", "+0abcdef01234567", "00abcdef012345678"] {
            assert!(matches!(bad.parse::<ReferenceId>(), Err(Error::UnknownReference { .. })), "{bad}");
        }
    }
}
