//! `sesame users get|block|unblock|delete WHO [--json]` and `sesame users
//! list [QUERY] [--json]`: users by id, email address or phone number (or
//! a Management API `q`), against the configured store, for operators
//! without the Management API at hand. With `--json` a user prints in the
//! Management API's shape, one object per line.

use std::fmt::Write as _;

use sesame_domain::service::management::parse_q;
use sesame_domain::{EmailAddress, PhoneNumber, Recipient, User, UserId, UserQuery};

use crate::build;
use crate::config::Resolved;

/// What to do with the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsersCommand {
    /// Print the user.
    Get,
    /// Block: no more codes or tokens.
    Block,
    /// Unblock.
    Unblock,
    /// Delete, with the user's sessions and factors.
    Delete,
}

/// Whom the command names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A user id (`email|…`, `sms|…`).
    Id(UserId),
    /// The user with this address or number.
    Recipient(Recipient),
}

impl Who {
    /// Parses a user id, an email address or an E.164 number.
    ///
    /// # Errors
    /// A message for the usage error.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if let Ok(id) = UserId::parse(raw) {
            return Ok(Self::Id(id));
        }
        if raw.contains('@') {
            return EmailAddress::parse(raw)
                .map(|e| Self::Recipient(Recipient::Email(e)))
                .map_err(|e| format!("{raw:?}: {e}"));
        }
        PhoneNumber::parse(raw)
            .map(|p| Self::Recipient(Recipient::Sms(p)))
            .map_err(|_| format!("{raw:?} is not a user id, an email address or an E.164 number"))
    }
}

/// What the command came to.
#[derive(Debug)]
pub enum Outcome {
    /// Done: the text to print.
    Done(String),
    /// No such user.
    NotFound,
}

/// Runs `command` on `who`.
///
/// # Errors
/// The store cannot be opened or read.
pub async fn run(
    resolved: Resolved,
    command: UsersCommand,
    who: &Who,
    json: bool,
) -> anyhow::Result<Outcome> {
    let app = build(resolved).await?;
    let users = app.users();
    let found = match who {
        Who::Id(id) => users.get(id).await?,
        Who::Recipient(r) => users.find(r).await?,
    };
    let Some(user) = found else {
        return Ok(Outcome::NotFound);
    };
    let user = match command {
        UsersCommand::Get => user,
        UsersCommand::Delete => {
            if !app.service.delete_user(&user.id).await? {
                return Ok(Outcome::NotFound);
            }
            return Ok(Outcome::Done(format!("deleted {}", user.id)));
        }
        UsersCommand::Block | UsersCommand::Unblock => {
            let blocked = command == UsersCommand::Block;
            if !users.set_blocked(&user.id, blocked).await? {
                return Ok(Outcome::NotFound);
            }
            users.get(&user.id).await?.unwrap_or(user)
        }
    };
    Ok(Outcome::Done(if json {
        sesame_http::user_json(&user).to_string()
    } else {
        text(&user)
    }))
}

/// Every user matching `q` (the Management API's syntax; empty: all), a
/// page of 100 at a time, one per line.
///
/// # Errors
/// A `q` the Management API would refuse, or the store fails.
pub async fn list(resolved: Resolved, q: &str, json: bool) -> anyhow::Result<String> {
    let filters = parse_q(q).map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = build(resolved).await?;
    let mut query = UserQuery {
        filters,
        sort: None,
        page: 0,
        per_page: UserQuery::MAX_PER_PAGE,
    };
    let mut out = String::new();
    loop {
        let page = app.users().search(&query).await?;
        for u in &page.users {
            if json {
                let _ = writeln!(out, "{}", sesame_http::user_json(u));
            } else {
                let _ = writeln!(
                    out,
                    "{}  {}  blocked={}  logins={}",
                    u.id,
                    u.recipient.as_str(),
                    u.blocked,
                    u.logins_count
                );
            }
        }
        if page.users.len() < query.per_page as usize {
            return Ok(out);
        }
        query.page += 1;
    }
}

fn text(u: &User) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "user_id      {}", u.id);
    let _ = writeln!(
        out,
        "{:<12} {}",
        u.connection().as_str(),
        u.recipient.as_str()
    );
    let _ = writeln!(out, "verified     {}", u.verified);
    let _ = writeln!(out, "blocked      {}", u.blocked);
    let _ = writeln!(out, "logins       {}", u.logins_count);
    let _ = writeln!(out, "created_at   {}", u.created_at.to_rfc3339());
    if let Some(last) = u.last_login {
        let _ = writeln!(out, "last_login   {}", last.to_rfc3339());
    }
    out
}
