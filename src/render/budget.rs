//! A memory budget for rendering one page with the theme's templates.
//!
//! A library may bring its own templates, and Tera has no bound on what a template computes:
//! `{% set_global s = s ~ s %}` forty times asks for a terabyte inside a variable, long before
//! anything is written, and the process aborts on out-of-memory. Tera offers no hook to stop
//! it, and an allocator must not unwind, so the budget is kept by the allocator itself:
//! [`Budgeted`] wraps the program's allocator and counts, on the thread that renders, the bytes
//! held by allocations made since [`Scope::enter`]. When a page goes over its budget the
//! allocator prints the page's prepared message (naming the template and the page, in the
//! library's language), removes the half-written site and ends the process with exit code 1:
//! the site already published is untouched, because the build never got to swap it in.
//!
//! Without [`Budgeted`] as the global allocator (the library's own unit tests) a scope does
//! nothing. Outside a scope the allocator adds one thread-local read per call.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::path::Path;

/// The smallest budget of one page: far above any page a template renders from the data of
/// one library (the largest pages, sitemaps and term pages of 100,000 cases, hold tens of
/// megabytes), far below what an unbounded template reaches before the machine runs out.
pub const MIN_PAGE_BUDGET: usize = 512 << 20;

/// A page may hold this many times the largest case file accepted (a library that raises
/// `max_file_size` gets a larger budget with it).
pub const BUDGET_PER_FILE_BYTE: usize = 16;

/// What the allocator needs when a page goes over its budget.
pub struct Over {
    /// The whole message, ready for standard error.
    message: String,
    /// The half-written site to remove, if any.
    staging: Option<std::path::PathBuf>,
}

impl Over {
    pub fn new(message: String, staging: Option<&Path>) -> Over {
        Over { message, staging: staging.map(Path::to_path_buf) }
    }
}

thread_local! {
    /// Bytes this thread may still hold in the current scope; `usize::MAX` outside one.
    static LEFT: Cell<usize> = const { Cell::new(usize::MAX) };
    /// The current scope's [`Over`] (null outside one).
    static OVER: Cell<*const Over> = const { Cell::new(std::ptr::null()) };
}

/// Set by the first thread that goes over its budget.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The budget of the page being rendered on this thread, while it lives.
pub struct Scope<'a> {
    /// The scope this one is inside of, restored when it ends (its budget less what this one
    /// still holds is not tracked: an inner scope is a part of the page, such as its profile).
    outer: (usize, *const Over),
    _over: std::marker::PhantomData<&'a Over>,
}

impl<'a> Scope<'a> {
    /// Starts counting this thread's allocations against `budget` bytes; `over` says what to
    /// print when they go over it. Inside another scope, the tighter budget holds.
    pub fn enter(budget: usize, over: &'a Over) -> Scope<'a> {
        let outer = (LEFT.with(Cell::get), OVER.with(Cell::get));
        OVER.with(|o| o.set(over));
        LEFT.with(|l| l.set(budget.min(outer.0).min(usize::MAX - 1)));
        Scope { outer, _over: std::marker::PhantomData }
    }
}

impl Drop for Scope<'_> {
    fn drop(&mut self) {
        LEFT.with(|l| l.set(self.outer.0));
        OVER.with(|o| o.set(self.outer.1));
    }
}

/// Takes `bytes` from the current scope's budget, if there is one.
#[inline]
fn charge(bytes: usize) {
    // `try_with`: an allocation may come while the thread's locals are being torn down.
    let _ = LEFT.try_with(|l| {
        let left = l.get();
        if left == usize::MAX {
            return;
        }
        if bytes > left {
            over_budget();
        }
        l.set(left - bytes);
    });
}

/// Gives `bytes` back to the current scope's budget (memory freed on the thread that renders).
#[inline]
fn refund(bytes: usize) {
    let _ = LEFT.try_with(|l| {
        let left = l.get();
        if left != usize::MAX {
            l.set(left.saturating_add(bytes).min(usize::MAX - 1));
        }
    });
}

/// Prints the scope's message, removes the half-written site and ends the process.
#[cold]
fn over_budget() -> ! {
    // The budget is off from here on: the cleanup below allocates.
    LEFT.with(|l| l.set(usize::MAX));
    // One message: a page on another thread may go over at the same moment.
    if STOPPING.swap(true, std::sync::atomic::Ordering::SeqCst) {
        loop {
            // SAFETY: pause only waits; the thread that got here first ends the process.
            unsafe { libc::pause() };
        }
    }
    let over = OVER.with(|o| o.get());
    // SAFETY: OVER is set only by `Scope::enter` from a reference that outlives the scope, and
    // reset when the scope is dropped; LEFT is below `usize::MAX` only in between, so the
    // pointer is valid here.
    if let Some(over) = unsafe { over.as_ref() } {
        write_stderr(b"\n");
        write_stderr(over.message.as_bytes());
        if let Some(dir) = &over.staging {
            // Other threads may still be writing pages into it: a second pass gets those.
            for _ in 0..3 {
                if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
                    break;
                }
            }
        }
    }
    // SAFETY: `_exit` ends the process at once; no Rust state is used after it. Exiting
    // without unwinding is the point: an allocator must not unwind.
    unsafe { libc::_exit(1) }
}

/// Writes `bytes` to standard error without allocating.
fn write_stderr(mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: the pointer and length come from a live slice.
        let n = unsafe { libc::write(2, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

/// The program's allocator `A`, with the page budget of [`Scope`] kept on top of it.
pub struct Budgeted<A>(pub A);

// SAFETY: every call is passed on to `A` unchanged; the budget only counts sizes, and the only
// other thing it does is end the process, before `A` is called.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Budgeted<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        charge(layout.size());
        // SAFETY: the caller's guarantees for `layout` hold unchanged.
        unsafe { self.0.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        charge(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        refund(layout.size());
        // SAFETY: the caller's guarantees for `ptr` and `layout` hold unchanged.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            charge(new_size - layout.size());
        } else {
            refund(layout.size() - new_size);
        }
        // SAFETY: the caller's guarantees for `ptr`, `layout` and `new_size` hold unchanged.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

/// The budget of one page for a library that accepts case files of up to `max_file_size` bytes.
pub fn page_budget(max_file_size: u64) -> usize {
    let per_file = usize::try_from(max_file_size).unwrap_or(usize::MAX).saturating_mul(BUDGET_PER_FILE_BYTE);
    per_file.max(MIN_PAGE_BUDGET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_grows_with_the_largest_file_accepted() {
        assert_eq!(page_budget(1 << 20), MIN_PAGE_BUDGET);
        assert_eq!(page_budget(100 << 20), 100 << 24);
        assert_eq!(page_budget(u64::MAX), usize::MAX);
    }

    #[test]
    fn a_scope_sets_and_resets_the_thread_budget() {
        let over = Over::new(String::new(), None);
        {
            let _scope = Scope::enter(1 << 40, &over);
            charge(1000);
            assert_eq!(LEFT.with(Cell::get), (1 << 40) - 1000);
            refund(400);
            assert_eq!(LEFT.with(Cell::get), (1 << 40) - 600);
        }
        assert_eq!(LEFT.with(Cell::get), usize::MAX);
        {
            let _page = Scope::enter(1 << 40, &over);
            {
                let _part = Scope::enter(1 << 41, &over);
                assert_eq!(LEFT.with(Cell::get), 1 << 40, "inside a page, the page's budget holds");
            }
            assert_eq!(LEFT.with(Cell::get), 1 << 40, "the page's scope is back");
        }
        charge(1 << 50);
        assert_eq!(LEFT.with(Cell::get), usize::MAX, "outside a scope nothing is counted");
    }
}
