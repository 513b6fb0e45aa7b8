//! Support code for the end-to-end suites (under construction).
