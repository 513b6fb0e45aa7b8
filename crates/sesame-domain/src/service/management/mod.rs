//! A subset of Auth0's Management API v2 (`{issuer}api/v2/`): read a user,
//! find users by email, block or unblock one, end a user's sessions. The
//! caller presents an access token for the Management API (from
//! `client_credentials`, or a user's own with `read:current_user`); each
//! call needs its scope, and every client has its own request budget per
//! minute, shared by every instance (the rate limiter).

mod caller;
mod errors;
mod logs;
mod search;
mod stats;
mod users;

pub use caller::ManagementCaller;
pub use errors::ManagementError;
pub use logs::{ListLogs, MAX_LOGS_PER_PAGE, parse_log_q};
pub use search::{ListUsers, parse_q};
pub use stats::ACTIVE_USER_WINDOW;
pub use users::UserPatch;
