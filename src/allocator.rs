//! The allocator the `milepost` command runs on: mimalloc, asked the cheap
//! way when it can be.
//!
//! A build allocates millions of small strings and values on both cores.
//! With glibc's allocator a 50,000-post build spent an eighth of its time in
//! malloc and grew its heap with fragments; `mimalloc::MiMalloc` takes
//! mimalloc's aligned path for every allocation, which costs about twice a
//! plain `mi_malloc`, though nearly all ask only for what malloc gives anyway.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// The alignment `mi_malloc` guarantees for any block at least this large.
const MALLOC_ALIGN: usize = 16;

pub struct Allocator;

fn plain(layout: Layout) -> bool {
    layout.align() <= MALLOC_ALIGN && layout.align() <= layout.size()
}

// SAFETY: each call hands mimalloc's own pointers back to it, and asks for
// the aligned functions whenever `mi_malloc`'s alignment would not do.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain C allocation calls with the sizes asked for.
        unsafe {
            if plain(layout) {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe {
            if plain(layout) {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`.
        unsafe {
            if layout.align() <= MALLOC_ALIGN && layout.align() <= new_size {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_have_the_alignment_asked_for_and_keep_their_bytes() {
        for (size, align) in [(1, 1), (8, 8), (24, 8), (16, 16), (100, 32), (4096, 4096), (3, 16)] {
            let layout = Layout::from_size_align(size, align).unwrap();
            unsafe {
                let ptr = Allocator.alloc_zeroed(layout);
                assert!(!ptr.is_null());
                assert_eq!(ptr as usize % align, 0, "{size} bytes aligned to {align}");
                assert!(std::slice::from_raw_parts(ptr, size).iter().all(|&b| b == 0));
                ptr.write_bytes(7, size);
                let grown = Allocator.realloc(ptr, layout, size * 3);
                assert_eq!(grown as usize % align, 0, "{size} bytes grown, aligned to {align}");
                assert!(std::slice::from_raw_parts(grown, size).iter().all(|&b| b == 7));
                Allocator.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
            }
        }
    }
}
