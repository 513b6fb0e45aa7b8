//! [`StepStore`]: each login step that counts limits and touches a
//! challenge as one job of the writer thread, so a step is one trip to it
//! (and, with group commit, shares one transaction with the other writes
//! queued beside it).

use async_trait::async_trait;
use sesame_domain::ports::{Settlement, StepStore, StoreError};
use sesame_domain::{Challenge, ChallengeId, ChallengeKey, RateKey, Reservation, Timestamp};

use crate::SqliteStore;
use crate::challenges::{PutRow, consume_in, latest_in};
use crate::rate_batch::SettleStatement;

#[async_trait]
impl StepStore for SqliteStore {
    async fn admit_challenge(
        &self,
        take: &[RateKey<'_>],
        challenge: &Challenge,
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        let row = PutRow::of(challenge)?;
        let put = move |conn: &rusqlite::Connection| row.run(conn);
        let (reservation, _) = self.reserve_then(take, &[], now, Some(put)).await?;
        Ok(reservation)
    }

    async fn reserve_and_read(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        key: &ChallengeKey,
        now: Timestamp,
    ) -> Result<(Reservation, Option<Challenge>), StoreError> {
        let key = key.clone();
        let read = move |conn: &rusqlite::Connection| latest_in(conn, &key);
        let (reservation, latest) = self.reserve_then(take, need, now, Some(read)).await?;
        Ok((reservation, latest.flatten()))
    }

    async fn consume_and_settle(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
        won: Settlement<'_>,
        lost: Settlement<'_>,
    ) -> Result<bool, StoreError> {
        let id = id.as_str().to_owned();
        let won = SettleStatement::new(won.release, won.reset, now);
        let lost = SettleStatement::new(lost.release, lost.reset, now);
        // `write`: the consume stands by itself, whatever the settlement
        // does after it.
        self.write(move |conn| {
            let flipped = consume_in(conn, &id, now)?;
            if let Some(settle) = if flipped { won } else { lost }
                && let Err(e) = settle.run(conn)
            {
                // Best effort: the answer no longer depends on it, and a
                // unit not given back only makes a budget stricter.
                tracing::warn!(error = %e, "could not settle the failure budget");
            }
            Ok(flipped)
        })
        .await
    }
}
