//! sesame-delivery-sns (under construction).
