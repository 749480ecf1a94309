//! Which pages show what: the pages that show a case, a term or a place, and a case's related
//! cases, so that an edit re-renders exactly the pages it changes. serve is their only user.

// merge: the coordinator moves the code of these functions here from render.
pub use crate::render::{pages_of_place, pages_of_term, pages_showing, related};
