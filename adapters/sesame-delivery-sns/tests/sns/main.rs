//! `SnsSender` against moto's real SNS emulator, a capturing fake SNS (for
//! what moto does not record: the attributes and error answers) and dead
//! endpoints.

mod capture;
mod faults;
mod moto;
mod requests;
mod support;
