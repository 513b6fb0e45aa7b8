//! sesame-bench (under construction).
