//! sesame-http (under construction).
