//! The confirm page's proof against login CSRF: the page's GET hands the
//! browser a value derived from the link's token (a keyed MAC, so it holds
//! nothing that opens the link), and only a POST that carries it back may
//! spend the link. A page that posts a link on a victim's behalf, without
//! the victim's browser having opened that link, lacks it.
//!
//! The HTTP edge carries the value in a cookie; the domain only derives and
//! checks it, so any instance sharing the secret accepts it.

use crate::code::CodeMac;
use crate::service::Passwordless;

impl Passwordless {
    /// The confirmation for the link whose token is `verification_code`:
    /// 64 lower-case hex characters.
    #[must_use]
    pub fn link_confirmation(&self, verification_code: &str) -> String {
        self.macs.link_confirm(verification_code).to_hex()
    }

    /// Whether `presented` is the confirmation of `verification_code`,
    /// compared in constant time.
    #[must_use]
    pub fn confirms_link(&self, verification_code: &str, presented: &str) -> bool {
        CodeMac::from_hex(presented)
            .is_ok_and(|p| p.matches(&self.macs.link_confirm(verification_code)))
    }
}
