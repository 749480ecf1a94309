//! One file per page kind. Each builds its page's view (a named struct made for its template)
//! from the library and hands it to [`Renderer::page`](super::Renderer); none writes a file
//! itself or knows another page kind.

pub(crate) mod case;
pub(crate) mod home;
pub(crate) mod lists;
pub(crate) mod matrix;
pub(crate) mod places;
pub(crate) mod simple;
pub(crate) mod terms;
