//! The encodings of the browser index's files: numbers in a 64-letter alphabet (varints,
//! bitmaps), case sets, and JSON values as JavaScript.

/// The letters of varints and bitmaps (base64url's alphabet).
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub(crate) fn varint(out: &mut String, mut v: u64) {
    while v >= 32 {
        out.push(ALPHABET[(32 | (v & 31)) as usize] as char);
        v >>= 5;
    }
    out.push(ALPHABET[v as usize] as char);
}

/// A case set (sorted, distinct case numbers below `n`): whichever of the two forms is shorter.
pub(crate) fn case_set(out: &mut String, cases: &[u32], n: usize) {
    let mut list = String::new();
    varint(&mut list, cases.len() as u64);
    let mut next = 0u64;
    for &c in cases {
        varint(&mut list, c as u64 - next);
        next = c as u64 + 1;
    }
    let bitmap_len = n.div_ceil(6);
    if list.len() <= bitmap_len {
        varint(out, 0);
        out.push_str(&list);
    } else {
        varint(out, 1);
        let mut bits = vec![0u8; bitmap_len];
        for &c in cases {
            bits[c as usize / 6] |= 1 << (c % 6);
        }
        out.extend(bits.into_iter().map(|b| ALPHABET[b as usize] as char));
    }
}

/// A value as JavaScript (JSON is a subset of JavaScript).
pub(crate) fn js<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

#[cfg(test)]
use super::posting_list::WEIGHT_SCALE;
#[cfg(test)]
use crate::index::OTHER_LANGUAGE_WEIGHT;

/// A reader of the encodings, as search.js reads them (for the tests).
#[cfg(test)]
pub(crate) struct Reader<'a>(pub &'a [u8], pub usize);

#[cfg(test)]
impl Reader<'_> {
    fn value(c: u8) -> u64 {
        ALPHABET.iter().position(|&a| a == c).unwrap() as u64
    }

    pub fn varint(&mut self) -> u64 {
        let (mut v, mut shift) = (0, 0);
        loop {
            let c = Self::value(self.0[self.1]);
            self.1 += 1;
            v |= (c & 31) << shift;
            shift += 5;
            if c & 32 == 0 {
                return v;
            }
        }
    }

    pub fn set(&mut self, n: usize) -> Vec<u32> {
        if self.varint() == 0 {
            let k = self.varint();
            let mut next = 0;
            (0..k)
                .map(|_| {
                    let c = next + self.varint();
                    next = c + 1;
                    c as u32
                })
                .collect()
        } else {
            let letters = n.div_ceil(6);
            let out =
                (0..n as u32).filter(|&c| Self::value(self.0[self.1 + c as usize / 6]) >> (c % 6) & 1 == 1).collect();
            self.1 += letters;
            out
        }
    }

    /// A document's weight for the reader `reader` (the place of the reader's language in
    /// `Language::ALL` on a site of two languages, `None` on a site of one).
    fn weight(&mut self, reader: Option<usize>) -> f32 {
        let v = self.varint();
        let Some(reader) = reader else { return v as f32 / WEIGHT_SCALE };
        let (kind, q) = (v % 4, (v / 4) as f32 / WEIGHT_SCALE);
        match kind {
            0 => q,
            3 => {
                let second = self.varint() as f32 / WEIGHT_SCALE;
                if reader == 0 {
                    q
                } else {
                    second
                }
            }
            k if k as usize == reader + 1 => q,
            _ => q * OTHER_LANGUAGE_WEIGHT,
        }
    }

    /// One token's postings, with the weights `reader` reads ([`Reader::weight`]).
    pub fn postings(&mut self, n: usize, reader: Option<usize>) -> Decoded {
        let truncated = self.varint() & 1 == 1;
        let count = self.varint();
        let (mut floor, mut set) = (0.0, None);
        if truncated {
            floor = self.varint() as f32 / WEIGHT_SCALE;
            set = Some(self.set(n));
        }
        let k = self.varint();
        let mut case = 0;
        let docs: Vec<(u32, u32, f32)> = (0..k)
            .map(|_| {
                case += self.varint() as u32;
                let document = self.varint() as u32;
                (case, document, self.weight(reader))
            })
            .collect();
        let cases = set.unwrap_or_else(|| {
            let mut c: Vec<u32> = docs.iter().map(|d| d.0).collect();
            c.dedup();
            c
        });
        assert_eq!(cases.len() as u64, count);
        Decoded { truncated, cases, floor, docs }
    }
}

/// Postings as [`Reader::postings`] reads them.
#[cfg(test)]
pub(crate) struct Decoded {
    pub truncated: bool,
    pub cases: Vec<u32>,
    pub floor: f32,
    /// (case, document, weight)
    pub docs: Vec<(u32, u32, f32)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_case_sets_round_trip() {
        let mut s = String::new();
        for v in [0u64, 1, 31, 32, 1023, 1024, 1 << 30, u32::MAX as u64] {
            varint(&mut s, v);
        }
        let mut r = Reader(s.as_bytes(), 0);
        for v in [0u64, 1, 31, 32, 1023, 1024, 1 << 30, u32::MAX as u64] {
            assert_eq!(r.varint(), v);
        }
        for (cases, n) in [
            (vec![], 10),
            (vec![0, 5, 6, 99], 100),
            ((0..1000).step_by(2).collect::<Vec<u32>>(), 1000),
            (vec![999], 1000),
        ] {
            let mut s = String::new();
            case_set(&mut s, &cases, n);
            assert_eq!(Reader(s.as_bytes(), 0).set(n), cases, "{s}");
        }
        // Dense sets take the bitmap: 1000 cases in 167 letters.
        let mut s = String::new();
        case_set(&mut s, &(0..1000).step_by(2).collect::<Vec<u32>>(), 1000);
        assert_eq!(s.len(), 1 + 167);
    }
}
