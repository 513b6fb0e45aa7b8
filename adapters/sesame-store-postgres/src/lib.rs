//! sesame-store-postgres (under construction).
