//! sesame-delivery-smtp (under construction).
