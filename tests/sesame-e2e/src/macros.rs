//! Running one scenario on every backend, each as its own test.

/// Turns scenario functions `async fn name(backend: Backend)` into one
/// `#[tokio::test]` per backend: `sqlite::name` and `postgres_redis::name`.
/// Attributes written before a name (`#[ignore = "…"]`) go on both tests.
///
/// ```ignore
/// async fn a_code_can_be_redeemed(backend: Backend) { /* … */ }
/// sesame_e2e::on_every_backend!(a_code_can_be_redeemed);
/// ```
#[macro_export]
macro_rules! on_every_backend {
    ($( $(#[$meta:meta])* $name:ident ),+ $(,)?) => {
        mod sqlite {
            $(
                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres_redis {
            $(
                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::PostgresRedis).await;
                }
            )+
        }
    };
}
