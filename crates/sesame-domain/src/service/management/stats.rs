//! `GET /api/v2/stats/active-users`: how many users logged in in the last
//! 30 days, as Auth0 counts them.

use std::time::Duration;

use crate::retention::cutoff;
use crate::service::Passwordless;
use crate::user_query::{UserFilter, UserQuery};

use super::{ManagementCaller, ManagementError};

/// The window of "active": Auth0's 30 days.
pub const ACTIVE_USER_WINDOW: Duration = Duration::from_secs(30 * 24 * 60 * 60);

impl Passwordless {
    /// The number of users whose last login is within the last 30 days
    /// (scope `read:stats`).
    ///
    /// # Errors
    /// [`ManagementError::InsufficientScope`]; storage.
    pub async fn management_active_users(
        &self,
        caller: &ManagementCaller,
    ) -> Result<u64, ManagementError> {
        caller.needs("read:stats")?;
        let since = cutoff(self.ports.clock.now(), ACTIVE_USER_WINDOW);
        let query = UserQuery {
            filters: vec![UserFilter::LastLoginSince(since)],
            per_page: 1,
            ..UserQuery::all()
        };
        Ok(self.ports.users.search(&query).await?.total)
    }
}
