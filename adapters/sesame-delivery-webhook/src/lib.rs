//! sesame-delivery-webhook (under construction).
