//! sesame-system (under construction).
