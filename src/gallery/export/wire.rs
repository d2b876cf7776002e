//! Little-endian building blocks of the export format: a writer that can first just count,
//! and a bounds-checked reader.

/// Where encoded bytes go. Encoding runs twice: once into a [`Counter`] to learn the exact
/// size, then into a buffer allocated at that size, which therefore never reallocates (a
/// reallocation would leave an unwiped copy of the plaintext behind).
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);

    fn u8(&mut self, v: u8) {
        self.put(&[v]);
    }
    fn u32(&mut self, v: u32) {
        self.put(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.put(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.put(&v.to_le_bytes());
    }
    fn f32(&mut self, v: f32) {
        self.put(&v.to_le_bytes());
    }
    /// A string: its UTF-8 length as u32, then its bytes. Callers keep strings short
    /// (labels and names are at most a few hundred bytes).
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.put(s.as_bytes());
    }
}

/// Counts bytes without storing them.
#[derive(Debug, Default)]
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Reads values from a byte slice; running past the end is an error naming what was read.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

/// Why a body could not be read.
pub(crate) type ReadError = String;

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.rest.len()
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ReadError> {
        if n > self.rest.len() {
            return Err(format!("ends inside {what}"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], ReadError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, ReadError> {
        Ok(self.array::<1>(what)?[0])
    }
    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, ReadError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, ReadError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    pub(crate) fn i64(&mut self, what: &str) -> Result<i64, ReadError> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    /// A 0/1 flag; any other value is an error.
    pub(crate) fn bool(&mut self, what: &str) -> Result<bool, ReadError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(format!("{what} is {v}, not 0 or 1")),
        }
    }

    /// A string written by [`Sink::str`]: the length is checked against what is left before
    /// anything is allocated.
    pub(crate) fn str(&mut self, what: &str) -> Result<String, ReadError> {
        let len = self.u32(what)? as usize;
        let bytes = self.take(len, what)?;
        std::str::from_utf8(bytes).map(str::to_owned).map_err(|_| format!("{what} is not UTF-8"))
    }

    /// Succeeds only when every byte left is zero (padding), and reads them.
    pub(crate) fn padding(&mut self) -> Result<(), ReadError> {
        if self.rest.iter().any(|&b| b != 0) {
            return Err("the padding after the last event is not all zeros".to_string());
        }
        self.rest = &[];
        Ok(())
    }

    /// Succeeds only when every byte was read.
    pub(crate) fn finish(self) -> Result<(), ReadError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(format!("{} unexpected bytes after the last event", self.rest.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_the_counter_agrees() {
        let write = |s: &mut dyn Sink| {
            s.u8(7);
            s.u32(0xdead_beef);
            s.u64(u64::MAX - 1);
            s.i64(-5);
            s.f32(-0.25);
            s.str("née");
        };
        let mut buf = Vec::new();
        write(&mut buf);
        let mut count = Counter::default();
        write(&mut count);
        assert_eq!(count.0, buf.len());
        let mut r = Reader::new(&buf);
        assert_eq!(r.u8("a").unwrap(), 7);
        assert_eq!(r.u32("b").unwrap(), 0xdead_beef);
        assert_eq!(r.u64("c").unwrap(), u64::MAX - 1);
        assert_eq!(r.i64("d").unwrap(), -5);
        assert_eq!(r.array::<4>("e").unwrap(), (-0.25f32).to_le_bytes());
        assert_eq!(r.str("f").unwrap(), "née");
        r.finish().unwrap();
    }

    #[test]
    fn reading_past_the_end_or_bad_values_are_errors() {
        assert_eq!(Reader::new(&[1, 2]).u32("a count").unwrap_err(), "ends inside a count");
        // A string claiming 4 GiB: refused before any allocation.
        assert!(Reader::new(&[0xff, 0xff, 0xff, 0xff, b'a']).str("a label").is_err());
        assert!(Reader::new(&[0xc3, 0, 0, 0]).str("x").is_err());
        assert!(Reader::new(&[1, 0, 0, 0, 0xff]).str("x").unwrap_err().contains("UTF-8"));
        assert!(Reader::new(&[2]).bool("flag").is_err());
        assert!(Reader::new(&[0]).finish().is_err());
    }
}
