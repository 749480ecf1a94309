//! The numbers that stand for things in the model. A [`Library`](super::Library) refers to a
//! vocabulary, a term or a case by its position in the taxonomy or the case list; these names
//! say which kind of number a field or a signature means. They are aliases, not newtypes: the
//! model is indexed with them everywhere (`usage[v][t]`), and a wrong kind still compiles — the
//! name is for the reader.

/// A vocabulary's position in [`Taxonomy::vocabularies`](super::Taxonomy::vocabularies).
pub type VocabId = usize;

/// A term's position in its vocabulary's [`terms`](super::Vocabulary::terms).
pub type TermId = usize;

/// A case's position in [`Library::cases`](super::Library::cases) (sorted by id).
pub type CaseId = usize;
