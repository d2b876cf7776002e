//! Checks on the short texts a user types: labels, names, purposes.
//!
//! They must hold something besides white space, stay within a length, sit on one line (no
//! control characters, Unicode category Cc) and hold no invisible format characters (category
//! Cf): bidirectional controls such as U+202E make a text display reversed, and zero-width
//! characters make two different texts look the same. Joiners stay allowed where writing needs
//! them: a zero-width joiner (U+200D) between two emoji (family, profession and flag emoji), and
//! the zero-width non-joiner and joiner (U+200C, U+200D) between two letters of the Arabic,
//! Syriac, Thaana, N'Ko and Indic scripts, where spelling uses them.

use crate::error::Error;

/// Why a user text is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextProblem {
    /// Empty, too long, or holding a control character: the reason, in words.
    Invalid(String),
    /// An invisible format character, which [`Error::FormatCharacter`] names.
    Format {
        /// The character.
        character: char,
        /// Its index in the text, in characters.
        position: usize,
    },
}

impl TextProblem {
    /// The error for this problem in `field`; `invalid` makes the error of an
    /// [`TextProblem::Invalid`] one (each field has its own).
    pub(crate) fn into_error(self, field: &'static str, invalid: impl FnOnce(String) -> Error) -> Error {
        match self {
            TextProblem::Invalid(reason) => invalid(reason),
            TextProblem::Format { character, position } => {
                Error::FormatCharacter { field, code_point: u32::from(character), name: format_character_name(character), position }
            }
        }
    }
}

/// Why a user text is refused, or `None` when it is fine: it must hold something besides white
/// space, have at most `max_chars` characters, contain no control characters (line breaks
/// included: these texts are shown on one line) and no invisible format characters.
pub(crate) fn text_problem(value: &str, max_chars: usize) -> Option<TextProblem> {
    if value.trim().is_empty() {
        return Some(TextProblem::Invalid("must not be empty".to_string()));
    }
    let chars = value.chars().count();
    if chars > max_chars {
        return Some(TextProblem::Invalid(format!("has {chars} characters, more than {max_chars}")));
    }
    if value.chars().any(char::is_control) {
        return Some(TextProblem::Invalid("must not contain control characters or line breaks".to_string()));
    }
    first_format_character(value).map(|(position, character)| TextProblem::Format { character, position })
}

/// The first refused format character of `value` and its index in characters.
pub(crate) fn first_format_character(value: &str) -> Option<(usize, char)> {
    let chars: Vec<char> = value.chars().collect();
    (0..chars.len()).find(|&i| is_refused_at(&chars, i)).map(|i| (i, chars[i]))
}

/// `value` with every refused format character replaced by U+FFFD (the visible replacement
/// character), and whether anything was replaced. For texts read from exports written before
/// the rule existed: they stay readable, and the replacement shows where something was hidden.
pub(crate) fn replace_format_characters(value: &str) -> (String, bool) {
    let chars: Vec<char> = value.chars().collect();
    let mut changed = false;
    let out = (0..chars.len())
        .map(|i| {
            if is_refused_at(&chars, i) {
                changed = true;
                '\u{FFFD}'
            } else {
                chars[i]
            }
        })
        .collect();
    (out, changed)
}

fn is_refused_at(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    if !is_format(c) {
        return false;
    }
    let prev = i.checked_sub(1).map(|p| chars[p]);
    let next = chars.get(i + 1).copied();
    let joiner_allowed = match c {
        '\u{200D}' => {
            let emoji_before = match prev {
                Some('\u{FE0F}') => i >= 2 && is_emoji(chars[i - 2]),
                Some(p) => is_emoji(p),
                None => false,
            };
            (emoji_before && next.is_some_and(is_emoji)) || joins_letters(prev, next)
        }
        '\u{200C}' => joins_letters(prev, next),
        _ => false,
    };
    !joiner_allowed
}

/// Whether `prev` and `next` are both characters (letters or marks, such as a virama) of a
/// script whose spelling uses joiners.
fn joins_letters(prev: Option<char>, next: Option<char>) -> bool {
    let uses_joiners = |c: char| {
        !is_format(c)
            && matches!(u32::from(c),
                0x0600..=0x07FF       // Arabic, Syriac, Arabic Supplement, Thaana, N'Ko
                | 0x0860..=0x08FF     // Syriac Supplement, Arabic Extended
                | 0x0900..=0x0DFF     // Devanagari to Sinhala
                | 0xFB50..=0xFDFF     // Arabic Presentation Forms-A
                | 0xFE70..=0xFEFE) // Arabic Presentation Forms-B
    };
    prev.is_some_and(uses_joiners) && next.is_some_and(uses_joiners)
}

/// Pictographs that emoji ZWJ sequences join (and their skin-tone modifiers).
fn is_emoji(c: char) -> bool {
    matches!(u32::from(c), 0x2190..=0x21FF | 0x2300..=0x23FF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x1F000..=0x1FAFF)
}

/// Unicode general category Cf (Format), Unicode 16.0 (`DerivedGeneralCategory.txt`).
fn is_format(c: char) -> bool {
    matches!(u32::from(c),
        0x00AD
        | 0x0600..=0x0605
        | 0x061C
        | 0x06DD
        | 0x070F
        | 0x0890..=0x0891
        | 0x08E2
        | 0x180E
        | 0x200B..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x2064
        | 0x2066..=0x206F
        | 0xFEFF
        | 0xFFF9..=0xFFFB
        | 0x110BD
        | 0x110CD
        | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0001
        | 0xE0020..=0xE007F)
}

/// The Unicode name of the format characters people meet, for error messages.
fn format_character_name(c: char) -> &'static str {
    match c {
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        '\u{E0001}' => "LANGUAGE TAG",
        '\u{E0020}'..='\u{E007F}' => "a tag character",
        _ => "a format character",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(value: &str, max: usize) -> String {
        match text_problem(value, max) {
            Some(TextProblem::Invalid(reason)) => reason,
            other => panic!("{value:?}: {other:?}"),
        }
    }

    #[test]
    fn texts_are_checked() {
        assert_eq!(text_problem("Maëlle", 10), None);
        assert_eq!(invalid("  ", 10), "must not be empty");
        assert!(invalid("abcdef", 5).contains("6 characters"));
        assert!(invalid("a\nb", 5).contains("control"));
        assert_eq!(text_problem("éééé", 4), None, "characters, not bytes");
    }

    #[test]
    fn bidi_controls_and_zero_width_characters_are_named() {
        // docs/hostile-inputs.md finding 9: a label shown reversed, and look-alike names.
        for (text, code_point, position) in [
            ("Ana\u{202E}gpj.exe", 0x202E, 3),
            ("\u{202D}Bob", 0x202D, 0),
            ("Ali\u{2066}ce\u{2069}", 0x2066, 3),
            ("pay\u{200B}pal", 0x200B, 3),
            ("Eve\u{FEFF}", 0xFEFF, 3),
            ("Zoé\u{200E}", 0x200E, 3),
            ("soft\u{00AD}hyphen", 0x00AD, 4),
            ("tag\u{E0041}", 0xE0041, 3),
            ("pa\u{200C}ypal", 0x200C, 2),
            ("pa\u{200D}ypal", 0x200D, 2),
        ] {
            match text_problem(text, 100) {
                Some(TextProblem::Format { character, position: at }) => {
                    assert_eq!((u32::from(character), at), (code_point, position), "{text:?}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
        let e = text_problem("Ana\u{202E}x", 100).unwrap().into_error("label", |r| Error::InvalidLabel { reason: r });
        assert!(matches!(e, Error::FormatCharacter { field: "label", code_point: 0x202E, name: "RIGHT-TO-LEFT OVERRIDE", position: 3 }), "{e:?}");
        assert!(e.to_string().contains("U+202E"), "{e}");
    }

    #[test]
    fn joiners_stay_allowed_where_writing_needs_them() {
        for ok in [
            "👨\u{200D}👩\u{200D}👧",                   // family
            "🏳\u{FE0F}\u{200D}🌈",                      // rainbow flag
            "👩🏽\u{200D}💻",                             // technologist, with a skin tone
            "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}", // Persian: mi-khâham, with a non-joiner
            "\u{0915}\u{094D}\u{200D}\u{0937}",         // Devanagari conjunct with a joiner
        ] {
            assert_eq!(text_problem(ok, 100), None, "{ok:?}");
        }
        assert!(text_problem("\u{200D}👩", 100).is_some(), "a joiner with nothing before it");
        assert!(text_problem("a\u{200D}👩", 100).is_some(), "a joiner after a Latin letter");
    }

    #[test]
    fn old_texts_are_repaired_visibly() {
        assert_eq!(replace_format_characters("Ana\u{202E}x"), ("Ana\u{FFFD}x".to_string(), true));
        assert_eq!(replace_format_characters("👨\u{200D}👩"), ("👨\u{200D}👩".to_string(), false));
    }
}
