//! `surreal start …`, `surreal export …`, `surreal import …`: SurrealDB's own
//! command line, community edition.

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_core::CommunityComposer())
}
