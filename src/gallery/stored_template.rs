//! How the gallery holds a reference template: one heap buffer, overwritten before it is freed.

use zeroize::Zeroize;

use crate::template::{Template, TEMPLATE_LEN};

/// Largest distance from 1 accepted for the length of a restored template (they are written
/// unit-length; float rounding leaves them within about 1e-6).
const UNIT_TOLERANCE: f64 = 1e-3;

/// A reference template owned by the gallery. It is never cloned, never serialized except
/// into the encrypted export, and its buffer is overwritten with zeros (`zeroize`, volatile
/// writes the compiler may not remove) when it is dropped: on withdrawal, expiry, `erase_all`,
/// or when the gallery itself is dropped.
pub(crate) struct StoredTemplate {
    values: Box<[f32; TEMPLATE_LEN]>,
}

impl StoredTemplate {
    /// A copy of an engine template (which wipes its own buffer when it is dropped).
    pub(crate) fn copy_of(template: &Template) -> StoredTemplate {
        let mut values = Box::new([0f32; TEMPLATE_LEN]);
        values.copy_from_slice(template.as_slice());
        StoredTemplate { values }
    }

    /// A template restored from an export: every value finite and the whole unit-length
    /// (within 1e-3), kept bit for bit. On refusal the buffer is wiped and the reason given.
    pub(crate) fn restore(values: Box<[f32; TEMPLATE_LEN]>) -> Result<StoredTemplate, &'static str> {
        let stored = StoredTemplate { values };
        if stored.values.iter().any(|v| !v.is_finite()) {
            return Err("a template value is not a finite number");
        }
        let norm = stored.values.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>().sqrt();
        if (norm - 1.0).abs() > UNIT_TOLERANCE {
            return Err("a template is not unit-length");
        }
        Ok(stored)
    }

    /// The values, for comparison and for the encrypted export.
    pub(crate) fn as_slice(&self) -> &[f32] {
        &self.values[..]
    }

    /// Address of the buffer, to find its erasure record in tests.
    #[cfg(test)]
    pub(crate) fn buffer_address(&self) -> usize {
        self.values.as_ptr() as usize
    }
}

impl Drop for StoredTemplate {
    fn drop(&mut self) {
        self.values.zeroize();
        #[cfg(test)]
        erasure_probe::observe(self.values.as_ptr() as usize, self.values.iter().all(|v| v.to_bits() == 0));
    }
}

impl PartialEq for StoredTemplate {
    /// Bit-for-bit equality (for tests of the export round trip).
    fn eq(&self, other: &StoredTemplate) -> bool {
        self.values.iter().zip(other.values.iter()).all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl std::fmt::Debug for StoredTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoredTemplate {{ len: {TEMPLATE_LEN}, values: <redacted> }}")
    }
}

/// Test-only view of erasures: `Drop` reports, for each buffer, whether every byte read zero
/// after `zeroize` and before the memory was handed back to the allocator. Reading the buffer
/// after it is freed would be undefined behaviour; this looks at it while it still exists.
#[cfg(test)]
pub(crate) mod erasure_probe {
    use std::cell::RefCell;

    thread_local! {
        static SEEN: RefCell<Vec<(usize, bool)>> = const { RefCell::new(Vec::new()) };
    }

    pub(crate) fn observe(address: usize, all_zero: bool) {
        SEEN.with(|s| s.borrow_mut().push((address, all_zero)));
    }

    /// For the latest buffer dropped at `address` on this thread: whether it read all zeros.
    /// `None` when no buffer at that address was dropped.
    pub(crate) fn wiped(address: usize) -> Option<bool> {
        SEEN.with(|s| s.borrow().iter().rev().find(|(a, _)| *a == address).map(|(_, z)| *z))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(i: usize) -> Box<[f32; TEMPLATE_LEN]> {
        let mut v = Box::new([0f32; TEMPLATE_LEN]);
        v[i] = 1.0;
        v
    }

    #[test]
    fn dropping_overwrites_the_buffer() {
        let t = StoredTemplate::restore(unit(5)).unwrap();
        let address = t.buffer_address();
        drop(t);
        assert_eq!(erasure_probe::wiped(address), Some(true));
    }

    #[test]
    fn restore_refuses_bad_values_and_wipes_them() {
        let mut nan = unit(1);
        nan[2] = f32::NAN;
        assert!(StoredTemplate::restore(nan).is_err());
        let mut long = unit(1);
        long[2] = 1.0;
        assert_eq!(StoredTemplate::restore(long).unwrap_err(), "a template is not unit-length");
    }

    #[test]
    fn copies_are_exact() {
        let t = Template::from_embedding(&unit(7)[..]).unwrap();
        let s = StoredTemplate::copy_of(&t);
        assert_eq!(s.as_slice(), t.as_slice());
        assert_eq!(s, StoredTemplate::restore(unit(7)).unwrap());
        assert!(format!("{s:?}").contains("redacted"));
    }
}
