//! sesame-store-sqlite (under construction).
