//! sesame-store-redis (under construction).
