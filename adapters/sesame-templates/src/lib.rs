//! sesame-templates (under construction).
