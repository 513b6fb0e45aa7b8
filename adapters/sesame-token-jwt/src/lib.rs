//! sesame-token-jwt (under construction).
