//! sesame-testkit (under construction).
