//! FxHash (as in rustc): the one fast hasher of casebook's private caches and sets. It resists
//! no attack; its keys are the library's own words.

use std::hash::{BuildHasherDefault, Hasher};

/// FxHash's multiplier.
const K: u64 = 0x517c_c1b7_2722_0a95;

/// One step of FxHash: `hash` with `word` mixed in.
#[inline]
pub fn mix(hash: u64, word: u64) -> u64 {
    (hash.rotate_left(5) ^ word).wrapping_mul(K)
}

/// FxHash over 8 bytes at a time (a single byte is mixed in on its own, so a word hashed one
/// byte at a time gets FxHash's byte-wise value).
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

/// For `HashMap`s and `HashSet`s.
pub type FxBuildHasher = BuildHasherDefault<FxHasher>;

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.0 = mix(self.0, u64::from_le_bytes(word.try_into().expect("8 bytes")));
        }
        let last = words.remainder().iter().rev().fold(0u64, |word, &b| word << 8 | u64::from(b));
        self.0 = mix(self.0, last ^ bytes.len() as u64);
    }

    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.0 = mix(self.0, u64::from(b));
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.0 = mix(self.0, v);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}
