//! Group commit, batch by batch: [`run_batch`] called directly, so which
//! jobs share a transaction is certain, not left to timing.

use super::*;
use crate::error::store_error;

type Answer = oneshot::Receiver<Result<i64, StoreError>>;

/// A job of `work`, and where its answer arrives.
fn job<F>(work: F) -> (Box<dyn Job>, Answer)
where
    F: FnOnce(&Connection) -> Result<i64, StoreError> + Send + 'static,
{
    let (reply, answer) = oneshot::channel();
    let task = Task {
        work: Some(work),
        deadline: None,
        outcome: None,
        reply,
    };
    (Box::new(task), answer)
}

fn insert(n: i64) -> impl FnOnce(&Connection) -> Result<i64, StoreError> + Send {
    move |conn| {
        conn.execute("INSERT INTO t (n) VALUES (?1)", [n])
            .map_err(store_error)?;
        Ok(n)
    }
}

fn rows(conn: &Connection) -> Vec<i64> {
    let mut statement = conn.prepare("SELECT n FROM t ORDER BY n").unwrap();
    statement
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn db() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE p (id INTEGER PRIMARY KEY);
         CREATE TABLE t (n INTEGER PRIMARY KEY,
             p INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);
         PRAGMA foreign_keys = ON;",
    )
    .unwrap();
    conn
}

#[test]
fn a_failing_job_is_rolled_back_alone_and_the_rest_of_its_batch_commits() {
    let conn = db();
    let (a, a_answer) = job(insert(1));
    // Writes a row, then fails: its row must go, and only its row.
    let (b, b_answer) = job(|conn: &Connection| {
        conn.execute("INSERT INTO t (n) VALUES (2)", [])
            .map_err(store_error)?;
        conn.execute("INSERT INTO t (n) VALUES (1)", [])
            .map_err(store_error)?;
        Ok(2)
    });
    let (c, c_answer) = job(insert(3));
    run_batch(&conn, vec![a, b, c]);
    assert_eq!(a_answer.blocking_recv().unwrap().unwrap(), 1);
    assert!(matches!(
        b_answer.blocking_recv().unwrap(),
        Err(StoreError::Unknown(_))
    ));
    assert_eq!(c_answer.blocking_recv().unwrap().unwrap(), 3);
    assert!(conn.is_autocommit(), "the batch's transaction is over");
    assert_eq!(rows(&conn), [1, 3]);
}

#[test]
fn a_failed_commit_fails_every_job_of_the_batch_and_the_next_batch_runs() {
    let conn = db();
    let (a, a_answer) = job(insert(1));
    // Breaks a deferred foreign key: every statement succeeds, the COMMIT
    // fails.
    let (b, b_answer) = job(|conn: &Connection| {
        conn.execute("INSERT INTO t (n, p) VALUES (2, 99)", [])
            .map_err(store_error)?;
        Ok(2)
    });
    run_batch(&conn, vec![a, b]);
    for answer in [a_answer, b_answer] {
        assert!(answer.blocking_recv().unwrap().is_err());
    }
    assert!(conn.is_autocommit());
    assert_eq!(rows(&conn), Vec::<i64>::new());

    let (c, c_answer) = job(insert(3));
    run_batch(&conn, vec![c]);
    assert_eq!(c_answer.blocking_recv().unwrap().unwrap(), 3);
    assert_eq!(rows(&conn), [3]);
}

#[test]
fn a_job_past_its_deadline_does_not_run() {
    let conn = db();
    let (reply, answer) = oneshot::channel();
    let late: Box<dyn Job> = Box::new(Task {
        work: Some(insert(1)),
        deadline: Some(Instant::now() - Duration::from_secs(1)),
        outcome: None,
        reply,
    });
    let (on_time, on_time_answer) = job(insert(2));
    run_batch(&conn, vec![late, on_time]);
    assert!(matches!(
        answer.blocking_recv().unwrap(),
        Err(StoreError::Unavailable(_))
    ));
    assert_eq!(on_time_answer.blocking_recv().unwrap().unwrap(), 2);
    assert_eq!(rows(&conn), [2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_queued_while_the_writer_is_busy_commit_together() {
    let writer = Writer::start(db(), Duration::from_secs(10)).unwrap();
    let writer = std::sync::Arc::new(writer);
    // Holds the writer until every other job is queued.
    let (release, hold) = mpsc::channel::<()>();
    let busy = tokio::spawn({
        let writer = writer.clone();
        async move {
            writer
                .run(move |_| {
                    hold.recv().map_err(|_| closed())?;
                    Ok(0)
                })
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let tasks: Vec<_> = (1..=100)
        .map(|n| {
            let writer = writer.clone();
            tokio::spawn(async move {
                writer
                    .run(move |conn: &Connection| {
                        // Every job of the batch is inside one transaction.
                        assert!(!conn.is_autocommit());
                        // The 50th conflicts with the 1st: it alone fails.
                        let n = if n == 50 { 1 } else { n };
                        insert(n)(conn)
                    })
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    release.send(()).unwrap();
    assert_eq!(busy.await.unwrap().unwrap(), 0);
    let mut failed = 0;
    for task in tasks {
        failed += usize::from(task.await.unwrap().is_err());
    }
    assert_eq!(failed, 1);
    let seen = writer.run(|conn| Ok(rows(conn).len())).await.unwrap();
    assert_eq!(seen, 99);
    writer.close().await;
    assert!(matches!(
        writer.run(|_| Ok(())).await,
        Err(StoreError::Unavailable(_))
    ));
}
