//! `casebook serve`: the preview server lives in [`mod@crate::serve`]; this is its entry.

use crate::serve::{run, ServeOptions};
use crate::Result;

/// `casebook serve`: build the library into a temporary folder and serve it over HTTP, with
/// pages that reload on change and `/api/search`, rebuilding on every edit until Ctrl-C
/// (see [`mod@crate::serve`]).
pub fn serve(opts: &ServeOptions) -> Result<()> {
    run(opts)
}
